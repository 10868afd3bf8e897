//! The `model!` procedural macro: parses a model declaration and generates its struct and log-density.

use proc_macro::TokenStream;

/// Declares a probabilistic model. See `docs/writing-models.md`.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let _ = input;
    TokenStream::new()
}

//! The `model!` procedural macro: parses a model declaration and generates its struct and log-density.
//!
//! `lib.rs` only parses and delegates: `ast` is the typed syntax, `valid` the semantic
//! checks (and the resolution of implicit parameter declarations), `expand` the code
//! generation, `affine` its rewrite of affine `~` arguments into `ppl::core::Affine`, `scalar`
//! its rewrites of Stan habits that Rust's types reject (`lp += poisson_lpmf(…)?`,
//! `normal(0, 1)`, `log_sum_exp(a, b)`). The
//! language is documented in `docs/writing-models.md`.

use proc_macro::TokenStream;

mod affine;
mod ast;
mod expand;
mod scalar;
mod valid;

/// Declares a probabilistic model: a data struct, its constructors, and an implementation of
/// `ppl::core::Model` (the log-density over the unconstrained space with Stan's transforms).
/// See `docs/writing-models.md` (the `ppl::writing_models` module of the `ppl` crate).
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    let mut model = match syn::parse::<ast::ModelInput>(input) {
        Ok(model) => model,
        Err(error) => return error.to_compile_error().into(),
    };
    match valid::check(&mut model) {
        Ok(()) => {
            scalar::annotate(&mut model.body);
            expand::expand(&model).into()
        }
        Err(error) => {
            let mut out = error.to_compile_error();
            out.extend(expand::stub(&model));
            out.into()
        }
    }
}

//! (diagnostics: not yet written.)

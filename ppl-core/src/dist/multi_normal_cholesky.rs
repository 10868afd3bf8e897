//! The multi normal cholesky family (not yet written).

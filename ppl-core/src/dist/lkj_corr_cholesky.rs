//! The lkj corr cholesky family (not yet written).

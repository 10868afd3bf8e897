//! The cholesky cov transform (not yet written).

//! The cholesky corr transform (not yet written).

//! The poisson family (not yet written).

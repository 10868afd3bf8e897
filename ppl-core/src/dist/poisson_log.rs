//! The poisson log family (not yet written).

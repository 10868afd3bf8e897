//! The exponential family (not yet written).

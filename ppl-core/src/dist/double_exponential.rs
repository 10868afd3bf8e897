//! The double exponential family (not yet written).

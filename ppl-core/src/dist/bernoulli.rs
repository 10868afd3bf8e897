//! The bernoulli family (not yet written).

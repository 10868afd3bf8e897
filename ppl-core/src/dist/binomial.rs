//! The binomial family (not yet written).

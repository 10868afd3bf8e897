//! The logistic family (not yet written).

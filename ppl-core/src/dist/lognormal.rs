//! The lognormal family (not yet written).

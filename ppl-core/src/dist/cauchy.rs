//! The cauchy family (not yet written).

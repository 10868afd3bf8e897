//! The neg binomial 2 family (not yet written).

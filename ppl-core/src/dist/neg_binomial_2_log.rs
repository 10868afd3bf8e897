//! The neg binomial 2 log family (not yet written).

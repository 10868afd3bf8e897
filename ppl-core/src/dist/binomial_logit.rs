//! The binomial logit family (not yet written).

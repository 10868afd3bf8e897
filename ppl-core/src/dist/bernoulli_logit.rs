//! The bernoulli logit family (not yet written).

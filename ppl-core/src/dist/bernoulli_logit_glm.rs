//! The bernoulli logit glm family (not yet written).

//! The poisson log glm family (not yet written).

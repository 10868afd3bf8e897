//! The normal id glm family (not yet written).

//! The student t family (not yet written).

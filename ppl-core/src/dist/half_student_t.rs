//! The half student t family (not yet written).

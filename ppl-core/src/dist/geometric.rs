//! The geometric family (not yet written).

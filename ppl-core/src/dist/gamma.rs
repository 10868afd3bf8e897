//! The gamma family (not yet written).

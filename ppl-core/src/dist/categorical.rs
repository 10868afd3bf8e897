//! The categorical family (not yet written).

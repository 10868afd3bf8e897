//! The multi normal family (not yet written).

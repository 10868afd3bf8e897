//! The half normal family (not yet written).

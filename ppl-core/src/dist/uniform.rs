//! The uniform family (not yet written).

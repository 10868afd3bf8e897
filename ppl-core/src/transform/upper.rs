//! The upper transform (not yet written).

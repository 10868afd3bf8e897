//! The lower upper transform (not yet written).

//! The lower transform (not yet written).

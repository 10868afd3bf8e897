//! The positive ordered transform (not yet written).

//! The ordered transform (not yet written).

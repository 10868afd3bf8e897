//! The inv gamma family (not yet written).

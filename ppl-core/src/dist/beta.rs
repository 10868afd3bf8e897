//! The beta family (not yet written).

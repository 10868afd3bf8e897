//! The chi square family (not yet written).

//! The von mises family (not yet written).

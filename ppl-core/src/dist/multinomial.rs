//! The multinomial family (not yet written).

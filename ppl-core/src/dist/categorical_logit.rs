//! The categorical logit family (not yet written).

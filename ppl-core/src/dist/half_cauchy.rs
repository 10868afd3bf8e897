//! The half cauchy family (not yet written).

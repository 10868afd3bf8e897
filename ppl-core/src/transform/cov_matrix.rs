//! The cov matrix transform (not yet written).

//! The offset multiplier transform (not yet written).

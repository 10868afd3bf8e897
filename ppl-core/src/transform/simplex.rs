//! The simplex transform (not yet written).

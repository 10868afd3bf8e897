//! The dirichlet family (not yet written).

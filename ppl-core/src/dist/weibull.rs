//! The weibull family (not yet written).

//! The multivariate normal distribution `multi_normal(y | mu, Sigma)` with a covariance matrix.

/// The shared test helpers, re-exported for tests outside `dist` (`linalg`, `real_tests`):
/// `dist::testing` itself is private to `dist`.
#[cfg(test)]
pub(crate) use super::testing::{assert_close, assert_gradient_matches};

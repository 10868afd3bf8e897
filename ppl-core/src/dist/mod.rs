//! Probability distributions: one family per file, log-densities generic over the scalar, vectorised with analytic partials.
//!
//! Each family `foo` provides `foo_lpdf` (normalised) and `foo_lupdf` (constants dropped, what
//! `~` uses) — `_lpmf`/`_lupmf` for discrete families — plus a struct implementing
//! [`Distribution`] for sampling and moments. See `docs/distributions.md`.

mod bessel;
mod check;
mod distribution;
mod math;
mod partials;
mod registry;
#[cfg(test)]
pub(crate) mod testing;

// continuous
mod beta;
mod cauchy;
mod chi_square;
mod double_exponential;
mod exponential;
mod gamma;
mod half_cauchy;
mod half_normal;
mod half_student_t;
mod inv_gamma;
mod logistic;
mod lognormal;
mod normal;
mod student_t;
mod uniform;
mod von_mises;
mod weibull;
// discrete
mod bernoulli;
mod bernoulli_logit;
mod beta_binomial;
mod binomial;
mod binomial_logit;
mod categorical;
mod categorical_logit;
mod geometric;
mod neg_binomial_2;
mod neg_binomial_2_log;
mod ordered_logistic;
mod ordered_probit;
mod poisson;
mod poisson_log;
// multivariate
mod dirichlet;
mod lkj_corr_cholesky;
mod multi_normal;
mod multi_normal_cholesky;
mod multinomial;
// generalised linear models
mod bernoulli_logit_glm;
mod normal_id_glm;
mod poisson_log_glm;

pub use bernoulli::*;
pub use bernoulli_logit::*;
pub use bernoulli_logit_glm::*;
pub use beta::*;
pub use beta_binomial::*;
pub use binomial::*;
pub use binomial_logit::*;
pub use categorical::*;
pub use categorical_logit::*;
pub use cauchy::*;
pub use chi_square::*;
pub use dirichlet::*;
pub use distribution::{Distribution, Support};
pub use double_exponential::*;
pub use exponential::*;
pub use gamma::*;
pub use geometric::*;
pub use half_cauchy::*;
pub use half_normal::*;
pub use half_student_t::*;
pub use inv_gamma::*;
pub use lkj_corr_cholesky::*;
pub use logistic::*;
pub use lognormal::*;
pub use multi_normal::*;
pub use multi_normal_cholesky::*;
pub use multinomial::*;
pub use neg_binomial_2::*;
pub use neg_binomial_2_log::*;
pub use normal::*;
pub use normal_id_glm::*;
pub use ordered_logistic::{ordered_logistic_lpmf, ordered_logistic_lupmf, OrderedLogistic};
pub use ordered_probit::*;
pub use poisson::*;
pub use poisson_log::*;
pub use poisson_log_glm::*;
pub use registry::{family, FamilyInfo, SupportKind, FAMILIES};
pub use student_t::*;
pub use uniform::*;
pub use von_mises::*;
pub use weibull::*;

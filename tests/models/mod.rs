//! The 17 posteriordb posteriors, the 5 performance-suite models and ppl's own benchmark models written with `model!`, one file per model, each with a `load()` of its data.

pub mod hmm;

// posteriordb (tests/data/posteriordb/<posterior>/)
pub mod ark;
pub mod arma11;
pub mod blr;
pub mod diamonds;
pub mod earnings;
pub mod eight_schools_centered;
pub mod eight_schools_noncentered;
pub mod garch11;
pub mod gp_pois_regr;
pub mod gp_regr;
pub mod hmm_drive_0;
pub mod hmm_example;
pub mod kidiq;
pub mod kilpisjarvi;
pub mod low_dim_gauss_mix;
pub mod mesquite;
pub mod nes;

// performance suite (tests/data/bench/)
pub mod bench_eight_schools;
pub mod correlated_gaussian;
pub mod hierarchical_regression;
pub mod hierarchical_regression_affine;
pub mod logistic_regression;
pub mod poisson_glm;

// ppl's own benchmark models (synthetic data)
pub mod hierarchical_logistic;

//! Options of ADVI with Stan's defaults and their checks.

use crate::error::{Error, Result};
use crate::optimize::Init;

/// The variational family, Gaussian on the unconstrained scale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AdviAlgorithm {
    /// Independent Gaussians `N(μ_i, exp(ω_i)²)` (Stan's `meanfield`, the default).
    #[default]
    MeanField,
    /// `N(μ, L Lᵀ)` with `L` lower triangular, any diagonal sign (Stan's `fullrank`).
    FullRank,
}

impl std::fmt::Display for AdviAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            AdviAlgorithm::MeanField => "meanfield",
            AdviAlgorithm::FullRank => "fullrank",
        })
    }
}

/// Options of [`fit`](super::fit), with Stan's `variational` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct AdviOptions {
    /// Mean-field or full-rank (default mean-field).
    pub algorithm: AdviAlgorithm,
    /// Monte Carlo draws per ELBO-gradient estimate (default 1).
    pub grad_samples: usize,
    /// Monte Carlo draws per ELBO estimate (default 100).
    pub elbo_samples: usize,
    /// Step-size scale when adaptation is off (default 1).
    pub eta: f64,
    /// Search the step-size scale over 100, 10, 1, 0.1, 0.01 (default `true`).
    pub adapt_engaged: bool,
    /// Iterations per step-size candidate during adaptation (default 50).
    pub adapt_iter: usize,
    /// Evaluate the ELBO, and test convergence, every this many iterations (default 100).
    pub eval_elbo: usize,
    /// Converged when the mean or the median of recent relative ELBO changes falls below this
    /// (default 0.01).
    pub tol_rel_obj: f64,
    /// Maximum stochastic-gradient iterations (default 10 000).
    pub max_iterations: usize,
    /// Draws from the fitted approximation (default 1000).
    pub output_samples: usize,
    /// Initial mean of the approximation (default uniform(−2, 2) random init).
    pub init: Init,
    /// Seed of the random init, the Monte Carlo estimates and the output draws.
    pub seed: u64,
    /// Iterate averaging (Polyak–Ruppert): the returned approximation is the average of the
    /// variational parameters over the last `average_windows` complete ELBO-evaluation windows
    /// (`eval_elbo` iterations each) instead of the last iterate. Default 0: off, Stan's
    /// behaviour. Not in Stan; see docs/advi-map-laplace.md.
    pub average_windows: usize,
    /// Relative steps: multiply the step of μ_i by q's current sd `s_i` of u_i (and of each
    /// of the `i + 1` entries of row i of the Cholesky factor by `s_i / √(i + 1)`), so that
    /// steps are measured in posterior sds rather than unconstrained units. Default `false`
    /// (Stan). Not in Stan; see docs/advi-map-laplace.md.
    pub relative_steps: bool,
    /// Divide each step by the running RMS of the gradients *before* the current gradient
    /// enters it. Stan includes the current one, which shrinks the large draws of a skewed
    /// gradient noise more than the small ones and moves the fixed point: with one gradient
    /// draw, scales come out 4–8 % too wide on a Gaussian target. The normalised gradient is
    /// capped at 3 history RMS (Stan's normaliser caps it at √10 ≈ 3.2), so that an outlying
    /// draw cannot make a huge step. Default `false` (Stan). Not in Stan; see
    /// docs/advi-map-laplace.md.
    pub lagged_normaliser: bool,
    /// Start q at the Laplace approximation instead of N(init, I): the mean at the posterior
    /// mode on the unconstrained scale (L-BFGS from `init`, Jacobian included) and the scale
    /// from the finite-difference Hessian there (mean-field: the conditional sds
    /// `1/√(−H_ii)`; full-rank: the Cholesky factor of `(−H)⁻¹`). An L-BFGS run that stops
    /// early is continued from its best point (up to 8 runs). Falls back to Stan's start,
    /// with a warning in the fit, when no mode with a positive-definite Hessian is found.
    /// Default `false` (Stan). Not in Stan; see docs/advi-map-laplace.md.
    pub warm_start: bool,
    /// Independent runs (the same `seed`, ChaCha stream 0, 1, …: its own init, warm start,
    /// step-size search and iterations each); the fit is the one whose final approximation
    /// has the highest ELBO (`elbo_samples` draws). Default 1 (Stan's single run); a restart
    /// that fails is skipped, and the fit fails only when all do. Not in Stan.
    pub restarts: usize,
}

impl Default for AdviOptions {
    fn default() -> Self {
        Self {
            algorithm: AdviAlgorithm::MeanField,
            grad_samples: 1,
            elbo_samples: 100,
            eta: 1.0,
            adapt_engaged: true,
            adapt_iter: 50,
            eval_elbo: 100,
            tol_rel_obj: 0.01,
            max_iterations: 10_000,
            output_samples: 1000,
            init: Init::default(),
            seed: 0,
            average_windows: 0,
            relative_steps: false,
            lagged_normaliser: false,
            warm_start: false,
            restarts: 1,
        }
    }
}

impl AdviOptions {
    /// ADVI for accuracy rather than speed (not Stan's defaults; see docs/advi-map-laplace.md
    /// for the measured effect of each part): q starts at the Laplace approximation
    /// (`warm_start`); the steps of the means and Cholesky rows are measured in q's sds
    /// (`relative_steps`), with `eta` fixed at 1 instead of searched (`adapt_engaged = false`),
    /// since steps of `η/√k` sds need no scale search; each step is divided by the gradient
    /// RMS before the current draw (`lagged_normaliser`); `tol_rel_obj = 1e-4`; the result
    /// averages the last 10 ELBO windows of iterates (`average_windows = 10`, 1000
    /// iterates); and the best ELBO of 4 restarts is kept (`restarts = 4`). Costs up to 4 ×
    /// 10 000 gradients plus 4 L-BFGS runs. The warm start needs a posterior mode: on a funnel
    /// (a hierarchical scale going to 0) there is none, and the fit falls back to Stan's start.
    ///
    /// ```
    /// let options = ppl_infer::advi::AdviOptions::accurate();
    /// assert!(options.warm_start && options.relative_steps && options.lagged_normaliser);
    /// assert!(!options.adapt_engaged);
    /// assert_eq!((options.eta, options.tol_rel_obj), (1.0, 1e-4));
    /// assert_eq!((options.average_windows, options.restarts), (10, 4));
    /// ```
    pub fn accurate() -> Self {
        Self {
            tol_rel_obj: 1e-4,
            average_windows: 10,
            restarts: 4,
            warm_start: true,
            relative_steps: true,
            lagged_normaliser: true,
            adapt_engaged: false,
            eta: 1.0,
            ..Self::default()
        }
    }

    /// Checks every option (the init is checked against the model in [`fit`](super::fit)).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`], e.g. `"advi: tol_rel_obj is -1, but must be positive"`.
    pub fn validate(&self) -> Result<()> {
        const FUNCTION: &str = "advi";
        for (name, value) in [
            ("grad_samples", self.grad_samples),
            ("elbo_samples", self.elbo_samples),
            ("adapt_iter", self.adapt_iter),
            ("eval_elbo", self.eval_elbo),
            ("max_iterations", self.max_iterations),
            ("restarts", self.restarts),
        ] {
            if value == 0 {
                return Err(Error::invalid(FUNCTION, name, value, "at least 1"));
            }
        }
        if self.output_samples < 2 {
            return Err(Error::invalid(
                FUNCTION,
                "output_samples",
                self.output_samples,
                "at least 2",
            ));
        }
        for (name, value) in [("eta", self.eta), ("tol_rel_obj", self.tol_rel_obj)] {
            if value.is_nan() || value <= 0.0 {
                return Err(Error::invalid(FUNCTION, name, value, "positive"));
            }
            if !value.is_finite() {
                return Err(Error::invalid(FUNCTION, name, value, "finite"));
            }
        }
        Ok(())
    }
}

//! Options of the NUTS sampler (`NutsOptions`), with Stan's defaults, and their validation.

use crate::error::{Error, Result};

/// The shape of the adapted inverse metric (Stan's `metric=diag_e` / `metric=dense_e`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// A diagonal inverse metric: one variance per unconstrained coordinate (Stan's default).
    #[default]
    Diag,
    /// A dense inverse metric: the full covariance of the unconstrained coordinates; momenta
    /// are drawn through its Cholesky factor. Costs `O(d²)` per leapfrog step.
    Dense,
}

/// How each chain's starting point is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// Uniform on `(-radius, radius)` in every unconstrained coordinate (Stan's `init=2`),
    /// retried up to 100 times until the log density and its gradient are finite.
    /// `radius = 0` starts every chain at the origin of the unconstrained space.
    Random {
        /// Half-width of the uniform box on the unconstrained scale.
        radius: f64,
    },
    /// Constrained parameter values in [`LogDensity::param_names`](crate::LogDensity) order,
    /// converted with `LogDensity::unconstrain`; every chain starts there.
    Values(Vec<f64>),
}

impl Default for Init {
    fn default() -> Self {
        Init::Random { radius: 2.0 }
    }
}

/// Options of [`sample`](super::sample). `NutsOptions::default()` gives Stan's defaults.
///
/// Warm-up follows Stan's windowed adaptation (Stan Reference Manual, "HMC algorithm
/// parameters"): an initial fast buffer of `init_buffer` iterations adapting only the step size,
/// slow windows of `base_window`, `2·base_window`, ... iterations estimating the inverse metric
/// (the last one stretched to the terminal buffer), and a terminal fast buffer of `term_buffer`
/// iterations. The step size is tuned by Nesterov dual averaging (Hoffman & Gelman 2014,
/// Algorithm 5) towards the target acceptance statistic `adapt_delta`, with parameters
/// `gamma`, `kappa`, `t0`.
#[derive(Debug, Clone, PartialEq)]
pub struct NutsOptions {
    /// Warm-up iterations per chain (default 1000).
    pub num_warmup: usize,
    /// Post-warm-up draws per chain (default 1000).
    pub num_draws: usize,
    /// Number of chains (default 4).
    pub num_chains: usize,
    /// Seed of the random number generators; chain `c` uses the ChaCha8 stream `c` of this seed,
    /// so results do not depend on the thread count (default 20_251_126, fixed so runs are
    /// reproducible unless changed).
    pub seed: u64,
    /// Maximum tree depth: at most `2^max_depth − 1` leapfrog steps per draw (default 10).
    pub max_depth: u32,
    /// Target average acceptance statistic of the step-size adaptation, in `(0, 1)`
    /// (Stan's `adapt delta`, default 0.8).
    pub adapt_delta: f64,
    /// Diagonal (default) or dense inverse metric.
    pub metric: Metric,
    /// Starting points (default `Init::Random { radius: 2.0 }`).
    pub init: Init,
    /// Initial step size before Stan's initial heuristic refines it (default 1).
    pub step_size: f64,
    /// Keep the warm-up draws in [`Chain::warmup_values`](crate::Chain) (default false).
    pub keep_warmup: bool,
    /// Worker threads; `None` uses the available parallelism (default). Never more than
    /// `num_chains` are started.
    pub threads: Option<usize>,
    /// Show one progress bar per chain on stderr (default true; hidden anyway when stderr is not
    /// a terminal).
    pub progress: bool,
    /// Initial fast adaptation buffer in iterations (Stan's `init_buffer`, default 75).
    pub init_buffer: usize,
    /// Terminal fast adaptation buffer in iterations (Stan's `term_buffer`, default 50).
    pub term_buffer: usize,
    /// First slow adaptation window in iterations (Stan's `window`, default 25); 0 disables
    /// metric adaptation (only the step size is tuned).
    pub base_window: usize,
    /// Dual averaging regularisation scale `γ` (default 0.05).
    pub gamma: f64,
    /// Dual averaging relaxation exponent `κ` (default 0.75).
    pub kappa: f64,
    /// Dual averaging iteration offset `t₀` (default 10).
    pub t0: f64,
}

impl Default for NutsOptions {
    fn default() -> Self {
        NutsOptions {
            num_warmup: 1000,
            num_draws: 1000,
            num_chains: 4,
            seed: 20_251_126,
            max_depth: 10,
            adapt_delta: 0.8,
            metric: Metric::Diag,
            init: Init::default(),
            step_size: 1.0,
            keep_warmup: false,
            threads: None,
            progress: true,
            init_buffer: 75,
            term_buffer: 50,
            base_window: 25,
            gamma: 0.05,
            kappa: 0.75,
            t0: 10.0,
        }
    }
}

impl NutsOptions {
    /// Checks every option against its domain.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the first bad option, e.g.
    /// `"nuts: max_depth is 0, but must be at least 1"`.
    ///
    /// ```
    /// use ppl_infer::nuts::NutsOptions;
    /// let options = NutsOptions { max_depth: 0, ..NutsOptions::default() };
    /// let message = options.validate().unwrap_err().to_string();
    /// assert_eq!(message, "nuts: max_depth is 0, but must be at least 1");
    /// ```
    pub fn validate(&self) -> Result<()> {
        let fail = |argument: &str, value: &dyn std::fmt::Display, rule: &str| {
            Err(Error::invalid("nuts", argument, value, rule))
        };
        if self.num_chains == 0 {
            return fail("num_chains", &self.num_chains, "at least 1");
        }
        if self.max_depth == 0 {
            return fail("max_depth", &self.max_depth, "at least 1");
        }
        if !(self.adapt_delta > 0.0 && self.adapt_delta < 1.0) {
            return fail("adapt_delta", &self.adapt_delta, "in (0, 1)");
        }
        if !(self.step_size > 0.0 && self.step_size.is_finite()) {
            return fail("step_size", &self.step_size, "positive and finite");
        }
        if self.threads == Some(0) {
            return fail("threads", &0, "at least 1");
        }
        if !(self.gamma > 0.0 && self.gamma.is_finite()) {
            return fail("gamma", &self.gamma, "positive and finite");
        }
        if !(self.kappa > 0.0 && self.kappa <= 1.0) {
            return fail("kappa", &self.kappa, "in (0, 1]");
        }
        if !(self.t0 > 0.0 && self.t0.is_finite()) {
            return fail("t0", &self.t0, "positive and finite");
        }
        match &self.init {
            Init::Random { radius } if !(*radius >= 0.0 && radius.is_finite()) => {
                fail("init radius", radius, "non-negative and finite")
            }
            Init::Values(values) => match values.iter().position(|v| !v.is_finite()) {
                Some(i) => fail(&format!("init[{}]", i + 1), &values[i], "finite"),
                None => Ok(()),
            },
            Init::Random { .. } => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(options: NutsOptions) -> String {
        options.validate().unwrap_err().to_string()
    }

    #[test]
    fn defaults_are_stans_and_valid() {
        let options = NutsOptions::default();
        assert!(options.validate().is_ok());
        assert_eq!((options.num_warmup, options.num_draws), (1000, 1000));
        assert_eq!((options.max_depth, options.adapt_delta), (10, 0.8));
        assert_eq!(
            (
                options.init_buffer,
                options.term_buffer,
                options.base_window
            ),
            (75, 50, 25)
        );
        assert_eq!(
            (options.gamma, options.kappa, options.t0),
            (0.05, 0.75, 10.0)
        );
        assert_eq!(options.init, Init::Random { radius: 2.0 });
    }

    #[test]
    fn bad_options_are_named() {
        let base = NutsOptions::default;
        assert_eq!(
            message(NutsOptions {
                adapt_delta: 1.0,
                ..base()
            }),
            "nuts: adapt_delta is 1, but must be in (0, 1)"
        );
        assert_eq!(
            message(NutsOptions {
                num_chains: 0,
                ..base()
            }),
            "nuts: num_chains is 0, but must be at least 1"
        );
        assert_eq!(
            message(NutsOptions {
                threads: Some(0),
                ..base()
            }),
            "nuts: threads is 0, but must be at least 1"
        );
        assert_eq!(
            message(NutsOptions {
                step_size: -1.0,
                ..base()
            }),
            "nuts: step_size is -1, but must be positive and finite"
        );
        assert_eq!(
            message(NutsOptions {
                kappa: 1.5,
                ..base()
            }),
            "nuts: kappa is 1.5, but must be in (0, 1]"
        );
        assert_eq!(
            message(NutsOptions {
                init: Init::Random { radius: -2.0 },
                ..base()
            }),
            "nuts: init radius is -2, but must be non-negative and finite"
        );
        assert_eq!(
            message(NutsOptions {
                init: Init::Values(vec![0.0, f64::NAN]),
                ..base()
            }),
            "nuts: init[2] is NaN, but must be finite"
        );
    }
}

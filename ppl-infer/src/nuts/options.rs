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

/// When warm-up estimates the inverse metric.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum AdaptationSchedule {
    /// Stan's windowed adaptation (default): an initial buffer of
    /// [`NutsOptions::init_buffer`] iterations with the unit (or initial) metric, slow windows
    /// of `base_window`, `2·base_window`, ... iterations each ending in a metric update from
    /// that window's draws only, and a terminal buffer of `term_buffer` iterations adapting the
    /// step size alone.
    #[default]
    Stan,
    /// nutpie's (nuts-rs 0.17) overlapping windows. With `N` warm-up iterations, the metric
    /// phase is the first `N − ⌊final_fraction·N⌋` iterations and the rest adapts the step
    /// size alone. Two accumulators, foreground and background, both take every draw of the
    /// metric phase (and the starting point). The metric is recomputed from the foreground
    /// after every draw once it holds at least 3 draws. When the background holds `w` draws
    /// (`w = early_window` during the first `⌊early_fraction·N⌋` iterations, `window` after)
    /// and at least `w` iterations of the metric phase remain, the foreground is replaced by
    /// the background and a new background starts. The foreground so always holds the last
    /// `w` to `2w` draws, and the final metric about the last `1.5·window` to `3·window`.
    Continuous {
        /// Fraction of warm-up using `early_window` (nutpie: 0.3).
        early_fraction: f64,
        /// Fraction of warm-up at its end adapting only the step size (nutpie: 0.15).
        final_fraction: f64,
        /// Background size that triggers a switch early in warm-up (nutpie: 10).
        early_window: usize,
        /// Background size that triggers a switch later (nutpie: 80).
        window: usize,
    },
}

impl AdaptationSchedule {
    /// nutpie's schedule: `Continuous { early_fraction: 0.3, final_fraction: 0.15,
    /// early_window: 10, window: 80 }`.
    pub fn nutpie() -> Self {
        AdaptationSchedule::Continuous {
            early_fraction: 0.3,
            final_fraction: 0.15,
            early_window: 10,
            window: 80,
        }
    }
}

/// The inverse metric warm-up starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricInit {
    /// The unit metric (Stan, default).
    #[default]
    Identity,
    /// `M⁻¹ᵢᵢ = 1/|∂ log p/∂qᵢ|` at the starting point, clamped to `[1e-20, 1e20]` (nutpie);
    /// zero off the diagonal for a dense metric.
    AbsGradient,
}

/// How an inverse metric is estimated from the draws of a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MetricEstimator {
    /// Stan's regularised sample (co)variance of the draws:
    /// `n/(n+5)·Σ̂ + 10⁻³·5/(n+5)·I` (default).
    #[default]
    DrawVariance,
    /// nutpie's draw/gradient estimate (diagonal metric only):
    /// `M⁻¹ᵢᵢ = sqrt(Var(qᵢ)/Var(∂ log p/∂qᵢ))`, clamped to `[1e-20, 1e20]`, unregularised.
    /// It minimises the Fisher divergence between the target and a Gaussian with that diagonal
    /// covariance; for `N(μ, Σ)` it tends to `sqrt(Σᵢᵢ/(Σ⁻¹)ᵢᵢ)`, the geometric mean of the
    /// marginal and conditional variances (Seyboldt, Carlson & Carpenter 2026, arXiv:2603.18845).
    DrawGradient,
}

/// When the step size is searched afresh (Stan's initial heuristic) and dual averaging restarted
/// around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StepSizeRestart {
    /// After every metric update (Stan, default).
    #[default]
    EveryMetricUpdate,
    /// After the first metric update only; dual averaging then runs on through later updates
    /// (nutpie).
    FirstMetricUpdate,
}

/// The acceptance statistic that dual averaging drives towards `adapt_delta`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AcceptStatistic {
    /// The mean of `min(1, exp(H₀ − H))` over the trajectory's leapfrog points (Stan, default).
    #[default]
    Standard,
    /// The standard statistic until the late phase (Stan schedule: the terminal buffer;
    /// continuous schedule: once no more switch can happen), then the symmetric
    /// `2/(1 + exp(|H₀ − H|))` averaged over the trajectory (nutpie).
    SymmetricLate,
}

/// Which warm-up draws enter the metric estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DrawFilter {
    /// Every draw of a window (Stan, default).
    #[default]
    All,
    /// Only draws that moved (not the trajectory's starting point) and, for a divergent
    /// trajectory, lie more than 4 leapfrog steps from the start (nutpie).
    Moved,
}

/// Random perturbation of the step size of each transition, warm-up and sampling.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum StepSizeJitter {
    /// The adapted step size as is (Stan, default).
    #[default]
    None,
    /// The step size times `U(1 − half_width, 1 + half_width)`, `half_width` in `[0, 1)`
    /// (nutpie: 0.1). It breaks the periodic trajectories a fixed step size can give.
    Uniform {
        /// Half-width of the relative perturbation.
        half_width: f64,
    },
}

/// How warm-up adapts the metric and the step size: each way nutpie's warm-up differs from
/// Stan's is a separate switch. `AdaptationOptions::default()` is Stan's windowed adaptation
/// (draws bit-identical to before these options existed), [`AdaptationOptions::nutpie_like`]
/// turns every switch to nutpie's (nuts-rs 0.17) diagonal warm-up. Dual averaging keeps
/// `NutsOptions::{adapt_delta, gamma, kappa, t0}` in both.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct AdaptationOptions {
    /// When the metric is estimated (default Stan's windows).
    pub schedule: AdaptationSchedule,
    /// The starting inverse metric (default the unit metric).
    pub metric_init: MetricInit,
    /// How a window's draws become an inverse metric (default Stan's regularised variance).
    pub metric_estimator: MetricEstimator,
    /// When the step size is searched afresh (default after every metric update).
    pub step_size_restart: StepSizeRestart,
    /// The statistic dual averaging targets (default Stan's).
    pub accept_statistic: AcceptStatistic,
    /// Which draws the estimator sees (default all of a window).
    pub draw_filter: DrawFilter,
    /// Step-size jitter (default none).
    pub step_size_jitter: StepSizeJitter,
}

impl AdaptationOptions {
    /// nutpie's diagonal warm-up (nutpie 0.16 / nuts-rs 0.17 defaults): the continuous
    /// 10/80-draw schedule, `1/|gradient|` initial metric, draw/gradient estimator, one
    /// step-size restart, symmetric late acceptance statistic, moved-draw filter and ±10 %
    /// step-size jitter.
    ///
    /// ```
    /// use ppl_infer::nuts::{AdaptationOptions, MetricEstimator};
    /// let options = AdaptationOptions::nutpie_like();
    /// assert_eq!(options.metric_estimator, MetricEstimator::DrawGradient);
    /// assert_ne!(options, AdaptationOptions::default());
    /// ```
    pub fn nutpie_like() -> Self {
        AdaptationOptions {
            schedule: AdaptationSchedule::nutpie(),
            metric_init: MetricInit::AbsGradient,
            metric_estimator: MetricEstimator::DrawGradient,
            step_size_restart: StepSizeRestart::FirstMetricUpdate,
            accept_statistic: AcceptStatistic::SymmetricLate,
            draw_filter: DrawFilter::Moved,
            step_size_jitter: StepSizeJitter::Uniform { half_width: 0.1 },
        }
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
/// `gamma`, `kappa`, `t0`. [`NutsOptions::adaptation`] switches parts of this to nutpie's
/// warm-up ([`NutsOptions::nutpie_like`] switches all of them; `docs/nuts.md`).
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
    /// How warm-up adapts the metric and step size (default: Stan's windowed adaptation,
    /// [`AdaptationOptions::default`]; [`AdaptationOptions::nutpie_like`] for nutpie's).
    pub adaptation: AdaptationOptions,
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
            adaptation: AdaptationOptions::default(),
        }
    }
}

impl NutsOptions {
    /// Stan's defaults with nutpie's warm-up ([`AdaptationOptions::nutpie_like`]).
    ///
    /// ```
    /// use ppl_infer::nuts::{AdaptationOptions, NutsOptions};
    /// let options = NutsOptions::nutpie_like();
    /// assert_eq!(options.adaptation, AdaptationOptions::nutpie_like());
    /// assert_eq!(options.num_warmup, 1000);
    /// ```
    pub fn nutpie_like() -> Self {
        NutsOptions {
            adaptation: AdaptationOptions::nutpie_like(),
            ..NutsOptions::default()
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
        self.validate_adaptation()?;
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

impl NutsOptions {
    /// Checks [`NutsOptions::adaptation`].
    fn validate_adaptation(&self) -> Result<()> {
        let fail = |argument: &str, value: &dyn std::fmt::Display, rule: &str| {
            Err(Error::invalid("nuts", argument, value, rule))
        };
        let adaptation = &self.adaptation;
        if let AdaptationSchedule::Continuous {
            early_fraction,
            final_fraction,
            early_window,
            window,
        } = adaptation.schedule
        {
            if !(0.0..=1.0).contains(&early_fraction) {
                return fail("early_fraction", &early_fraction, "in [0, 1]");
            }
            if !(0.0..1.0).contains(&final_fraction) {
                return fail("final_fraction", &final_fraction, "in [0, 1)");
            }
            if early_window == 0 {
                return fail("early_window", &early_window, "at least 1");
            }
            if window == 0 {
                return fail("window", &window, "at least 1");
            }
        }
        if adaptation.metric_estimator == MetricEstimator::DrawGradient
            && self.metric == Metric::Dense
        {
            return fail(
                "metric_estimator",
                &"DrawGradient",
                "DrawVariance with a dense metric",
            );
        }
        if let StepSizeJitter::Uniform { half_width } = adaptation.step_size_jitter {
            if !(0.0..1.0).contains(&half_width) {
                return fail("step_size_jitter half_width", &half_width, "in [0, 1)");
            }
        }
        Ok(())
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
        assert_eq!(options.adaptation.schedule, AdaptationSchedule::Stan);
        assert_eq!(options.adaptation.metric_init, MetricInit::Identity);
        assert_eq!(options.adaptation.step_size_jitter, StepSizeJitter::None);
        assert!(NutsOptions::nutpie_like().validate().is_ok());
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
        let adaptation = AdaptationOptions::nutpie_like;
        assert_eq!(
            message(NutsOptions {
                metric: Metric::Dense,
                adaptation: adaptation(),
                ..base()
            }),
            "nuts: metric_estimator is DrawGradient, but must be DrawVariance with a dense metric"
        );
        assert_eq!(
            message(NutsOptions {
                adaptation: AdaptationOptions {
                    schedule: AdaptationSchedule::Continuous {
                        early_fraction: 0.3,
                        final_fraction: 1.0,
                        early_window: 10,
                        window: 80
                    },
                    ..adaptation()
                },
                ..base()
            }),
            "nuts: final_fraction is 1, but must be in [0, 1)"
        );
        assert_eq!(
            message(NutsOptions {
                adaptation: AdaptationOptions {
                    step_size_jitter: StepSizeJitter::Uniform { half_width: 1.5 },
                    ..adaptation()
                },
                ..base()
            }),
            "nuts: step_size_jitter half_width is 1.5, but must be in [0, 1)"
        );
    }
}

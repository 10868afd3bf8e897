//! The NUTS runner: `sample` runs warm-up and sampling for every chain, in parallel on threads, with progress bars, and collects the draws.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use ppl_core::LogDensity;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::adapt::{AdaptationUpdate, Adapter, WindowedAdapter};
use super::init::starting_point;
use super::options::{self, NutsOptions};
use super::sampler::{NutsSampler, Transition};
use crate::draws::{Chain, Draws, SamplerStats};
use crate::error::{Error, Result};

/// The result of [`sample`]: the draws and what they cost.
#[derive(Debug, Clone, PartialEq)]
pub struct NutsFit {
    /// Post-warm-up draws (and warm-up draws if kept) with sampler statistics, the adapted
    /// step size and inverse metric of each chain.
    pub draws: Draws,
    /// Wall-clock warm-up time of each chain.
    pub warmup_time: Vec<Duration>,
    /// Wall-clock sampling time of each chain.
    pub sampling_time: Vec<Duration>,
    /// Gradient evaluations over all chains, initialisation and warm-up included.
    pub gradient_evaluations: u64,
    /// Divergent post-warm-up transitions over all chains.
    pub divergences: usize,
}

/// Draws from the density `model` with the No-U-Turn sampler, as Stan's `sample` does: for each
/// chain, a starting point (see [`Init`](super::Init)), Stan's initial step-size heuristic,
/// `num_warmup` iterations of windowed adaptation (dual-averaging step size, regularised
/// diagonal or dense inverse metric; or nutpie's warm-up, see
/// [`AdaptationOptions`](super::AdaptationOptions)), then `num_draws` draws with the adapted
/// parameters (the step size jittered if `adaptation.step_size_jitter` says so).
/// Output columns are `model.constrain(u)` under `model.param_names()`.
///
/// Chain `c` (0-based) draws its random numbers from `ChaCha8Rng::seed_from_u64(seed)` on stream
/// `c`, so the draws are bit-identical whatever `threads` is. A failure of the density inside a
/// trajectory (an `Err` or a non-finite value or gradient) is a divergence of that trajectory.
///
/// # Errors
/// [`Error::InvalidArgument`] for invalid options or a model of dimension 0;
/// [`Error::Initialisation`] when a chain finds no finite starting point or no usable step size,
/// or when `Init::Values` are outside the support (the model's transform error is the reason);
/// [`Error::SizeMismatch`] for too few `Init::Values`.
///
/// ```
/// use ppl_infer::nuts::{sample, NutsOptions};
/// use ppl_infer::LogDensity;
///
/// /// `N(3, 2²)` in one dimension.
/// struct Normal;
/// impl LogDensity for Normal {
///     fn dim(&self) -> usize { 1 }
///     fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
///         Ok(-0.5 * ((u[0] - 3.0) / 2.0).powi(2))
///     }
///     fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
///         g[0] = -(u[0] - 3.0) / 4.0;
///         self.log_density(u)
///     }
/// }
/// let options = NutsOptions { num_chains: 2, progress: false, ..NutsOptions::default() };
/// let fit = sample(&Normal, &options).unwrap();
/// let draws = fit.draws.pooled("x[1]").unwrap();
/// let mean = draws.iter().sum::<f64>() / draws.len() as f64;
/// assert_eq!(draws.len(), 2000);
/// assert!((mean - 3.0).abs() < 0.3); // about 5 Monte Carlo standard errors
/// assert_eq!(fit.divergences, 0);
/// ```
pub fn sample<M: LogDensity + ?Sized>(model: &M, options: &NutsOptions) -> Result<NutsFit> {
    options.validate()?;
    if model.dim() == 0 {
        return Err(Error::invalid(
            "nuts",
            "model dimension",
            0,
            "at least 1 (a model without parameters has nothing to sample)",
        ));
    }
    let names = model.param_names();
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .min(options.num_chains);
    let progress = MultiProgress::with_draw_target(if options.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let bars: Vec<ProgressBar> = (0..options.num_chains)
        .map(|chain| progress.add(progress_bar(options, chain)))
        .collect();
    let results: Vec<Mutex<Option<Result<Option<ChainOutput>>>>> =
        (0..options.num_chains).map(|_| Mutex::new(None)).collect();
    let next_chain = AtomicUsize::new(0);
    // Set when a chain fails: the others stop early, since the run will return the error.
    let failed = AtomicBool::new(false);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let chain = next_chain.fetch_add(1, Ordering::Relaxed);
                if chain >= options.num_chains || failed.load(Ordering::Relaxed) {
                    break;
                }
                let output = run_chain(model, options, chain, names.len(), &bars[chain], &failed);
                if output.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                if let Ok(mut slot) = results[chain].lock() {
                    *slot = Some(output);
                }
            });
        }
    });
    let outputs: Vec<Option<Result<Option<ChainOutput>>>> = results
        .into_iter()
        .map(|slot| slot.into_inner().ok().flatten())
        .collect();
    // The error of the first failed chain, if any.
    let mut finished = Vec::with_capacity(options.num_chains);
    for output in outputs.into_iter().flatten() {
        finished.push(output?);
    }
    let mut fit = NutsFit {
        draws: Draws {
            names,
            chains: Vec::with_capacity(options.num_chains),
        },
        warmup_time: Vec::with_capacity(options.num_chains),
        sampling_time: Vec::with_capacity(options.num_chains),
        gradient_evaluations: 0,
        divergences: 0,
    };
    // Without a failure every chain ran to the end (a panicking model propagates its panic).
    for output in finished.into_iter().flatten() {
        fit.divergences += output.chain.stats.iter().filter(|s| s.divergent).count();
        fit.gradient_evaluations += output.n_gradient_evals;
        fit.warmup_time.push(output.warmup_time);
        fit.sampling_time.push(output.sampling_time);
        fit.draws.chains.push(output.chain);
    }
    Ok(fit)
}

/// One chain's draws and costs.
struct ChainOutput {
    chain: Chain,
    warmup_time: Duration,
    sampling_time: Duration,
    n_gradient_evals: u64,
}

/// The progress bar of chain `chain` (0-based).
fn progress_bar(options: &NutsOptions, chain: usize) -> ProgressBar {
    let bar = ProgressBar::new((options.num_warmup + options.num_draws) as u64);
    let style = ProgressStyle::with_template(
        "chain {prefix:>2} [{bar:30}] {pos:>5}/{len:5} {elapsed:>4} {msg}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix((chain + 1).to_string());
    bar
}

/// Shows iteration, phase, divergences so far and step size (every 10 iterations and at the
/// last one, to keep locking rare).
fn show_progress(
    bar: &ProgressBar,
    iteration: usize,
    total: usize,
    warmup: bool,
    divergences: usize,
    step_size: f64,
) {
    if iteration % 10 == 0 || iteration + 1 == total {
        let phase = if warmup { "warmup  " } else { "sampling" };
        bar.set_position(iteration as u64 + 1);
        bar.set_message(format!(
            "{phase} divergences {divergences} step size {step_size:.3}"
        ));
    }
}

/// Appends one draw's output columns (`model.constrain(u)`, NaN if that fails) and statistics.
fn record<M: LogDensity + ?Sized>(
    model: &M,
    n_columns: usize,
    transition: &Transition,
    values: &mut Vec<f64>,
    stats: &mut Vec<SamplerStats>,
) {
    match model.constrain(&transition.position) {
        Ok(row) if row.len() == n_columns => values.extend_from_slice(&row),
        _ => values.extend(std::iter::repeat_n(f64::NAN, n_columns)),
    }
    stats.push(transition.stats);
}

/// Runs chain `chain` (0-based): initialisation, warm-up, sampling; `None` if it stopped early
/// because another chain failed.
fn run_chain<M: LogDensity + ?Sized>(
    model: &M,
    options: &NutsOptions,
    chain: usize,
    n_columns: usize,
    bar: &ProgressBar,
    failed: &AtomicBool,
) -> Result<Option<ChainOutput>> {
    let with_chain = |error: Error| match error {
        Error::Initialisation {
            attempts, reason, ..
        } => Error::Initialisation {
            chain: chain + 1,
            attempts,
            reason,
        },
        other => other,
    };
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    rng.set_stream(chain as u64);
    let warmup_start = Instant::now();
    let start = starting_point(model, &options.init, chain + 1, &mut rng)?;
    let mut sampler = NutsSampler::new(model, start.position, options.metric, options.max_depth)?;
    sampler.set_step_size(options.step_size);
    let mut adapter = WindowedAdapter::new(options, model.dim(), options.step_size);
    if let Some(inv_metric) = adapter.start(sampler.position(), sampler.gradient()) {
        // An unusable initial metric leaves the unit metric in place.
        let _ = sampler.set_inv_metric(inv_metric);
    }
    sampler.init_step_size(&mut rng).map_err(with_chain)?;
    adapter.restart_step_size(sampler.step_size());
    let jitter = StepSizeJitter::new(options.adaptation.step_size_jitter);
    // The step size before jitter.
    let mut step_size = sampler.step_size();
    let total = options.num_warmup + options.num_draws;
    let mut output = Chain::default();
    let mut divergences = 0;
    for iteration in 0..options.num_warmup {
        if failed.load(Ordering::Relaxed) {
            bar.abandon();
            return Ok(None);
        }
        jitter.apply(&mut sampler, step_size, &mut rng);
        let transition = sampler.step(&mut rng);
        divergences += usize::from(transition.stats.divergent);
        if options.keep_warmup {
            record(
                model,
                n_columns,
                &transition,
                &mut output.warmup_values,
                &mut output.warmup_stats,
            );
        }
        let update = adapter.observe(&transition);
        apply_update(&mut sampler, &mut adapter, update, &mut rng).map_err(with_chain)?;
        step_size = sampler.step_size();
        show_progress(
            bar,
            iteration,
            total,
            true,
            divergences,
            sampler.step_size(),
        );
    }
    if options.num_warmup > 0 {
        step_size = adapter.final_step_size();
        sampler.set_step_size(step_size);
    }
    let warmup_time = warmup_start.elapsed();
    let sampling_start = Instant::now();
    divergences = 0;
    for draw in 0..options.num_draws {
        if failed.load(Ordering::Relaxed) {
            bar.abandon();
            return Ok(None);
        }
        jitter.apply(&mut sampler, step_size, &mut rng);
        let transition = sampler.step(&mut rng);
        divergences += usize::from(transition.stats.divergent);
        record(
            model,
            n_columns,
            &transition,
            &mut output.values,
            &mut output.stats,
        );
        show_progress(
            bar,
            options.num_warmup + draw,
            total,
            false,
            divergences,
            sampler.step_size(),
        );
    }
    let sampling_time = sampling_start.elapsed();
    bar.finish();
    output.step_size = step_size;
    output.inv_metric = sampler.inv_metric().to_vec();
    Ok(Some(ChainOutput {
        chain: output,
        warmup_time,
        sampling_time,
        n_gradient_evals: start.n_gradient_evals + sampler.n_gradient_evals(),
    }))
}

/// Hands an adaptation `update` to the sampler: its step size, and its inverse metric if any.
/// The sampler may reject the metric (a non-finite or non-positive element, a dense matrix
/// that is not positive definite) and keep its own; the adapter hears which with
/// [`Adapter::inv_metric_outcome`], and if it answers `true`, Stan's initial step-size
/// heuristic runs again from the current position and the adapter restarts around its result.
///
/// # Errors
/// [`Error::Initialisation`] when the heuristic finds no usable step size.
fn apply_update<M: LogDensity + ?Sized, A: Adapter + ?Sized>(
    sampler: &mut NutsSampler<'_, M>,
    adapter: &mut A,
    update: AdaptationUpdate,
    rng: &mut ChaCha8Rng,
) -> Result<()> {
    sampler.set_step_size(update.step_size);
    if let Some(inv_metric) = update.inv_metric {
        let accepted = sampler.set_inv_metric(inv_metric).is_ok();
        if adapter.inv_metric_outcome(accepted) {
            sampler.init_step_size(rng)?;
            adapter.restart_step_size(sampler.step_size());
        }
    }
    Ok(())
}

/// Step-size jitter of [`options::StepSizeJitter`]: the half-width of `U(1 − h, 1 + h)`, or
/// `None` (no random numbers drawn, so the default run's draws do not change).
struct StepSizeJitter(Option<f64>);

impl StepSizeJitter {
    fn new(jitter: options::StepSizeJitter) -> Self {
        match jitter {
            options::StepSizeJitter::None => StepSizeJitter(None),
            options::StepSizeJitter::Uniform { half_width } => StepSizeJitter(Some(half_width)),
        }
    }

    /// Sets the sampler's step size to `step_size`, perturbed.
    fn apply<M: LogDensity + ?Sized>(
        &self,
        sampler: &mut NutsSampler<'_, M>,
        step_size: f64,
        rng: &mut ChaCha8Rng,
    ) {
        if let Some(half_width) = self.0 {
            let factor = 1.0 + half_width * (2.0 * rng.random::<f64>() - 1.0);
            sampler.set_step_size(step_size * factor);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nuts::{Metric, Transition};

    /// A standard normal in two dimensions.
    struct StandardNormal;

    impl LogDensity for StandardNormal {
        fn dim(&self) -> usize {
            2
        }
        fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
            Ok(-0.5 * u.iter().map(|x| x * x).sum::<f64>())
        }
        fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
            for (g, x) in g.iter_mut().zip(u) {
                *g = -x;
            }
            self.log_density(u)
        }
    }

    /// Wraps an adapter: replaces its first inverse metric with one the sampler must reject
    /// (a NaN element), and records the draws (0-based) whose update carried a metric and
    /// those after which it restarted its step size.
    struct FirstMetricPoisoned {
        inner: WindowedAdapter,
        draws: usize,
        metric_updates: Vec<usize>,
        restarts: Vec<usize>,
    }

    impl Adapter for FirstMetricPoisoned {
        fn start(&mut self, position: &[f64], gradient: &[f64]) -> Option<Vec<f64>> {
            self.inner.start(position, gradient)
        }
        fn observe(&mut self, transition: &Transition) -> AdaptationUpdate {
            let mut update = self.inner.observe(transition);
            if let Some(inv_metric) = &mut update.inv_metric {
                if self.metric_updates.is_empty() {
                    inv_metric[0] = f64::NAN;
                }
                self.metric_updates.push(self.draws);
            }
            self.draws += 1;
            update
        }
        fn inv_metric_outcome(&mut self, accepted: bool) -> bool {
            self.inner.inv_metric_outcome(accepted)
        }
        fn restart_step_size(&mut self, step_size: f64) {
            self.restarts.push(self.draws - 1);
            self.inner.restart_step_size(step_size);
        }
        fn final_step_size(&self) -> f64 {
            self.inner.final_step_size()
        }
    }

    #[test]
    fn a_rejected_first_metric_defers_the_single_restart() {
        // nutpie's warm-up restarts the step size once, at the first installed metric. Its
        // first metric is rejected by the sampler here, so the restart happens at the next
        // one (the next draw that enters the estimate), with the metric installed there.
        let options = NutsOptions {
            num_warmup: 100,
            ..NutsOptions::nutpie_like()
        };
        let model = StandardNormal;
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let mut sampler = NutsSampler::new(&model, vec![0.5, -1.0], Metric::Diag, 10).unwrap();
        let mut adapter = FirstMetricPoisoned {
            inner: WindowedAdapter::new(&options, 2, 1.0),
            draws: 0,
            metric_updates: Vec::new(),
            restarts: Vec::new(),
        };
        let start_metric = adapter
            .start(sampler.position(), sampler.gradient())
            .unwrap();
        sampler.set_inv_metric(start_metric.clone()).unwrap();
        let mut installed = Vec::new();
        for _ in 0..options.num_warmup {
            let transition = sampler.step(&mut rng);
            let update = adapter.observe(&transition);
            apply_update(&mut sampler, &mut adapter, update, &mut rng).unwrap();
            installed.push(sampler.inv_metric().to_vec());
        }
        let (rejected, accepted) = (adapter.metric_updates[0], adapter.metric_updates[1]);
        assert_eq!(adapter.restarts, vec![accepted]);
        // The refused metric left the starting one in place; the next one was installed (for a
        // standard normal the draw/gradient estimate is exactly 1).
        assert_eq!(installed[rejected], start_metric);
        assert_eq!(installed[accepted], vec![1.0, 1.0]);
    }
}

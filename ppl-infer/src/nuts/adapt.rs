//! Warm-up adaptation: dual-averaging step size, Welford estimates of the inverse metric over Stan's windows or nutpie's continuous schedule, and the `Adapter` trait through which adaptation observes the sampler.

use std::ops::Range;

use super::options::{
    AcceptStatistic, AdaptationOptions, AdaptationSchedule, DrawFilter, Metric, MetricEstimator,
    MetricInit, NutsOptions, StepSizeRestart,
};
use super::sampler::Transition;

/// What an [`Adapter`] asks of the sampler after observing a warm-up transition.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptationUpdate {
    /// The step size for the next transition.
    pub step_size: f64,
    /// A new inverse metric (diagonal, or dense row-major), e.g. at the end of a metric
    /// window. The runner hands it to the sampler, which may reject it, and reports the
    /// outcome with [`Adapter::inv_metric_outcome`].
    pub inv_metric: Option<Vec<f64>>,
}

/// Warm-up adaptation that observes the sampler's transitions and answers with new tuning
/// parameters (it never reaches into the sampler).
///
/// The runner ([`sample`](super::sample)) drives each chain's adapter in this order:
/// 1. [`start`](Adapter::start) once, with the starting point, before anything else; the
///    answer becomes the starting inverse metric if the sampler accepts it (else the unit
///    metric stays);
/// 2. [`restart_step_size`](Adapter::restart_step_size) with the step size of Stan's initial
///    heuristic;
/// 3. for each warm-up transition, [`observe`](Adapter::observe); the runner sets the
///    answer's step size and, if the answer carries an inverse metric, hands it to the sampler
///    and reports whether the sampler accepted it with
///    [`inv_metric_outcome`](Adapter::inv_metric_outcome); if that answers `true`, it re-runs
///    the heuristic and calls `restart_step_size` again;
/// 4. [`final_step_size`](Adapter::final_step_size) after the last warm-up transition.
///
/// `start` has a default and a driver may skip it: an adapter must then still work, from the
/// unit metric and with no starting point in its estimates ([`WindowedAdapter`] does).
pub trait Adapter {
    /// Sees the starting point and its gradient `∇ log p` before the first transition, and
    /// may answer with the inverse metric to start from (the default answers `None`: keep the
    /// unit metric). Called at most once, before the first [`observe`](Adapter::observe).
    fn start(&mut self, position: &[f64], gradient: &[f64]) -> Option<Vec<f64>> {
        let _ = (position, gradient);
        None
    }
    /// Learns from one warm-up transition.
    fn observe(&mut self, transition: &Transition) -> AdaptationUpdate;
    /// Learns whether the sampler installed the inverse metric of the last update
    /// (`accepted`), or rejected it and kept its previous metric (`NutsSampler::set_inv_metric`
    /// refuses non-finite or non-positive diagonal elements, and a dense matrix that is not
    /// symmetric positive definite). Called once after every update that carries an inverse
    /// metric, before the next `observe`. Answers whether the runner now re-runs the initial
    /// step-size heuristic and calls [`restart_step_size`](Adapter::restart_step_size); a
    /// rejected metric changed nothing, so the answer to it should be `false`.
    fn inv_metric_outcome(&mut self, accepted: bool) -> bool;
    /// Restarts step-size learning around `step_size`, freshly set by the initial heuristic
    /// (at the start, and when [`inv_metric_outcome`](Adapter::inv_metric_outcome) asks).
    fn restart_step_size(&mut self, step_size: f64);
    /// The step size to sample with after warm-up.
    fn final_step_size(&self) -> f64;
}

/// Nesterov dual averaging of `log ε` (Hoffman & Gelman 2014, Algorithm 5, as in Stan's
/// `stepsize_adaptation`): with `η = 1/(t + t₀)`,
/// `s̄ ← (1−η) s̄ + η (δ − min(1, α))`, `x = μ − √t s̄ / γ`, `x̄ ← (1 − t^−κ) x̄ + t^−κ x`;
/// the step size is `exp(x)` during warm-up and `exp(x̄)` after, with `μ = ln(10 ε₀)`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DualAveraging {
    target: f64,
    gamma: f64,
    kappa: f64,
    t0: f64,
    mu: f64,
    counter: f64,
    s_bar: f64,
    x_bar: f64,
}

impl DualAveraging {
    pub(crate) fn new(target: f64, gamma: f64, kappa: f64, t0: f64, step_size: f64) -> Self {
        let mut averaging = DualAveraging {
            target,
            gamma,
            kappa,
            t0,
            mu: 0.0,
            counter: 0.0,
            s_bar: 0.0,
            x_bar: 0.0,
        };
        averaging.restart(step_size);
        averaging
    }

    /// Sets `μ = ln(10 ε)` and forgets the history.
    pub(crate) fn restart(&mut self, step_size: f64) {
        self.mu = (10.0 * step_size).ln();
        self.counter = 0.0;
        self.s_bar = 0.0;
        self.x_bar = 0.0;
    }

    /// Learns from one acceptance statistic and returns the next step size `exp(x)`.
    pub(crate) fn learn(&mut self, accept_stat: f64) -> f64 {
        self.counter += 1.0;
        let accept_stat = accept_stat.min(1.0);
        let eta = 1.0 / (self.counter + self.t0);
        self.s_bar = (1.0 - eta) * self.s_bar + eta * (self.target - accept_stat);
        let x = self.mu - self.s_bar * self.counter.sqrt() / self.gamma;
        let x_eta = self.counter.powf(-self.kappa);
        self.x_bar = (1.0 - x_eta) * self.x_bar + x_eta * x;
        x.exp()
    }

    /// The averaged step size `exp(x̄)`.
    pub(crate) fn averaged_step_size(&self) -> f64 {
        self.x_bar.exp()
    }
}

/// Stan's warm-up schedule: the slow windows (iteration ranges) in which the inverse metric is
/// estimated; iterations outside them are the fast buffers.
///
/// With fewer than 20 warm-up iterations there is no window (only the step size adapts). If
/// `init_buffer + base_window + term_buffer > num_warmup` the buffers become 15% / 75% / 10%
/// of warm-up (one window). Otherwise windows of `base_window`, `2·base_window`, ... follow the
/// initial buffer, and a window is stretched to the terminal buffer when the next one would not
/// fit (Stan's `windowed_adaptation`; unlike Stan 2.3x, the 15/75/10 case restarts the window
/// counter so its single window does end in a metric update — Stan issue #3380).
pub(crate) fn metric_windows(
    num_warmup: usize,
    init_buffer: usize,
    term_buffer: usize,
    base_window: usize,
) -> Vec<Range<usize>> {
    if num_warmup < 20 || base_window == 0 {
        return Vec::new();
    }
    let (init_buffer, term_buffer, base_window) =
        if init_buffer + base_window + term_buffer > num_warmup {
            let init = (0.15 * num_warmup as f64) as usize;
            let term = (0.10 * num_warmup as f64) as usize;
            (init, term, num_warmup - init - term)
        } else {
            (init_buffer, term_buffer, base_window)
        };
    let slow_end = num_warmup - term_buffer;
    let mut windows = Vec::new();
    let mut start = init_buffer;
    let mut size = base_window;
    let mut end = start + size;
    loop {
        windows.push(start..end);
        if end >= slow_end {
            break;
        }
        start = end;
        size *= 2;
        end = start + size;
        if end + 2 * size > slow_end {
            end = slow_end;
        }
    }
    windows
}

/// Welford's running mean and (co)variance of the unconstrained draws in a window.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WelfordEstimator {
    dense: bool,
    dim: usize,
    count: usize,
    mean: Vec<f64>,
    /// `Σ (q − mean)²` per coordinate (diagonal) or the `d × d` sum of outer products (dense).
    sum_squares: Vec<f64>,
    /// Scratch: the last sample's difference from the mean before its update (kept so that
    /// adding a sample allocates nothing).
    delta: Vec<f64>,
}

impl WelfordEstimator {
    pub(crate) fn new(dense: bool, dim: usize) -> Self {
        WelfordEstimator {
            dense,
            dim,
            count: 0,
            mean: vec![0.0; dim],
            sum_squares: vec![0.0; if dense { dim * dim } else { dim }],
            delta: vec![0.0; dim],
        }
    }

    pub(crate) fn add_sample(&mut self, position: &[f64]) {
        self.count += 1;
        let n = self.count as f64;
        for ((d, m), q) in self.delta.iter_mut().zip(&mut self.mean).zip(position) {
            *d = q - *m;
            *m += *d / n;
        }
        // `q − mean` after the update, times `delta` (the difference before it).
        let new_deltas = position.iter().zip(&self.mean).map(|(q, m)| q - m);
        if self.dense {
            for (row, a) in self.sum_squares.chunks_exact_mut(self.dim).zip(new_deltas) {
                for (s, b) in row.iter_mut().zip(&self.delta) {
                    *s += a * b;
                }
            }
        } else {
            for ((s, a), b) in self.sum_squares.iter_mut().zip(new_deltas).zip(&self.delta) {
                *s += a * b;
            }
        }
    }

    /// The sample variances (denominator `n − 1`) of a diagonal estimator, or the diagonal of
    /// a dense one's covariance; `None` with fewer than two samples.
    pub(crate) fn variance(&self) -> Option<Vec<f64>> {
        if self.count < 2 {
            return None;
        }
        let denominator = (self.count - 1) as f64;
        let diagonal = (0..self.dim).map(|i| {
            let index = if self.dense { i * self.dim + i } else { i };
            self.sum_squares[index] / denominator
        });
        Some(diagonal.collect())
    }

    /// Stan's regularised estimate `(n/(n+5))·Σ̂ + 10⁻³·(5/(n+5))·I` with `Σ̂` the sample
    /// (co)variance (denominator `n − 1`); `None` with fewer than two samples.
    pub(crate) fn regularised(&self) -> Option<Vec<f64>> {
        if self.count < 2 {
            return None;
        }
        let n = self.count as f64;
        let weight = n / (n + 5.0);
        let shrinkage = 1e-3 * 5.0 / (n + 5.0);
        let mut estimate: Vec<f64> = self
            .sum_squares
            .iter()
            .map(|s| weight * s / (n - 1.0))
            .collect();
        if self.dense {
            for i in 0..self.dim {
                estimate[i * self.dim + i] += shrinkage;
            }
            // Symmetrise away rounding so the Cholesky factorisation accepts it.
            for i in 0..self.dim {
                for j in 0..i {
                    let mean = 0.5 * (estimate[i * self.dim + j] + estimate[j * self.dim + i]);
                    estimate[i * self.dim + j] = mean;
                    estimate[j * self.dim + i] = mean;
                }
            }
        } else {
            estimate.iter_mut().for_each(|v| *v += shrinkage);
        }
        Some(estimate)
    }
}

/// What warm-up does with draw `iteration` (0-based) of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct WarmupEvent {
    /// The draw enters the background accumulator.
    pub(crate) collect: bool,
    /// The draw also enters the foreground: the continuous schedule reads the foreground
    /// between switches; Stan's windows replace it at each window's end before reading it.
    pub(crate) collect_foreground: bool,
    /// The foreground accumulator is replaced by the background, and a new background starts
    /// (after collecting).
    pub(crate) switch: bool,
    /// The inverse metric is recomputed from the foreground (after switching).
    pub(crate) update_metric: bool,
    /// The late phase (after the last possible switch), where a symmetric acceptance statistic
    /// may take over from the next draw on.
    pub(crate) late: bool,
}

/// nutpie's continuous schedule (see [`AdaptationSchedule::Continuous`]): a function of the
/// iteration and of the sizes of the foreground and background accumulators, which the caller
/// reads from the accumulators themselves. It keeps no count of its own, so it agrees with
/// them whether or not [`Adapter::start`] seeded them with the starting point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContinuousSchedule {
    early_end: usize,
    metric_end: usize,
    early_window: usize,
    window: usize,
}

impl ContinuousSchedule {
    /// The schedule of `num_warmup` iterations: early phase `⌊early_fraction·N⌋`, metric phase
    /// `N − ⌊final_fraction·N⌋`.
    pub(crate) fn new(
        num_warmup: usize,
        early_fraction: f64,
        final_fraction: f64,
        early_window: usize,
        window: usize,
    ) -> Self {
        let fraction_of = |fraction: f64| (fraction * num_warmup as f64) as usize;
        ContinuousSchedule {
            early_end: fraction_of(early_fraction),
            metric_end: num_warmup - fraction_of(final_fraction).min(num_warmup),
            early_window,
            window,
        }
    }

    /// The event of draw `iteration` when the accumulators hold `sizes` draws before it;
    /// `good` says whether the draw may enter the accumulators.
    pub(crate) fn event(
        &self,
        iteration: usize,
        good: bool,
        sizes: AccumulatorSizes,
    ) -> WarmupEvent {
        if iteration >= self.metric_end {
            return WarmupEvent {
                late: true,
                ..WarmupEvent::default()
            };
        }
        let window = if iteration < self.early_end {
            self.early_window
        } else {
            self.window
        };
        let collected = usize::from(good);
        let background = sizes.background + collected;
        let late = iteration + window > self.metric_end;
        let switch = background >= window && !late;
        let foreground = if switch {
            background
        } else {
            sizes.foreground + collected
        };
        WarmupEvent {
            collect: good,
            collect_foreground: good,
            switch,
            update_metric: foreground >= 3,
            late,
        }
    }
}

/// How many draws the foreground and background accumulators hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct AccumulatorSizes {
    pub(crate) foreground: usize,
    pub(crate) background: usize,
}

impl AccumulatorSizes {
    /// The sizes after `event` (collection, then the switch).
    #[cfg(test)]
    fn after(self, event: &WarmupEvent) -> AccumulatorSizes {
        let foreground = self.foreground + usize::from(event.collect_foreground);
        let background = self.background + usize::from(event.collect);
        if event.switch {
            AccumulatorSizes {
                foreground: background,
                background: 0,
            }
        } else {
            AccumulatorSizes {
                foreground,
                background,
            }
        }
    }
}

/// The events of `good.len()` warm-up draws under nutpie's continuous schedule (see
/// [`AdaptationSchedule::Continuous`]) with both accumulators seeded with the starting point,
/// as [`WindowedAdapter`]'s `start` does; `good[i]` says whether draw `i` passed the draw
/// filter.
#[cfg(test)]
pub(crate) fn continuous_events(
    num_warmup: usize,
    early_fraction: f64,
    final_fraction: f64,
    early_window: usize,
    window: usize,
    good: &[bool],
) -> Vec<WarmupEvent> {
    let schedule = ContinuousSchedule::new(
        num_warmup,
        early_fraction,
        final_fraction,
        early_window,
        window,
    );
    let mut sizes = AccumulatorSizes {
        foreground: 1,
        background: 1,
    };
    good.iter()
        .enumerate()
        .map(|(iteration, &good)| {
            let event = schedule.event(iteration, good, sizes);
            sizes = sizes.after(&event);
            event
        })
        .collect()
}

/// Stan's windows or nutpie's continuous schedule.
#[derive(Debug, Clone, PartialEq)]
enum Schedule {
    Windows(Vec<Range<usize>>),
    Continuous(ContinuousSchedule),
}

impl Schedule {
    /// The event of draw `iteration` when the accumulators hold `sizes` draws before it (which
    /// only the continuous schedule reads).
    fn event(&self, iteration: usize, good: bool, sizes: AccumulatorSizes) -> WarmupEvent {
        match self {
            Schedule::Windows(windows) => {
                let late = windows.last().is_some_and(|w| iteration >= w.end);
                match windows.iter().find(|w| w.contains(&iteration)) {
                    Some(window) => {
                        let window_ends = iteration + 1 == window.end;
                        WarmupEvent {
                            collect: good,
                            collect_foreground: false,
                            switch: window_ends,
                            update_metric: window_ends,
                            late,
                        }
                    }
                    None => WarmupEvent {
                        late,
                        ..WarmupEvent::default()
                    },
                }
            }
            Schedule::Continuous(schedule) => schedule.event(iteration, good, sizes),
        }
    }
}

/// Running statistics of the draws (and, for the draw/gradient estimator, their gradients).
#[derive(Debug, Clone, PartialEq)]
struct Accumulator {
    draws: WelfordEstimator,
    gradients: Option<WelfordEstimator>,
}

impl Accumulator {
    fn new(dense: bool, dim: usize, with_gradients: bool) -> Self {
        Accumulator {
            draws: WelfordEstimator::new(dense, dim),
            gradients: with_gradients.then(|| WelfordEstimator::new(false, dim)),
        }
    }

    /// How many draws it holds.
    fn len(&self) -> usize {
        self.draws.count
    }

    fn add(&mut self, position: &[f64], gradient: &[f64]) {
        self.draws.add_sample(position);
        if let Some(gradients) = &mut self.gradients {
            gradients.add_sample(gradient);
        }
    }

    /// A fresh accumulator of the same kind.
    fn empty(&self) -> Self {
        Accumulator {
            draws: WelfordEstimator::new(self.draws.dense, self.draws.dim),
            gradients: self
                .gradients
                .as_ref()
                .map(|g| WelfordEstimator::new(false, g.dim)),
        }
    }

    /// The inverse metric estimated from the accumulated draws; `None` if there are too few or
    /// it is not finite and positive on the diagonal.
    fn estimate(&self) -> Option<Vec<f64>> {
        let estimate = match &self.gradients {
            None => self.draws.regularised()?,
            Some(gradients) => {
                draw_gradient_inv_metric(&self.draws.variance()?, &gradients.variance()?)?
            }
        };
        estimate.iter().all(|v| v.is_finite()).then_some(estimate)
    }
}

/// Bounds of nutpie's inverse-metric elements.
const INV_METRIC_CLAMP: (f64, f64) = (1e-20, 1e20);

/// nutpie's draw/gradient diagonal inverse metric `sqrt(Var(qᵢ)/Var(gᵢ))` clamped to
/// `[1e-20, 1e20]` from the variances of the draws and of their gradients; `None` if an element
/// is NaN (both variances zero or not finite).
pub(crate) fn draw_gradient_inv_metric(
    draw_variance: &[f64],
    gradient_variance: &[f64],
) -> Option<Vec<f64>> {
    draw_variance
        .iter()
        .zip(gradient_variance)
        .map(|(draws, gradients)| {
            let ratio = (draws / gradients).sqrt();
            (!ratio.is_nan()).then(|| ratio.clamp(INV_METRIC_CLAMP.0, INV_METRIC_CLAMP.1))
        })
        .collect()
}

/// nutpie's initial diagonal inverse metric `1/|gᵢ|` clamped to `[1e-20, 1e20]` from the
/// gradient at the starting point (`None` if an element is NaN).
pub(crate) fn abs_gradient_inv_metric(gradient: &[f64]) -> Option<Vec<f64>> {
    gradient
        .iter()
        .map(|g| {
            let inverse = 1.0 / g.abs();
            (!inverse.is_nan()).then(|| inverse.clamp(INV_METRIC_CLAMP.0, INV_METRIC_CLAMP.1))
        })
        .collect()
}

/// Warm-up adaptation: dual averaging of the step size at every warm-up iteration and
/// Welford estimates of the inverse metric over the schedule's windows, configured by
/// [`NutsOptions::adaptation`]. With the default options this is Stan's windowed adaptation:
/// the regularised (co)variance of the draws of each slow window, installed at the window's
/// end, followed by a fresh step-size search. With [`AdaptationOptions::nutpie_like`] it is
/// nutpie's: foreground and background accumulators of draws and gradients, the metric
/// recomputed after every draw, the step size searched afresh once.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowedAdapter {
    options: AdaptationOptions,
    schedule: Schedule,
    iteration: usize,
    step_size: DualAveraging,
    /// The draws the metric is estimated from.
    foreground: Accumulator,
    /// The draws that will replace the foreground at the next switch.
    background: Accumulator,
    /// The inverse metrics the sampler accepted (see [`Adapter::inv_metric_outcome`]).
    installed_metrics: usize,
    /// Whether dual averaging now learns from the symmetric acceptance statistic.
    symmetric: bool,
}

impl WindowedAdapter {
    /// An adapter for `options` (warm-up length, buffers, dual averaging constants, metric
    /// shape, [`NutsOptions::adaptation`]) over `dim` unconstrained coordinates, starting from
    /// `step_size`.
    pub fn new(options: &NutsOptions, dim: usize, step_size: f64) -> Self {
        let adaptation = options.adaptation;
        let schedule = match adaptation.schedule {
            AdaptationSchedule::Stan => Schedule::Windows(metric_windows(
                options.num_warmup,
                options.init_buffer,
                options.term_buffer,
                options.base_window,
            )),
            AdaptationSchedule::Continuous {
                early_fraction,
                final_fraction,
                early_window,
                window,
            } => Schedule::Continuous(ContinuousSchedule::new(
                options.num_warmup,
                early_fraction,
                final_fraction,
                early_window,
                window,
            )),
        };
        let accumulator = Accumulator::new(
            options.metric == Metric::Dense,
            dim,
            adaptation.metric_estimator == MetricEstimator::DrawGradient,
        );
        WindowedAdapter {
            options: adaptation,
            schedule,
            iteration: 0,
            step_size: DualAveraging::new(
                options.adapt_delta,
                options.gamma,
                options.kappa,
                options.t0,
                step_size,
            ),
            background: accumulator.empty(),
            foreground: accumulator,
            installed_metrics: 0,
            symmetric: false,
        }
    }

    /// Whether `transition` may enter the metric estimate under the draw filter.
    fn is_good(&self, transition: &Transition) -> bool {
        match self.options.draw_filter {
            DrawFilter::All => true,
            DrawFilter::Moved => {
                let steps = transition.steps_from_start.unsigned_abs();
                steps != 0 && (!transition.stats.divergent || steps > 4)
            }
        }
    }
}

impl Adapter for WindowedAdapter {
    fn start(&mut self, position: &[f64], gradient: &[f64]) -> Option<Vec<f64>> {
        if matches!(self.schedule, Schedule::Continuous(_)) {
            self.foreground.add(position, gradient);
            self.background.add(position, gradient);
        }
        match self.options.metric_init {
            MetricInit::Identity => None,
            MetricInit::AbsGradient => {
                let diagonal = abs_gradient_inv_metric(gradient)?;
                if !self.foreground.draws.dense {
                    return Some(diagonal);
                }
                let dim = diagonal.len();
                let mut matrix = vec![0.0; dim * dim];
                for (i, value) in diagonal.into_iter().enumerate() {
                    matrix[i * dim + i] = value;
                }
                Some(matrix)
            }
        }
    }

    fn observe(&mut self, transition: &Transition) -> AdaptationUpdate {
        let accept_stat = if self.symmetric {
            transition.symmetric_accept_stat
        } else {
            transition.stats.accept_stat
        };
        let step_size = self.step_size.learn(accept_stat);
        let iteration = self.iteration;
        self.iteration += 1;
        let good = self.is_good(transition);
        let sizes = AccumulatorSizes {
            foreground: self.foreground.len(),
            background: self.background.len(),
        };
        let event = self.schedule.event(iteration, good, sizes);
        if event.collect_foreground {
            self.foreground
                .add(&transition.position, &transition.gradient);
        }
        if event.collect {
            self.background
                .add(&transition.position, &transition.gradient);
        }
        if event.switch {
            let fresh = self.background.empty();
            self.foreground = std::mem::replace(&mut self.background, fresh);
        }
        let inv_metric = if event.update_metric {
            self.foreground.estimate()
        } else {
            None
        };
        if event.late && self.options.accept_statistic == AcceptStatistic::SymmetricLate {
            self.symmetric = true;
        }
        AdaptationUpdate {
            step_size,
            inv_metric,
        }
    }

    fn inv_metric_outcome(&mut self, accepted: bool) -> bool {
        if !accepted {
            return false;
        }
        let restart = self.options.step_size_restart == StepSizeRestart::EveryMetricUpdate
            || self.installed_metrics == 0;
        self.installed_metrics += 1;
        restart
    }

    fn restart_step_size(&mut self, step_size: f64) {
        self.step_size.restart(step_size);
    }

    fn final_step_size(&self) -> f64 {
        self.step_size.averaged_step_size()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lengths(windows: &[Range<usize>]) -> Vec<usize> {
        windows.iter().map(|w| w.len()).collect()
    }

    #[test]
    fn stan_schedule_for_1000_warmup() {
        // Stan: [75 | 25, 50, 100, 200, 500 | 50].
        let windows = metric_windows(1000, 75, 50, 25);
        assert_eq!(windows.first().map(|w| w.start), Some(75));
        assert_eq!(lengths(&windows), vec![25, 50, 100, 200, 500]);
        assert_eq!(windows.last().map(|w| w.end), Some(950));
    }

    #[test]
    fn stan_schedule_for_short_warmups() {
        // 150 fits exactly: [75 | 25 | 50].
        assert_eq!(metric_windows(150, 75, 50, 25), vec![75..100]);
        // 200: the second window is stretched to the terminal buffer: [75 | 25, 50 | 50].
        assert_eq!(metric_windows(200, 75, 50, 25), vec![75..100, 100..150]);
        // 100 < 75 + 25 + 50: 15% / 75% / 10% = [15 | 75 | 10].
        assert_eq!(metric_windows(100, 75, 50, 25), vec![15..90]);
        // Fewer than 20: step size only.
        assert!(metric_windows(19, 75, 50, 25).is_empty());
        assert!(metric_windows(1000, 75, 50, 0).is_empty());
    }

    #[test]
    fn dual_averaging_converges_to_target() {
        // Acceptance falls with the step size as α(ε) = exp(−ε); the target 0.8 is reached at
        // ε* = −ln 0.8. On this noiseless problem the averaged iterate x̄ converges slowly
        // (its weights t^−κ keep early transients), so we check the error shrinks to < 1%.
        let target = 0.8;
        let expected = -(0.8f64.ln());
        let mut averaging = DualAveraging::new(target, 0.05, 0.75, 10.0, 1.0);
        let mut step_size: f64 = 1.0;
        let mut errors = Vec::new();
        for iteration in 1..=20_000 {
            step_size = averaging.learn((-step_size).exp());
            if iteration == 200 || iteration == 2_000 || iteration == 20_000 {
                errors.push((averaging.averaged_step_size() - expected).abs() / expected);
            }
        }
        assert!(errors[0] > errors[1] && errors[1] > errors[2], "{errors:?}");
        assert!(errors[2] < 0.01, "{errors:?}");
        // The last iterate exp(x) too.
        assert!(
            (step_size - expected).abs() < 0.01 * expected,
            "{step_size}"
        );
    }

    #[test]
    fn welford_matches_two_pass_and_regularises() {
        let draws = [[1.0, 2.0], [2.0, 1.0], [4.0, 5.0], [0.5, -1.0]];
        let mut diag = WelfordEstimator::new(false, 2);
        let mut dense = WelfordEstimator::new(true, 2);
        for q in &draws {
            diag.add_sample(q);
            dense.add_sample(q);
        }
        let n = draws.len() as f64;
        let mean = |j: usize| draws.iter().map(|q| q[j]).sum::<f64>() / n;
        let cov = |i: usize, j: usize| {
            draws
                .iter()
                .map(|q| (q[i] - mean(i)) * (q[j] - mean(j)))
                .sum::<f64>()
                / (n - 1.0)
        };
        let (weight, shrinkage) = (n / (n + 5.0), 1e-3 * 5.0 / (n + 5.0));
        let diag_estimate = diag.regularised().unwrap();
        let dense_estimate = dense.regularised().unwrap();
        for i in 0..2 {
            assert!((diag_estimate[i] - (weight * cov(i, i) + shrinkage)).abs() < 1e-12);
            for j in 0..2 {
                let identity = if i == j { shrinkage } else { 0.0 };
                let want = weight * cov(i, j) + identity;
                assert!((dense_estimate[i * 2 + j] - want).abs() < 1e-12);
            }
        }
        assert_eq!(WelfordEstimator::new(false, 2).regularised(), None);
    }

    /// nutpie's schedule for `num_warmup` iterations.
    fn nutpie_events(num_warmup: usize, good: &[bool]) -> Vec<WarmupEvent> {
        continuous_events(num_warmup, 0.3, 0.15, 10, 80, good)
    }

    fn iterations_where(events: &[WarmupEvent], f: impl Fn(&WarmupEvent) -> bool) -> Vec<usize> {
        (0..events.len()).filter(|&i| f(&events[i])).collect()
    }

    #[test]
    fn continuous_schedule_for_1000_warmup() {
        // nuts-rs 0.17 with every draw good: 10-draw switches until ⌊0.3·1000⌋ = 300, 80-draw
        // switches after, none within 80 draws of the metric phase's end 1000 − 150 = 850.
        let events = nutpie_events(1000, &[true; 1000]);
        let mut expected: Vec<usize> = (0..30).map(|k| 8 + 10 * k).collect();
        expected.extend([378, 458, 538, 618, 698]);
        assert_eq!(iterations_where(&events, |e| e.switch), expected);
        // The foreground (seeded with the starting point) holds 3 draws after draw 1, and the
        // metric is recomputed after every draw of the metric phase from then on.
        assert_eq!(
            iterations_where(&events, |e| e.update_metric),
            (1..850).collect::<Vec<_>>()
        );
        assert_eq!(
            iterations_where(&events, |e| e.collect),
            (0..850).collect::<Vec<_>>()
        );
        // Late once draw + 80 > 850.
        assert_eq!(
            iterations_where(&events, |e| e.late),
            (771..1000).collect::<Vec<_>>()
        );
    }

    #[test]
    fn continuous_schedule_counts_only_good_draws() {
        // Draws 0..5 do not move: the first background fills at draw 13 instead of 8.
        let good: Vec<bool> = (0..1000).map(|i| i >= 5).collect();
        let events = nutpie_events(1000, &good);
        let switches = iterations_where(&events, |e| e.switch);
        assert_eq!(&switches[..3], &[13, 23, 33]);
        assert_eq!(iterations_where(&events, |e| e.update_metric)[0], 6);
        assert!(events[..5].iter().all(|e| !e.collect));
        // The foreground always holds between w and 2w draws after the first switch.
        let mut foreground = 1;
        let mut background = 1;
        for (i, event) in events.iter().enumerate().take(770) {
            if event.collect {
                foreground += 1;
                background += 1;
            }
            if event.switch {
                foreground = background;
                background = 0;
            }
            let window = if i < 300 { 10 } else { 80 };
            if i >= switches[0] && i < 299 {
                assert!((10..=20).contains(&foreground), "{i}: {foreground}");
            }
            if i >= 378 {
                assert!(
                    (window..=2 * window).contains(&foreground),
                    "{i}: {foreground}"
                );
            }
        }
    }

    #[test]
    fn continuous_schedule_for_short_warmups() {
        // 100 warm-up iterations: early phase 30, metric phase 85. The 80-draw windows that
        // follow the early phase never fit (30 + 80 > 85): late from 30, the last foreground
        // holds draws 19..85.
        let events = nutpie_events(100, &[true; 100]);
        assert_eq!(iterations_where(&events, |e| e.switch), vec![8, 18, 28]);
        assert_eq!(iterations_where(&events, |e| e.late)[0], 30);
        assert_eq!(
            iterations_where(&events, |e| e.update_metric).last(),
            Some(&84)
        );
        assert!(nutpie_events(0, &[]).is_empty());
        // 5: ⌊0.15·5⌋ = 0, every draw is in the metric phase.
        let events = nutpie_events(5, &[true; 5]);
        assert_eq!(
            iterations_where(&events, |e| e.update_metric),
            vec![1, 2, 3, 4]
        );
    }

    #[test]
    fn stan_schedule_as_events() {
        let schedule = Schedule::Windows(metric_windows(1000, 75, 50, 25));
        let events: Vec<WarmupEvent> = (0..1000)
            .map(|i| schedule.event(i, true, AccumulatorSizes::default()))
            .collect();
        let ends = vec![99, 149, 249, 449, 949];
        assert_eq!(iterations_where(&events, |e| e.update_metric), ends);
        assert_eq!(iterations_where(&events, |e| e.switch), ends);
        assert_eq!(
            iterations_where(&events, |e| e.collect),
            (75..950).collect::<Vec<_>>()
        );
        assert_eq!(
            iterations_where(&events, |e| e.late),
            (950..1000).collect::<Vec<_>>()
        );
    }

    #[test]
    fn abs_gradient_initial_metric_is_clamped() {
        assert_eq!(
            abs_gradient_inv_metric(&[2.0, -0.5, 0.0, 1e30]),
            Some(vec![0.5, 2.0, 1e20, 1e-20])
        );
        assert_eq!(abs_gradient_inv_metric(&[f64::NAN]), None);
    }

    /// `n` seeded draws `x = μ + L z` of `N(μ, L Lᵀ)` with exact gradients `Σ⁻¹(μ − x)`,
    /// accumulated; and `(Σᵢᵢ, (Σ⁻¹)ᵢᵢ)`.
    fn gaussian_accumulator(lower: &[[f64; 3]; 3], n: usize) -> (Accumulator, Vec<(f64, f64)>) {
        use nalgebra::{Matrix3, Vector3};
        use rand::{Rng, SeedableRng};
        use rand_distr::StandardNormal;
        let factor = Matrix3::from_fn(|i, j| lower[i][j]);
        let covariance = factor * factor.transpose();
        let precision = covariance.try_inverse().unwrap();
        let mean = Vector3::new(1.0, -2.0, 0.5);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let mut accumulator = Accumulator::new(false, 3, true);
        for _ in 0..n {
            let z: Vector3<f64> = Vector3::from_fn(|_, _| rng.sample(StandardNormal));
            let x = mean + factor * z;
            let gradient = precision * (mean - x);
            accumulator.add(x.as_slice(), gradient.as_slice());
        }
        let diagonals = (0..3)
            .map(|i| (covariance[(i, i)], precision[(i, i)]))
            .collect();
        (accumulator, diagonals)
    }

    #[test]
    fn draw_gradient_estimator_tends_to_its_gaussian_limit() {
        // Σ = L Lᵀ with correlations about 0.5–0.8 and scales 0.1 to 3.
        let lower = [[0.1, 0.0, 0.0], [0.8, 1.2, 0.0], [-1.0, 2.0, 1.5]];
        let n = 20_000;
        let (accumulator, diagonals) = gaussian_accumulator(&lower, n);
        let estimate = accumulator.estimate().unwrap();
        let variances = accumulator.draws.variance().unwrap();
        for (i, &(variance, precision)) in diagonals.iter().enumerate() {
            // sqrt(v̂ₓ/v̂_g) → sqrt(Σᵢᵢ/(Σ⁻¹)ᵢᵢ). With ρ = Corr(xᵢ, gᵢ) = −1/sqrt(Σᵢᵢ(Σ⁻¹)ᵢᵢ)
            // and Corr(xᵢ², gᵢ²) = ρ², the delta method gives Var(log estimate) = (1 − ρ²)/n.
            let limit = (variance / precision).sqrt();
            let rho_squared = 1.0 / (variance * precision);
            let relative_mcse = ((1.0 - rho_squared) / n as f64).sqrt();
            let error = (estimate[i] / limit).ln().abs();
            assert!(
                error < 5.0 * relative_mcse,
                "{i}: {} vs {limit}, log error {error}, 5 MCSE {}",
                estimate[i],
                5.0 * relative_mcse
            );
            // The draw variance → Σᵢᵢ, relative MCSE sqrt(2/n).
            let error = (variances[i] / variance).ln().abs();
            assert!(error < 5.0 * (2.0 / n as f64).sqrt(), "{i}: {error}");
            // The geometric mean of marginal and conditional variance lies between them.
            assert!(1.0 / precision <= limit && limit <= variance);
        }
        // Stan's regularised estimate from the same draws.
        let regularised = accumulator.draws.regularised().unwrap();
        let (weight, shrinkage) = (n as f64 / (n as f64 + 5.0), 5e-3 / (n as f64 + 5.0));
        for i in 0..3 {
            assert!((regularised[i] - (weight * variances[i] + shrinkage)).abs() < 1e-12);
        }
    }

    #[test]
    fn draw_gradient_estimator_is_exact_for_independent_coordinates() {
        // gᵢ = −(xᵢ − μᵢ)/σᵢ², so Var(gᵢ) = Var(xᵢ)/σᵢ⁴ and the estimate is σᵢ² for any draws.
        let lower = [[0.01, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 30.0]];
        let (accumulator, diagonals) = gaussian_accumulator(&lower, 50);
        let estimate = accumulator.estimate().unwrap();
        for (i, (variance, _)) in diagonals.iter().enumerate() {
            assert!((estimate[i] / variance - 1.0).abs() < 1e-12, "{i}");
        }
        assert_eq!(
            draw_gradient_inv_metric(&[1.0, 0.0, 1e-50, 0.0], &[4.0, 1.0, 1e50, 0.0]),
            None
        );
        assert_eq!(
            draw_gradient_inv_metric(&[1.0, 0.0, 1e-50], &[4.0, 1.0, 1e50]),
            Some(vec![0.5, 1e-20, 1e-20])
        );
    }

    /// A warm-up transition at `position` with the given statistics.
    fn transition(position: f64, accept_stat: f64, symmetric_accept_stat: f64) -> Transition {
        Transition {
            position: vec![position],
            stats: crate::draws::SamplerStats {
                accept_stat,
                ..crate::draws::SamplerStats::default()
            },
            gradient: vec![-position],
            symmetric_accept_stat,
            steps_from_start: 3,
        }
    }

    /// Draw `i` of a warm-up on a standard normal: ±1 alternately, spread with `i`.
    fn standard_normal_position(i: usize) -> f64 {
        let sign = if i % 2 == 0 { 1.0 } else { -1.0 };
        sign * (1.0 + (i % 7) as f64 / 7.0)
    }

    /// Observes `n` warm-up transitions at `position(i)`, with accept statistic 0.8 and
    /// symmetric statistic 0.2, answering each update that carries an inverse metric as the
    /// runner does with the sampler's verdict `accepted(i)`; the updates and the iterations at
    /// which the adapter asked for a step-size restart.
    fn warm_up(
        adapter: &mut WindowedAdapter,
        n: usize,
        position: impl Fn(usize) -> f64,
        accepted: impl Fn(usize) -> bool,
    ) -> (Vec<AdaptationUpdate>, Vec<usize>) {
        let mut updates = Vec::with_capacity(n);
        let mut restarts = Vec::new();
        for i in 0..n {
            let update = adapter.observe(&transition(position(i), 0.8, 0.2));
            if update.inv_metric.is_some() && adapter.inv_metric_outcome(accepted(i)) {
                restarts.push(i);
            }
            updates.push(update);
        }
        (updates, restarts)
    }

    #[test]
    fn nutpie_like_adapter_restarts_once_and_turns_symmetric_late() {
        let options = NutsOptions {
            num_warmup: 1000,
            ..NutsOptions::nutpie_like()
        };
        let mut adapter = WindowedAdapter::new(&options, 1, 1.0);
        assert_eq!(adapter.start(&[0.0], &[-4.0]), Some(vec![0.25]));
        // The symmetric statistic is far below the target: once it is used the step size
        // falls.
        let (updates, restarts) = warm_up(&mut adapter, 1000, standard_normal_position, |_| true);
        let metric_updates: Vec<usize> = (0..1000)
            .filter(|&i| updates[i].inv_metric.is_some())
            .collect();
        assert_eq!(metric_updates, (1..850).collect::<Vec<_>>());
        assert_eq!(restarts, vec![1]);
        // For x = −g the estimate is exactly 1.
        assert!((updates[849].inv_metric.as_ref().unwrap()[0] - 1.0).abs() < 1e-12);
        // At the target until draw 771; the symmetric statistic (0.2) drives it down after.
        assert!(updates[771].step_size > updates[999].step_size * 100.0);
    }

    #[test]
    fn stan_adapter_updates_at_window_ends_and_restarts_each_time() {
        let mut adapter = WindowedAdapter::new(&NutsOptions::default(), 1, 1.0);
        assert_eq!(adapter.start(&[0.0], &[-4.0]), None);
        let (updates, restarts) = warm_up(&mut adapter, 1000, |i| (i % 5) as f64, |_| true);
        let with_metric: Vec<usize> = (0..1000)
            .filter(|&i| updates[i].inv_metric.is_some())
            .collect();
        assert_eq!(with_metric, vec![99, 149, 249, 449, 949]);
        assert_eq!(restarts, with_metric);
    }

    #[test]
    fn rejected_metrics_are_not_counted_and_restart_nothing() {
        // nutpie's single restart: the first metric (draw 1) is rejected, so the restart
        // happens at the first accepted one (draw 2), and only there.
        let options = NutsOptions {
            num_warmup: 1000,
            ..NutsOptions::nutpie_like()
        };
        let mut adapter = WindowedAdapter::new(&options, 1, 1.0);
        adapter.start(&[0.0], &[-4.0]);
        let (_, restarts) = warm_up(&mut adapter, 1000, standard_normal_position, |i| i != 1);
        assert_eq!(restarts, vec![2]);
        // Every metric rejected until draw 500: the restart waits for draw 500.
        let mut adapter = WindowedAdapter::new(&options, 1, 1.0);
        adapter.start(&[0.0], &[-4.0]);
        let (_, restarts) = warm_up(&mut adapter, 1000, standard_normal_position, |i| i >= 500);
        assert_eq!(restarts, vec![500]);
        // Stan's restart after every installed metric: none after the rejected second window.
        let mut adapter = WindowedAdapter::new(&NutsOptions::default(), 1, 1.0);
        let (_, restarts) = warm_up(&mut adapter, 1000, |i| (i % 5) as f64, |i| i != 149);
        assert_eq!(restarts, vec![99, 249, 449, 949]);
    }

    #[test]
    fn continuous_schedule_without_start_follows_the_accumulators() {
        // Without `start` no starting point seeds the accumulators: the foreground first holds
        // the 3 draws a metric needs after draw 2 (draw 1 with `start`), and the background
        // fills with 10 draws at draws 9, 19, ... (8, 18, ... with `start`).
        let options = NutsOptions {
            num_warmup: 1000,
            ..NutsOptions::nutpie_like()
        };
        let mut adapter = WindowedAdapter::new(&options, 1, 1.0);
        let mut first_metric = None;
        let mut switches = Vec::new();
        for i in 0..100 {
            let update = adapter.observe(&transition(standard_normal_position(i), 0.8, 0.2));
            if update.inv_metric.is_some() && first_metric.is_none() {
                first_metric = Some((i, adapter.foreground.len()));
            }
            if adapter.background.len() == 0 {
                switches.push((i, adapter.foreground.len()));
            }
        }
        assert_eq!(first_metric, Some((2, 3)));
        let expected: Vec<(usize, usize)> = (0..10).map(|k| (9 + 10 * k, 10)).collect();
        assert_eq!(switches, expected);
    }
}

//! Posterior mode (MAP) on the unconstrained scale by argmin's L-BFGS with the More–Thuente line search, with or without the Jacobian, as Stan's `optimize`.

use super::init::{initial_point, Init};
use super::problem::{NegativeLogDensity, ScaledProblem};
use crate::error::{Error, Result};
use argmin::core::{Executor, State, TerminationReason, TerminationStatus};
use argmin::solver::linesearch::MoreThuenteLineSearch;
use argmin::solver::quasinewton::LBFGS;
use ppl_core::LogDensity;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;

/// Options of [`map`], with Stan's `optimize algorithm=lbfgs` defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct MapOptions {
    /// Include the log-|Jacobian| of the transforms (Stan's `jacobian`, default `false`: the mode
    /// of the density of the constrained parameters, the classical MAP estimate). Use `true` for
    /// the mode on the unconstrained scale, the centre of a Laplace approximation.
    pub jacobian: bool,
    /// Maximum L-BFGS iterations (Stan's `iter`, default 2000).
    pub max_iterations: u64,
    /// Number of correction pairs kept by L-BFGS (Stan's `history_size`, default 5).
    pub history_size: usize,
    /// Converged when the Euclidean norm of the gradient falls below this (Stan's `tol_grad`,
    /// default 1e-8).
    pub tol_grad: f64,
    /// Converged when the absolute change of the log density between iterations falls below
    /// this (Stan's `tol_obj`, default 1e-12).
    pub tol_obj: f64,
    /// Starting point (default Stan's uniform(−2, 2) random init).
    pub init: Init,
    /// Seed of the random init.
    pub seed: u64,
}

impl Default for MapOptions {
    fn default() -> Self {
        Self {
            jacobian: false,
            max_iterations: 2000,
            history_size: 5,
            tol_grad: 1e-8,
            tol_obj: 1e-12,
            init: Init::default(),
            seed: 0,
        }
    }
}

impl MapOptions {
    /// Checks every option (the init is checked against the model in [`map`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`], e.g. `"map: tol_grad is -1, but must be positive and finite"`.
    pub fn validate(&self) -> Result<()> {
        if self.max_iterations == 0 {
            return Err(Error::invalid("map", "max_iterations", 0, "at least 1"));
        }
        if self.history_size == 0 {
            return Err(Error::invalid("map", "history_size", 0, "at least 1"));
        }
        for (name, value) in [("tol_grad", self.tol_grad), ("tol_obj", self.tol_obj)] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid("map", name, value, "positive and finite"));
            }
        }
        Ok(())
    }
}

/// Why L-BFGS stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum MapTermination {
    /// A convergence test passed (gradient norm below `tol_grad` or change below `tol_obj`).
    Converged,
    /// `max_iterations` was reached without convergence.
    MaxIterations,
    /// The solver stopped for another reason (e.g. the line search failed); the text says why.
    Stopped(String),
}

impl std::fmt::Display for MapTermination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapTermination::Converged => write!(f, "converged"),
            MapTermination::MaxIterations => {
                write!(f, "did not converge: maximum iterations reached")
            }
            MapTermination::Stopped(reason) => write!(f, "did not converge: {reason}"),
        }
    }
}

/// A posterior mode found by [`map`].
#[derive(Debug, Clone, PartialEq)]
pub struct MapFit {
    /// Output names ([`LogDensity::param_names`]), parameters then derived quantities.
    pub names: Vec<String>,
    /// The mode on the unconstrained scale.
    pub unconstrained: Vec<f64>,
    /// The mode mapped through [`LogDensity::constrain`] (derived quantities included).
    pub constrained: Vec<f64>,
    /// The log density at the mode (Jacobian included iff `jacobian`).
    pub log_density: f64,
    /// Euclidean norm of the gradient at the mode.
    pub gradient_norm: f64,
    /// Whether the Jacobian was included.
    pub jacobian: bool,
    /// L-BFGS iterations.
    pub iterations: u64,
    /// Gradient evaluations of the model.
    pub evaluations: usize,
    /// Why the optimiser stopped.
    pub termination: MapTermination,
    /// The starting point (unconstrained).
    pub init: Vec<f64>,
}

impl MapFit {
    /// Whether a convergence test passed.
    pub fn converged(&self) -> bool {
        self.termination == MapTermination::Converged
    }
}

/// Finds a posterior mode by L-BFGS (argmin, More–Thuente line search) on the unconstrained scale.
///
/// Maximises `log p(u)` (with the log-|Jacobian| if `options.jacobian`) from `options.init`,
/// using the model's exact gradient. When a line search fails because the log density fails or
/// is not finite at a trial point, L-BFGS restarts from its best point with a capped step (as
/// Stan's optimiser backtracks). Non-convergence is not an error: it is reported in
/// [`MapFit::termination`].
///
/// # Errors
/// Invalid options ([`MapOptions::validate`]); [`Error::Initialisation`] when no finite
/// starting point is found; [`Error::Optimisation`] when the log density fails at the start.
///
/// # Reference
/// Nocedal & Wright (2006), *Numerical Optimization*, §7.2; Stan Reference Manual, "Optimization".
///
/// # Example
/// ```
/// use ppl_infer::optimize::{map, MapOptions};
/// struct Quadratic;
/// impl ppl_core::LogDensity for Quadratic {
///     fn dim(&self) -> usize { 1 }
///     fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> { Ok(-0.5 * (u[0] - 3.0).powi(2)) }
///     fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
///         g[0] = -(u[0] - 3.0);
///         self.log_density(u)
///     }
/// }
/// let fit = map(&Quadratic, &MapOptions::default()).unwrap();
/// assert!(fit.converged());
/// assert!((fit.unconstrained[0] - 3.0).abs() < 1e-8);
/// ```
pub fn map<M: LogDensity + ?Sized>(model: &M, options: &MapOptions) -> Result<MapFit> {
    options.validate()?;
    options.init.validate("map", model.dim())?;
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let init = initial_point(model, &options.init, &mut rng)?;
    map_from(model, options, init)
}

/// Line-search failures (the log density failing at a trial point) after which L-BFGS restarts
/// from its best point with a capped step (caps 0.1 down to 1e-6, above the line search's
/// minimum step √ε).
const MAX_RESTARTS: usize = 6;

/// Iterations run with a capped step after a line-search failure before the cap is lifted.
const CAPPED_ITERATIONS: u64 = 10;

/// Why argmin's L-BFGS stopped, with a flag for a line-search failure (which is retried).
fn termination_of(status: &TerminationStatus) -> (MapTermination, bool) {
    match status {
        TerminationStatus::Terminated(TerminationReason::SolverConverged) => {
            (MapTermination::Converged, false)
        }
        TerminationStatus::Terminated(TerminationReason::MaxItersReached) => {
            (MapTermination::MaxIterations, false)
        }
        TerminationStatus::Terminated(TerminationReason::SolverExit(reason)) => (
            MapTermination::Stopped(reason.clone()),
            reason.starts_with("Line search"),
        ),
        TerminationStatus::Terminated(reason) => {
            (MapTermination::Stopped(reason.text().to_string()), false)
        }
        TerminationStatus::NotTerminated => {
            (MapTermination::Stopped("not terminated".to_string()), false)
        }
    }
}

/// One L-BFGS run of at most `max_iterations` from `start`, in coordinates scaled by the
/// gradient there ([`ScaledProblem`]), the line-search step multiplier capped at `step_max`:
/// the best point (unconstrained), the iterations and why it stopped.
fn run_lbfgs<M: LogDensity + ?Sized>(
    problem: NegativeLogDensity<'_, M>,
    options: &MapOptions,
    start: Vec<f64>,
    max_iterations: u64,
    step_max: f64,
) -> Result<(Vec<f64>, u64, TerminationStatus)> {
    let optimisation_error = |error: argmin::core::Error| Error::Optimisation {
        function: "map",
        reason: error.to_string(),
    };
    let scaled =
        ScaledProblem::new(problem, start.clone()).map_err(|reason| Error::Optimisation {
            function: "map",
            reason,
        })?;
    let line_search = MoreThuenteLineSearch::new()
        .with_bounds(f64::EPSILON.sqrt(), step_max)
        .map_err(optimisation_error)?;
    // Gradient norms in scaled coordinates are `scale` times those of `u`.
    let solver = LBFGS::new(line_search, options.history_size)
        .with_tolerance_grad(options.tol_grad * scaled.scale())
        .and_then(|solver| solver.with_tolerance_cost(options.tol_obj))
        .map_err(optimisation_error)?;
    let origin = vec![0.0; start.len()];
    let result = Executor::new(scaled, solver)
        .configure(|state| state.param(origin).max_iters(max_iterations))
        .run()
        .map_err(optimisation_error)?;
    let best = match (
        result.state.get_best_param(),
        result.problem.problem.as_ref(),
    ) {
        (Some(v), Some(scaled)) => scaled.to_unconstrained(v),
        _ => start,
    };
    Ok((
        best,
        result.state.get_iter(),
        result.state.get_termination_status().clone(),
    ))
}

/// [`map`] from a given (checked, finite) unconstrained starting point.
///
/// When a line search fails (the log density fails or overflows at a trial point, as when the
/// first step of L-BFGS is far too long), L-BFGS restarts from its best point with the step
/// multiplier capped at 0.1 for [`CAPPED_ITERATIONS`] iterations, then uncapped; each further
/// failure divides the cap by 10, up to [`MAX_RESTARTS`] restarts.
pub(crate) fn map_from<M: LogDensity + ?Sized>(
    model: &M,
    options: &MapOptions,
    init: Vec<f64>,
) -> Result<MapFit> {
    let optimisation_error = |reason: String| Error::Optimisation {
        function: "map",
        reason,
    };
    let evaluations = Cell::new(0);
    let problem = || NegativeLogDensity::new(model, options.jacobian, &evaluations);
    problem().evaluate(&init).map_err(|reason| {
        optimisation_error(format!(
            "the log density fails at the initial point: {reason}"
        ))
    })?;
    let mut point = init.clone();
    let mut iterations = 0;
    let mut restarts = 0;
    let mut step_cap = 0.1;
    let mut capped = false;
    let termination = loop {
        let remaining = options.max_iterations - iterations;
        let (step_max, limit) = if capped {
            (step_cap, remaining.min(CAPPED_ITERATIONS))
        } else {
            (f64::INFINITY, remaining)
        };
        let (best, run_iterations, status) = run_lbfgs(problem(), options, point, limit, step_max)?;
        point = best;
        iterations += run_iterations;
        let (termination, line_search_failed) = termination_of(&status);
        let remaining = options.max_iterations - iterations;
        if line_search_failed && restarts < MAX_RESTARTS && remaining > 0 {
            if capped {
                step_cap *= 0.1;
            }
            capped = true;
            restarts += 1;
        } else if capped && termination == MapTermination::MaxIterations && remaining > 0 {
            capped = false;
        } else {
            break termination;
        }
    };
    let (log_density, gradient) = problem().evaluate(&point).map_err(optimisation_error)?;
    Ok(MapFit {
        names: model.param_names(),
        constrained: model.constrain(&point)?,
        unconstrained: point,
        log_density,
        gradient_norm: gradient.iter().map(|g| g * g).sum::<f64>().sqrt(),
        jacobian: options.jacobian,
        iterations,
        evaluations: evaluations.get(),
        termination,
        init,
    })
}

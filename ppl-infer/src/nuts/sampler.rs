//! The NUTS engine as a step function: `NutsSampler::step` makes one transition; Stan's initial step-size heuristic.

use ppl_core::LogDensity;
use rand::Rng;

use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::metric::MassMatrix;
use super::options::Metric;
use super::tree::{transition, Workspace};
use crate::draws::SamplerStats;
use crate::error::{Error, Result};

/// One transition of the sampler: the new unconstrained position and its statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct Transition {
    /// The draw on the unconstrained scale.
    pub position: Vec<f64>,
    /// Stan's per-draw sampler statistics.
    pub stats: SamplerStats,
    /// `∇ log p` at the draw (zero where the density failed).
    pub gradient: Vec<f64>,
    /// The trajectory's mean of the symmetric acceptance statistic `2/(1 + exp(|H₀ − H|))`
    /// (nutpie's late-warm-up statistic; `accept_stat` is the mean of `min(1, exp(H₀ − H))`).
    pub symmetric_accept_stat: f64,
    /// Signed leapfrog steps from the trajectory's start to the draw: 0 if the sampler stayed
    /// put, negative if the draw lies backwards in time.
    pub steps_from_start: i64,
}

/// The No-U-Turn sampler over a [`LogDensity`] with a Euclidean metric, as in Stan's
/// `base_nuts`: multinomial sampling over the trajectory (biased progressive sampling between
/// sub-trees, uniform within them), the generalised no-U-turn criterion with Stan's extra
/// checks across merged sub-trees, divergence when the energy error exceeds 1000.
///
/// References: Hoffman & Gelman (2014), "The No-U-Turn Sampler", JMLR 15; Betancourt (2017),
/// "A Conceptual Introduction to Hamiltonian Monte Carlo", arXiv:1701.02434.
///
/// ```
/// use ppl_infer::nuts::{Metric, NutsSampler};
/// use ppl_infer::LogDensity;
/// use rand::SeedableRng;
///
/// struct StdNormal;
/// impl LogDensity for StdNormal {
///     fn dim(&self) -> usize { 1 }
///     fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> { Ok(-0.5 * u[0] * u[0]) }
///     fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
///         g[0] = -u[0];
///         Ok(-0.5 * u[0] * u[0])
///     }
/// }
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let mut sampler = NutsSampler::new(&StdNormal, vec![0.5], Metric::Diag, 10).unwrap();
/// sampler.set_step_size(0.9);
/// let transition = sampler.step(&mut rng);
/// assert_eq!(transition.stats.step_size, 0.9);
/// assert!(transition.stats.n_leapfrog >= 1);
/// assert_eq!(sampler.position(), &transition.position[..]);
/// ```
pub struct NutsSampler<'a, M: LogDensity + ?Sized> {
    hamiltonian: Hamiltonian<'a, M>,
    current: PhasePoint,
    /// The trajectory's buffers, reused from one transition to the next.
    workspace: Workspace,
    step_size: f64,
    max_depth: u32,
}

impl<'a, M: LogDensity + ?Sized> NutsSampler<'a, M> {
    /// A sampler at the unconstrained `position` with a unit metric of the given shape, step
    /// size 1 and maximum tree depth `max_depth`. The position should have a finite log
    /// density and gradient (see [`sample`](super::sample)'s initialisation); from a point
    /// outside the support every transition is divergent and stays put.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if `position.len() != model.dim()`.
    pub fn new(model: &'a M, position: Vec<f64>, metric: Metric, max_depth: u32) -> Result<Self> {
        if position.len() != model.dim() {
            return Err(Error::SizeMismatch {
                function: "nuts",
                argument: "position".to_string(),
                actual: position.len(),
                expected: model.dim(),
            });
        }
        let metric = MassMatrix::unit(metric == Metric::Dense, position.len());
        let mut hamiltonian = Hamiltonian::new(model, metric);
        let workspace = Workspace::new(position.len());
        let mut current = PhasePoint::at(position);
        hamiltonian.update_potential(&mut current);
        Ok(NutsSampler {
            hamiltonian,
            current,
            workspace,
            step_size: 1.0,
            max_depth,
        })
    }

    /// Makes one transition: draws a momentum, builds the trajectory, moves to the draw.
    pub fn step<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Transition {
        self.hamiltonian.refresh_momentum(rng, &mut self.current);
        let result = transition(
            &mut self.hamiltonian,
            &mut self.current,
            &mut self.workspace,
            self.step_size,
            self.max_depth,
            rng,
        );
        let tally = result.tally;
        let n_leapfrog = f64::from(tally.n_leapfrog.max(1));
        let stats = SamplerStats {
            lp: self.current.log_density,
            accept_stat: tally.sum_metro_prob / n_leapfrog,
            step_size: self.step_size,
            tree_depth: result.tree_depth,
            n_leapfrog: tally.n_leapfrog,
            divergent: tally.divergent,
            energy: result.energy,
        };
        Transition {
            position: self.current.position.clone(),
            stats,
            gradient: self.current.gradient.clone(),
            symmetric_accept_stat: tally.sum_symmetric_prob / n_leapfrog,
            steps_from_start: self.current.steps_from_start,
        }
    }

    /// Stan's initial step-size heuristic (`base_hmc::init_stepsize`): from the current
    /// position, take one leapfrog step with a fresh momentum and double (or halve) the step
    /// size until the acceptance probability `exp(H₀ − H)` crosses 0.8.
    ///
    /// # Errors
    /// [`Error::Initialisation`] (with `chain` 0: the sampler does not know its chain) when
    /// the step size runs past `1e7` (the posterior is improper) or underflows to zero (no
    /// acceptably small step size).
    pub fn init_step_size<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Result<()> {
        if self.step_size == 0.0 || self.step_size > 1e7 || self.step_size.is_nan() {
            return Ok(());
        }
        let log_threshold = 0.8f64.ln();
        let fail = |reason: &str| Error::Initialisation {
            chain: 0,
            attempts: 1,
            reason: reason.to_string(),
        };
        let energy_change = |hamiltonian: &mut Hamiltonian<'a, M>, step_size: f64, rng: &mut R| {
            let mut point = self.current.clone();
            hamiltonian.refresh_momentum(rng, &mut point);
            let initial_energy = hamiltonian.energy(&point);
            hamiltonian.leapfrog(&mut point, step_size);
            initial_energy - hamiltonian.energy(&point)
        };
        let increase = energy_change(&mut self.hamiltonian, self.step_size, rng) > log_threshold;
        loop {
            let delta = energy_change(&mut self.hamiltonian, self.step_size, rng);
            // NaN compares false both ways, which stops the search, as in Stan.
            let (above, below) = (delta > log_threshold, delta < log_threshold);
            if (increase && !above) || (!increase && !below) {
                return Ok(());
            }
            self.step_size *= if increase { 2.0 } else { 0.5 };
            if self.step_size > 1e7 {
                return Err(fail(
                    "the step size grew past 1e7 in the initial step-size search: \
                     the posterior is improper, check the model",
                ));
            }
            if self.step_size == 0.0 {
                return Err(fail(
                    "no acceptably small step size could be found: \
                     the posterior may not be continuous",
                ));
            }
        }
    }

    /// The current step size.
    pub fn step_size(&self) -> f64 {
        self.step_size
    }

    /// Sets the step size of the following transitions.
    pub fn set_step_size(&mut self, step_size: f64) {
        self.step_size = step_size;
    }

    /// The current unconstrained position.
    pub fn position(&self) -> &[f64] {
        &self.current.position
    }

    /// `∇ log p` at the current position (zero if the density failed there).
    pub fn gradient(&self) -> &[f64] {
        &self.current.gradient
    }

    /// Log density at the current position (`−∞` if it failed there).
    pub fn log_density(&self) -> f64 {
        self.current.log_density
    }

    /// The inverse metric: the diagonal (length `d`) or the dense matrix (`d²`, row-major).
    pub fn inv_metric(&self) -> &[f64] {
        self.hamiltonian.metric.inv_metric()
    }

    /// Replaces the inverse metric (same shape as the sampler's: a diagonal of length `d`, or a
    /// row-major `d × d` matrix).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless the values are finite and positive (diagonal) or
    /// symmetric positive definite (dense) of the right size.
    pub fn set_inv_metric(&mut self, inv_metric: Vec<f64>) -> Result<()> {
        let dim = self.current.position.len();
        let expected = if self.hamiltonian.metric.is_dense() {
            dim * dim
        } else {
            dim
        };
        if inv_metric.len() != expected {
            return Err(Error::SizeMismatch {
                function: "nuts",
                argument: "inv_metric".to_string(),
                actual: inv_metric.len(),
                expected,
            });
        }
        let requirement = if self.hamiltonian.metric.is_dense() {
            "symmetric positive definite"
        } else {
            "positive and finite"
        };
        match self.hamiltonian.metric.with_values(inv_metric) {
            Some(metric) => {
                self.hamiltonian.metric = metric;
                Ok(())
            }
            None => Err(Error::invalid(
                "nuts",
                "inv_metric",
                "not usable",
                requirement,
            )),
        }
    }

    /// Gradient evaluations made so far (each leapfrog step and each heuristic trial is one).
    pub fn n_gradient_evals(&self) -> u64 {
        self.hamiltonian.n_gradient_evals
    }
}

//! Phase-space points, the Hamiltonian `H(q, p) = −log p(q) + ½ pᵀM⁻¹p` of a `LogDensity`, and the leapfrog integrator.

use ppl_core::LogDensity;
use rand::Rng;

use super::metric::{dot, MassMatrix};

/// A point `(q, p)` of phase space with what the sampler needs at it. `clone_from` reuses the
/// destination's buffers.
#[derive(Debug, PartialEq)]
pub(crate) struct PhasePoint {
    /// Unconstrained position `q`.
    pub(crate) position: Vec<f64>,
    /// Momentum `p`.
    pub(crate) momentum: Vec<f64>,
    /// `M⁻¹ p` (Stan's `p♯`).
    pub(crate) velocity: Vec<f64>,
    /// `∇ log p(q)`.
    pub(crate) gradient: Vec<f64>,
    /// `log p(q)`; `−∞` where the density failed (an `Err` or a non-finite value/gradient).
    pub(crate) log_density: f64,
    /// Signed leapfrog steps from the trajectory's start (negative backwards in time).
    pub(crate) steps_from_start: i64,
}

impl PhasePoint {
    /// A point at `position` with zero momentum, not yet evaluated.
    pub(crate) fn at(position: Vec<f64>) -> Self {
        let dim = position.len();
        PhasePoint {
            position,
            momentum: vec![0.0; dim],
            velocity: vec![0.0; dim],
            gradient: vec![0.0; dim],
            log_density: f64::NEG_INFINITY,
            steps_from_start: 0,
        }
    }
}

impl Clone for PhasePoint {
    fn clone(&self) -> Self {
        PhasePoint {
            position: self.position.clone(),
            momentum: self.momentum.clone(),
            velocity: self.velocity.clone(),
            gradient: self.gradient.clone(),
            log_density: self.log_density,
            steps_from_start: self.steps_from_start,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.position.clone_from(&source.position);
        self.momentum.clone_from(&source.momentum);
        self.velocity.clone_from(&source.velocity);
        self.gradient.clone_from(&source.gradient);
        self.log_density = source.log_density;
        self.steps_from_start = source.steps_from_start;
    }
}

/// A `LogDensity` with a metric: evaluates the potential, integrates and counts gradients.
pub(crate) struct Hamiltonian<'a, M: LogDensity + ?Sized> {
    pub(crate) model: &'a M,
    pub(crate) metric: MassMatrix,
    /// Gradient evaluations so far.
    pub(crate) n_gradient_evals: u64,
}

impl<'a, M: LogDensity + ?Sized> Hamiltonian<'a, M> {
    pub(crate) fn new(model: &'a M, metric: MassMatrix) -> Self {
        Hamiltonian {
            model,
            metric,
            n_gradient_evals: 0,
        }
    }

    /// Evaluates `log p` and its gradient at `point.position`. An `Err`, a non-finite log
    /// density or a non-finite gradient makes the point infinitely unlikely (`log p = −∞`,
    /// gradient zero), so that a trajectory reaching it is a divergence, never a crash.
    pub(crate) fn update_potential(&mut self, point: &mut PhasePoint) {
        self.n_gradient_evals += 1;
        let value = self
            .model
            .log_density_gradient(&point.position, &mut point.gradient);
        match value {
            Ok(lp)
                if !lp.is_nan()
                    && lp < f64::INFINITY
                    && point.gradient.iter().all(|g| g.is_finite()) =>
            {
                point.log_density = lp;
            }
            _ => {
                point.log_density = f64::NEG_INFINITY;
                point.gradient.iter_mut().for_each(|g| *g = 0.0);
            }
        }
    }

    /// Draws a fresh momentum `p ~ N(0, M)` at `point` and updates its velocity.
    pub(crate) fn refresh_momentum<R: Rng + ?Sized>(&self, rng: &mut R, point: &mut PhasePoint) {
        self.metric.sample_momentum(rng, &mut point.momentum);
        self.metric.velocity(&point.momentum, &mut point.velocity);
    }

    /// `H = −log p(q) + ½ pᵀM⁻¹p`, with NaN mapped to `+∞` (Stan's convention).
    pub(crate) fn energy(&self, point: &PhasePoint) -> f64 {
        let energy = -point.log_density + 0.5 * dot(&point.momentum, &point.velocity);
        if energy.is_nan() {
            f64::INFINITY
        } else {
            energy
        }
    }

    /// One leapfrog step of size `step` (negative to integrate backwards in time):
    /// `p ← p + ε/2 ∇log p(q)`, `q ← q + ε M⁻¹p`, `p ← p + ε/2 ∇log p(q)`.
    pub(crate) fn leapfrog(&mut self, point: &mut PhasePoint, step: f64) {
        let half_step = 0.5 * step;
        for (p, g) in point.momentum.iter_mut().zip(&point.gradient) {
            *p += half_step * g;
        }
        self.metric.velocity(&point.momentum, &mut point.velocity);
        for (q, v) in point.position.iter_mut().zip(&point.velocity) {
            *q += step * v;
        }
        self.update_potential(point);
        point.steps_from_start += if step < 0.0 { -1 } else { 1 };
        for (p, g) in point.momentum.iter_mut().zip(&point.gradient) {
            *p += half_step * g;
        }
        self.metric.velocity(&point.momentum, &mut point.velocity);
    }
}

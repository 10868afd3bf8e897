//! The result of ADVI: the fitted approximation, how the optimisation ended, the ELBO trace, draws, and the PSIS k-hat check.

use super::gaussian::resample_draws;
use super::options::AdviAlgorithm;
use super::psis::Psis;
use crate::draws::Draws;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Which of Stan's rules declared convergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConvergenceRule {
    /// The mean of the recent relative ELBO changes fell below `tol_rel_obj`.
    Mean,
    /// The median fell below it.
    Median,
    /// Both did at the same evaluation.
    MeanAndMedian,
}

/// How the optimisation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum AdviStatus {
    /// The relative ELBO change fell below `tol_rel_obj`.
    Converged(ConvergenceRule),
    /// `max_iterations` was reached first: the approximation may not have converged.
    MaxIterations,
    /// Too many steps were rejected (non-finite ELBO or gradient): 50 in a row, or 100 in all
    /// (each halves the step size, so by then q can no longer move); the fit is the last good
    /// approximation.
    Failed(String),
}

/// One ELBO evaluation (every `eval_elbo` iterations).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ElboRecord {
    /// The iteration (1-based).
    pub iteration: usize,
    /// The Monte Carlo ELBO.
    pub elbo: f64,
    /// `|(ELBO_prev − ELBO) / ELBO|` (1 at the first evaluation, as in Stan).
    pub rel_change: f64,
    /// Mean of the relative changes in the circular buffer.
    pub rel_change_mean: f64,
    /// Median of the relative changes in the circular buffer.
    pub rel_change_median: f64,
}

/// A fitted ADVI approximation.
#[derive(Debug, Clone)]
pub struct AdviFit {
    /// Mean-field or full-rank.
    pub algorithm: AdviAlgorithm,
    /// How the optimisation ended.
    pub status: AdviStatus,
    /// Iterations run (adaptation excluded).
    pub iterations: usize,
    /// The step-size scale used (adapted, or the given `eta`).
    pub eta: f64,
    /// Variational means on the unconstrained scale.
    pub mean: Vec<f64>,
    /// Variational marginal sds on the unconstrained scale.
    pub sd: Vec<f64>,
    /// The scale `S` of `q = N(mean, S Sᵀ)`, lower triangular, row-major `d × d` (diagonal for
    /// mean-field).
    pub scale: Vec<f64>,
    /// The approximation's mean mapped through `constrain` (Stan's first output row).
    pub constrained_mean: Vec<f64>,
    /// Every ELBO evaluation (of the chosen restart).
    pub elbo_trace: Vec<ElboRecord>,
    /// With `restarts > 1`, the ELBO (`elbo_samples` draws) of each restart's final
    /// approximation, `NaN` for a restart that failed; the fit is the highest. With one run,
    /// `[NaN]` (not estimated).
    pub restart_elbos: Vec<f64>,
    /// Draws from q on the constrained scale (derived quantities included), one chain.
    pub draws: Draws,
    /// `log p(u_s)` (Jacobian included) of each draw, `−∞` where the model failed.
    pub log_p: Vec<f64>,
    /// `log q(u_s)` of each draw.
    pub log_q: Vec<f64>,
    /// PSIS of `log p − log q`: k-hat and normalised smoothed log weights (Yao et al. 2018).
    pub psis: Psis,
    /// Steps rejected for a non-finite ELBO, gradient or update.
    pub rejected_steps: usize,
    /// Plain-language warnings: non-convergence, k-hat above 0.7, a diverging ELBO.
    pub warnings: Vec<String>,
}

impl AdviFit {
    /// Whether the ELBO converged.
    pub fn converged(&self) -> bool {
        matches!(self.status, AdviStatus::Converged(_))
    }

    /// The PSIS k-hat of the approximation: ≤ 0.5 good, ≤ 0.7 usable, > 0.7 unreliable.
    pub fn khat(&self) -> f64 {
        self.psis.khat
    }

    /// Whether k-hat exceeds [`KHAT_THRESHOLD`](super::KHAT_THRESHOLD) (0.7).
    pub fn khat_warning(&self) -> bool {
        !self.psis.is_reliable()
    }

    /// Normalised PSIS importance weights of the draws (sum 1).
    pub fn weights(&self) -> Vec<f64> {
        self.psis.weights()
    }

    /// `n` draws resampled with the PSIS weights (seeded): a corrected sample when k-hat ≤ 0.7.
    pub fn psis_resample(&self, n: usize, seed: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        resample_draws(&self.draws, &self.weights(), n, &mut rng)
    }
}

impl std::fmt::Display for AdviFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = match &self.status {
            AdviStatus::Converged(rule) => {
                format!(
                    "converged ({rule:?} rule) after {} iterations",
                    self.iterations
                )
            }
            AdviStatus::MaxIterations => format!(
                "DID NOT CONVERGE: stopped at max_iterations = {}",
                self.iterations
            ),
            AdviStatus::Failed(reason) => {
                format!("FAILED after {} iterations: {reason}", self.iterations)
            }
        };
        writeln!(f, "ADVI ({}), eta = {}: {status}", self.algorithm, self.eta)?;
        if let Some(last) = self.elbo_trace.last() {
            writeln!(
                f,
                "last ELBO {:.4} at iteration {} (relative change mean {:.4}, median {:.4})",
                last.elbo, last.iteration, last.rel_change_mean, last.rel_change_median
            )?;
        }
        writeln!(f, "Pareto k-hat {:.2}", self.psis.khat)?;
        for warning in &self.warnings {
            writeln!(f, "Warning: {warning}")?;
        }
        Ok(())
    }
}

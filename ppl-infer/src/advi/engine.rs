//! One ADVI step: Monte Carlo ELBO and ELBO gradient by the reparameterisation trick, and Stan's adaptive step-size sequence, with non-finite steps rejected.

use super::family::Variational;
use ppl_core::LogDensity;
use rand::Rng;
use rand_distr::StandardNormal;

/// Stan's step-size sequence constants: `τ`, and the weights of the gradient-square history.
const TAU: f64 = 1.0;
const HISTORY_WEIGHT: f64 = 0.9;
const NEW_WEIGHT: f64 = 0.1;

/// The largest normalised gradient `|g| / (τ + √s_{k−1})` a lagged-normaliser step takes.
const LAGGED_NORMALISED_LIMIT: f64 = 3.0;

/// Monte Carlo ELBO `E_q[log p(u)] + H[q]` from `n` draws, Stan's rule: a draw whose log density
/// fails or is not finite is dropped and redrawn, and the estimate fails after `n` drops.
pub(crate) fn elbo<M: LogDensity + ?Sized, R: Rng>(
    model: &M,
    q: &Variational,
    n: usize,
    rng: &mut R,
) -> Result<f64, String> {
    let mut standard = vec![0.0; q.dim];
    let mut point = vec![0.0; q.dim];
    let mut total = 0.0;
    let mut kept = 0;
    let mut dropped = 0;
    while kept < n {
        draw_standard(rng, &mut standard);
        q.transform(&standard, &mut point);
        match model.log_density(&point) {
            Ok(value) if value.is_finite() => {
                total += value;
                kept += 1;
            }
            outcome => {
                dropped += 1;
                if dropped >= n {
                    let last = match outcome {
                        Ok(value) => format!("log density is {value}"),
                        Err(error) => error.to_string(),
                    };
                    return Err(format!(
                        "the ELBO could not be estimated: {dropped} of its draws failed (last: {last})"
                    ));
                }
            }
        }
    }
    Ok(total / n as f64 + q.entropy())
}

fn draw_standard<R: Rng>(rng: &mut R, standard: &mut [f64]) {
    for z in standard {
        *z = rng.sample(StandardNormal);
    }
}

/// Stan's adaptive step-size sequence: `ρ_k = η k^(−1/2) / (τ + √s_k)` element-wise, with
/// `s_1 = g_1²`, `s_k = 0.9 s_{k−1} + 0.1 g_k²`.
#[derive(Debug, Clone)]
pub(crate) struct StepSizeSequence {
    pub(crate) eta: f64,
    /// Divide by the history before the current gradient enters it (`lagged_normaliser`).
    pub(crate) lagged: bool,
    history: Vec<f64>,
    started: bool,
    iteration: usize,
}

impl StepSizeSequence {
    pub(crate) fn new(eta: f64, n_params: usize) -> Self {
        Self {
            eta,
            lagged: false,
            history: vec![0.0; n_params],
            started: false,
            iteration: 0,
        }
    }

    /// Applies one ascent step to `params` if the result and the history stay finite; returns
    /// whether it was applied. The iteration counter advances either way.
    fn ascend(&mut self, params: &mut [f64], gradient: &[f64], step_scale: Option<&[f64]>) -> bool {
        self.iteration += 1;
        let scaled_eta = self.eta / (self.iteration as f64).sqrt();
        let history: Vec<f64> = self
            .history
            .iter()
            .zip(gradient)
            .map(|(s, g)| {
                if self.started {
                    HISTORY_WEIGHT * s + NEW_WEIGHT * g * g
                } else {
                    g * g
                }
            })
            .collect();
        // Stan divides by the history that already holds g²; the lagged normaliser divides by
        // the history before it (from the second iteration on), capped at
        // `LAGGED_NORMALISED_LIMIT` history RMS.
        let lagged = self.lagged && self.started;
        let updated: Vec<f64> = params
            .iter()
            .zip(gradient)
            .zip(history.iter().zip(&self.history))
            .enumerate()
            .map(|(k, ((p, g), (s_new, s_old)))| {
                let scale = step_scale.map_or(1.0, |scales| scales[k]);
                if lagged {
                    let normalised = (g / (TAU + s_old.sqrt()))
                        .clamp(-LAGGED_NORMALISED_LIMIT, LAGGED_NORMALISED_LIMIT);
                    p + scale * scaled_eta * normalised
                } else {
                    p + scale * scaled_eta * g / (TAU + s_new.sqrt())
                }
            })
            .collect();
        if updated.iter().chain(&history).all(|v| v.is_finite()) {
            params.copy_from_slice(&updated);
            self.history = history;
            self.started = true;
            true
        } else {
            false
        }
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum StepOutcome {
    /// The approximation moved.
    Accepted,
    /// The step was rejected, for the reason given; the approximation did not move.
    Rejected(String),
}

/// The ADVI engine: the approximation, its step-size sequence and gradient buffers; one call to
/// [`AdviEngine::step`] is one stochastic-gradient iteration.
pub(crate) struct AdviEngine<'a, M: ?Sized> {
    model: &'a M,
    pub(crate) q: Variational,
    pub(crate) steps: StepSizeSequence,
    grad_samples: usize,
    /// Stan's behaviour during eta adaptation: a failed gradient counts as zero.
    zero_failed_gradient: bool,
    /// Scale the steps of μ_i (and of row i of L) by q's current sd of u_i.
    pub(crate) relative_steps: bool,
    gradient: Vec<f64>,
    log_density_gradient: Vec<f64>,
    standard: Vec<f64>,
    point: Vec<f64>,
}

impl<'a, M: LogDensity + ?Sized> AdviEngine<'a, M> {
    pub(crate) fn new(
        model: &'a M,
        q: Variational,
        eta: f64,
        grad_samples: usize,
        zero_failed_gradient: bool,
    ) -> Self {
        let n_params = q.params.len();
        let dim = q.dim;
        Self {
            model,
            q,
            steps: StepSizeSequence::new(eta, n_params),
            grad_samples,
            zero_failed_gradient,
            relative_steps: false,
            gradient: vec![0.0; n_params],
            log_density_gradient: vec![0.0; dim],
            standard: vec![0.0; dim],
            point: vec![0.0; dim],
        }
    }

    /// The ELBO gradient with respect to the variational parameters, from `grad_samples` draws.
    fn elbo_gradient<R: Rng>(&mut self, rng: &mut R) -> Result<(), String> {
        self.gradient.fill(0.0);
        for _ in 0..self.grad_samples {
            draw_standard(rng, &mut self.standard);
            self.q.transform(&self.standard, &mut self.point);
            let value = self
                .model
                .log_density_gradient(&self.point, &mut self.log_density_gradient)
                .map_err(|error| error.to_string())?;
            if !value.is_finite() {
                return Err(format!("log density is {value}"));
            }
            if let Some(i) = self
                .log_density_gradient
                .iter()
                .position(|g| !g.is_finite())
            {
                return Err(format!(
                    "gradient[{}] is {}",
                    i + 1,
                    self.log_density_gradient[i]
                ));
            }
            self.q.accumulate_gradient(
                &self.standard,
                &self.log_density_gradient,
                &mut self.gradient,
            );
        }
        self.q
            .finish_gradient(self.grad_samples, &mut self.gradient);
        Ok(())
    }

    /// One stochastic-gradient ascent iteration.
    pub(crate) fn step<R: Rng>(&mut self, rng: &mut R) -> StepOutcome {
        if let Err(reason) = self.elbo_gradient(rng) {
            if self.zero_failed_gradient {
                self.gradient.fill(0.0);
            } else {
                self.steps.iteration += 1;
                return StepOutcome::Rejected(reason);
            }
        }
        let step_scale = self.relative_steps.then(|| self.q.step_scales());
        if self
            .steps
            .ascend(&mut self.q.params, &self.gradient, step_scale.as_deref())
        {
            StepOutcome::Accepted
        } else {
            StepOutcome::Rejected("the update is not finite".to_string())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Step 1 is Stan's either way: `s_1 = g²`, step `η g / (1 + |g|)`. Step 2 with an outlying
    /// gradient: Stan divides by `√(0.9 s_1 + 0.1 g²)`; the lagged normaliser divides by
    /// `1 + √s_1` and caps the result at 3.
    #[test]
    fn lagged_normaliser_uses_the_previous_history_and_caps_outliers() {
        for (lagged, expected_second_step) in [
            (
                false,
                1000.0 / (1.0 + 100_003.6_f64.sqrt()) / 2.0_f64.sqrt(),
            ),
            (true, 3.0 / 2.0_f64.sqrt()),
        ] {
            let mut steps = StepSizeSequence::new(1.0, 1);
            steps.lagged = lagged;
            let mut params = [0.0];
            assert!(steps.ascend(&mut params, &[2.0], None));
            assert!((params[0] - 2.0 / 3.0).abs() < 1e-15);
            assert!(steps.ascend(&mut params, &[1000.0], None));
            let second_step = params[0] - 2.0 / 3.0;
            assert!(
                (second_step - expected_second_step).abs() < 1e-12,
                "lagged {lagged}: {second_step} vs {expected_second_step}"
            );
            // The history holds g² either way.
            assert!((steps.history[0] - 100_003.6).abs() < 1e-9);
        }
    }

    /// Relative steps multiply each parameter's step by its scale.
    #[test]
    fn step_scales_multiply_the_steps() {
        let mut steps = StepSizeSequence::new(1.0, 2);
        let mut params = [0.0, 0.0];
        assert!(steps.ascend(&mut params, &[3.0, 3.0], Some(&[1.0, 0.001])));
        assert!((params[0] - 0.75).abs() < 1e-15);
        assert!((params[1] - 0.00075).abs() < 1e-15);
    }
}

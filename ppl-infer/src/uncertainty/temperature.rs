//! Temperature scaling (Guo et al. 2017): one scalar T > 0 that divides the logits, fitted by minimising the validation negative log-likelihood with Brent's method.

use argmin::core::{CostFunction, Executor};
use argmin::solver::brent::BrentOpt;

use super::input::{check_finite, check_non_empty, check_rows};
use crate::error::{Error, Result};

/// `softmax(z)_k = exp(z_k − max z) / Σ_j exp(z_j − max z)`.
///
/// ```
/// let p = ppl_infer::uncertainty::softmax(&[0.0, 2f64.ln()]);
/// assert!((p[1] - 2.0 / 3.0).abs() < 1e-15);
/// ```
pub fn softmax(logits: &[f64]) -> Vec<f64> {
    let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logits.iter().map(|z| (z - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

/// Class probabilities `softmax(z / T)` for each row of logits. Dividing by `T > 0` never
/// changes which class is most probable.
pub fn scale_logits(logits: &[Vec<f64>], temperature: f64) -> Vec<Vec<f64>> {
    logits
        .iter()
        .map(|z| softmax(&z.iter().map(|v| v / temperature).collect::<Vec<_>>()))
        .collect()
}

/// Mean NLL of `softmax(z / T)` at the labels, with log-sum-exp for stability.
fn mean_nll(logits: &[Vec<f64>], labels: &[usize], temperature: f64) -> f64 {
    let total: f64 = logits
        .iter()
        .zip(labels)
        .map(|(z, &y)| {
            let scaled: Vec<f64> = z.iter().map(|v| v / temperature).collect();
            let max = scaled.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = max + scaled.iter().map(|s| (s - max).exp()).sum::<f64>().ln();
            log_sum - scaled[y]
        })
        .sum();
    total / logits.len() as f64
}

struct NllInLogTemperature<'a> {
    logits: &'a [Vec<f64>],
    labels: &'a [usize],
}

impl CostFunction for NllInLogTemperature<'_> {
    type Param = f64;
    type Output = f64;
    fn cost(&self, log_temperature: &f64) -> std::result::Result<f64, argmin::core::Error> {
        Ok(mean_nll(self.logits, self.labels, log_temperature.exp()))
    }
}

/// Fits the temperature `T > 0` minimising the mean NLL of `softmax(logits / T)` on a
/// validation set (Brent's method on `ln T ∈ [−6, 6]`, argmin's `BrentOpt`).
///
/// `T > 1` softens an overconfident classifier; `T < 1` sharpens an underconfident one.
///
/// # Errors
/// Empty or ragged input, non-finite logits, a label out of range, or a failure of the
/// optimiser ([`Error::Optimisation`]).
///
/// # Reference
/// C. Guo et al., "On Calibration of Modern Neural Networks", ICML 2017, section 4.2.
pub fn fit_temperature(logits: &[Vec<f64>], labels: &[usize]) -> Result<f64> {
    const FUNCTION: &str = "fit_temperature";
    check_non_empty(FUNCTION, "logits", logits)?;
    if labels.len() != logits.len() {
        return Err(Error::SizeMismatch {
            function: FUNCTION,
            argument: "labels".into(),
            actual: labels.len(),
            expected: logits.len(),
        });
    }
    let n_classes = logits[0].len();
    check_rows(FUNCTION, "logits", logits, n_classes)?;
    for (i, (z, &label)) in logits.iter().zip(labels).enumerate() {
        check_finite(FUNCTION, &format!("logits[{}]", i + 1), z)?;
        if label >= n_classes {
            return Err(Error::invalid(
                FUNCTION,
                format!("labels[{}]", i + 1),
                label,
                format!("a class index below {n_classes}"),
            ));
        }
    }
    let problem = NllInLogTemperature { logits, labels };
    let solver = BrentOpt::new(-6.0, 6.0);
    let result = Executor::new(problem, solver)
        .configure(|state| state.max_iters(200))
        .run()
        .map_err(|e| Error::Optimisation {
            function: FUNCTION,
            reason: e.to_string(),
        })?;
    let log_temperature = result
        .state()
        .best_param
        .ok_or_else(|| Error::Optimisation {
            function: FUNCTION,
            reason: "Brent's method returned no point".into(),
        })?;
    Ok(log_temperature.exp())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    /// Logits whose true calibrated scale is known: labels are drawn from softmax(z), and the
    /// classifier reports z / T_true. Fitting recovers T_true within its sampling error.
    #[test]
    fn recovers_a_known_temperature() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let true_temperature = 2.5;
        let n = 20_000;
        let mut logits = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let z: Vec<f64> = (0..3).map(|_| 2.0 * rng.random::<f64>() - 1.0).collect();
            let p = softmax(&z);
            let u: f64 = rng.random();
            let label = if u < p[0] {
                0
            } else if u < p[0] + p[1] {
                1
            } else {
                2
            };
            // An underconfident classifier: it reports z / T_true, so T = 1 / T_true fixes it.
            logits.push(z.iter().map(|v| v / true_temperature).collect::<Vec<_>>());
            labels.push(label);
        }
        let fitted = fit_temperature(&logits, &labels).unwrap();
        // The MLE of 1/T has relative sd of a few percent at n = 20 000 with these logits.
        assert!(
            (fitted - 1.0 / true_temperature).abs() < 0.05,
            "fitted {fitted}"
        );
    }

    #[test]
    fn never_changes_the_argmax() {
        let logits = vec![vec![0.3, 2.0, -1.0], vec![5.0, 4.9, 0.0]];
        for t in [0.1, 0.7, 1.0, 3.0, 50.0] {
            for (z, p) in logits.iter().zip(scale_logits(&logits, t)) {
                assert_eq!(
                    super::super::calibration::argmax(z),
                    super::super::calibration::argmax(&p)
                );
            }
        }
    }

    #[test]
    fn bad_input() {
        assert_eq!(
            fit_temperature(&[vec![0.0, f64::NAN]], &[0])
                .unwrap_err()
                .to_string(),
            "fit_temperature: logits[1][2] is NaN, but must be finite"
        );
        assert_eq!(
            fit_temperature(&[], &[]).unwrap_err().to_string(),
            "fit_temperature: logits is empty, but must be non-empty"
        );
    }
}

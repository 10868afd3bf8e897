//! Shared by the calibration examples: a one-hidden-layer tanh MLP classifier as a hand-written `LogDensity` with a back-propagated gradient, its MAP fit, standardisation, and a bootstrap interval for the ECE.

use ppl::infer::optimize::{map, Init, MapOptions};
use ppl::infer::uncertainty::{calibration, softmax, CalibrationReport};
use ppl::LogDensity;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Number of equal-width confidence bins for the ECE (Guo et al. 2017 use 15).
pub const N_BINS: usize = 15;

/// The posterior of an MLP classifier `p(y = k | x) = softmax(W2 tanh(W1 x + b1) + b2)_k`
/// with independent `normal(0, prior_scale)` priors on every weight and bias.
///
/// Parameter layout: `W1` (`hidden × inputs`, row-major), `b1` (`hidden`), `W2`
/// (`classes × hidden`, row-major), `b2` (`classes`).
///
/// Written by hand rather than with `model!` because the gradient of a network with hundreds
/// of weights over thousands of points is one backward pass here, while forward-mode AD
/// needs one pass per chunk of `DEFAULT_LANES` parameters: with ~800 weights that is ~100
/// passes per gradient, too slow for thousands of L-BFGS iterations within the examples'
/// time budget.
pub struct Mlp {
    /// Inputs, `n × n_inputs` row-major.
    pub inputs: Vec<f64>,
    /// Class labels in `0..n_classes`.
    pub labels: Vec<usize>,
    /// Number of input features.
    pub n_inputs: usize,
    /// Number of hidden tanh units.
    pub n_hidden: usize,
    /// Number of classes (output logits).
    pub n_classes: usize,
    /// Prior standard deviation of every weight and bias.
    pub prior_scale: f64,
}

impl Mlp {
    /// Offsets of `W1`, `b1`, `W2`, `b2` in the parameter vector, and its length.
    fn offsets(&self) -> [usize; 5] {
        let w1 = 0;
        let b1 = w1 + self.n_hidden * self.n_inputs;
        let w2 = b1 + self.n_hidden;
        let b2 = w2 + self.n_classes * self.n_hidden;
        [w1, b1, w2, b2, b2 + self.n_classes]
    }

    /// Hidden activations and output logits at one input.
    fn forward(&self, params: &[f64], x: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let [w1, b1, w2, b2, _] = self.offsets();
        let hidden: Vec<f64> = (0..self.n_hidden)
            .map(|j| {
                let row = &params[w1 + j * self.n_inputs..w1 + (j + 1) * self.n_inputs];
                let pre: f64 = row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + params[b1 + j];
                pre.tanh()
            })
            .collect();
        let logits: Vec<f64> = (0..self.n_classes)
            .map(|k| {
                let row = &params[w2 + k * self.n_hidden..w2 + (k + 1) * self.n_hidden];
                row.iter().zip(&hidden).map(|(w, h)| w * h).sum::<f64>() + params[b2 + k]
            })
            .collect();
        (hidden, logits)
    }

    /// Output logits at each row of `inputs` (`n × n_inputs` row-major).
    pub fn logits(&self, params: &[f64], inputs: &[f64]) -> Vec<Vec<f64>> {
        inputs
            .chunks(self.n_inputs)
            .map(|x| self.forward(params, x).1)
            .collect()
    }

    /// Log posterior (up to a constant) and, if `gradient` is given, its gradient.
    fn evaluate(&self, params: &[f64], mut gradient: Option<&mut [f64]>) -> f64 {
        let [w1, b1, w2, b2, _] = self.offsets();
        let inv_var = 1.0 / (self.prior_scale * self.prior_scale);
        let mut lp = -0.5 * inv_var * params.iter().map(|w| w * w).sum::<f64>();
        if let Some(g) = gradient.as_deref_mut() {
            for (gi, w) in g.iter_mut().zip(params) {
                *gi = -inv_var * w;
            }
        }
        let mut d_hidden = vec![0.0; self.n_hidden];
        for (x, &label) in self.inputs.chunks(self.n_inputs).zip(&self.labels) {
            let (hidden, logits) = self.forward(params, x);
            let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = max + logits.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
            lp += logits[label] - log_sum;
            let Some(g) = gradient.as_deref_mut() else {
                continue;
            };
            // d lp / d z_k = 1[k = y] − p_k.
            d_hidden.iter_mut().for_each(|d| *d = 0.0);
            for (k, z) in logits.iter().enumerate() {
                let d_logit = f64::from(u8::from(k == label)) - (z - log_sum).exp();
                g[b2 + k] += d_logit;
                let row = w2 + k * self.n_hidden;
                for j in 0..self.n_hidden {
                    g[row + j] += d_logit * hidden[j];
                    d_hidden[j] += d_logit * params[row + j];
                }
            }
            for j in 0..self.n_hidden {
                let d_pre = d_hidden[j] * (1.0 - hidden[j] * hidden[j]);
                g[b1 + j] += d_pre;
                let row = w1 + j * self.n_inputs;
                for (i, v) in x.iter().enumerate() {
                    g[row + i] += d_pre * v;
                }
            }
        }
        lp
    }

    /// A Glorot-scaled random starting point (biases zero).
    fn initial_point(&self, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let [w1, b1, w2, b2, end] = self.offsets();
        let mut params = vec![0.0; end];
        let scale_1 = (6.0 / (self.n_inputs + self.n_hidden) as f64).sqrt();
        let scale_2 = (6.0 / (self.n_hidden + self.n_classes) as f64).sqrt();
        for w in &mut params[w1..b1] {
            *w = scale_1 * (2.0 * rng.random::<f64>() - 1.0);
        }
        for w in &mut params[w2..b2] {
            *w = scale_2 * (2.0 * rng.random::<f64>() - 1.0);
        }
        params
    }

    /// MAP weights by L-BFGS (`ppl::infer::optimize::map`) from a seeded Glorot start; prints
    /// how the optimiser stopped.
    pub fn fit_map(&self, max_iterations: u64, seed: u64) -> Result<Vec<f64>, ppl::infer::Error> {
        let options = MapOptions {
            max_iterations,
            history_size: 20,
            tol_obj: 1e-10,
            init: Init::Unconstrained(self.initial_point(seed)),
            seed,
            ..MapOptions::default()
        };
        let fit = map(self, &options)?;
        println!(
            "MAP MLP ({} hidden, prior sd {}): {} parameters, {} L-BFGS iterations, log posterior {:.2}, |gradient| {:.2e}, {}",
            self.n_hidden,
            self.prior_scale,
            self.dim(),
            fit.iterations,
            fit.log_density,
            fit.gradient_norm,
            fit.termination
        );
        Ok(fit.unconstrained)
    }
}

impl LogDensity for Mlp {
    fn dim(&self) -> usize {
        self.offsets()[4]
    }

    fn log_density(&self, unconstrained: &[f64]) -> ppl::core::Result<f64> {
        Ok(self.evaluate(unconstrained, None))
    }

    fn log_density_gradient(
        &self,
        unconstrained: &[f64],
        gradient: &mut [f64],
    ) -> ppl::core::Result<f64> {
        Ok(self.evaluate(unconstrained, Some(gradient)))
    }
}

/// Column means and standard deviations of `rows` (`n × d` row-major).
pub fn column_moments(rows: &[f64], d: usize) -> (Vec<f64>, Vec<f64>) {
    let n = (rows.len() / d) as f64;
    let mut mean = vec![0.0; d];
    for row in rows.chunks(d) {
        for (m, v) in mean.iter_mut().zip(row) {
            *m += v / n;
        }
    }
    let mut sd = vec![0.0; d];
    for row in rows.chunks(d) {
        for ((s, v), m) in sd.iter_mut().zip(row).zip(&mean) {
            *s += (v - m).powi(2) / (n - 1.0);
        }
    }
    (mean, sd.into_iter().map(f64::sqrt).collect())
}

/// `(x − mean) / sd` column by column.
pub fn standardise(rows: &[f64], mean: &[f64], sd: &[f64]) -> Vec<f64> {
    rows.chunks(mean.len())
        .flat_map(|row| row.iter().zip(mean).zip(sd).map(|((v, m), s)| (v - m) / s))
        .collect()
}

/// Class probabilities `softmax(z)` of each row of logits.
pub fn probabilities(logits: &[Vec<f64>]) -> Vec<Vec<f64>> {
    logits.iter().map(|z| softmax(z)).collect()
}

/// The 5% and 95% quantiles of the ECE over `n_resamples` bootstrap resamples of the
/// labelled set (a percentile bootstrap 90% interval).
pub fn bootstrap_ece_interval(
    probabilities: &[Vec<f64>],
    labels: &[usize],
    n_resamples: usize,
    seed: u64,
) -> Result<(f64, f64), ppl::infer::Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = labels.len();
    let mut eces = Vec::with_capacity(n_resamples);
    let mut resampled_p = Vec::with_capacity(n);
    let mut resampled_y = Vec::with_capacity(n);
    for _ in 0..n_resamples {
        resampled_p.clear();
        resampled_y.clear();
        for _ in 0..n {
            let i = rng.random_range(0..n);
            resampled_p.push(probabilities[i].clone());
            resampled_y.push(labels[i]);
        }
        eces.push(calibration(&resampled_p, &resampled_y, N_BINS)?.ece);
    }
    eces.sort_by(f64::total_cmp);
    Ok((
        quantile_of_sorted(&eces, 0.05),
        quantile_of_sorted(&eces, 0.95),
    ))
}

/// A seeded permutation of `0..n` (Fisher–Yates).
pub fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    order
}

/// The ECE noise floor of these confidences: the mean and 95% quantile of the ECE of a
/// perfectly calibrated predictor with the same probabilities, over `n_resamples` label sets
/// drawn from the probabilities themselves (consistency resampling, Bröcker & Smith 2007,
/// "Increasing the reliability of reliability diagrams"). An observed ECE below the 95%
/// quantile is indistinguishable from perfect calibration at this test-set size.
pub fn calibrated_ece_floor(
    probabilities: &[Vec<f64>],
    n_resamples: usize,
    seed: u64,
) -> Result<(f64, f64), ppl::infer::Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut eces = Vec::with_capacity(n_resamples);
    let mut labels = vec![0; probabilities.len()];
    for _ in 0..n_resamples {
        for (label, p) in labels.iter_mut().zip(probabilities) {
            *label = draw_class(p, rng.random());
        }
        eces.push(calibration(probabilities, &labels, N_BINS)?.ece);
    }
    let mean = eces.iter().sum::<f64>() / n_resamples as f64;
    eces.sort_by(f64::total_cmp);
    Ok((mean, quantile_of_sorted(&eces, 0.95)))
}

/// The `q` quantile of sorted values (nearest rank).
fn quantile_of_sorted(sorted: &[f64], q: f64) -> f64 {
    sorted[(q * (sorted.len() - 1) as f64).round() as usize]
}

/// Draws a class from the probability vector `p` given a uniform `u` in `[0, 1)`.
pub fn draw_class(p: &[f64], u: f64) -> usize {
    let mut cumulative = 0.0;
    p.iter()
        .position(|pk| {
            cumulative += pk;
            u < cumulative
        })
        .unwrap_or(p.len() - 1)
}

/// Prints the header of the calibration table.
pub fn print_table_header(first_column: &str) {
    println!(
        "| {first_column:<26} | {:>6} | {:>15} | {:>15} | {:>6} | {:>6} | {:>8} |",
        "ECE", "bootstrap 90%", "floor mean/95%", "NLL", "Brier", "accuracy"
    );
    println!(
        "|{:-<28}|{:->8}|{:->17}|{:->17}|{:->8}|{:->8}|{:->10}|",
        "", "", "", "", "", "", ""
    );
}

/// Scores one predictor on a labelled set and prints its table row: ECE with its bootstrap
/// 90% interval and the calibrated noise floor ([`calibrated_ece_floor`]), NLL, Brier,
/// accuracy. Returns the full report.
pub fn score_and_print(
    label: &str,
    probabilities: &[Vec<f64>],
    labels: &[usize],
    n_resamples: usize,
    seed: u64,
) -> Result<CalibrationReport, ppl::infer::Error> {
    let report = calibration(probabilities, labels, N_BINS)?;
    let (low, high) = bootstrap_ece_interval(probabilities, labels, n_resamples, seed)?;
    let (floor_mean, floor_95) = calibrated_ece_floor(probabilities, n_resamples, seed + 1)?;
    println!(
        "| {label:<26} | {:>6.3} | {:>15} | {floor_mean:>6.3} / {floor_95:>6.3} | {:>6.3} | {:>6.3} | {:>8.3} |",
        report.ece,
        format!("[{low:.3}, {high:.3}]"),
        report.nll,
        report.brier,
        report.accuracy
    );
    Ok(report)
}

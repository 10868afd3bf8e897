//! Calibration of probabilistic classifiers (Guo et al. 2017): expected and maximum calibration error over equal-width confidence bins, Brier score, NLL, accuracy and reliability-diagram data and SVG.

use plotters::prelude::*;

use super::input::{check_non_empty, check_probabilities, check_rows};
use crate::error::{Error, Result};

/// One confidence bin of a reliability diagram.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReliabilityBin {
    /// Lower edge (exclusive, except the first bin which includes 0).
    pub lower: f64,
    /// Upper edge (inclusive).
    pub upper: f64,
    /// Number of predictions whose confidence falls in the bin.
    pub count: usize,
    /// Mean confidence (max probability) in the bin; NaN when empty.
    pub confidence: f64,
    /// Fraction of correct predictions in the bin; NaN when empty.
    pub accuracy: f64,
}

/// Calibration metrics of a classifier on a labelled set.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationReport {
    /// Expected calibration error `Σ_m (|B_m| / n) |acc(B_m) − conf(B_m)|`.
    pub ece: f64,
    /// Maximum calibration error `max_m |acc(B_m) − conf(B_m)|` over non-empty bins.
    pub mce: f64,
    /// Multi-class Brier score `mean_i Σ_k (p_ik − 1[y_i = k])²`.
    pub brier: f64,
    /// Negative log-likelihood `−mean_i ln p_{i, y_i}` (∞ if a true class has probability 0).
    pub nll: f64,
    /// Fraction of inputs whose most probable class is the label (ties: the first class).
    pub accuracy: f64,
    /// The bins, in order of confidence.
    pub bins: Vec<ReliabilityBin>,
}

/// Index of the largest probability (the first on ties).
pub(crate) fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (k, v) in p.iter().enumerate() {
        if *v > p[best] {
            best = k;
        }
    }
    best
}

/// Calibration metrics with `n_bins` equal-width confidence bins (Guo et al. use 15).
///
/// `probabilities[i]` is the predicted class-probability vector for input `i` (for a
/// Bayesian model, the posterior predictive `E_W p`), `labels[i]` its class (0-based).
///
/// # Errors
/// Empty input, ragged rows, labels and probabilities of different lengths, a label out of
/// range, a vector that is not a probability vector, or `n_bins == 0`.
///
/// # Reference
/// C. Guo, G. Pleiss, Y. Sun, K. Q. Weinberger, "On Calibration of Modern Neural Networks",
/// ICML 2017.
///
/// ```
/// use ppl_infer::uncertainty::calibration;
/// // Confidence 0.8 on five inputs, four right: perfectly calibrated.
/// let p = vec![vec![0.8, 0.2]; 5];
/// let report = calibration(&p, &[0, 0, 0, 0, 1], 15)?;
/// assert!(report.ece.abs() < 1e-12);
/// assert_eq!(report.accuracy, 0.8);
/// # Ok::<(), ppl_infer::Error>(())
/// ```
pub fn calibration(
    probabilities: &[Vec<f64>],
    labels: &[usize],
    n_bins: usize,
) -> Result<CalibrationReport> {
    const FUNCTION: &str = "calibration";
    check_non_empty(FUNCTION, "probabilities", probabilities)?;
    if n_bins == 0 {
        return Err(Error::invalid(FUNCTION, "n_bins", 0, "at least 1"));
    }
    if labels.len() != probabilities.len() {
        return Err(Error::SizeMismatch {
            function: FUNCTION,
            argument: "labels".into(),
            actual: labels.len(),
            expected: probabilities.len(),
        });
    }
    let n_classes = probabilities[0].len();
    check_rows(FUNCTION, "probabilities", probabilities, n_classes)?;
    for (i, (p, &label)) in probabilities.iter().zip(labels).enumerate() {
        check_probabilities(FUNCTION, &format!("probabilities[{}]", i + 1), p)?;
        if label >= n_classes {
            return Err(Error::invalid(
                FUNCTION,
                format!("labels[{}]", i + 1),
                label,
                format!("a class index below {n_classes}"),
            ));
        }
    }
    let n = probabilities.len() as f64;
    let mut counts = vec![0usize; n_bins];
    let mut confidence_sums = vec![0.0; n_bins];
    let mut correct = vec![0usize; n_bins];
    let (mut brier, mut nll, mut n_correct) = (0.0, 0.0, 0usize);
    for (p, &label) in probabilities.iter().zip(labels) {
        let predicted = argmax(p);
        let confidence = p[predicted];
        // Bin m covers ((m − 1)/M, m/M]; confidence 0 goes to the first bin.
        let bin = ((confidence * n_bins as f64).ceil() as usize).clamp(1, n_bins) - 1;
        counts[bin] += 1;
        confidence_sums[bin] += confidence;
        if predicted == label {
            correct[bin] += 1;
            n_correct += 1;
        }
        brier += p
            .iter()
            .enumerate()
            .map(|(k, q)| (q - if k == label { 1.0 } else { 0.0 }).powi(2))
            .sum::<f64>();
        nll -= p[label].ln();
    }
    let bins: Vec<ReliabilityBin> = (0..n_bins)
        .map(|m| {
            let count = counts[m];
            let (confidence, accuracy) = if count == 0 {
                (f64::NAN, f64::NAN)
            } else {
                (
                    confidence_sums[m] / count as f64,
                    correct[m] as f64 / count as f64,
                )
            };
            ReliabilityBin {
                lower: m as f64 / n_bins as f64,
                upper: (m + 1) as f64 / n_bins as f64,
                count,
                confidence,
                accuracy,
            }
        })
        .collect();
    let gaps = bins
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| (b.count, (b.accuracy - b.confidence).abs()));
    let ece = gaps
        .clone()
        .map(|(count, gap)| count as f64 / n * gap)
        .sum();
    let mce = gaps.map(|(_, gap)| gap).fold(0.0, f64::max);
    Ok(CalibrationReport {
        ece,
        mce,
        brier: brier / n,
        nll: nll / n,
        accuracy: n_correct as f64 / n,
        bins,
    })
}

/// Writes a reliability diagram (accuracy per confidence bin as bars against the diagonal of
/// perfect calibration, with the ECE in the caption) as an SVG file.
///
/// # Errors
/// [`Error::Plot`] if the file cannot be written.
pub fn reliability_diagram_svg(path: &str, report: &CalibrationReport, title: &str) -> Result<()> {
    let plot_error = |e: &dyn std::fmt::Display| Error::Plot {
        path: path.to_string(),
        reason: e.to_string(),
    };
    let root = SVGBackend::new(path, (520, 520)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{title} (ECE {:.3})", report.ece),
            ("sans-serif", 20),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(|e| plot_error(&e))?;
    chart
        .configure_mesh()
        .x_desc("confidence")
        .y_desc("accuracy")
        .draw()
        .map_err(|e| plot_error(&e))?;
    chart
        .draw_series(report.bins.iter().filter(|b| b.count > 0).map(|b| {
            Rectangle::new(
                [(b.lower, 0.0), (b.upper, b.accuracy)],
                BLUE.mix(0.5).filled(),
            )
        }))
        .map_err(|e| plot_error(&e))?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            BLACK.stroke_width(1),
        ))
        .map_err(|e| plot_error(&e))?;
    root.present().map_err(|e| plot_error(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn hand_computed_small_case() {
        // Two bins. Input 1: conf 0.9 correct; input 2: conf 0.6 wrong; input 3: conf 0.7 correct.
        let p = vec![vec![0.9, 0.1], vec![0.6, 0.4], vec![0.3, 0.7]];
        let labels = [0, 1, 1];
        let r = calibration(&p, &labels, 2).unwrap();
        // Bin 2 (0.5, 1]: all three, confidence 2.2/3, accuracy 2/3.
        assert_eq!(r.bins[1].count, 3);
        assert!((r.ece - (2.2 / 3.0 - 2.0 / 3.0)).abs() < 1e-12);
        assert!((r.mce - r.ece).abs() < 1e-12);
        let brier =
            ((0.1f64.powi(2) * 2.0) + (0.6f64.powi(2) * 2.0) + (0.3f64.powi(2) * 2.0)) / 3.0;
        assert!((r.brier - brier).abs() < 1e-12);
        let nll = -(0.9f64.ln() + 0.4f64.ln() + 0.7f64.ln()) / 3.0;
        assert!((r.nll - nll).abs() < 1e-12);
        assert!((r.accuracy - 2.0 / 3.0).abs() < 1e-12);
    }

    /// Labels drawn from the predicted probabilities: ECE is 0 up to sampling noise. Labels
    /// drawn from a known distortion (true probability p² for stated p on class 1): ECE is the
    /// known gap.
    #[test]
    fn calibrated_and_known_miscalibration() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        let n = 200_000;
        let stated: Vec<f64> = (0..n).map(|_| 0.5 + 0.5 * rng.random::<f64>()).collect();
        let probabilities: Vec<Vec<f64>> = stated.iter().map(|&q| vec![1.0 - q, q]).collect();
        let labels: Vec<usize> = stated
            .iter()
            .map(|&q| usize::from(rng.random::<f64>() < q))
            .collect();
        let r = calibration(&probabilities, &labels, 15).unwrap();
        // Noise floor: about Σ_m (n_m/n) sqrt(q(1−q)/n_m) ≈ 0.003 here.
        assert!(r.ece < 0.01, "ece {}", r.ece);
        let distorted: Vec<usize> = stated
            .iter()
            .map(|&q| usize::from(rng.random::<f64>() < q * q))
            .collect();
        let r = calibration(&probabilities, &distorted, 15).unwrap();
        // E|q − q²| for q ~ U(0.5, 1) is ∫ q(1−q) dq / 0.5 = 1/3 − ... = 0.1666...; measured
        // with binning: accuracy and confidence are averaged per bin first, a negligible change.
        let expected = 2.0 * ((1.0f64 / 2.0 - 1.0 / 3.0) - (1.0 / 8.0 - 1.0 / 24.0));
        assert!(
            (r.ece - expected).abs() < 0.01,
            "ece {} vs {expected}",
            r.ece
        );
    }

    #[test]
    fn bad_input_gives_typed_errors() {
        assert_eq!(
            calibration(&[vec![0.5, 0.5]], &[2], 15)
                .unwrap_err()
                .to_string(),
            "calibration: labels[1] is 2, but must be a class index below 2"
        );
        assert_eq!(
            calibration(&[vec![0.5, 0.5]], &[0, 1], 15)
                .unwrap_err()
                .to_string(),
            "calibration: labels has size 2, but must have size 1"
        );
        assert_eq!(
            calibration(&[vec![0.5, 0.5]], &[0], 0)
                .unwrap_err()
                .to_string(),
            "calibration: n_bins is 0, but must be at least 1"
        );
        assert_eq!(
            calibration(&[vec![0.2, 0.2]], &[0], 10)
                .unwrap_err()
                .to_string(),
            "calibration: sum of probabilities[1] is 0.4, but must be 1 (a probability vector)"
        );
    }

    #[test]
    fn writes_an_svg() {
        let dir = std::env::temp_dir().join("ppl-reliability-test");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("reliability.svg");
        let r = calibration(&[vec![0.8, 0.2], vec![0.3, 0.7]], &[0, 0], 10).unwrap();
        reliability_diagram_svg(path.to_str().unwrap(), &r, "test").unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().contains("<svg"));
    }
}

//! Calibration on a synthetic 3-class task with a 20 000-point test set: an overconfident MAP neural network before and after temperature scaling, in distribution and under a covariate shift.
//!
//! Run with `cargo run --release --example calibration_synthetic`. Method and results:
//! `docs/uncertainty-calibration.md`, section 5. Writes four reliability diagrams to
//! `docs/img/calibration_synthetic_{before,after,before_shifted,after_shifted}.svg`.

// Each example uses only part of the shared helpers.
#[allow(dead_code)]
#[path = "support/calibration_mlp.rs"]
mod calibration_mlp;

use std::error::Error;

use calibration_mlp::{
    draw_class, print_table_header, probabilities, score_and_print, Mlp, N_BINS,
};
use ppl::infer::uncertainty::{
    calibration, fit_temperature, reliability_diagram_svg, scale_logits, softmax,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Input dimension.
const N_INPUTS: usize = 5;
/// Number of classes.
const N_CLASSES: usize = 3;
/// Training points: few for the network's size, so the MAP fit overfits.
const N_TRAIN: usize = 4000;
/// Validation points, used only to fit the temperature.
const N_VALIDATION: usize = 5000;
/// Test points, in distribution and under shift (ECE noise floor about ±0.005).
const N_TEST: usize = 20_000;
/// Hidden tanh units.
const N_HIDDEN: usize = 64;
/// Prior standard deviation of every weight: weak.
const PRIOR_SCALE: f64 = 10.0;
/// L-BFGS iterations ("trained long").
const MAP_ITERATIONS: u64 = 3000;
/// Bootstrap resamples of each test set for the ECE interval.
const N_BOOTSTRAP: usize = 200;
/// The covariate shift: test inputs `x ↦ SHIFT_SCALE · x + SHIFT_OFFSET` (every coordinate).
const SHIFT_SCALE: f64 = 1.5;
/// See [`SHIFT_SCALE`].
const SHIFT_OFFSET: f64 = 0.5;

/// The true class logits at `x`: smooth, non-linear, with overlapping classes (the Bayes
/// classifier is right about three times in four).
fn true_logits(x: &[f64]) -> [f64; N_CLASSES] {
    [
        1.5 * x[0].sin() + 0.8 * x[1] * x[2],
        x[1] - 0.5 * x[3] * x[3] + 0.5 * x[4],
        1.2 * (x[2] + x[3]).cos() - 0.7 * x[0],
    ]
}

/// A standard normal draw by the Box–Muller transform.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
}

/// `n` points: inputs `scale · z + offset` with `z ~ normal(0, I)` (row-major), labels drawn
/// from `softmax(true_logits(x))`.
fn simulate(n: usize, scale: f64, offset: f64, rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<usize>) {
    let mut inputs = Vec::with_capacity(n * N_INPUTS);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let x: Vec<f64> = (0..N_INPUTS)
            .map(|_| scale * standard_normal(rng) + offset)
            .collect();
        let label = draw_class(&softmax(&true_logits(&x)), rng.random());
        inputs.extend(x);
        labels.push(label);
    }
    (inputs, labels)
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2017);
    let (train_x, train_y) = simulate(N_TRAIN, 1.0, 0.0, &mut rng);
    let (validation_x, validation_y) = simulate(N_VALIDATION, 1.0, 0.0, &mut rng);
    let (test_x, test_y) = simulate(N_TEST, 1.0, 0.0, &mut rng);
    let (shifted_x, shifted_y) = simulate(N_TEST, SHIFT_SCALE, SHIFT_OFFSET, &mut rng);
    println!(
        "synthetic: {N_INPUTS} inputs ~ normal(0, I), {N_CLASSES} classes drawn from softmax(f(x)); train {N_TRAIN}, validation {N_VALIDATION}, test {N_TEST}, shifted test {N_TEST} (x -> {SHIFT_SCALE} x + {SHIFT_OFFSET})"
    );
    let bayes_accuracy = |inputs: &[f64], labels: &[usize]| {
        let p: Vec<Vec<f64>> = inputs
            .chunks(N_INPUTS)
            .map(|x| softmax(&true_logits(x)))
            .collect();
        calibration(&p, labels, N_BINS).map(|r| r.accuracy)
    };

    let mlp = Mlp {
        inputs: train_x,
        labels: train_y,
        n_inputs: N_INPUTS,
        n_hidden: N_HIDDEN,
        n_classes: N_CLASSES,
        prior_scale: PRIOR_SCALE,
    };
    let weights = mlp.fit_map(MAP_ITERATIONS, 7)?;
    let train_report = calibration(
        &probabilities(&mlp.logits(&weights, &mlp.inputs)),
        &mlp.labels,
        N_BINS,
    )?;
    println!(
        "MAP MLP on its training set: accuracy {:.3}, NLL {:.3}",
        train_report.accuracy, train_report.nll
    );
    let temperature = fit_temperature(&mlp.logits(&weights, &validation_x), &validation_y)?;
    println!("temperature fitted on validation: T = {temperature:.3}");
    let test_logits = mlp.logits(&weights, &test_x);
    let shifted_logits = mlp.logits(&weights, &shifted_x);

    let rows = [
        (
            "before",
            "in distribution, T = 1",
            probabilities(&test_logits),
            &test_y,
        ),
        (
            "after",
            "in distribution, fitted T",
            scale_logits(&test_logits, temperature),
            &test_y,
        ),
        (
            "before_shifted",
            "shifted, T = 1",
            probabilities(&shifted_logits),
            &shifted_y,
        ),
        (
            "after_shifted",
            "shifted, fitted T",
            scale_logits(&shifted_logits, temperature),
            &shifted_y,
        ),
    ];
    println!();
    println!(
        "test sets of {N_TEST}; ECE with {N_BINS} bins, its bootstrap 90% interval and the ECE of a calibrated predictor with the same confidences ({N_BOOTSTRAP} resamples each)"
    );
    print_table_header("MAP MLP, test set");
    let mut line = String::from("result:");
    for (i, (key, label, p, labels)) in rows.iter().enumerate() {
        let report = score_and_print(label, p, labels, N_BOOTSTRAP, 200 + 2 * i as u64)?;
        let path = format!(
            "{}/docs/img/calibration_synthetic_{key}.svg",
            env!("CARGO_MANIFEST_DIR")
        );
        reliability_diagram_svg(&path, &report, &format!("synthetic, {label}"))?;
        if *key != "before_shifted" {
            line.push_str(&format!(" ece_{key}={:.4}", report.ece));
        }
    }
    println!(
        "Bayes classifier accuracy (true softmax(f)): {:.3} in distribution, {:.3} shifted",
        bayes_accuracy(&test_x, &test_y)?,
        bayes_accuracy(&shifted_x, &shifted_y)?
    );
    println!("{line}");
    Ok(())
}

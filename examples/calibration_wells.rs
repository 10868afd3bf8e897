//! Calibration on real data (the Bangladesh wells): a MAP neural network, the same network after temperature scaling, and the NUTS posterior predictive of the logistic model, scored on a held-out test set with ECE (bootstrap 90% interval), NLL, Brier and accuracy.
//!
//! Run with `cargo run --release --example calibration_wells`. Method and results:
//! `docs/uncertainty-calibration.md`, section 3. Writes three reliability diagrams to
//! `docs/img/calibration_wells_{map,map_ts,bayes}.svg`.

// Each example uses only part of the shared helpers.
#[allow(dead_code)]
#[path = "support/calibration_mlp.rs"]
mod calibration_mlp;

use std::error::Error;

use calibration_mlp::{
    column_moments, permutation, print_table_header, probabilities, score_and_print, standardise,
    Mlp, N_BINS,
};
use ppl::core::Matrix;
use ppl::infer::nuts::{sample, NutsOptions};
use ppl::infer::uncertainty::{
    calibration, fit_temperature, reliability_diagram_svg, scale_logits, CalibrationReport,
};
use ppl::infer::{rhat, Draws};

/// Seed of the train/validation/test permutation.
const SPLIT_SEED: u64 = 20_240_601;
/// Training points (60% of 3020); the next `N_VALIDATION` points validate, the rest test.
const N_TRAIN: usize = 1812;
/// Validation points (10%), used only to fit the temperature.
const N_VALIDATION: usize = 302;
/// Hidden tanh units of the MLP.
const N_HIDDEN: usize = 32;
/// Prior standard deviation of every MLP weight: weak, so the MAP network overfits.
const PRIOR_SCALE: f64 = 5.0;
/// L-BFGS iterations for the MLP.
const MAP_ITERATIONS: u64 = 3000;
/// Bootstrap resamples of the test set for the ECE interval.
const N_BOOTSTRAP: usize = 1000;

/// The wells data: one row per household.
struct Wells {
    switched: Vec<usize>,
    arsenic: Vec<f64>,
    dist: Vec<f64>,
    assoc: Vec<f64>,
    educ: Vec<f64>,
}

impl Wells {
    fn load() -> Result<Wells, Box<dyn Error>> {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wells/data.json");
        let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let field = |name: &str| -> Result<Vec<f64>, Box<dyn Error>> {
            json[name]
                .as_array()
                .ok_or_else(|| format!("{path}: field {name} is missing"))?
                .iter()
                .map(|v| {
                    v.as_f64()
                        .ok_or_else(|| format!("{name}: not a number").into())
                })
                .collect()
        };
        Ok(Wells {
            switched: field("switched")?.into_iter().map(|v| v as usize).collect(),
            arsenic: field("arsenic")?,
            dist: field("dist")?,
            assoc: field("assoc")?,
            educ: field("educ")?,
        })
    }

    /// The rows at `indices`, in that order.
    fn subset(&self, indices: &[usize]) -> Wells {
        let pick = |v: &[f64]| indices.iter().map(|&i| v[i]).collect();
        Wells {
            switched: indices.iter().map(|&i| self.switched[i]).collect(),
            arsenic: pick(&self.arsenic),
            dist: pick(&self.dist),
            assoc: pick(&self.assoc),
            educ: pick(&self.educ),
        }
    }

    /// posteriordb `wells_dae_c_model` predictors, centred at the training means:
    /// `[c_dist100, c_arsenic, c_dist100 · c_arsenic, educ / 4]`, one row per household.
    fn glm_predictors(&self, mean_dist: f64, mean_arsenic: f64) -> Vec<Vec<f64>> {
        (0..self.switched.len())
            .map(|i| {
                let c_dist100 = (self.dist[i] - mean_dist) / 100.0;
                let c_arsenic = self.arsenic[i] - mean_arsenic;
                vec![
                    c_dist100,
                    c_arsenic,
                    c_dist100 * c_arsenic,
                    self.educ[i] / 4.0,
                ]
            })
            .collect()
    }

    /// The raw MLP inputs `[arsenic, dist, assoc, educ]`, `n × 4` row-major.
    fn raw_inputs(&self) -> Vec<f64> {
        (0..self.switched.len())
            .flat_map(|i| [self.arsenic[i], self.dist[i], self.assoc[i], self.educ[i]])
            .collect()
    }
}

ppl::model! {
    /// posteriordb `wells_dae_c_model`: `switched ~ bernoulli_logit(alpha + x · beta)` with
    /// flat priors on `alpha` and `beta[1..4]`.
    pub struct WellsLogistic {
        N: usize,
        #[data(size = (N, 4))]
        x: Matrix<f64>,
        #[data(size = N)]
        switched: Vec<i64>,
    }
    alpha: real;
    beta: vector[4];
    switched ~ bernoulli_logit_glm(x, alpha, beta);
}

/// Posterior predictive `E_W p(switched = 1 | x)` at each row of `x`, averaged over every
/// draw of every chain, as a two-class probability vector.
fn posterior_predictive(draws: &Draws, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let rows: Vec<&[f64]> = draws
        .chains
        .iter()
        .flat_map(|c| c.values.chunks(draws.n_columns()))
        .collect();
    x.iter()
        .map(|xi| {
            let p = rows
                .iter()
                .map(|w| {
                    let eta = w[0] + xi.iter().zip(&w[1..]).map(|(a, b)| a * b).sum::<f64>();
                    1.0 / (1.0 + (-eta).exp())
                })
                .sum::<f64>()
                / rows.len() as f64;
            vec![1.0 - p, p]
        })
        .collect()
}

fn main() -> Result<(), Box<dyn Error>> {
    let wells = Wells::load()?;
    let n = wells.switched.len();
    let order = permutation(n, SPLIT_SEED);
    let train = wells.subset(&order[..N_TRAIN]);
    let validation = wells.subset(&order[N_TRAIN..N_TRAIN + N_VALIDATION]);
    let test = wells.subset(&order[N_TRAIN + N_VALIDATION..]);
    println!(
        "wells: {n} households; seeded split (seed {SPLIT_SEED}): train {}, validation {}, test {}",
        train.switched.len(),
        validation.switched.len(),
        test.switched.len()
    );

    // (c) Bayesian logistic regression by NUTS on the training set.
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (mean_dist, mean_arsenic) = (mean(&train.dist), mean(&train.arsenic));
    let logistic = WellsLogistic::new(
        train.switched.len(),
        Matrix::from_rows(&train.glm_predictors(mean_dist, mean_arsenic))?,
        train.switched.iter().map(|&y| y as i64).collect(),
    )?;
    let fit = sample(
        &logistic,
        &NutsOptions {
            progress: false,
            ..NutsOptions::default()
        },
    )?;
    let draws = &fit.draws;
    let max_rhat = (0..draws.n_columns())
        .map(|j| rhat(&draws.column_by_index(j)))
        .fold(0.0, f64::max);
    println!(
        "NUTS logistic: {} chains x {} draws, {} divergences, max R-hat {max_rhat:.3}",
        draws.n_chains(),
        draws.n_draws(),
        draws.divergences()
    );
    let bayes_test = posterior_predictive(draws, &test.glm_predictors(mean_dist, mean_arsenic));

    // (a) MAP MLP on standardised [arsenic, dist, assoc, educ].
    let raw_train = train.raw_inputs();
    let (input_mean, input_sd) = column_moments(&raw_train, 4);
    let mlp = Mlp {
        inputs: standardise(&raw_train, &input_mean, &input_sd),
        labels: train.switched.clone(),
        n_inputs: 4,
        n_hidden: N_HIDDEN,
        n_classes: 2,
        prior_scale: PRIOR_SCALE,
    };
    let weights = mlp.fit_map(MAP_ITERATIONS, 1)?;
    let logits_of = |set: &Wells| {
        mlp.logits(
            &weights,
            &standardise(&set.raw_inputs(), &input_mean, &input_sd),
        )
    };
    let train_report = calibration(&probabilities(&logits_of(&train)), &train.switched, N_BINS)?;
    println!(
        "MAP MLP on its training set: accuracy {:.3}, NLL {:.3} (memorisation gap vs test below)",
        train_report.accuracy, train_report.nll
    );
    let test_logits = logits_of(&test);

    // (b) Temperature fitted on the validation set.
    let temperature = fit_temperature(&logits_of(&validation), &validation.switched)?;
    println!("temperature fitted on validation: T = {temperature:.3}");

    let predictors: [(&str, &str, Vec<Vec<f64>>); 3] = [
        ("MAP MLP", "map", probabilities(&test_logits)),
        (
            "MAP MLP + temperature",
            "map_ts",
            scale_logits(&test_logits, temperature),
        ),
        ("Bayes logistic (NUTS)", "bayes", bayes_test),
    ];
    println!();
    println!(
        "test set, n = {}, ECE with {N_BINS} bins, its bootstrap 90% interval and the ECE of a calibrated predictor with the same confidences ({N_BOOTSTRAP} resamples each)",
        test.switched.len()
    );
    print_table_header("predictor");
    let mut reports: Vec<(&str, CalibrationReport)> = Vec::new();
    for (i, (label, key, p)) in predictors.iter().enumerate() {
        let report = score_and_print(label, p, &test.switched, N_BOOTSTRAP, 100 + 2 * i as u64)?;
        let path = format!(
            "{}/docs/img/calibration_wells_{key}.svg",
            env!("CARGO_MANIFEST_DIR")
        );
        reliability_diagram_svg(&path, &report, &format!("wells, {label}"))?;
        reports.push((key, report));
    }
    println!();
    let same = reports[0].1.accuracy == reports[1].1.accuracy;
    println!("temperature scaling leaves the accuracy unchanged: {same}");
    let mut line = String::from("result:");
    for (name, pick) in [
        (
            "ece",
            (|r: &CalibrationReport| r.ece) as fn(&CalibrationReport) -> f64,
        ),
        ("nll", |r| r.nll),
        ("acc", |r| r.accuracy),
    ] {
        for (key, report) in &reports {
            line.push_str(&format!(" {name}_{key}={:.4}", pick(report)));
        }
    }
    println!("{line}");
    Ok(())
}

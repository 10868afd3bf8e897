//! Calibration on real data (the Bangladesh wells): a MAP neural network, the same network after temperature scaling, and the NUTS posterior predictive of the logistic model, scored on a held-out test set with ECE (bootstrap 90% interval), NLL, Brier and accuracy.
//!
//! Run with `cargo run --release --example calibration_wells`. Method and results:
//! `docs/uncertainty-calibration.md`, section 3. Writes three reliability diagrams to
//! `docs/img/calibration_wells_{map,map_ts,bayes}.svg`.

#[path = "support/calibration_mlp.rs"]
mod calibration_mlp;

use std::error::Error;

use calibration_mlp::{
    bootstrap_ece_interval, column_moments, permutation, probabilities, standardise, Mlp, N_BINS,
};
use ppl::core::dist::bernoulli_logit_glm_lupmf;
use ppl::core::{Dual, Matrix, Model, Real};
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
const N_HIDDEN: usize = 64;
/// Prior standard deviation of every MLP weight: weak, so the MAP network overfits.
const PRIOR_SCALE: f64 = 10.0;
/// L-BFGS iterations for the MLP.
const MAP_ITERATIONS: u64 = 4000;
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
                .map(|v| v.as_f64().ok_or_else(|| format!("{name}: not a number").into()))
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

/// posteriordb `wells_dae_c_model`: `switched ~ bernoulli_logit(alpha + x · beta)`, flat
/// priors on `alpha` and `beta[1..4]`. Written by hand (see the report of
/// `docs/uncertainty-calibration.md`): the `model!` macro was not yet available on this branch.
struct WellsLogistic {
    x: Matrix<f64>,
    switched: Vec<i64>,
}

impl WellsLogistic {
    fn log_density<T: Real>(&self, unconstrained: &[T]) -> ppl::core::Result<T> {
        bernoulli_logit_glm_lupmf(&self.switched, &self.x, unconstrained[0], &unconstrained[1..])
    }
}

impl Model for WellsLogistic {
    fn dim(&self) -> usize {
        5
    }
    fn log_density_f64(&self, unconstrained: &[f64], _jacobian: bool) -> ppl::core::Result<f64> {
        self.log_density(unconstrained)
    }
    fn log_density_dual<const N: usize>(
        &self,
        unconstrained: &[Dual<N>],
        _jacobian: bool,
    ) -> ppl::core::Result<Dual<N>> {
        self.log_density(unconstrained)
    }
    fn param_names(&self) -> Vec<String> {
        ["alpha", "beta[1]", "beta[2]", "beta[3]", "beta[4]"]
            .map(String::from)
            .to_vec()
    }
    fn constrain(&self, unconstrained: &[f64]) -> ppl::core::Result<Vec<f64>> {
        Ok(unconstrained.to_vec())
    }
    fn unconstrain(&self, constrained: &[f64]) -> ppl::core::Result<Vec<f64>> {
        Ok(constrained[..5].to_vec())
    }
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
    let logistic = WellsLogistic {
        x: Matrix::from_rows(&train.glm_predictors(mean_dist, mean_arsenic))?,
        switched: train.switched.iter().map(|&y| y as i64).collect(),
    };
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
    let logits_of =
        |set: &Wells| mlp.logits(&weights, &standardise(&set.raw_inputs(), &input_mean, &input_sd));
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
        "test set, n = {}, ECE with {N_BINS} bins and a bootstrap 90% interval ({N_BOOTSTRAP} resamples)",
        test.switched.len()
    );
    println!(
        "| {:<22} | {:>6} | {:>15} | {:>6} | {:>6} | {:>8} |",
        "predictor", "ECE", "ECE 90% CI", "NLL", "Brier", "accuracy"
    );
    println!("|{:-<24}|{:->8}|{:->17}|{:->8}|{:->8}|{:->10}|", "", "", "", "", "", "");
    let mut reports: Vec<(&str, CalibrationReport)> = Vec::new();
    for (i, (label, key, p)) in predictors.iter().enumerate() {
        let report = calibration(p, &test.switched, N_BINS)?;
        let (low, high) = bootstrap_ece_interval(p, &test.switched, N_BOOTSTRAP, 100 + i as u64)?;
        println!(
            "| {label:<22} | {:>6.3} | [{low:.3}, {high:.3}] | {:>6.3} | {:>6.3} | {:>8.3} |",
            report.ece, report.nll, report.brier, report.accuracy
        );
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
        ("ece", (|r: &CalibrationReport| r.ece) as fn(&CalibrationReport) -> f64),
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

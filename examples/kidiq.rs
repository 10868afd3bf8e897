//! A regression on real data: posteriordb's `kidiq-kidscore_interaction` (child test scores on the mother's IQ, high-school completion and their interaction) sampled with NUTS, its posterior means compared with posteriordb's reference posterior.
//!
//! Run with `cargo run --release --example kidiq`.
//!
//! Data: the Child and Adult Cognition (kidiq) data of Gelman & Hill (2007), N = 434, from
//! posteriordb (`tests/data/posteriordb/kidiq-kidscore_interaction`). The predictors are used
//! uncentred, as in posteriordb, so the intercept and the IQ slope are correlated at −0.99: a
//! posterior that NUTS handles but that shows in the tree depth.

use std::error::Error;
use std::time::Instant;

use ppl::core::Matrix;
use ppl::infer::nuts::{sample, NutsOptions};
use ppl::infer::output::{warnings, Summary};
use ppl::model;
use serde_json::Value;

model! {
    /// `kid_score ~ normal(beta[1] + beta[2] mom_hs + beta[3] mom_iq + beta[4] mom_hs mom_iq,
    /// sigma)`, flat prior on `beta`, `sigma ~ cauchy(0, 2.5)` on `(0, ∞)`.
    pub struct KidIq {
        N: usize,
        #[data(size = N, lower = 0.0, upper = 200.0)]
        kid_score: Vec<f64>,
        #[data(size = N, lower = 0.0, upper = 200.0)]
        mom_iq: Vec<f64>,
        #[data(size = N, lower = 0.0, upper = 1.0)]
        mom_hs: Vec<f64>,
    }
    // The design matrix [1, mom_hs, mom_iq, mom_hs * mom_iq], computed once from the data.
    data X: Matrix<f64> = design_matrix(mom_hs, mom_iq)?;
    beta: vector[4];
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    kid_score ~ normal(X * beta, sigma);
}

/// The `N × 4` design matrix with rows `[1, hs, iq, hs · iq]`.
fn design_matrix(mom_hs: &[f64], mom_iq: &[f64]) -> ppl::core::Result<Matrix<f64>> {
    let rows: Vec<Vec<f64>> = mom_hs
        .iter()
        .zip(mom_iq)
        .map(|(&hs, &iq)| vec![1.0, hs, iq, hs * iq])
        .collect();
    Matrix::from_rows(&rows)
}

const POSTERIOR_DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/posteriordb/kidiq-kidscore_interaction"
);

fn main() -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let model = KidIq::from_json_file(format!("{POSTERIOR_DIR}/data.json"))?;
    let reference: Value = serde_json::from_str(&std::fs::read_to_string(format!(
        "{POSTERIOR_DIR}/reference.json"
    ))?)?;
    let options = NutsOptions::default();
    println!(
        "ppl: kidiq (kid_score ~ mom_hs * mom_iq, N = 434), NUTS, {} chains x ({} warm-up + {} draws)\n",
        options.num_chains, options.num_warmup, options.num_draws
    );
    let fit = sample(&model, &options)?;
    let summary = Summary::new(&fit.draws);
    println!("{summary}");
    let found = warnings(&fit.draws, &summary, options.max_depth);
    if found.is_empty() {
        println!("No warnings.");
    }
    for warning in &found {
        println!("Warning: {warning}");
    }

    // Difference from the reference in units of the combined Monte Carlo standard error: values
    // within about ±3 are what two correct samplers give.
    println!("\nPosterior means against posteriordb's reference (10 chains x 1000 draws of Stan):");
    println!(
        "{:<8} {:>10} {:>10} {:>10} {:>10} {:>9}",
        "", "mean", "reference", "sd", "ref sd", "z (MCSE)"
    );
    let mut worst: f64 = 0.0;
    for column in summary.iter().filter(|c| c.name != "lp__") {
        let expected = &reference["parameters"][&column.name];
        let (Some(ref_mean), Some(ref_sd), Some(ref_mcse)) = (
            expected["mean"].as_f64(),
            expected["sd"].as_f64(),
            expected["ref_mcse_mean"].as_f64(),
        ) else {
            continue;
        };
        let z = (column.mean - ref_mean) / column.mcse_mean.hypot(ref_mcse);
        worst = worst.max(z.abs());
        println!(
            "{:<8} {:>10.4} {:>10.4} {:>10.4} {:>10.4} {:>9.2}",
            column.name, column.mean, ref_mean, column.sd, ref_sd, z
        );
    }
    println!(
        "\nLargest |z| = {worst:.2} ({}); {} divergences; done in {:.2} s.",
        if worst < 4.0 {
            "agrees with the reference"
        } else {
            "DISAGREES with the reference"
        },
        fit.divergences,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

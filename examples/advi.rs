//! ADVI on the performance suite's `logistic_regression` (N = 2000, D = 20): a mean-field and a full-rank Gaussian approximation at Stan's defaults and a full-rank one with `AdviOptions::accurate()`, their means, sds, Pareto k-hat, iterations and convergence, and 1000 draws of each written as Stan CSV (CmdStan's variational layout) into `output/`.
//!
//! Run with `cargo run --release --example advi`.
//!
//! ADVI is fast and gives a usable approximation when the posterior is close to Gaussian on the
//! unconstrained scale; the Pareto k-hat of the importance ratios `p / q` (Yao et al. 2018) says
//! whether it is: ≤ 0.5 good, ≤ 0.7 usable, > 0.7 unreliable (then use NUTS).
//! See `docs/advi-map-laplace.md`.

use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;

use ppl::core::Matrix;
use ppl::infer::advi::{fit, AdviAlgorithm, AdviFit, AdviOptions};
use ppl::infer::output::{write_stan_csv, Method, RunInfo, VariationalAlgorithm, VariationalInfo};
use ppl::model;

model! {
    /// `y ~ bernoulli_logit(alpha + x * beta)`, `alpha ~ normal(0, 5)`, `beta ~ normal(0, 2.5)`
    /// (tests/data/bench/models.md, model 2).
    pub struct LogisticRegression {
        N: usize,
        #[data(lower = 1)]
        D: usize,
        #[data(size = (N, D))]
        x: Matrix<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        y: Vec<i64>,
    }
    alpha: real ~ normal(0.0, 5.0);
    beta: vector[D] ~ normal(0.0, 2.5);
    y ~ bernoulli_logit(alpha + x * beta);
}

const DATA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/bench/logistic_regression.json"
);

/// Where the CSV files go, relative to the current directory.
const OUTPUT_DIR: &str = "output";

/// Runs one ADVI fit from `base` options and reports it; returns the fit and its wall time in
/// seconds.
fn run(
    model: &LogisticRegression,
    algorithm: AdviAlgorithm,
    base: AdviOptions,
) -> Result<(AdviFit, AdviOptions, f64), Box<dyn Error>> {
    let options = AdviOptions {
        algorithm,
        output_samples: 1000,
        seed: 20_251_126,
        ..base
    };
    let start = Instant::now();
    let result = fit(model, &options)?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{algorithm}: {} after {} iterations (eta = {}), Pareto k-hat {:.2} ({}), {:.2} s",
        if result.converged() {
            "converged"
        } else {
            "DID NOT CONVERGE"
        },
        result.iterations,
        result.eta,
        result.khat(),
        khat_verdict(result.khat()),
        seconds
    );
    for warning in &result.warnings {
        println!("  warning: {warning}");
    }
    Ok((result, options, seconds))
}

/// Yao et al. (2018)'s reading of k-hat.
fn khat_verdict(khat: f64) -> &'static str {
    if khat <= 0.5 {
        "good"
    } else if khat <= 0.7 {
        "usable"
    } else {
        "unreliable: use NUTS"
    }
}

/// Writes the draws of `result` as a CmdStan variational CSV file.
fn write_csv(path: &Path, result: &AdviFit, options: &AdviOptions) -> Result<(), Box<dyn Error>> {
    let algorithm = match result.algorithm {
        AdviAlgorithm::MeanField => VariationalAlgorithm::MeanField,
        AdviAlgorithm::FullRank => VariationalAlgorithm::FullRank,
    };
    let info = RunInfo {
        model_name: "logistic_regression".to_string(),
        method: Method::Variational(VariationalInfo {
            algorithm,
            iter: options.max_iterations,
            grad_samples: options.grad_samples,
            elbo_samples: options.elbo_samples,
            eta: options.eta,
            adapt_engaged: options.adapt_engaged,
            adapt_iter: options.adapt_iter,
            adapted_eta: result.eta,
            tol_rel_obj: options.tol_rel_obj,
            eval_elbo: options.eval_elbo,
            mean: result.constrained_mean.clone(),
            log_p: result.log_p.clone(),
            log_g: result.log_q.clone(),
        }),
        num_samples: options.output_samples,
        data_file: "tests/data/bench/logistic_regression.json".to_string(),
        seed: options.seed,
        ..RunInfo::default()
    };
    write_stan_csv(path, &result.draws, 0, &info)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    let model = LogisticRegression::from_json_file(DATA)?;
    println!("ppl: ADVI on logistic_regression (N = 2000, D = 20, d = 21)\n");
    // CmdStan's `variational` defaults (tol_rel_obj 0.01, eta adapted, 1 gradient draw).
    let (mean_field, mean_field_options, _) =
        run(&model, AdviAlgorithm::MeanField, AdviOptions::default())?;
    let (full_rank, full_rank_options, _) =
        run(&model, AdviAlgorithm::FullRank, AdviOptions::default())?;
    // Full-rank has 252 variational parameters here: with one gradient draw the last iterate
    // is noisy and the relative ELBO rule stops before it settles. `accurate()` runs to
    // max_iterations, averages the last 1000 iterates and keeps the best of 4 restarts.
    println!(
        "
The same full-rank fit with AdviOptions::accurate():"
    );
    let (full_rank_accurate, full_rank_accurate_options, _) =
        run(&model, AdviAlgorithm::FullRank, AdviOptions::accurate())?;

    // Every parameter is unconstrained here, so the variational means and sds are also the
    // constrained ones.
    println!(
        "\n{:<9} {:>10} {:>9} {:>10} {:>9}",
        "", "mean-field", "", "full-rank", ""
    );
    println!(
        "{:<9} {:>10} {:>9} {:>10} {:>9}",
        "parameter", "mean", "sd", "mean", "sd"
    );
    for (j, name) in mean_field.draws.names.iter().enumerate() {
        println!(
            "{:<9} {:>10.4} {:>9.4} {:>10.4} {:>9.4}",
            name, mean_field.mean[j], mean_field.sd[j], full_rank.mean[j], full_rank.sd[j]
        );
    }

    let out = Path::new(OUTPUT_DIR);
    std::fs::create_dir_all(out)?;
    let files: [(PathBuf, &AdviFit, &AdviOptions); 3] = [
        (
            out.join("logistic_regression_meanfield.csv"),
            &mean_field,
            &mean_field_options,
        ),
        (
            out.join("logistic_regression_fullrank.csv"),
            &full_rank,
            &full_rank_options,
        ),
        (
            out.join("logistic_regression_fullrank_accurate.csv"),
            &full_rank_accurate,
            &full_rank_accurate_options,
        ),
    ];
    println!("\nFiles (1000 draws each, CmdStan variational CSV):");
    for (path, result, options) in &files {
        write_csv(path, result, options)?;
        println!("  {}", path.display());
    }
    Ok(())
}

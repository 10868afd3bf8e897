//! The main example: eight schools (non-centred) declared with `model!`, 4 NUTS chains, the summary table with diagnostics and warnings, Stan CSV files and trace/rank plots in `output/`.
//!
//! Run with `cargo run --release --example eight_schools`. Takes a few seconds.
//!
//! The data are Rubin's (1981) SAT coaching experiments: the estimated effect `y` of coaching
//! in each of eight schools and its standard error `sigma` (also in
//! `tests/data/posteriordb/eight_schools-eight_schools_centered/data.json`).

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use ppl::infer::nuts::{sample, NutsOptions};
use ppl::infer::output::{rank_plot, trace_plot, warnings, write_stan_csv, RunInfo, Summary};
use ppl::model;

model! {
    /// Eight schools, non-centred: `theta = mu + tau * theta_tilde`.
    pub struct EightSchools {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
    }
    mu ~ normal(0.0, 5.0);
    tau ~ half_cauchy(5.0);                 // support (0, ∞): sampled on the log scale
    theta_tilde[J] ~ std_normal();
    derived theta = mu + tau * theta_tilde; // reported with the draws
    y ~ normal(theta, sigma);               // y is data, so this is the likelihood
}

/// Where the CSV files and plots go, relative to the current directory.
const OUTPUT_DIR: &str = "output";

fn main() -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let model = EightSchools::new(
        8,
        vec![28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0],
        vec![15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0],
    )?;
    let options = NutsOptions::default();
    println!(
        "ppl: eight schools (non-centred), NUTS, {} chains x ({} warm-up + {} draws)\n",
        options.num_chains, options.num_warmup, options.num_draws
    );

    let fit = sample(&model, &options)?;
    let summary = Summary::new(&fit.draws);
    println!("{summary}");

    let found = warnings(&fit.draws, &summary, options.max_depth);
    if found.is_empty() {
        println!("No warnings: no divergences or saturated trees, R-hat <= 1.01, ESS above 100 per chain, E-BFMI above 0.3.");
    } else {
        for warning in &found {
            println!("Warning: {warning}");
        }
    }

    let out = Path::new(OUTPUT_DIR);
    std::fs::create_dir_all(out)?;
    let mut written = Vec::new();
    for chain in 0..fit.draws.n_chains() {
        let path = out.join(format!("eight_schools_{}.csv", chain + 1));
        let info = RunInfo {
            model_name: "eight_schools".to_string(),
            num_warmup: options.num_warmup,
            num_samples: options.num_draws,
            max_depth: options.max_depth,
            adapt_delta: options.adapt_delta,
            num_chains: options.num_chains,
            chain_id: chain + 1,
            seed: options.seed,
            warmup_seconds: fit.warmup_time[chain].as_secs_f64(),
            sampling_seconds: fit.sampling_time[chain].as_secs_f64(),
            ..RunInfo::default()
        };
        write_stan_csv(&path, &fit.draws, chain, &info)?;
        written.push(path);
    }
    let plotted = ["mu", "tau", "theta[1]", "theta_tilde[1]"];
    let trace = out.join("eight_schools_trace.svg");
    trace_plot(&trace, &fit.draws, &plotted)?;
    let rank = out.join("eight_schools_rank.svg");
    rank_plot(&rank, &fit.draws, &plotted)?;
    written.extend([trace, rank]);

    println!("\nFiles:");
    for path in &written {
        println!("  {}", path.display());
    }
    println!(
        "\n{} divergences, {} gradient evaluations; done in {:.2} s.",
        fit.divergences,
        fit.gradient_evaluations,
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

//! The performance suite (tests/data/bench/models.md): the five models written with `model!`, NUTS with 4 chains × 1000 warm-up × 1000 draws run one after another on one thread, then mean-field ADVI compared with the NUTS posterior; one JSON line per model and engine.
//!
//! Run with `cargo run --release --example bench_nuts` (all models, NUTS then ADVI), or name
//! models and engines: `cargo run --release --example bench_nuts -- poisson_glm nuts`.
//! `--seed N` changes the NUTS and ADVI seed (default 20251126). `--adaptation A` picks the NUTS
//! warm-up: `stan` (default), `nutpie` (`AdaptationOptions::nutpie_like()`), or either followed
//! by `+switch` (turn on nutpie's choice) or `-switch` (turn it back to Stan's), any number of
//! times, e.g. `stan+estimator` or `nutpie-jitter`; switches: `schedule`, `init`, `estimator`,
//! `restart`, `symmetric`, `filter`, `jitter` (docs/nuts.md).
//! `hierarchical_regression_affine` (the same posterior written with `Affine` arguments) runs
//! only when named.
//! Per-parameter means and sds go to `output/bench/<model>_<engine>.csv`. Method and results:
//! `docs/performance.md`.
//!
//! NUTS line: `model`, `d`, `build_s` (the model built from its JSON text, read beforehand:
//! parsing, data checks, transformed data), `sampling_s` (wall time of the whole run: 4 chains of warm-up and draws, one
//! thread), `warmup_s`, `draws_s`, `grads` (gradient evaluations, warm-up and initialisation
//! included), `warmup_grads` (`grads` minus `sampling_grads`: initialisation, step-size
//! searches, warm-up), `sampling_grads` (leapfrog steps of the draws), `divergences`, `min_ess_bulk`, `min_ess_tail`, `max_rhat` (over all parameters),
//! `ess_per_s` (`min_ess_bulk / sampling_s`), `ess_per_1000_grads`,
//! `ess_per_1000_sampling_grads` (`min_ess_bulk` per 1000 `sampling_grads`), `grad_over_f64`
//! (the cost of one gradient over one `f64` log-density evaluation at the same point),
//! `adaptation`, `switches` (nutpie's switches in use), `seed`, `mean_step_size` (mean of the
//! chains' adapted step sizes). `--no-gradient-cost` skips the gradient timing
//! (`grad_over_f64` is then `null`).
//! Moments go to `output/bench/<model>_nuts.csv` with Stan's warm-up at the default seed (the
//! ADVI comparison reads them), else to `<model>_nuts_<adaptation>_<seed>.csv`.
//!
//! ADVI lines (engine `advi_meanfield` at Stan's defaults, `advi_meanfield_accurate` with
//! `AdviOptions::accurate()`): `advi_s` (wall time to convergence, draws and k-hat included), `iterations`,
//! `converged`, `khat`, and the error of the ADVI means (means of 1000 draws from the
//! approximation, constrained scale) against the NUTS means in NUTS posterior-sd units:
//! `max_mean_error_sd`, `mean_mean_error_sd`, plus `median_sd_ratio` (ADVI sd / NUTS sd).

use std::error::Error;
use std::fmt::Write as _;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use ppl::core::LogDensity;
use ppl::infer::advi::{self, AdviOptions};
use ppl::infer::nuts::{
    sample, AcceptStatistic, AdaptationOptions, AdaptationSchedule, DrawFilter, MetricEstimator,
    MetricInit, NutsOptions, StepSizeJitter, StepSizeRestart,
};
use ppl::infer::output::Summary;
use ppl::infer::Draws;

// The five suite models, exactly as specified, are the ones tests/posteriordb_logdensity.rs checks
// against Stan's log density and gradient.
#[path = "../tests/models/bench_eight_schools.rs"]
mod bench_eight_schools;
#[path = "../tests/models/correlated_gaussian.rs"]
mod correlated_gaussian;
#[path = "../tests/models/hierarchical_regression.rs"]
mod hierarchical_regression;
#[path = "support/timing.rs"]
mod timing;
// The same posterior with lazy `Affine` arguments; run it by name (`hierarchical_regression_affine`).
#[path = "../tests/models/hierarchical_regression_affine.rs"]
mod hierarchical_regression_affine;
#[path = "../tests/models/logistic_regression.rs"]
mod logistic_regression;
#[path = "../tests/models/poisson_glm.rs"]
mod poisson_glm;

use bench_eight_schools::BenchEightSchools as EightSchoolsNoncentered;
use correlated_gaussian::CorrelatedGaussian;
use hierarchical_regression::HierarchicalRegression;
use hierarchical_regression_affine::HierarchicalRegressionAffine;
use logistic_regression::LogisticRegression;
use poisson_glm::PoissonGlm;

/// What to run.
struct Settings {
    nuts: bool,
    advi: bool,
    seed: u64,
    /// The `--adaptation` label and the options it names.
    adaptation: (String, AdaptationOptions),
    /// `--no-gradient-cost`: skip the gradient/`f64` timing (`grad_over_f64` is `null`).
    skip_gradient_cost: bool,
}

/// The default seed of the suite.
const DEFAULT_SEED: u64 = 20_251_126;

/// The warm-up named by an `--adaptation` label: `stan` or `nutpie`, then `+switch` / `-switch`
/// to take nutpie's / Stan's choice for one switch.
fn adaptation_from_label(label: &str) -> Result<AdaptationOptions, Box<dyn Error>> {
    let mut rest = label;
    let mut options = if let Some(tail) = rest.strip_prefix("stan") {
        rest = tail;
        AdaptationOptions::default()
    } else if let Some(tail) = rest.strip_prefix("nutpie") {
        rest = tail;
        AdaptationOptions::nutpie_like()
    } else {
        return Err(format!("--adaptation `{label}`: must start with `stan` or `nutpie`").into());
    };
    let (stan, nutpie) = (
        AdaptationOptions::default(),
        AdaptationOptions::nutpie_like(),
    );
    while !rest.is_empty() {
        let turn_on = rest.starts_with('+');
        if !turn_on && !rest.starts_with('-') {
            return Err(format!("--adaptation `{label}`: expected `+switch` or `-switch`").into());
        }
        let end = rest[1..].find(['+', '-']).map_or(rest.len(), |i| i + 1);
        let from = if turn_on { &nutpie } else { &stan };
        match &rest[1..end] {
            "schedule" => options.schedule = from.schedule,
            "init" => options.metric_init = from.metric_init,
            "estimator" => options.metric_estimator = from.metric_estimator,
            "restart" => options.step_size_restart = from.step_size_restart,
            "symmetric" => options.accept_statistic = from.accept_statistic,
            "filter" => options.draw_filter = from.draw_filter,
            "jitter" => options.step_size_jitter = from.step_size_jitter,
            other => {
                return Err(format!(
                    "--adaptation `{label}`: unknown switch `{other}`; expected schedule, init, \
                     estimator, restart, symmetric, filter or jitter"
                )
                .into())
            }
        }
        rest = &rest[end..];
    }
    Ok(options)
}

/// The switches of `options` that differ from Stan's, for the JSON line.
fn describe(options: &AdaptationOptions) -> String {
    let stan = AdaptationOptions::default();
    let mut on = Vec::new();
    if options.schedule != AdaptationSchedule::Stan {
        on.push("schedule");
    }
    if options.metric_init != MetricInit::Identity {
        on.push("init");
    }
    if options.metric_estimator != MetricEstimator::DrawVariance {
        on.push("estimator");
    }
    if options.step_size_restart != StepSizeRestart::EveryMetricUpdate {
        on.push("restart");
    }
    if options.accept_statistic != AcceptStatistic::Standard {
        on.push("symmetric");
    }
    if options.draw_filter != DrawFilter::All {
        on.push("filter");
    }
    if options.step_size_jitter != StepSizeJitter::None {
        on.push("jitter");
    }
    if *options == stan {
        "none".to_string()
    } else {
        on.join("+")
    }
}

/// The data of model `name`, read before the clock starts.
fn read_data(name: &str) -> Result<String, Box<dyn Error>> {
    let path = format!(
        "{}/tests/data/bench/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}").into())
}

/// The median over 5 blocks of the mean time per call (seconds) of `f` (see
/// [`timing::block_means_ns`]).
fn time_per_call(f: impl FnMut()) -> f64 {
    let mut per_call = timing::block_means_ns(f, 5);
    per_call.sort_by(f64::total_cmp);
    per_call[2] * 1e-9
}

/// One gradient over one `f64` log-density evaluation, at a fixed point in `(-1, 1)^d`.
fn gradient_cost_ratio<M: LogDensity>(model: &M) -> f64 {
    let u: Vec<f64> = (0..model.dim())
        .map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.5) * 1.6)
        .collect();
    let mut gradient = vec![0.0; u.len()];
    let f64_s = time_per_call(|| {
        black_box(model.log_density(black_box(&u)).ok());
    });
    let gradient_s = time_per_call(|| {
        black_box(
            model
                .log_density_gradient(black_box(&u), &mut gradient)
                .ok(),
        );
    });
    gradient_s / f64_s
}

/// `name,mean,sd,ess_bulk,ess_tail,rhat` per parameter into `output/bench/<file>`.
fn write_moments(file: &str, summary: &Summary) -> Result<(), Box<dyn Error>> {
    let dir = Path::new("output/bench");
    std::fs::create_dir_all(dir)?;
    let mut text = String::from("name,mean,sd,ess_bulk,ess_tail,rhat\n");
    for column in summary.iter().filter(|c| c.name != "lp__") {
        writeln!(
            text,
            "{},{},{},{},{},{}",
            column.name, column.mean, column.sd, column.ess_bulk, column.ess_tail, column.rhat
        )?;
    }
    std::fs::write(dir.join(file), text)?;
    Ok(())
}

/// `(parameter name, posterior mean, posterior sd)`.
type Moment = (String, f64, f64);

/// The NUTS means and sds of model `name`, read from `output/bench/<name>_nuts.csv` (written by
/// this example's NUTS run).
fn nuts_moments(name: &str) -> Result<Vec<Moment>, Box<dyn Error>> {
    let path = format!("output/bench/{name}_nuts.csv");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{path}: {e} (run the NUTS benchmark of {name} first)"))?;
    let mut moments = Vec::new();
    for line in text.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        if fields.len() < 3 {
            return Err(format!("{path}: malformed line `{line}`").into());
        }
        moments.push((
            fields[0].to_string(),
            fields[1].parse()?,
            fields[2].parse()?,
        ));
    }
    Ok(moments)
}

/// The NUTS benchmark of one model; prints its JSON line.
fn bench_nuts<M: LogDensity>(
    name: &str,
    model: &M,
    build_s: f64,
    settings: &Settings,
) -> Result<(), Box<dyn Error>> {
    let (label, adaptation) = &settings.adaptation;
    let options = NutsOptions {
        threads: Some(1),
        progress: false,
        seed: settings.seed,
        adaptation: *adaptation,
        ..NutsOptions::default()
    };
    let start = Instant::now();
    let fit = sample(model, &options)?;
    let sampling_s = start.elapsed().as_secs_f64();
    let summary = Summary::new(&fit.draws);
    let parameters = || summary.iter().filter(|c| c.name != "lp__");
    let min_ess_bulk = parameters()
        .map(|c| c.ess_bulk)
        .fold(f64::INFINITY, f64::min);
    let min_ess_tail = parameters()
        .map(|c| c.ess_tail)
        .fold(f64::INFINITY, f64::min);
    let max_rhat = parameters()
        .map(|c| c.rhat)
        .fold(f64::NEG_INFINITY, f64::max);
    let warmup_s: f64 = fit.warmup_time.iter().map(|t| t.as_secs_f64()).sum();
    let draws_s: f64 = fit.sampling_time.iter().map(|t| t.as_secs_f64()).sum();
    let moments = if label == "stan" && settings.seed == DEFAULT_SEED {
        format!("{name}_nuts.csv")
    } else {
        format!("{name}_nuts_{label}_{}.csv", settings.seed)
    };
    write_moments(&moments, &summary)?;
    let sampling_grads: u64 = fit
        .draws
        .chains
        .iter()
        .flat_map(|c| &c.stats)
        .map(|s| u64::from(s.n_leapfrog))
        .sum();
    let warmup_grads = fit.gradient_evaluations - sampling_grads;
    let grad_over_f64 = if settings.skip_gradient_cost {
        "null".to_string()
    } else {
        format!("{:.2}", gradient_cost_ratio(model))
    };
    let mean_step_size =
        fit.draws.chains.iter().map(|c| c.step_size).sum::<f64>() / fit.draws.chains.len() as f64;
    println!(
        "{{\"engine\":\"nuts\",\"model\":\"{name}\",\"d\":{},\"build_s\":{build_s:.6},\"sampling_s\":{sampling_s:.3},\"warmup_s\":{warmup_s:.3},\"draws_s\":{draws_s:.3},\"grads\":{},\"warmup_grads\":{warmup_grads},\"sampling_grads\":{sampling_grads},\"divergences\":{},\"min_ess_bulk\":{min_ess_bulk:.0},\"min_ess_tail\":{min_ess_tail:.0},\"max_rhat\":{max_rhat:.4},\"ess_per_s\":{:.1},\"ess_per_1000_grads\":{:.2},\"ess_per_1000_sampling_grads\":{:.2},\"grad_over_f64\":{grad_over_f64},\"adaptation\":\"{label}\",\"switches\":\"{}\",\"seed\":{},\"mean_step_size\":{mean_step_size:.4},\"moments\":\"output/bench/{moments}\"}}",
        model.dim(),
        fit.gradient_evaluations,
        fit.divergences,
        min_ess_bulk / sampling_s,
        1000.0 * min_ess_bulk / fit.gradient_evaluations as f64,
        1000.0 * min_ess_bulk / sampling_grads as f64,
        describe(adaptation),
        settings.seed,
    );
    Ok(())
}

/// Mean and sd of every column of the draws (all chains pooled).
fn column_means_and_sds(draws: &Draws) -> Vec<(f64, f64)> {
    (0..draws.n_columns())
        .map(|j| {
            let values: Vec<f64> = draws.column_by_index(j).concat();
            let n = values.len() as f64;
            let mean = values.iter().sum::<f64>() / n;
            let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (mean, variance.sqrt())
        })
        .collect()
}

/// The mean-field ADVI benchmark of one model against its NUTS moments, at Stan's defaults and
/// with `AdviOptions::accurate()`; prints one JSON line for each.
fn bench_advi<M: LogDensity>(name: &str, model: &M, seed: u64) -> Result<(), Box<dyn Error>> {
    let reference = nuts_moments(name)?;
    for (engine, preset) in [
        ("advi_meanfield", AdviOptions::default()),
        ("advi_meanfield_accurate", AdviOptions::accurate()),
    ] {
        let options = AdviOptions { seed, ..preset };
        let start = Instant::now();
        let fit = advi::fit(model, &options)?;
        let advi_s = start.elapsed().as_secs_f64();
        let moments = column_means_and_sds(&fit.draws);
        let mut errors = Vec::new();
        let mut sd_ratios = Vec::new();
        let mut text = String::from("name,mean,sd\n");
        for ((column, (mean, sd)), (ref_name, ref_mean, ref_sd)) in
            fit.draws.names.iter().zip(&moments).zip(&reference)
        {
            if column != ref_name {
                return Err(
                    format!("{name}: ADVI column {column} vs NUTS column {ref_name}").into(),
                );
            }
            errors.push((mean - ref_mean).abs() / ref_sd);
            sd_ratios.push(sd / ref_sd);
            writeln!(text, "{column},{mean},{sd}")?;
        }
        let moments_file = format!("output/bench/{name}_{engine}.csv");
        std::fs::write(&moments_file, text)?;
        sd_ratios.sort_by(f64::total_cmp);
        let max_error = errors.iter().copied().fold(0.0, f64::max);
        let mean_error = errors.iter().sum::<f64>() / errors.len() as f64;
        println!(
            "{{\"engine\":\"{engine}\",\"model\":\"{name}\",\"d\":{},\"advi_s\":{advi_s:.3},\"iterations\":{},\"converged\":{},\"eta\":{},\"khat\":{:.2},\"max_mean_error_sd\":{max_error:.3},\"mean_mean_error_sd\":{mean_error:.3},\"median_sd_ratio\":{:.3},\"moments\":\"{moments_file}\"}}",
            model.dim(),
            fit.iterations,
            fit.converged(),
            fit.eta,
            fit.khat(),
            sd_ratios[sd_ratios.len() / 2],
        );
    }
    Ok(())
}

/// Builds model `M` from the JSON data of `name` (timed) and runs the requested engines.
fn run_model<M: LogDensity>(
    name: &str,
    json: &str,
    settings: &Settings,
    build: fn(&str) -> ppl::core::Result<M>,
) -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let model = build(json)?;
    let build_s = start.elapsed().as_secs_f64();
    if settings.nuts {
        bench_nuts(name, &model, build_s, settings)?;
    }
    if settings.advi {
        bench_advi(name, &model, settings.seed)?;
    }
    Ok(())
}

/// The suite's model names, in the order of tests/data/bench/models.md.
const SUITE: [&str; 5] = [
    "eight_schools_noncentered",
    "logistic_regression",
    "hierarchical_regression",
    "correlated_gaussian_100",
    "poisson_glm",
];

/// Variants of suite models, run only when named: the name and the suite model whose data
/// they use.
const VARIANTS: [(&str, &str); 1] = [("hierarchical_regression_affine", "hierarchical_regression")];

/// Runs the requested engines on the suite model `name` with JSON data `json`.
fn run_suite_model(name: &str, json: &str, settings: &Settings) -> Result<(), Box<dyn Error>> {
    match name {
        "eight_schools_noncentered" => {
            run_model(name, json, settings, EightSchoolsNoncentered::from_json)
        }
        "logistic_regression" => run_model(name, json, settings, LogisticRegression::from_json),
        "hierarchical_regression" => {
            run_model(name, json, settings, HierarchicalRegression::from_json)
        }
        "hierarchical_regression_affine" => run_model(
            name,
            json,
            settings,
            HierarchicalRegressionAffine::from_json,
        ),
        "correlated_gaussian_100" => run_model(name, json, settings, CorrelatedGaussian::from_json),
        "poisson_glm" => run_model(name, json, settings, PoissonGlm::from_json),
        other => Err(format!("unknown model `{other}`").into()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let mut args: Vec<String> = Vec::new();
    let mut seed = DEFAULT_SEED;
    let mut adaptation = "stan".to_string();
    let mut skip_gradient_cost = false;
    let mut raw = std::env::args().skip(1);
    while let Some(arg) = raw.next() {
        match arg.as_str() {
            "--seed" | "--adaptation" => {
                let value = raw.next().ok_or_else(|| format!("`{arg}` needs a value"))?;
                if arg == "--seed" {
                    seed = value
                        .parse()
                        .map_err(|e| format!("--seed `{value}`: {e}"))?;
                } else {
                    adaptation = value;
                }
            }
            "--no-gradient-cost" => skip_gradient_cost = true,
            _ => args.push(arg),
        }
    }
    for arg in &args {
        let known = ["nuts", "advi"].contains(&arg.as_str())
            || SUITE.contains(&arg.as_str())
            || VARIANTS.iter().any(|(variant, _)| variant == arg);
        if !known {
            return Err(format!(
                "unknown argument `{arg}`; expected `nuts`, `advi`, `--seed N`, `--adaptation A`, \
                 `--no-gradient-cost` or a model: {}, {}",
                SUITE.join(", "),
                VARIANTS.map(|(variant, _)| variant).join(", ")
            )
            .into());
        }
    }
    let engines_given = args.iter().any(|a| a == "nuts" || a == "advi");
    let settings = Settings {
        nuts: !engines_given || args.iter().any(|a| a == "nuts"),
        advi: !engines_given || args.iter().any(|a| a == "advi"),
        seed,
        adaptation: (adaptation.clone(), adaptation_from_label(&adaptation)?),
        skip_gradient_cost,
    };
    let models_given = args
        .iter()
        .any(|a| SUITE.contains(&a.as_str()) || VARIANTS.iter().any(|(v, _)| v == a));
    for name in SUITE {
        if models_given && !args.iter().any(|a| a == name) {
            continue;
        }
        let json = read_data(name)?;
        run_suite_model(name, &json, &settings)?;
    }
    for (variant, data) in VARIANTS {
        if args.iter().any(|a| a == variant) {
            run_suite_model(variant, &read_data(data)?, &settings)?;
        }
    }
    Ok(())
}

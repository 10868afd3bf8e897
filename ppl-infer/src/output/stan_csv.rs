//! Stan CSV files as CmdStan 2.3x writes them (sampling and variational), one file per chain, and a reader for them.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use crate::draws::{Chain, Draws, SamplerStats};
use crate::error::{Error, Result};

/// The Stan release whose CSV layout the writer follows (written as `stan_version_*`, which
/// cmdstanpy and ArviZ use to pick their parsing rules).
const STAN_VERSION: (u32, u32, u32) = (2, 36, 0);

/// The sampler columns CmdStan writes before the parameters, in order.
const SAMPLER_COLUMNS: [&str; 7] = [
    "lp__",
    "accept_stat__",
    "stepsize__",
    "treedepth__",
    "n_leapfrog__",
    "divergent__",
    "energy__",
];

/// The leading columns of CmdStan's variational output.
const VARIATIONAL_COLUMNS: [&str; 3] = ["lp__", "log_p__", "log_g__"];

/// The HMC metric (Stan's `metric` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// Identity metric, `unit_e`.
    Unit,
    /// Diagonal metric, `diag_e` (Stan's default).
    #[default]
    Diag,
    /// Dense metric, `dense_e`.
    Dense,
}

impl Metric {
    /// Stan's name: `unit_e`, `diag_e` or `dense_e`.
    pub fn stan_name(self) -> &'static str {
        match self {
            Metric::Unit => "unit_e",
            Metric::Diag => "diag_e",
            Metric::Dense => "dense_e",
        }
    }
}

/// The ADVI family (Stan's `variational algorithm` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VariationalAlgorithm {
    /// Fully factorised Gaussian, `meanfield` (Stan's default).
    #[default]
    MeanField,
    /// Full-rank Gaussian, `fullrank`.
    FullRank,
}

impl VariationalAlgorithm {
    /// Stan's name: `meanfield` or `fullrank`.
    pub fn stan_name(self) -> &'static str {
        match self {
            VariationalAlgorithm::MeanField => "meanfield",
            VariationalAlgorithm::FullRank => "fullrank",
        }
    }
}

/// Settings and per-draw output of an ADVI run, for CmdStan's variational CSV.
#[derive(Debug, Clone, PartialEq)]
pub struct VariationalInfo {
    /// `meanfield` or `fullrank`.
    pub algorithm: VariationalAlgorithm,
    /// Maximum iterations (`iter`, default 10000).
    pub iter: usize,
    /// Monte Carlo draws per gradient (`grad_samples`, default 1).
    pub grad_samples: usize,
    /// Monte Carlo draws per ELBO estimate (`elbo_samples`, default 100).
    pub elbo_samples: usize,
    /// Step-size scale requested (`eta`, default 1).
    pub eta: f64,
    /// Whether eta was adapted (`adapt engaged`, default true).
    pub adapt_engaged: bool,
    /// Adaptation iterations (`adapt iter`, default 50).
    pub adapt_iter: usize,
    /// The eta used after adaptation (written after `# Stepsize adaptation complete.`).
    pub adapted_eta: f64,
    /// Relative ELBO tolerance (`tol_rel_obj`, default 0.01).
    pub tol_rel_obj: f64,
    /// ELBO evaluation interval (`eval_elbo`, default 100).
    pub eval_elbo: usize,
    /// The mean of the approximation on the constrained scale, one value per column (the first
    /// row of the file). Empty: the mean of the draws is written instead.
    pub mean: Vec<f64>,
    /// `log_p__` per draw: the model's log density at the draw. Empty: written as 0.
    pub log_p: Vec<f64>,
    /// `log_g__` per draw: the approximation's log density at the draw. Empty: written as 0.
    pub log_g: Vec<f64>,
}

impl Default for VariationalInfo {
    /// CmdStan's defaults.
    fn default() -> Self {
        VariationalInfo {
            algorithm: VariationalAlgorithm::MeanField,
            iter: 10_000,
            grad_samples: 1,
            elbo_samples: 100,
            eta: 1.0,
            adapt_engaged: true,
            adapt_iter: 50,
            adapted_eta: 1.0,
            tol_rel_obj: 0.01,
            eval_elbo: 100,
            mean: Vec::new(),
            log_p: Vec::new(),
            log_g: Vec::new(),
        }
    }
}

/// The inference method of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Method {
    /// NUTS sampling (`method = sample`).
    #[default]
    Sample,
    /// ADVI (`method = variational`).
    Variational(VariationalInfo),
}

/// What a Stan CSV header records about a run. `Default` gives CmdStan's defaults; engines
/// fill in what they used. Values equal to CmdStan's defaults are marked `(Default)` in the
/// file, as CmdStan marks arguments the user did not set.
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    /// Model name (`# model = ...`).
    pub model_name: String,
    /// Sampling or variational.
    pub method: Method,
    /// Warm-up iterations (`num_warmup`, default 1000).
    pub num_warmup: usize,
    /// Sampling iterations (`num_samples`, default 1000).
    pub num_samples: usize,
    /// Whether warm-up draws are written (`save_warmup`, default false).
    pub save_warmup: bool,
    /// Thinning period (`thin`, default 1).
    pub thin: usize,
    /// Whether step size and metric were adapted (`adapt engaged`, default true).
    pub adapt_engaged: bool,
    /// Target acceptance statistic (`adapt delta`, default 0.8).
    pub adapt_delta: f64,
    /// Dual-averaging regularisation (`adapt gamma`, default 0.05).
    pub adapt_gamma: f64,
    /// Dual-averaging relaxation exponent (`adapt kappa`, default 0.75).
    pub adapt_kappa: f64,
    /// Dual-averaging iteration offset (`adapt t0`, default 10).
    pub adapt_t0: f64,
    /// First fast adaptation interval (`adapt init_buffer`, default 75).
    pub adapt_init_buffer: usize,
    /// Last fast adaptation interval (`adapt term_buffer`, default 50).
    pub adapt_term_buffer: usize,
    /// First slow adaptation window (`adapt window`, default 25).
    pub adapt_window: usize,
    /// Maximum tree depth (`max_depth`, default 10).
    pub max_depth: u32,
    /// The metric (`metric`, default `diag_e`).
    pub metric: Metric,
    /// Initial step size (`stepsize`, default 1).
    pub step_size: f64,
    /// Step-size jitter (`stepsize_jitter`, default 0).
    pub step_size_jitter: f64,
    /// Number of chains run (`num_chains`, default 1).
    pub num_chains: usize,
    /// Chain id, 1-based (`id`, default 1).
    pub chain_id: usize,
    /// Data file, if any (`data file`).
    pub data_file: String,
    /// Random seed (`random seed`).
    pub seed: u64,
    /// Warm-up wall time in seconds.
    pub warmup_seconds: f64,
    /// Sampling wall time in seconds.
    pub sampling_seconds: f64,
}

impl Default for RunInfo {
    /// CmdStan's defaults, model `model`, seed 0, no timings.
    fn default() -> Self {
        RunInfo {
            model_name: "model".to_string(),
            method: Method::Sample,
            num_warmup: 1000,
            num_samples: 1000,
            save_warmup: false,
            thin: 1,
            adapt_engaged: true,
            adapt_delta: 0.8,
            adapt_gamma: 0.05,
            adapt_kappa: 0.75,
            adapt_t0: 10.0,
            adapt_init_buffer: 75,
            adapt_term_buffer: 50,
            adapt_window: 25,
            max_depth: 10,
            metric: Metric::Diag,
            step_size: 1.0,
            step_size_jitter: 0.0,
            num_chains: 1,
            chain_id: 1,
            data_file: String::new(),
            seed: 0,
            warmup_seconds: 0.0,
            sampling_seconds: 0.0,
        }
    }
}

/// A column name as CmdStan writes it: indices joined by dots (`theta[1]` → `theta.1`,
/// `Sigma[2,3]` → `Sigma.2.3`); names without indices are unchanged.
fn csv_column_name(name: &str) -> String {
    match name.strip_suffix(']').and_then(|n| n.split_once('[')) {
        Some((base, indices)) => {
            let indices: Vec<&str> = indices.split(',').map(str::trim).collect();
            format!("{base}.{}", indices.join("."))
        }
        None => name.to_string(),
    }
}

/// The inverse of [`csv_column_name`]: `theta.1` → `theta[1]`, `Sigma.2.3` → `Sigma[2,3]`
/// (what cmdstanpy and ArviZ show); other names are unchanged.
fn draws_column_name(name: &str) -> String {
    let mut parts = name.split('.');
    let base = parts.next().unwrap_or_default();
    let indices: Vec<&str> = parts.collect();
    if indices.is_empty()
        || !indices
            .iter()
            .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit()))
    {
        return name.to_string();
    }
    format!("{base}[{}]", indices.join(","))
}

/// A number as Stan CSV readers expect it: integers without a decimal point, others in the
/// shortest form that reads back exactly, `nan`, `inf`, `-inf`.
fn format_number(value: f64) -> String {
    if value.is_nan() {
        "nan".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "inf" } else { "-inf" }.to_string()
    } else if value == value.trunc() && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

fn join_numbers(values: &[f64], separator: &str) -> String {
    values
        .iter()
        .map(|&v| format_number(v))
        .collect::<Vec<_>>()
        .join(separator)
}

/// One `key = value` configuration line at `depth`, marked `(Default)` when `is_default`.
fn config_line(
    out: &mut impl Write,
    depth: usize,
    key: &str,
    value: impl std::fmt::Display,
    is_default: bool,
) -> io::Result<()> {
    let marker = if is_default { " (Default)" } else { "" };
    writeln!(
        out,
        "# {:indent$}{key} = {value}{marker}",
        "",
        indent = 2 * depth
    )
}

/// A section line (`#   sample`) at `depth`.
fn section_line(out: &mut impl Write, depth: usize, name: &str) -> io::Result<()> {
    writeln!(out, "# {:indent$}{name}", "", indent = 2 * depth)
}

/// Writes chain `chain_index` (0-based) of `draws` as a Stan CSV file in the layout of
/// CmdStan 2.3x, readable by cmdstanpy (`from_csv`), ArviZ (`from_cmdstan`) and R
/// (`posterior::read_cmdstan_csv`, `cmdstanr::read_cmdstan_csv`):
///
/// - a comment header with the configuration (`# model = ...`, `# method = sample (Default)`,
///   the sample/adapt/hmc/nuts arguments, `# id`, `# random seed`, ...);
/// - the column header `lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,<names>`,
///   with indices written the CmdStan way (`theta[1]` as `theta.1`, `Sigma[1,2]` as `Sigma.1.2`);
/// - the warm-up draws when `info.save_warmup`;
/// - the adaptation block (`# Adaptation terminated`, `# Step size = ...`, `# Diagonal elements
///   of inverse mass matrix:` or `# Elements of inverse mass matrix:` and its rows);
/// - the draws and the `# Elapsed Time` block.
///
/// For [`Method::Variational`] the file follows CmdStan's variational output: columns
/// `lp__,log_p__,log_g__,<names>`, the `# Stepsize adaptation complete.` / `# eta` block, a
/// first row holding the approximation's mean (with `lp__ = log_p__ = log_g__ = 0`), then one
/// row per draw with `lp__ = 0`.
///
/// # Errors
/// - [`Error::InvalidArgument`] if `chain_index` is not a chain of `draws`, or `thin` is 0;
/// - [`Error::SizeMismatch`] if the chain's values are not a whole number of rows, if the
///   number of draws is not `⌈num_samples / thin⌉` (or saved warm-up draws not
///   `⌈num_warmup / thin⌉`), if sampling statistics are not one per draw, or if variational
///   `mean`, `log_p`, `log_g` have the wrong length;
/// - [`Error::Io`] if the file cannot be written.
pub fn write_stan_csv(
    path: impl AsRef<Path>,
    draws: &Draws,
    chain_index: usize,
    info: &RunInfo,
) -> Result<()> {
    const FUNCTION: &str = "write_stan_csv";
    let path = path.as_ref();
    let chain = draws.chains.get(chain_index).ok_or_else(|| {
        Error::invalid(
            FUNCTION,
            "chain_index",
            chain_index,
            format!("less than the number of chains ({})", draws.n_chains()),
        )
    })?;
    if info.thin == 0 {
        return Err(Error::invalid(FUNCTION, "thin", 0, "at least 1"));
    }
    let n_columns = draws.n_columns();
    let n_draws = chain.values.len().checked_div(n_columns).unwrap_or(0);
    if n_columns > 0 && chain.values.len() % n_columns != 0 {
        return Err(Error::SizeMismatch {
            function: FUNCTION,
            argument: "chain values".into(),
            actual: chain.values.len(),
            expected: n_draws * n_columns,
        });
    }
    let expected_draws = info.num_samples.div_ceil(info.thin);
    let size_check = |argument: &str, actual: usize, expected: usize| {
        if actual == expected {
            Ok(())
        } else {
            Err(Error::SizeMismatch {
                function: FUNCTION,
                argument: argument.to_string(),
                actual,
                expected,
            })
        }
    };
    size_check("draws (num_samples / thin)", n_draws, expected_draws)?;
    match &info.method {
        Method::Sample => {
            size_check("sampler statistics", chain.stats.len(), n_draws)?;
            if info.save_warmup {
                let expected_warmup = info.num_warmup.div_ceil(info.thin);
                size_check(
                    "warm-up values",
                    chain.warmup_values.len(),
                    expected_warmup * n_columns,
                )?;
                size_check(
                    "warm-up statistics",
                    chain.warmup_stats.len(),
                    expected_warmup,
                )?;
            }
        }
        Method::Variational(variational) => {
            for (argument, values, expected) in [
                ("mean", &variational.mean, n_columns),
                ("log_p", &variational.log_p, n_draws),
                ("log_g", &variational.log_g, n_draws),
            ] {
                if !values.is_empty() {
                    size_check(argument, values.len(), expected)?;
                }
            }
        }
    }
    let io_error = |source: io::Error| Error::Io {
        context: format!("stan csv {}", path.display()),
        source,
    };
    let file = File::create(path).map_err(io_error)?;
    let mut out = BufWriter::new(file);
    write_file(&mut out, draws, chain, n_draws, info)
        .and_then(|()| out.flush())
        .map_err(io_error)
}

fn write_file(
    out: &mut impl Write,
    draws: &Draws,
    chain: &Chain,
    n_draws: usize,
    info: &RunInfo,
) -> io::Result<()> {
    let (major, minor, patch) = STAN_VERSION;
    writeln!(out, "# stan_version_major = {major}")?;
    writeln!(out, "# stan_version_minor = {minor}")?;
    writeln!(out, "# stan_version_patch = {patch}")?;
    writeln!(out, "# model = {}", info.model_name)?;
    match &info.method {
        Method::Sample => write_sample_config(out, info)?,
        Method::Variational(variational) => write_variational_config(out, variational, n_draws)?,
    }
    config_line(out, 0, "id", info.chain_id, info.chain_id == 1)?;
    section_line(out, 0, "data")?;
    config_line(out, 1, "file", &info.data_file, info.data_file.is_empty())?;
    config_line(out, 0, "init", 2, true)?;
    section_line(out, 0, "random")?;
    config_line(out, 1, "seed", info.seed, false)?;
    section_line(out, 0, "output")?;
    config_line(out, 1, "file", "output.csv", true)?;
    config_line(out, 1, "diagnostic_file", "", true)?;
    config_line(out, 1, "refresh", 100, true)?;
    config_line(out, 1, "sig_figs", -1, true)?;
    config_line(out, 1, "profile_file", "profile.csv", true)?;
    config_line(out, 1, "save_cmdstan_config", false, true)?;
    config_line(out, 0, "num_threads", 1, true)?;
    writeln!(out, "# stanc_version = ppl {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "# stancflags = ")?;
    let n_columns = draws.n_columns();
    match &info.method {
        Method::Sample => {
            let header: Vec<String> = SAMPLER_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .chain(draws.names.iter().map(|n| csv_column_name(n)))
                .collect();
            writeln!(out, "{}", header.join(","))?;
            if info.save_warmup {
                for (row, stats) in chain
                    .warmup_values
                    .chunks(n_columns.max(1))
                    .zip(&chain.warmup_stats)
                {
                    write_sample_row(out, stats, row)?;
                }
            }
            if info.adapt_engaged {
                write_adaptation(out, chain, info.metric)?;
            }
            for (row, stats) in chain.values.chunks(n_columns.max(1)).zip(&chain.stats) {
                write_sample_row(out, stats, row)?;
            }
            writeln!(out, "# ")?;
            writeln!(
                out,
                "#  Elapsed Time: {:.3} seconds (Warm-up)",
                info.warmup_seconds
            )?;
            writeln!(
                out,
                "#                {:.3} seconds (Sampling)",
                info.sampling_seconds
            )?;
            writeln!(
                out,
                "#                {:.3} seconds (Total)",
                info.warmup_seconds + info.sampling_seconds
            )?;
            writeln!(out, "# ")?;
        }
        Method::Variational(variational) => {
            let header: Vec<String> = VARIATIONAL_COLUMNS
                .iter()
                .map(|c| c.to_string())
                .chain(draws.names.iter().map(|n| csv_column_name(n)))
                .collect();
            writeln!(out, "{}", header.join(","))?;
            writeln!(out, "# Stepsize adaptation complete.")?;
            writeln!(out, "# eta = {}", format_number(variational.adapted_eta))?;
            let mean = if variational.mean.is_empty() {
                (0..n_columns)
                    .map(|j| {
                        chain.values.iter().skip(j).step_by(n_columns).sum::<f64>() / n_draws as f64
                    })
                    .collect()
            } else {
                variational.mean.clone()
            };
            writeln!(out, "0,0,0,{}", join_numbers(&mean, ","))?;
            for (i, row) in chain.values.chunks(n_columns.max(1)).enumerate() {
                let log_p = variational.log_p.get(i).copied().unwrap_or(0.0);
                let log_g = variational.log_g.get(i).copied().unwrap_or(0.0);
                writeln!(
                    out,
                    "0,{},{},{}",
                    format_number(log_p),
                    format_number(log_g),
                    join_numbers(row, ",")
                )?;
            }
        }
    }
    Ok(())
}

fn write_sample_config(out: &mut impl Write, info: &RunInfo) -> io::Result<()> {
    let defaults = RunInfo::default();
    config_line(out, 0, "method", "sample", true)?;
    section_line(out, 1, "sample")?;
    config_line(
        out,
        2,
        "num_samples",
        info.num_samples,
        info.num_samples == defaults.num_samples,
    )?;
    config_line(
        out,
        2,
        "num_warmup",
        info.num_warmup,
        info.num_warmup == defaults.num_warmup,
    )?;
    config_line(out, 2, "save_warmup", info.save_warmup, !info.save_warmup)?;
    config_line(out, 2, "thin", info.thin, info.thin == 1)?;
    section_line(out, 2, "adapt")?;
    config_line(out, 3, "engaged", info.adapt_engaged, info.adapt_engaged)?;
    config_line(
        out,
        3,
        "gamma",
        format_number(info.adapt_gamma),
        info.adapt_gamma == defaults.adapt_gamma,
    )?;
    config_line(
        out,
        3,
        "delta",
        format_number(info.adapt_delta),
        info.adapt_delta == defaults.adapt_delta,
    )?;
    config_line(
        out,
        3,
        "kappa",
        format_number(info.adapt_kappa),
        info.adapt_kappa == defaults.adapt_kappa,
    )?;
    config_line(
        out,
        3,
        "t0",
        format_number(info.adapt_t0),
        info.adapt_t0 == defaults.adapt_t0,
    )?;
    config_line(
        out,
        3,
        "init_buffer",
        info.adapt_init_buffer,
        info.adapt_init_buffer == defaults.adapt_init_buffer,
    )?;
    config_line(
        out,
        3,
        "term_buffer",
        info.adapt_term_buffer,
        info.adapt_term_buffer == defaults.adapt_term_buffer,
    )?;
    config_line(
        out,
        3,
        "window",
        info.adapt_window,
        info.adapt_window == defaults.adapt_window,
    )?;
    config_line(out, 3, "save_metric", false, true)?;
    config_line(out, 2, "algorithm", "hmc", true)?;
    section_line(out, 3, "hmc")?;
    config_line(out, 4, "engine", "nuts", true)?;
    section_line(out, 5, "nuts")?;
    config_line(
        out,
        6,
        "max_depth",
        info.max_depth,
        info.max_depth == defaults.max_depth,
    )?;
    config_line(
        out,
        4,
        "metric",
        info.metric.stan_name(),
        info.metric == defaults.metric,
    )?;
    config_line(out, 4, "metric_file", "", true)?;
    config_line(
        out,
        4,
        "stepsize",
        format_number(info.step_size),
        info.step_size == defaults.step_size,
    )?;
    config_line(
        out,
        4,
        "stepsize_jitter",
        format_number(info.step_size_jitter),
        info.step_size_jitter == 0.0,
    )?;
    config_line(out, 2, "num_chains", info.num_chains, info.num_chains == 1)
}

fn write_variational_config(
    out: &mut impl Write,
    variational: &VariationalInfo,
    n_draws: usize,
) -> io::Result<()> {
    let defaults = VariationalInfo::default();
    config_line(out, 0, "method", "variational", false)?;
    section_line(out, 1, "variational")?;
    config_line(
        out,
        2,
        "algorithm",
        variational.algorithm.stan_name(),
        variational.algorithm == defaults.algorithm,
    )?;
    section_line(out, 3, variational.algorithm.stan_name())?;
    config_line(
        out,
        2,
        "iter",
        variational.iter,
        variational.iter == defaults.iter,
    )?;
    config_line(
        out,
        2,
        "grad_samples",
        variational.grad_samples,
        variational.grad_samples == defaults.grad_samples,
    )?;
    config_line(
        out,
        2,
        "elbo_samples",
        variational.elbo_samples,
        variational.elbo_samples == defaults.elbo_samples,
    )?;
    config_line(
        out,
        2,
        "eta",
        format_number(variational.eta),
        variational.eta == defaults.eta,
    )?;
    section_line(out, 2, "adapt")?;
    config_line(
        out,
        3,
        "engaged",
        variational.adapt_engaged,
        variational.adapt_engaged,
    )?;
    config_line(
        out,
        3,
        "iter",
        variational.adapt_iter,
        variational.adapt_iter == defaults.adapt_iter,
    )?;
    config_line(
        out,
        2,
        "tol_rel_obj",
        format_number(variational.tol_rel_obj),
        variational.tol_rel_obj == defaults.tol_rel_obj,
    )?;
    config_line(
        out,
        2,
        "eval_elbo",
        variational.eval_elbo,
        variational.eval_elbo == defaults.eval_elbo,
    )?;
    config_line(out, 2, "output_samples", n_draws, n_draws == 1000)
}

fn write_sample_row(out: &mut impl Write, stats: &SamplerStats, values: &[f64]) -> io::Result<()> {
    write!(
        out,
        "{},{},{},{},{},{},{}",
        format_number(stats.lp),
        format_number(stats.accept_stat),
        format_number(stats.step_size),
        stats.tree_depth,
        stats.n_leapfrog,
        u8::from(stats.divergent),
        format_number(stats.energy)
    )?;
    for &value in values {
        write!(out, ",{}", format_number(value))?;
    }
    writeln!(out)
}

fn write_adaptation(out: &mut impl Write, chain: &Chain, metric: Metric) -> io::Result<()> {
    writeln!(out, "# Adaptation terminated")?;
    writeln!(out, "# Step size = {}", format_number(chain.step_size))?;
    match metric {
        Metric::Unit => writeln!(out, "# No free parameters for unit metric"),
        Metric::Diag => {
            writeln!(out, "# Diagonal elements of inverse mass matrix:")?;
            writeln!(out, "# {}", join_numbers(&chain.inv_metric, ", "))
        }
        Metric::Dense => {
            writeln!(out, "# Elements of inverse mass matrix:")?;
            let dimension = (chain.inv_metric.len() as f64).sqrt().round() as usize;
            for row in chain.inv_metric.chunks(dimension.max(1)) {
                writeln!(out, "# {}", join_numbers(row, ", "))?;
            }
            Ok(())
        }
    }
}

/// The contents of a Stan CSV file (from CmdStan or [`write_stan_csv`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StanCsv {
    /// Every `key = value` comment line in order, `(Default)` removed and keys without their
    /// section (`num_samples`, `delta`, `max_depth`, `seed`, ...).
    pub config: Vec<(String, String)>,
    /// All column names of the header, sampler columns included.
    pub header: Vec<String>,
    /// Rows before `# Adaptation terminated` (saved warm-up draws).
    pub warmup_rows: Vec<Vec<f64>>,
    /// The remaining rows (for variational output, the mean row first).
    pub rows: Vec<Vec<f64>>,
    /// The adapted step size (`# Step size = ...`).
    pub step_size: Option<f64>,
    /// The adapted inverse metric: the diagonal, or the dense matrix row-major.
    pub inv_metric: Vec<f64>,
    /// `# Elapsed Time` warm-up seconds.
    pub warmup_seconds: Option<f64>,
    /// `# Elapsed Time` sampling seconds.
    pub sampling_seconds: Option<f64>,
}

impl StanCsv {
    /// The value of configuration `key` (the last line with that key), e.g. `"num_samples"`.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The file as one chain of [`Draws`]: columns not ending in `__` become parameters (named
    /// with brackets, `theta.1` → `theta[1]`); for
    /// sampling output the seven sampler columns fill [`SamplerStats`]; for variational output
    /// the mean row is skipped.
    pub fn draws(&self) -> Draws {
        let parameters: Vec<usize> = (0..self.header.len())
            .filter(|&j| !self.header[j].ends_with("__"))
            .collect();
        let names = parameters
            .iter()
            .map(|&j| draws_column_name(&self.header[j]))
            .collect();
        let sampler: Option<Vec<usize>> = SAMPLER_COLUMNS
            .iter()
            .map(|c| self.header.iter().position(|h| h == c))
            .collect();
        let is_variational = self.config_value("method") == Some("variational");
        let rows = if is_variational {
            self.rows.get(1..).unwrap_or(&[])
        } else {
            &self.rows[..]
        };
        let values = |rows: &[Vec<f64>]| {
            rows.iter()
                .flat_map(|row| parameters.iter().map(|&j| row[j]))
                .collect()
        };
        let stats = |rows: &[Vec<f64>]| match &sampler {
            Some(index) => rows
                .iter()
                .map(|row| SamplerStats {
                    lp: row[index[0]],
                    accept_stat: row[index[1]],
                    step_size: row[index[2]],
                    tree_depth: row[index[3]] as u32,
                    n_leapfrog: row[index[4]] as u32,
                    divergent: row[index[5]] != 0.0,
                    energy: row[index[6]],
                })
                .collect(),
            None => Vec::new(),
        };
        Draws {
            names,
            chains: vec![Chain {
                values: values(rows),
                stats: stats(rows),
                warmup_values: values(&self.warmup_rows),
                warmup_stats: stats(&self.warmup_rows),
                step_size: self.step_size.unwrap_or(f64::NAN),
                inv_metric: self.inv_metric.clone(),
            }],
        }
    }
}

/// Reads a Stan CSV file written by CmdStan (sampling or variational) or by
/// [`write_stan_csv`]. Use [`StanCsv::draws`] for a one-chain [`Draws`].
///
/// # Errors
/// [`Error::Io`] if the file cannot be read, has no header line, or has a row whose number of
/// values differs from the header's or that holds a value that is not a number (the message
/// names the line).
pub fn read_stan_csv(path: impl AsRef<Path>) -> Result<StanCsv> {
    let path = path.as_ref();
    let io_error = |source: io::Error| Error::Io {
        context: format!("stan csv {}", path.display()),
        source,
    };
    let file = File::open(path).map_err(io_error)?;
    parse(BufReader::new(file)).map_err(io_error)
}

fn invalid_data(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn parse_numbers(text: &str) -> Option<Vec<f64>> {
    text.split(',')
        .map(|item| item.trim().parse::<f64>().ok())
        .collect()
}

fn parse(reader: impl BufRead) -> io::Result<StanCsv> {
    let mut csv = StanCsv::default();
    let mut pending_rows = Vec::new();
    let mut in_metric_block = false;
    for (index, line) in reader.lines().enumerate() {
        let line = line?;
        let line_number = index + 1;
        let Some(comment) = line.strip_prefix('#') else {
            if line.trim().is_empty() {
                continue;
            }
            if csv.header.is_empty() {
                csv.header = line.trim().split(',').map(str::to_string).collect();
                continue;
            }
            let row = parse_numbers(&line).ok_or_else(|| {
                invalid_data(format!("line {line_number}: a value is not a number"))
            })?;
            if row.len() != csv.header.len() {
                return Err(invalid_data(format!(
                    "line {line_number}: {} values, but the header has {} columns",
                    row.len(),
                    csv.header.len()
                )));
            }
            pending_rows.push(row);
            continue;
        };
        let text = comment.trim();
        if in_metric_block {
            if let Some(values) = parse_numbers(text) {
                csv.inv_metric.extend(values);
                continue;
            }
            in_metric_block = false;
        }
        if text == "Adaptation terminated" {
            csv.warmup_rows = std::mem::take(&mut pending_rows);
        } else if let Some(value) = text.strip_prefix("Step size = ") {
            csv.step_size = value.trim().parse().ok();
        } else if text.ends_with("inverse mass matrix:") {
            in_metric_block = true;
        } else if let Some((seconds, phase)) = text
            .trim_start_matches("Elapsed Time:")
            .trim()
            .split_once(" seconds ")
        {
            let seconds = seconds.trim().parse().ok();
            match phase {
                "(Warm-up)" => csv.warmup_seconds = seconds,
                "(Sampling)" => csv.sampling_seconds = seconds,
                _ => {}
            }
        } else if let Some((key, value)) = text.split_once(" = ") {
            let value = value.trim().trim_end_matches("(Default)").trim();
            csv.config.push((key.trim().to_string(), value.to_string()));
        }
    }
    if csv.header.is_empty() {
        return Err(invalid_data("no header line".to_string()));
    }
    csv.rows = pending_rows;
    Ok(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two chains, columns `mu` and `theta[1]`, 3 draws and 2 warm-up draws each.
    fn small_draws() -> Draws {
        let chain = |offset: f64| Chain {
            values: vec![
                offset + 0.1,
                -1.5,
                offset + 0.25,
                2.0e-7,
                offset - 3.0,
                1e20,
            ],
            stats: (0..3)
                .map(|i| SamplerStats {
                    lp: -7.25 - i as f64,
                    accept_stat: 0.9,
                    step_size: 0.7,
                    tree_depth: 2 + i,
                    n_leapfrog: 3 + 2 * i,
                    divergent: i == 1,
                    energy: 8.5 + i as f64,
                })
                .collect(),
            warmup_values: vec![offset, 1.0, offset + 1.0, f64::NAN],
            warmup_stats: vec![SamplerStats::default(); 2],
            step_size: 0.7,
            inv_metric: vec![0.5, 1.25],
        };
        Draws {
            names: vec!["mu".into(), "theta[1]".into()],
            chains: vec![chain(0.0), chain(10.0)],
        }
    }

    fn small_info() -> RunInfo {
        RunInfo {
            model_name: "eight_schools".into(),
            num_warmup: 2,
            num_samples: 3,
            save_warmup: true,
            seed: 1234,
            chain_id: 2,
            warmup_seconds: 0.5,
            sampling_seconds: 1.25,
            ..RunInfo::default()
        }
    }

    fn temporary(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "ppl_infer_stan_csv_{}_{name}.csv",
            std::process::id()
        ))
    }

    fn same_values(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()))
    }

    #[test]
    fn sampling_output_round_trips() {
        let draws = small_draws();
        let path = temporary("sample");
        write_stan_csv(&path, &draws, 1, &small_info()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("# model = eight_schools\n# method = sample (Default)\n#   sample\n#     num_samples = 3\n"));
        assert!(text.contains("#             max_depth = 10 (Default)\n"));
        assert!(text.contains("#         metric = diag_e (Default)\n"));
        assert!(text.contains("# id = 2\n"));
        assert!(text.contains("lp__,accept_stat__,stepsize__,treedepth__,n_leapfrog__,divergent__,energy__,mu,theta.1\n"));
        assert!(text.contains("# Adaptation terminated\n# Step size = 0.7\n# Diagonal elements of inverse mass matrix:\n# 0.5, 1.25\n"));
        assert!(text.contains("-8.25,0.9,0.7,3,5,1,9.5,10.25,2e-7\n"));
        assert!(text.contains("#  Elapsed Time: 0.500 seconds (Warm-up)\n#                1.250 seconds (Sampling)\n#                1.750 seconds (Total)\n"));
        let csv = read_stan_csv(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(csv.config_value("num_samples"), Some("3"));
        assert_eq!(csv.config_value("delta"), Some("0.8"));
        assert_eq!(csv.config_value("save_warmup"), Some("true"));
        assert_eq!(csv.config_value("seed"), Some("1234"));
        assert_eq!(csv.warmup_seconds, Some(0.5));
        assert_eq!(csv.sampling_seconds, Some(1.25));
        let read = csv.draws();
        let original = &draws.chains[1];
        assert_eq!(read.names, draws.names);
        assert_eq!(read.chains[0].values, original.values);
        assert_eq!(read.chains[0].stats, original.stats);
        assert!(same_values(
            &read.chains[0].warmup_values,
            &original.warmup_values
        ));
        assert_eq!(read.chains[0].warmup_stats, original.warmup_stats);
        assert_eq!(read.chains[0].step_size, 0.7);
        assert_eq!(read.chains[0].inv_metric, original.inv_metric);
    }

    #[test]
    fn dense_metric_is_written_by_rows() {
        let mut draws = small_draws();
        draws.chains[0].inv_metric = vec![1.0, 0.25, 0.25, 2.0];
        let info = RunInfo {
            metric: Metric::Dense,
            save_warmup: false,
            ..small_info()
        };
        let path = temporary("dense");
        write_stan_csv(&path, &draws, 0, &info).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let csv = read_stan_csv(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(text.contains("#         metric = dense_e\n"));
        assert!(text.contains("# Elements of inverse mass matrix:\n# 1, 0.25\n# 0.25, 2\n"));
        assert!(csv.warmup_rows.is_empty());
        assert_eq!(csv.inv_metric, vec![1.0, 0.25, 0.25, 2.0]);
        assert_eq!(csv.draws().chains[0].values, draws.chains[0].values);
    }

    #[test]
    fn variational_output_has_the_mean_row_first() {
        let mut draws = small_draws();
        draws.chains[0].stats.clear();
        let info = RunInfo {
            method: Method::Variational(VariationalInfo {
                mean: vec![0.2, 0.5],
                log_p: vec![-1.0, -2.0, -3.0],
                log_g: vec![-0.5, -0.75, -1.0],
                ..VariationalInfo::default()
            }),
            num_samples: 3,
            ..RunInfo::default()
        };
        let path = temporary("variational");
        write_stan_csv(&path, &draws, 0, &info).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let csv = read_stan_csv(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert!(text.contains(
            "# method = variational\n#   variational\n#     algorithm = meanfield (Default)\n"
        ));
        assert!(text.contains("lp__,log_p__,log_g__,mu,theta.1\n# Stepsize adaptation complete.\n# eta = 1\n0,0,0,0.2,0.5\n0,-1,-0.5,0.1,-1.5\n"));
        assert_eq!(csv.rows.len(), 4);
        let read = csv.draws();
        assert_eq!(read.chains[0].values, draws.chains[0].values);
        assert!(read.chains[0].stats.is_empty());
    }

    #[test]
    fn bad_arguments_are_reported() {
        let draws = small_draws();
        let path = temporary("bad");
        let error = write_stan_csv(&path, &draws, 2, &small_info()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "write_stan_csv: chain_index is 2, but must be less than the number of chains (2)"
        );
        let info = RunInfo {
            num_samples: 1000,
            ..small_info()
        };
        let error = write_stan_csv(&path, &draws, 0, &info).unwrap_err();
        assert_eq!(
            error.to_string(),
            "write_stan_csv: draws (num_samples / thin) has size 3, but must have size 1000"
        );
        let missing = read_stan_csv(temporary("does_not_exist")).unwrap_err();
        assert!(matches!(missing, Error::Io { .. }));
    }

    #[test]
    fn ragged_rows_are_rejected() {
        let path = temporary("ragged");
        std::fs::write(&path, "# method = sample\nlp__,mu\n1,2\n3\n").unwrap();
        let error = read_stan_csv(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(
            error
                .to_string()
                .ends_with("line 4: 1 values, but the header has 2 columns"),
            "{error}"
        );
    }

    #[test]
    fn indexed_names_use_cmdstan_dots() {
        assert_eq!(csv_column_name("theta[1]"), "theta.1");
        assert_eq!(csv_column_name("Sigma[2, 3]"), "Sigma.2.3");
        assert_eq!(csv_column_name("mu"), "mu");
        assert_eq!(draws_column_name("Sigma.2.3"), "Sigma[2,3]");
        assert_eq!(draws_column_name("theta.1"), "theta[1]");
        assert_eq!(draws_column_name("my.name"), "my.name");
        assert_eq!(draws_column_name("mu"), "mu");
    }

    #[test]
    fn numbers_read_back_exactly() {
        for value in [0.1, -1.5, 2.0e-7, 1e20, 123456789.0, -0.0, 1.0 / 3.0] {
            assert_eq!(format_number(value).parse::<f64>().unwrap(), value);
        }
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(f64::NAN), "nan");
        assert_eq!(format_number(f64::NEG_INFINITY), "-inf");
    }
}

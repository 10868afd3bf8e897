//! Shared test support: reading the posteriordb material in tests/data, Stan's exact log-density checks, and the reference-posterior comparison rules of tests/data/posteriordb/README.md.

#![allow(dead_code)]

pub mod hand;

use std::path::PathBuf;

use ppl::core::Model;
use ppl::infer::diagnostics::{ess_bulk, rhat};
use ppl::infer::Draws;
use serde_json::Value;

/// `tests/data/<relative>`.
pub fn data_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(relative)
}

/// Reads a JSON file under `tests/data`.
pub fn read_json(relative: &str) -> Value {
    let path = data_path(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text of a data file of a posterior (`data.json`), for the models' JSON constructors.
pub fn posterior_data(name: &str) -> String {
    let path = data_path(&format!("posteriordb/{name}/data.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

/// Flattens Stan-shaped JSON (nested arrays in Stan's row-major JSON order) to column-major
/// Stan order, as `constrained_flat` and our `param_names` use.
/// The dimensions of Stan-shaped JSON (nested arrays).
fn shape(v: &Value) -> Vec<usize> {
    match v.as_array() {
        Some(a) if !a.is_empty() => {
            let mut s = vec![a.len()];
            s.extend(shape(&a[0]));
            s
        }
        Some(_) => vec![0],
        None => vec![],
    }
}

fn flatten_column_major(value: &Value) -> Vec<f64> {
    fn get(v: &Value, index: &[usize]) -> f64 {
        index
            .iter()
            .fold(v, |v, &i| &v[i])
            .as_f64()
            .expect("number")
    }
    let dims = shape(value);
    let total: usize = dims.iter().product();
    let mut out = Vec::with_capacity(total);
    let mut index = vec![0; dims.len()];
    for _ in 0..total {
        out.push(get(value, &index));
        // First index fastest.
        for (k, i) in index.iter_mut().enumerate() {
            *i += 1;
            if *i < dims[k] {
                break;
            }
            *i = 0;
        }
    }
    out
}

/// The dense (chunked `Dual<8>`) and sparse (`SparseDual`) gradients of `model` agree at `u` to
/// 1e-12 relative, with and without the Jacobian, whichever mode `GradientMode::Auto` picks.
pub fn assert_gradient_modes_agree<M: Model>(model: &M, u: &[f64], file: &str, point: u64) {
    let d = u.len();
    for jacobian in [true, false] {
        let (mut dense, mut sparse) = (vec![0.0; d], vec![0.0; d]);
        let dense_value = ppl::core::gradient_chunked::<8, _>(
            |x| model.log_density_dual(x, jacobian),
            u,
            &mut dense,
        )
        .expect("dense gradient");
        let sparse_value =
            ppl::core::gradient_sparse(|x| model.log_density_sparse(x, jacobian), u, &mut sparse)
                .expect("sparse gradient");
        assert!(
            (dense_value - sparse_value).abs() <= 1e-12 * dense_value.abs().max(1.0),
            "{file} point {point}: value dense {dense_value} vs sparse {sparse_value}"
        );
        for (i, (a, b)) in dense.iter().zip(&sparse).enumerate() {
            assert!(
                (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                "{file} point {point} (jacobian {jacobian}): gradient[{i}] dense {a} vs sparse {b}"
            );
        }
    }
}

/// Checks a model against Stan's log density and gradient at the three recorded points
/// (`<file>` is e.g. `posteriordb/garch-garch11/logdensity_checks.json` or
/// `bench/checks/poisson_glm.logdensity_checks.json`), following the rules of the posteriordb
/// README: constrained values to 1e-12, differences of `log_prob_jacobian` and
/// `log_prob_no_jacobian` between points to 1e-8 relative, gradients to 1e-6 relative, and
/// transformed parameters (our derived quantities) to 1e-10.
///
/// `skip_jacobian` skips the Jacobian-dependent checks (a model whose transforms differ from
/// Stan's).
pub fn check_log_density<M: Model>(model: &M, file: &str, skip_jacobian: bool) {
    let checks = read_json(file);
    let d = checks["d"].as_u64().expect("d") as usize;
    assert_eq!(Model::dim(model), d, "{file}: dimension");
    let names = Model::param_names(model);
    let stan_names: Vec<String> = checks["constrained_names"]
        .as_array()
        .expect("constrained_names")
        .iter()
        .map(|v| v.as_str().expect("name").to_string())
        .collect();
    let points = checks["points"].as_array().expect("points");
    let mut lp_jacobian = Vec::new();
    let mut lp_plain = Vec::new();
    for point in points {
        let index = point["index"].as_u64().unwrap_or(0);
        let u = f64s(&point["unconstrained"]);
        let constrained = Model::constrain(model, &u).expect("constrain");
        // Constrained values by name, in Stan's order.
        for (k, name) in stan_names.iter().enumerate() {
            let expected = point["constrained_flat"][k]
                .as_f64()
                .expect("constrained_flat");
            let j = names.iter().position(|n| n == name).unwrap_or_else(|| {
                panic!("{file}: model has no output named {name}; it has {names:?}")
            });
            let actual = constrained[j];
            assert!(
                (actual - expected).abs() <= 1e-12 * expected.abs().max(1.0),
                "{file} point {index}: {name} = {actual}, Stan {expected}"
            );
        }
        if let Some(tp) = point
            .get("transformed_parameters")
            .and_then(Value::as_object)
        {
            for (base, value) in tp {
                let flat = flatten_column_major(value);
                let element_names = if value.is_array() {
                    stan_flat_names(base, &shape(value))
                } else {
                    vec![base.clone()]
                };
                for (name, expected) in element_names.into_iter().zip(&flat) {
                    let j = names.iter().position(|n| *n == name).unwrap_or_else(|| {
                        panic!("{file}: model has no derived quantity {name}; it has {names:?}")
                    });
                    assert!(
                        (constrained[j] - expected).abs() <= 1e-10 * expected.abs().max(1.0),
                        "{file} point {index}: {name} = {}, Stan {expected}",
                        constrained[j]
                    );
                }
            }
        }
        let plain = model.log_density_f64(&u, false).expect("log density");
        lp_plain.push((plain, point["log_prob_no_jacobian"].as_f64().expect("lp")));
        if !skip_jacobian {
            let with = model.log_density_f64(&u, true).expect("log density");
            lp_jacobian.push((with, point["log_prob_jacobian"].as_f64().expect("lp")));
            let mut gradient = vec![0.0; d];
            ppl::core::LogDensity::log_density_gradient(model, &u, &mut gradient)
                .expect("gradient");
            let stan = f64s(&point["grad_log_prob"]);
            for (i, (g, s)) in gradient.iter().zip(&stan).enumerate() {
                assert!(
                    (g - s).abs() <= 1e-6 * s.abs().max(1.0),
                    "{file} point {index}: gradient[{i}] = {g}, Stan {s}"
                );
            }
            assert_gradient_modes_agree(model, &u, file, index);
            ppl::core::LogDensity::log_density_gradient_no_jacobian(model, &u, &mut gradient)
                .expect("gradient");
            let stan = f64s(&point["grad_log_prob_no_jacobian"]);
            for (i, (g, s)) in gradient.iter().zip(&stan).enumerate() {
                assert!(
                    (g - s).abs() <= 1e-6 * s.abs().max(1.0),
                    "{file} point {index}: gradient (no Jacobian)[{i}] = {g}, Stan {s}"
                );
            }
        }
    }
    for (label, pairs) in [
        ("log_prob_no_jacobian", &lp_plain),
        ("log_prob_jacobian", &lp_jacobian),
    ] {
        for k in 1..pairs.len() {
            let ours = pairs[k].0 - pairs[0].0;
            let stan = pairs[k].1 - pairs[0].1;
            let scale = 1f64.max(pairs[0].1.abs()).max(pairs[k].1.abs());
            assert!(
                (ours - stan).abs() <= 1e-8 * scale,
                "{file}: {label} difference point {k} − point 0 is {ours}, Stan {stan}"
            );
        }
    }
}

/// One parameter's comparison with the reference posterior.
#[derive(Debug)]
pub struct Comparison {
    pub name: String,
    pub mean: f64,
    pub reference_mean: f64,
    pub mean_tolerance: f64,
    pub sd_ratio: f64,
    pub sd_tolerance: f64,
    pub ess_bulk: f64,
    pub rhat: f64,
}

impl Comparison {
    pub fn passes(&self) -> bool {
        (self.mean - self.reference_mean).abs() <= self.mean_tolerance
            && (self.sd_ratio - 1.0).abs() <= self.sd_tolerance
            && self.rhat < 1.01
            && self.ess_bulk >= 100.0
    }
}

/// Compares draws with `tests/data/posteriordb/<name>/reference.json` by the README's rules:
/// `|m̂ − m| ≤ k·sqrt(mcse_est² + mcse_ref²)` with `mcse_est = ŝ / sqrt(ESS_bulk)`, and
/// `|ŝ/s − 1| ≤ max(0.1, 5/sqrt(2·ESS_bulk))`, R-hat < 1.01, ESS ≥ 100.
pub fn compare_with_reference(draws: &Draws, name: &str, k: f64) -> Vec<Comparison> {
    let reference = read_json(&format!("posteriordb/{name}/reference.json"));
    let parameters = reference["parameters"].as_object().expect("parameters");
    parameters
        .iter()
        .map(|(param, stats)| {
            let chains = draws.column(param).unwrap_or_else(|_| {
                panic!("{name}: draws have no column {param}: {:?}", draws.names)
            });
            let pooled: Vec<f64> = chains.concat();
            let n = pooled.len() as f64;
            let mean = pooled.iter().sum::<f64>() / n;
            let sd = (pooled.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            let ess = ess_bulk(&chains);
            let reference_mean = stats["mean"].as_f64().expect("mean");
            let reference_sd = stats["sd"].as_f64().expect("sd");
            let reference_mcse = stats["ref_mcse_mean"].as_f64().expect("ref_mcse_mean");
            let mcse = sd / ess.sqrt();
            Comparison {
                name: param.clone(),
                mean,
                reference_mean,
                mean_tolerance: k * (mcse * mcse + reference_mcse * reference_mcse).sqrt(),
                sd_ratio: sd / reference_sd,
                sd_tolerance: (5.0 / (2.0 * ess).sqrt()).max(0.1),
                ess_bulk: ess,
                rhat: rhat(&chains),
            }
        })
        .collect()
}

/// Panics with a table of every failing parameter.
#[track_caller]
pub fn assert_matches_reference(draws: &Draws, name: &str, k: f64) {
    let comparisons = compare_with_reference(draws, name, k);
    let failures: Vec<&Comparison> = comparisons.iter().filter(|c| !c.passes()).collect();
    assert!(
        failures.is_empty(),
        "{name}: {} of {} parameters fail:\n{failures:#?}",
        failures.len(),
        comparisons.len()
    );
}

/// Stan's flat names of an array with dimensions `dims` in column-major order (first index
/// fastest): `theta[1,1]`, `theta[2,1]`, `theta[1,2]`, …
fn stan_flat_names(base: &str, dims: &[usize]) -> Vec<String> {
    let total: usize = dims.iter().product();
    let mut index = vec![0; dims.len()];
    let mut out = Vec::with_capacity(total);
    for _ in 0..total {
        let label: Vec<String> = index.iter().map(|i| (i + 1).to_string()).collect();
        out.push(format!("{base}[{}]", label.join(",")));
        for (k, i) in index.iter_mut().enumerate() {
            *i += 1;
            if *i < dims[k] {
                break;
            }
            *i = 0;
        }
    }
    out
}

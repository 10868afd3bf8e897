//! Measures the cost of one gradient relative to one `f64` log-density evaluation: the five hand-written performance-suite models by AD mode (dense lanes, sparse capacity) against an analytic gradient and the `num-dual` crate, and nine `model!` models in both gradient modes; prints one JSON line per measurement.
//!
//! Run with `cargo run --release --example bench_gradient`. Method and results:
//! `docs/performance.md`.
//!
//! Without arguments everything runs: each hand-written model (`eight_schools_noncentered`,
//! `logistic_regression`, `hierarchical_regression`, `poisson_glm`, `correlated_gaussian_100`),
//! the num-dual comparison and the `model!` section. Arguments select a part:
//!
//! - `--model NAME` (repeatable): run only the named hand-written models (the num-dual
//!   comparison runs with `eight_schools_noncentered`), and skip the `model!` section;
//! - `--macro`: run the `model!` section as well (alone, it runs only that section).
//!
//! For example
//! `cargo run --release --example bench_gradient -- --model poisson_glm --model correlated_gaussian_100`.
//! Before timing, every gradient path is checked against the analytic gradient (relative
//! `1e-8`) and every form's log-density value against the analytic form's.

#[path = "../benches/support/hand_models.rs"]
mod hand_models;
#[path = "../tests/models/mod.rs"]
#[allow(dead_code, clippy::all)]
mod models;
#[path = "support/timing.rs"]
mod timing;

use std::hint::black_box;

use hand_models::{
    dual_gradient, dual_gradient_elementwise, sparse_gradient, sparse_gradient_elementwise,
    test_point, CorrelatedGaussian, EightSchools, HandModel, HierarchicalRegression,
    LogisticRegression, PoissonGlm,
};
use num_dual::{DualNum, DualSVec64};
use ppl::core::{gradient_chunked, gradient_sparse, GradientMode, LogDensity, Model};

/// The time per call (ns) of `f`: the minimum over 15 blocks of the mean time per call (see
/// [`timing::block_means_ns`]); the minimum is the block least disturbed by other processes.
fn time_ns(f: impl FnMut()) -> f64 {
    timing::block_means_ns(f, 15)
        .into_iter()
        .fold(f64::INFINITY, f64::min)
}

/// The eight-schools density element by element over num-dual's dual vector.
fn eight_schools_num_dual<D: DualNum<f64> + Copy>(y: &[f64], sigma: &[f64], u: &[D]) -> D {
    let (mu, log_tau) = (u[0], u[1]);
    let tau = log_tau.exp();
    let mut lp = -(mu / 5.0).powi(2) * 0.5 - (tau / 5.0).powi(2).ln_1p() + log_tau;
    for j in 0..y.len() {
        let t = u[2 + j];
        lp -= t.powi(2) * 0.5;
        let z = (mu + tau * t - y[j]) / sigma[j];
        lp -= z.powi(2) * 0.5;
    }
    lp
}

/// Chunked gradient with num-dual's `DualSVec64<N>`.
fn num_dual_gradient<const N: usize>(
    f: impl Fn(&[DualSVec64<N>]) -> DualSVec64<N>,
    x: &[f64],
    g: &mut [f64],
) -> f64 {
    let mut inputs: Vec<DualSVec64<N>> = x.iter().map(|&v| DualSVec64::from_re(v)).collect();
    let mut value = 0.0;
    let mut start = 0;
    while start < x.len() {
        let end = (start + N).min(x.len());
        for (lane, i) in (start..end).enumerate() {
            let mut e = nalgebra::SVector::<f64, N>::zeros();
            e[lane] = 1.0;
            inputs[i] = DualSVec64::new(x[i], num_dual::Derivative::some(e));
        }
        let out = f(&inputs);
        value = out.re;
        let eps = out
            .eps
            .unwrap_generic(nalgebra::Const::<N>, nalgebra::Const::<1>);
        for (lane, i) in (start..end).enumerate() {
            g[i] = eps[lane];
            inputs[i] = DualSVec64::from_re(x[i]);
        }
        start = end;
    }
    value
}

/// Asserts that `value` agrees with `reference` to relative `1e-8` (absolute below 1), naming
/// the model, what is compared and the path that computed it.
fn assert_agrees(model: &str, what: &str, path: &str, value: f64, reference: f64) {
    assert!(
        (value - reference).abs() <= 1e-8 * reference.abs().max(1.0),
        "{model}: {what} by {path} is {value}, analytic {reference}"
    );
}

/// Asserts that the gradient `g` computed by `path` agrees with the analytic `g_check`.
fn assert_gradient_agrees(model: &str, path: &str, g: &[f64], g_check: &[f64]) {
    for (i, (a, b)) in g.iter().zip(g_check).enumerate() {
        assert_agrees(model, &format!("gradient[{i}]"), path, *a, *b);
    }
}

fn report<M: HandModel>(model: &M) {
    let d = model.dim();
    let name = model.name();
    let u = test_point(d);
    let mut g = vec![0.0; d];
    let mut g_check = vec![0.0; d];
    // All forms must compute the same log-density and all gradient paths the same gradient
    // before they are timed (each path is checked again after its timing, below).
    let value = model.analytic(&u, &mut g_check);
    assert_agrees(
        name,
        "value",
        "vectorised f64",
        model.vectorised::<f64>(&u),
        value,
    );
    assert_agrees(
        name,
        "value",
        "elementwise f64",
        model.elementwise::<f64>(&u),
        value,
    );
    let dual_value = dual_gradient::<M, 8>(model, &u, &mut g);
    assert_agrees(name, "value", "dual8", dual_value, value);
    assert_gradient_agrees(name, "dual8", &g, &g_check);
    let f64_ns = time_ns(|| {
        black_box(model.vectorised::<f64>(black_box(&u)));
    });
    let analytic_ns = time_ns(|| {
        black_box(model.analytic(black_box(&u), &mut g));
    });
    let mut line = format!(
        "{{\"model\":\"{name}\",\"d\":{d},\"f64_eval_ns\":{f64_ns:.0},\"analytic_grad_over_f64\":{:.2}",
        analytic_ns / f64_ns
    );
    macro_rules! lanes {
        ($($n:literal),*) => {$(
            let ns = time_ns(|| {
                black_box(dual_gradient::<M, $n>(model, black_box(&u), &mut g));
            });
            assert_gradient_agrees(name, concat!("dual", $n), &g, &g_check);
            line += &format!(",\"dual{}_grad_over_f64\":{:.2},\"dual{}_grad_over_analytic\":{:.2}", $n, ns / f64_ns, $n, ns / analytic_ns);
            let ns = time_ns(|| {
                black_box(dual_gradient_elementwise::<M, $n>(model, black_box(&u), &mut g));
            });
            assert_gradient_agrees(name, concat!("dual", $n, " elementwise"), &g, &g_check);
            line += &format!(",\"dual{}_elementwise_grad_over_f64\":{:.2}", $n, ns / f64_ns);
        )*};
    }
    lanes!(1, 4, 8, 16);
    // All sparse paths must agree with the analytic gradient too.
    let sparse_value = sparse_gradient::<M, 8>(model, &u, &mut g);
    assert_agrees(name, "value", "sparse8", sparse_value, value);
    assert_gradient_agrees(name, "sparse8", &g, &g_check);
    macro_rules! capacities {
        ($($k:literal),*) => {$(
            let ns = time_ns(|| {
                black_box(sparse_gradient::<M, $k>(model, black_box(&u), &mut g));
            });
            assert_gradient_agrees(name, concat!("sparse", $k), &g, &g_check);
            line += &format!(",\"sparse{}_grad_over_f64\":{:.2},\"sparse{}_grad_over_analytic\":{:.2}", $k, ns / f64_ns, $k, ns / analytic_ns);
            let ns = time_ns(|| {
                black_box(sparse_gradient_elementwise::<M, $k>(model, black_box(&u), &mut g));
            });
            assert_gradient_agrees(name, concat!("sparse", $k, " elementwise"), &g, &g_check);
            line += &format!(",\"sparse{}_elementwise_grad_over_analytic\":{:.2}", $k, ns / analytic_ns);
        )*};
    }
    capacities!(4, 8, 16);
    line += "}";
    println!("{line}");
}

/// The hand-written models, in the order a run without `--model` reports them.
const HAND_MODELS: [&str; 5] = [
    "eight_schools_noncentered",
    "logistic_regression",
    "hierarchical_regression",
    "poisson_glm",
    "correlated_gaussian_100",
];

/// The command line, for error messages.
const USAGE: &str = "bench_gradient [--model NAME]... [--macro]";

/// What a run measures, from the command line (see the module docs).
struct Selection {
    /// Hand-written models to report, in order, each once.
    hand_models: Vec<&'static str>,
    /// Whether the `model!` section runs.
    macro_models: bool,
}

impl Selection {
    /// Parses `--model NAME` (repeatable) and `--macro`; no arguments select everything.
    fn from_args(args: impl Iterator<Item = String>) -> Result<Self, String> {
        let mut hand_models = Vec::new();
        let mut macro_models = false;
        let mut any = false;
        let mut args = args;
        while let Some(arg) = args.next() {
            any = true;
            match arg.as_str() {
                "--macro" => macro_models = true,
                "--model" => {
                    let name = args
                        .next()
                        .ok_or_else(|| "--model needs a model name".to_string())?;
                    let known = HAND_MODELS
                        .iter()
                        .find(|known| **known == name)
                        .ok_or_else(|| {
                            format!(
                                "unknown model {name}; hand-written models: {}",
                                HAND_MODELS.join(", ")
                            )
                        })?;
                    if !hand_models.contains(known) {
                        hand_models.push(*known);
                    }
                }
                other => return Err(format!("unknown argument {other}; usage: {USAGE}")),
            }
        }
        if !any {
            return Ok(Selection {
                hand_models: HAND_MODELS.to_vec(),
                macro_models: true,
            });
        }
        Ok(Selection {
            hand_models,
            macro_models,
        })
    }
}

fn main() {
    let selection = Selection::from_args(std::env::args().skip(1)).unwrap_or_else(|message| {
        eprintln!("bench_gradient: {message}");
        std::process::exit(2);
    });
    for &name in &selection.hand_models {
        match name {
            "eight_schools_noncentered" => report(&EightSchools::load()),
            "logistic_regression" => report(&LogisticRegression::load()),
            "hierarchical_regression" => report(&HierarchicalRegression::load()),
            "poisson_glm" => report(&PoissonGlm::load()),
            "correlated_gaussian_100" => report(&CorrelatedGaussian::load()),
            _ => unreachable!("{name} is in HAND_MODELS"),
        }
    }
    if selection.hand_models.contains(&"eight_schools_noncentered") {
        num_dual_comparison();
    }
    if selection.macro_models {
        macro_section();
    }
}

/// Our `Dual<8>` against num-dual's `DualSVec64<8>` on the same element-by-element code
/// (eight schools).
fn num_dual_comparison() {
    let model = EightSchools::load();
    let data: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!(
            "{}/tests/data/bench/eight_schools_noncentered.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("data"),
    )
    .expect("json");
    let y: Vec<f64> = data["y"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let sigma: Vec<f64> = data["sigma"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let u = test_point(model.dim());
    let mut g = vec![0.0; u.len()];
    let ours = time_ns(|| {
        black_box(dual_gradient_elementwise::<EightSchools, 8>(
            &model,
            black_box(&u),
            &mut g,
        ));
    });
    let theirs = time_ns(|| {
        black_box(num_dual_gradient::<8>(
            |x| eight_schools_num_dual(&y, &sigma, x),
            black_box(&u),
            &mut g,
        ));
    });
    println!(
        "{{\"comparison\":\"ppl Dual<8> vs num-dual DualSVec64<8>\",\"model\":\"eight_schools_noncentered\",\"ppl_ns\":{ours:.0},\"num_dual_ns\":{theirs:.0},\"num_dual_over_ppl\":{:.2}}}",
        theirs / ours
    );
}

/// Every `model!` model of the suite (and a few more) in both gradient modes.
fn macro_section() {
    for (name, dim, f64_ns, dense8, dense16, sparse, auto) in [
        model_modes(&models::bench_eight_schools::load()),
        model_modes(&models::logistic_regression::load()),
        model_modes(&models::poisson_glm::load()),
        model_modes(&models::gp_pois_regr::load()),
        model_modes(&models::hmm_example::load()),
        model_modes(&models::diamonds::load()),
        model_modes(&models::hierarchical_regression::load()),
        model_modes(&models::hierarchical_regression_affine::load()),
        model_modes(&models::correlated_gaussian::load()),
        model_modes(&models::hierarchical_logistic::load()),
    ] {
        let auto = match auto {
            GradientMode::Sparse => "sparse",
            _ => "dense",
        };
        println!(
            "{{\"model_macro\":\"{name}\",\"d\":{dim},\"f64_eval_ns\":{f64_ns:.0},\"dense8_grad_over_f64\":{:.2},\"dense16_grad_over_f64\":{:.2},\"sparse8_grad_over_f64\":{:.2},\"auto\":\"{auto}\"}}",
            dense8 / f64_ns,
            dense16 / f64_ns,
            sparse / f64_ns
        );
    }
}

/// Times one `f64` evaluation and the gradient in dense (8 and 16 lanes) and sparse mode of a
/// `model!` model at the test point: `(name, d, f64 ns, dense8 ns, dense16 ns, sparse ns, the
/// mode `GradientMode::Auto` picks)`.
fn model_modes<M: Model>(model: &M) -> (String, usize, f64, f64, f64, f64, GradientMode) {
    let d = Model::dim(model);
    let u = test_point(d);
    let mut g = vec![0.0; d];
    let f64_ns = time_ns(|| {
        black_box(model.log_density(black_box(&u)).unwrap());
    });
    let dense8 = time_ns(|| {
        black_box(
            gradient_chunked::<8, _>(|x| model.log_density_dual(x, true), black_box(&u), &mut g)
                .unwrap(),
        );
    });
    let dense16 = time_ns(|| {
        black_box(
            gradient_chunked::<16, _>(|x| model.log_density_dual(x, true), black_box(&u), &mut g)
                .unwrap(),
        );
    });
    let sparse = time_ns(|| {
        black_box(
            gradient_sparse(|x| model.log_density_sparse(x, true), black_box(&u), &mut g).unwrap(),
        );
    });
    let name = std::any::type_name::<M>()
        .rsplit("::")
        .next()
        .unwrap_or("model")
        .to_string();
    let auto = GradientMode::Auto.resolve_for(model);
    (name, d, f64_ns, dense8, dense16, sparse, auto)
}

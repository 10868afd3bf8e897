//! Epistemic variance flags out-of-distribution inputs: a one-hidden-layer Bayesian neural network fitted with NUTS, mean-field ADVI and a 5-member multi-start MAP ensemble, scored by AUROC of in- versus out-of-distribution inputs.
//!
//! Run with `cargo run --release --example ood_epistemic`; writes
//! `docs/img/ood_epistemic.svg`. Discussion and measured numbers: `docs/uncertainty.md`.
//!
//! Model: `f(x, W) = b2 + Σ_h w2[h] tanh(w1[h] x + b1[h])` with `H = 17` hidden units (52
//! weights), every weight `~ normal(0, 1)`, and `y ~ normal(f(x, W), 0.2)` with the noise scale
//! known. Data: 30 points `x ~ uniform(-3, 3)`, `y = sin(x) + 0.2 ε` (seed 11). Scores: the
//! epistemic variance `Var_W f(x, W)` on 61 in-distribution inputs (a grid on [-3, 3]) and 52
//! out-of-distribution inputs (grids on [-7, -4.5] and [4.5, 7]).

use std::time::Instant;

use plotters::prelude::*;
use ppl::core::dist::{Distribution, Normal};
use ppl::core::Real;
use ppl::infer::advi::{self, AdviOptions};
use ppl::infer::nuts::{sample, NutsOptions};
use ppl::infer::optimize::{multistart_map, MapOptions, MultistartOptions};
use ppl::infer::uncertainty::{auroc, regression_decomposition};
use ppl::infer::Draws;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Hidden units.
const HIDDEN: usize = 17;
/// Number of weights: `w1`, `b1`, `w2` (each `HIDDEN`) and `b2`.
const WEIGHTS: usize = 3 * HIDDEN + 1;
/// Known observation noise scale.
const NOISE: f64 = 0.2;
/// Training points.
const N_TRAIN: usize = 30;

/// The network output `b2 + Σ_h w2[h] tanh(w1[h] x + b1[h])`.
fn network<T: Real>(w1: &[T], b1: &[T], w2: &[T], b2: T, x: f64) -> T {
    w1.iter()
        .zip(b1)
        .zip(w2)
        .fold(b2, |out, ((&w, &b), &v)| out + v * (w * x + b).tanh())
}

/// [`network`] for a weight vector in `param_names` order (`w1, b1, w2, b2`).
fn network_at(w: &[f64], x: f64) -> f64 {
    let (w1, rest) = w.split_at(HIDDEN);
    let (b1, rest) = rest.split_at(HIDDEN);
    let (w2, b2) = rest.split_at(HIDDEN);
    network(w1, b1, w2, b2[0], x)
}

ppl::model! {
    /// One-hidden-layer tanh network with standard normal priors and known noise scale.
    pub struct Bnn {
        H: usize,
        #[data(size = y.len())]
        x: Vec<f64>,
        y: Vec<f64>,
        #[data(lower = 0.0)]
        sigma: f64,
    }
    w1[H] ~ std_normal();
    b1[H] ~ std_normal();
    w2[H] ~ std_normal();
    b2 ~ std_normal();
    let f: Vec<T> = x.iter().map(|&xn| network(w1, b1, w2, b2, xn)).collect();
    y ~ normal(f, sigma);
}

/// Every draw's weight vector (chains pooled).
fn weight_draws(draws: &Draws) -> Vec<Vec<f64>> {
    let n = draws.n_columns();
    draws
        .chains
        .iter()
        .flat_map(|chain| chain.values.chunks(n).map(|row| row[..WEIGHTS].to_vec()))
        .collect()
}

/// Predictive mean and epistemic variance `Var_W f(x, W)` at each input.
fn epistemic(weights: &[Vec<f64>], inputs: &[f64]) -> ppl::infer::Result<Vec<(f64, f64)>> {
    let means: Vec<Vec<f64>> = weights
        .iter()
        .map(|w| inputs.iter().map(|&x| network_at(w, x)).collect())
        .collect();
    let variances = vec![vec![NOISE * NOISE; inputs.len()]; weights.len()];
    Ok(regression_decomposition(&means, &variances)?
        .into_iter()
        .map(|s| (s.mean, s.epistemic))
        .collect())
}

/// `n` evenly spaced points from `from` to `to`.
fn grid(from: f64, to: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| from + (to - from) * i as f64 / (n - 1) as f64)
        .collect()
}

/// One fitted method: name, draws of the weights, wall time, a note.
struct Method {
    name: &'static str,
    weights: Vec<Vec<f64>>,
    seconds: f64,
    note: String,
}

/// One panel per method: predictive mean ± 2 epistemic sd over [-7, 7], the data, and the
/// out-of-distribution regions shaded.
fn plot(
    path: &str,
    methods: &[Method],
    train: (&[f64], &[f64]),
    aurocs: &[f64],
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (720, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let panels = root.split_evenly((methods.len(), 1));
    let xs = grid(-7.0, 7.0, 281);
    for ((panel, method), auc) in panels.iter().zip(methods).zip(aurocs) {
        let curve = epistemic(&method.weights, &xs)?;
        let mut chart = ChartBuilder::on(panel)
            .caption(
                format!("{}: mean ± 2 epistemic sd (AUROC {auc:.3})", method.name),
                ("sans-serif", 16),
            )
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-7f64..7f64, -4f64..4f64)?;
        chart.configure_mesh().x_desc("x").y_desc("y").draw()?;
        for (from, to) in [(-7.0, -4.5), (4.5, 7.0)] {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(from, -4.0), (to, 4.0)],
                RGBColor(255, 200, 120).mix(0.3).filled(),
            )))?;
        }
        let band: Vec<(f64, f64)> = xs
            .iter()
            .zip(&curve)
            .map(|(&x, &(m, v))| (x, (m + 2.0 * v.sqrt()).clamp(-4.0, 4.0)))
            .chain(
                xs.iter()
                    .zip(&curve)
                    .rev()
                    .map(|(&x, &(m, v))| (x, (m - 2.0 * v.sqrt()).clamp(-4.0, 4.0))),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2).filled())))?;
        chart.draw_series(LineSeries::new(
            xs.iter()
                .zip(&curve)
                .map(|(&x, &(m, _))| (x, m.clamp(-4.0, 4.0))),
            BLUE.stroke_width(2),
        ))?;
        chart.draw_series(LineSeries::new(
            xs.iter().map(|&x| (x, x.sin())),
            BLACK.mix(0.4),
        ))?;
        chart.draw_series(
            train
                .0
                .iter()
                .zip(train.1)
                .map(|(&x, &y)| Circle::new((x, y), 3, BLACK.filled())),
        )?;
    }
    root.present()?;
    Ok(())
}

/// Seconds since `start`, also reported on stderr as progress.
fn stage_done(start: Instant) -> f64 {
    let seconds = start.elapsed().as_secs_f64();
    eprintln!("stage done in {seconds:.1} s");
    seconds
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let noise = Normal::new(0.0, NOISE)?;
    let x: Vec<f64> = (0..N_TRAIN).map(|_| rng.random_range(-3.0..3.0)).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&v| v.sin() + noise.sample(&mut rng))
        .collect();
    let model = Bnn::new(HIDDEN, x.clone(), y.clone(), NOISE)?;
    let inputs_in = grid(-3.0, 3.0, 61);
    let inputs_out: Vec<f64> = grid(-7.0, -4.5, 26)
        .into_iter()
        .chain(grid(4.5, 7.0, 26))
        .collect();

    let mut methods = Vec::new();

    // NUTS: 4 chains x 300 draws after 300 warm-up iterations, tree depth at most 7 (the
    // default depth 10 costs up to 1023 gradients per draw on this posterior).
    let start = Instant::now();
    let nuts = sample(
        &model,
        &NutsOptions {
            num_chains: 4,
            num_warmup: 300,
            num_draws: 300,
            max_depth: 7,
            progress: false,
            seed: 3,
            ..NutsOptions::default()
        },
    )?;
    let mean_depth = nuts
        .draws
        .chains
        .iter()
        .flat_map(|c| &c.stats)
        .map(|s| f64::from(s.tree_depth))
        .sum::<f64>()
        / (nuts.draws.n_chains() * nuts.draws.n_draws()) as f64;
    methods.push(Method {
        name: "NUTS",
        weights: weight_draws(&nuts.draws),
        seconds: stage_done(start),
        note: format!(
            "4x300 draws, {} divergences, mean tree depth {mean_depth:.1}",
            nuts.divergences
        ),
    });

    // Mean-field ADVI, 1000 draws from the approximation.
    let start = Instant::now();
    let advi_fit = advi::fit(
        &model,
        &AdviOptions {
            tol_rel_obj: 1e-3,
            seed: 3,
            ..AdviOptions::default()
        },
    )?;
    methods.push(Method {
        name: "ADVI (mean-field)",
        weights: weight_draws(&advi_fit.draws),
        seconds: stage_done(start),
        note: format!(
            "{:?} after {} iterations, k-hat {:.2}",
            advi_fit.status,
            advi_fit.iterations,
            advi_fit.khat()
        ),
    });

    // 5-member multi-start MAP ensemble.
    let start = Instant::now();
    let multistart = multistart_map(
        &model,
        &MultistartOptions {
            starts: 5,
            seed: 3,
            map: MapOptions {
                max_iterations: 5000,
                ..MapOptions::default()
            },
            ..MultistartOptions::default()
        },
    )?;
    let log_densities: Vec<f64> = multistart
        .modes
        .iter()
        .map(|mode| mode.fit.log_density)
        .collect();
    methods.push(Method {
        name: "MAP ensemble (5 starts)",
        weights: weight_draws(&multistart.ensemble_draws()),
        seconds: stage_done(start),
        note: format!(
            "{} of 5 runs converged, {} distinct modes, log density {:.3} to {:.3}",
            multistart.n_converged(),
            multistart.modes.len(),
            log_densities.iter().copied().fold(f64::INFINITY, f64::min),
            log_densities
                .iter()
                .copied()
                .fold(f64::NEG_INFINITY, f64::max)
        ),
    });

    println!("BNN 1-{HIDDEN}-1 tanh ({WEIGHTS} weights), {N_TRAIN} points on [-3, 3]");
    println!(
        "{:<24} {:>7} {:>12} {:>12} {:>7} {:>8}  note",
        "method", "draws", "epi_in", "epi_ood", "auroc", "time_s"
    );
    let mut aurocs = Vec::new();
    for method in &methods {
        let scores_in: Vec<f64> = epistemic(&method.weights, &inputs_in)?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let scores_out: Vec<f64> = epistemic(&method.weights, &inputs_out)?
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        let auc = auroc(&scores_in, &scores_out)?;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        println!(
            "{:<24} {:>7} {:>12.3e} {:>12.3e} {:>7.3} {:>8.1}  {}",
            method.name,
            method.weights.len(),
            mean(&scores_in),
            mean(&scores_out),
            auc,
            method.seconds,
            method.note
        );
        aurocs.push(auc);
    }
    println!("epi_in / epi_ood: mean epistemic variance over the in-distribution / OOD inputs");
    let path = "docs/img/ood_epistemic.svg";
    plot(path, &methods, (&x, &y), &aurocs)?;
    println!("wrote {path}");
    println!(
        "result: auroc_nuts={:.3} auroc_advi={:.3} auroc_ensemble={:.3}",
        aurocs[0], aurocs[1], aurocs[2]
    );
    Ok(())
}

//! BALD versus random acquisition for active learning of a nonlinear 2-D decision boundary: a Bayesian logistic regression on quadratic features, posterior by MAP + Laplace, queries ranked by mutual information.
//!
//! Run with `cargo run --release --example bald_active_learning`; writes
//! `docs/img/bald_active_learning.svg`. Discussion and measured numbers: `docs/uncertainty.md`.
//!
//! Task: `x ~ uniform([-3, 3]²)`, `y ~ bernoulli_logit(φ(x)·β_true)` with the quadratic features
//! `φ(x) = (1, x1, x2, x1², x2², x1 x2)` and `β_true = (11.2, 3.2, 0, -3.2, -6.4, 3.2)`: an
//! elliptical class-1 region covering about a quarter of the square. Model: `β ~ normal(0, 10)`,
//! `y ~ bernoulli_logit(φ(x)·β)`. Protocol per seed: a pool of 400 candidates whose labels are
//! revealed when queried, 16 random initial labels (the same for both strategies), then 40
//! rounds of one query each. Each round refits MAP + Laplace (200 draws) and measures the
//! accuracy of the posterior predictive `E_β p(y = 1 | x, β) > 1/2` on 1000 test points. BALD
//! queries the candidate with the largest mutual information `I(y; β | x, D)`; random queries a
//! uniform one.

use plotters::prelude::*;
use ppl::core::{Matrix, Real};
use ppl::infer::optimize::{laplace, map, LaplaceOptions, MapOptions};
use ppl::infer::uncertainty::bald_ranking;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Number of features (and coefficients).
const FEATURES: usize = 6;
/// True coefficients.
const BETA_TRUE: [f64; FEATURES] = [11.2, 3.2, 0.0, -3.2, -6.4, 3.2];
/// Prior scale of every coefficient.
const PRIOR_SCALE: f64 = 10.0;
/// Candidates in the pool.
const POOL: usize = 400;
/// Test points.
const TEST: usize = 1000;
/// Random labels before the first query.
const INITIAL: usize = 16;
/// Queries (rounds after the initial fit).
const ROUNDS: usize = 40;
/// Independent repetitions (pool, test set, initial labels).
const SEEDS: u64 = 5;
/// Laplace draws per fit.
const DRAWS: usize = 200;

/// Quadratic features `(1, x1, x2, x1², x2², x1 x2)`.
fn features(x: [f64; 2]) -> [f64; FEATURES] {
    [1.0, x[0], x[1], x[0] * x[0], x[1] * x[1], x[0] * x[1]]
}

/// `φ(x)·β` for one feature row.
fn linear<T: Real>(phi: &[f64; FEATURES], beta: &[T]) -> T {
    phi.iter()
        .zip(beta)
        .fold(T::constant(0.0), |acc, (f, b)| acc + *b * *f)
}

ppl::model! {
    /// Bayesian logistic regression on a fixed feature matrix.
    pub struct Logistic {
        K: usize,
        #[data(size = (y.len(), K))]
        phi: Matrix<f64>,
        y: Vec<i64>,
    }
    beta[K] ~ normal(0.0, PRIOR_SCALE);
    y ~ bernoulli_logit(phi * beta);
}

fn inv_logit(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Labelled points drawn from the true model.
struct Data {
    x: Vec<[f64; 2]>,
    y: Vec<i64>,
}

fn simulate(n: usize, rng: &mut ChaCha8Rng) -> Data {
    let x: Vec<[f64; 2]> = (0..n)
        .map(|_| [rng.random_range(-3.0..3.0), rng.random_range(-3.0..3.0)])
        .collect();
    let y = x
        .iter()
        .map(|&xi| i64::from(rng.random::<f64>() < inv_logit(linear(&features(xi), &BETA_TRUE))))
        .collect();
    Data { x, y }
}

/// Posterior draws of β given the labelled pool indices: MAP, then Laplace.
fn posterior(pool: &Data, labelled: &[usize], seed: u64) -> ppl::infer::Result<Vec<Vec<f64>>> {
    let phi: Vec<f64> = labelled.iter().flat_map(|&i| features(pool.x[i])).collect();
    let model = Logistic::new(
        FEATURES,
        Matrix::from_row_major(labelled.len(), FEATURES, phi)?,
        labelled.iter().map(|&i| pool.y[i]).collect(),
    )?;
    let mode = map(
        &model,
        &MapOptions {
            jacobian: true,
            seed,
            ..MapOptions::default()
        },
    )?;
    let fit = laplace(
        &model,
        &mode,
        &LaplaceOptions {
            draws: DRAWS,
            seed,
            ..LaplaceOptions::default()
        },
    )?;
    Ok(fit
        .draws
        .chains
        .iter()
        .flat_map(|c| c.values.chunks(FEATURES).map(<[f64]>::to_vec))
        .collect())
}

/// Accuracy of the posterior predictive on the test set.
fn accuracy(draws: &[Vec<f64>], test: &Data) -> f64 {
    let correct = test
        .x
        .iter()
        .zip(&test.y)
        .filter(|(&x, &y)| {
            let phi = features(x);
            let p = draws
                .iter()
                .map(|beta| inv_logit(linear(&phi, beta)))
                .sum::<f64>()
                / draws.len() as f64;
            i64::from(p > 0.5) == y
        })
        .count();
    correct as f64 / test.x.len() as f64
}

#[derive(Clone, Copy, PartialEq)]
enum Strategy {
    Bald,
    Random,
}

/// One active-learning run: the accuracy after the initial fit and after each query, and the
/// queried points.
fn run(
    strategy: Strategy,
    pool: &Data,
    test: &Data,
    initial: &[usize],
    seed: u64,
) -> ppl::infer::Result<(Vec<f64>, Vec<[f64; 2]>)> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed);
    let mut labelled = initial.to_vec();
    let mut curve = Vec::with_capacity(ROUNDS + 1);
    let mut queried = Vec::with_capacity(ROUNDS);
    for round in 0..=ROUNDS {
        let draws = posterior(pool, &labelled, seed * 1000 + round as u64)?;
        curve.push(accuracy(&draws, test));
        if round == ROUNDS {
            break;
        }
        let candidates: Vec<usize> = (0..POOL).filter(|i| !labelled.contains(i)).collect();
        let pick = match strategy {
            Strategy::Random => candidates[rng.random_range(0..candidates.len())],
            Strategy::Bald => {
                // probabilities[s][i]: class probabilities of candidate i under draw s.
                let probabilities: Vec<Vec<Vec<f64>>> = draws
                    .iter()
                    .map(|beta| {
                        candidates
                            .iter()
                            .map(|&i| {
                                let p = inv_logit(linear(&features(pool.x[i]), beta));
                                vec![1.0 - p, p]
                            })
                            .collect()
                    })
                    .collect();
                let (order, _) = bald_ranking(&probabilities)?;
                candidates[order[0]]
            }
        };
        labelled.push(pick);
        queried.push(pool.x[pick]);
    }
    Ok((curve, queried))
}

/// Area under a learning curve, normalised to [0, 1]: the trapezoidal mean accuracy over the
/// query budget.
fn area_under(curve: &[f64]) -> f64 {
    let segments = curve.len() - 1;
    curve
        .windows(2)
        .map(|pair| 0.5 * (pair[0] + pair[1]))
        .sum::<f64>()
        / segments as f64
}

/// The true decision boundary `φ(x)·β_true = 0`, traced along rays from a point inside it.
fn true_boundary() -> Vec<(f64, f64)> {
    let [_, b1, b2, b3, b4, b5] = BETA_TRUE;
    let centre = [0.5, 0.0];
    let inside = linear(&features(centre), &BETA_TRUE);
    (0..=180)
        .map(|k| {
            let angle = 2.0 * std::f64::consts::PI * k as f64 / 180.0;
            let (c, s) = (angle.cos(), angle.sin());
            let a = b3 * c * c + b4 * s * s + b5 * c * s;
            let b = b1 * c
                + b2 * s
                + 2.0 * b3 * centre[0] * c
                + 2.0 * b4 * centre[1] * s
                + b5 * (centre[0] * s + centre[1] * c);
            let r = (-b - (b * b - 4.0 * a * inside).sqrt()) / (2.0 * a);
            (centre[0] + r * c, centre[1] + r * s)
        })
        .collect()
}

type Curve = (Vec<f64>, Vec<f64>);

/// Left: mean learning curves ± 1 standard error over seeds. Right: the points each strategy
/// queried for the first seed, on the true boundary.
fn plot(
    path: &str,
    bald: &Curve,
    random: &Curve,
    queried: (&[[f64; 2]], &[[f64; 2]]),
) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (1000, 440)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(560);
    let lowest = bald
        .0
        .iter()
        .chain(&random.0)
        .fold(1.0f64, |m, v| m.min(*v));
    let mut chart = ChartBuilder::on(&left)
        .caption(
            format!("Test accuracy, mean ± 1 se over {SEEDS} seeds"),
            ("sans-serif", 18),
        )
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(50)
        .build_cartesian_2d(0f64..ROUNDS as f64, (lowest - 0.05).max(0.0)..1.0)?;
    chart
        .configure_mesh()
        .x_desc(format!("queries (after {INITIAL} random labels)"))
        .y_desc("accuracy")
        .draw()?;
    for (curve, colour, label) in [(bald, RED, "BALD"), (random, BLUE, "random")] {
        let band: Vec<(f64, f64)> = curve
            .0
            .iter()
            .zip(&curve.1)
            .enumerate()
            .map(|(k, (m, se))| (k as f64, m + se))
            .chain(
                curve
                    .0
                    .iter()
                    .zip(&curve.1)
                    .enumerate()
                    .rev()
                    .map(|(k, (m, se))| (k as f64, m - se)),
            )
            .collect();
        chart.draw_series(std::iter::once(Polygon::new(
            band,
            colour.mix(0.15).filled(),
        )))?;
        chart
            .draw_series(LineSeries::new(
                curve.0.iter().enumerate().map(|(k, m)| (k as f64, *m)),
                colour.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;

    let mut chart = ChartBuilder::on(&right)
        .caption("Queried points (seed 1)", ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(40)
        .build_cartesian_2d(-3f64..3f64, -3f64..3f64)?;
    chart.configure_mesh().x_desc("x1").y_desc("x2").draw()?;
    chart
        .draw_series(LineSeries::new(true_boundary(), BLACK.stroke_width(1)))?
        .label("true boundary")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK));
    chart
        .draw_series(
            queried
                .0
                .iter()
                .map(|p| Circle::new((p[0], p[1]), 4, RED.filled())),
        )?
        .label("BALD")
        .legend(|(x, y)| Circle::new((x + 10, y), 4, RED.filled()));
    chart
        .draw_series(
            queried
                .1
                .iter()
                .map(|p| TriangleMarker::new((p[0], p[1]), 5, BLUE.filled())),
        )?
        .label("random")
        .legend(|(x, y)| TriangleMarker::new((x + 10, y), 5, BLUE.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Mean and standard error over seeds, per round.
fn mean_and_se(curves: &[Vec<f64>]) -> Curve {
    let n = curves.len() as f64;
    (0..curves[0].len())
        .map(|k| {
            let mean = curves.iter().map(|c| c[k]).sum::<f64>() / n;
            let var = curves.iter().map(|c| (c[k] - mean).powi(2)).sum::<f64>() / (n - 1.0);
            (mean, (var / n).sqrt())
        })
        .unzip()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let start = std::time::Instant::now();
    let mut bald_curves = Vec::new();
    let mut random_curves = Vec::new();
    let mut first_queries = None;
    for seed in 1..=SEEDS {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let pool = simulate(POOL, &mut rng);
        let test = simulate(TEST, &mut rng);
        let mut initial = Vec::with_capacity(INITIAL);
        while initial.len() < INITIAL {
            let i = rng.random_range(0..POOL);
            if !initial.contains(&i) {
                initial.push(i);
            }
        }
        let (bald, bald_queries) = run(Strategy::Bald, &pool, &test, &initial, seed)?;
        let (random, random_queries) = run(Strategy::Random, &pool, &test, &initial, seed)?;
        if first_queries.is_none() {
            first_queries = Some((bald_queries, random_queries));
        }
        bald_curves.push(bald);
        random_curves.push(random);
    }
    let bald = mean_and_se(&bald_curves);
    let random = mean_and_se(&random_curves);
    println!(
        "BALD vs random acquisition, logistic regression on quadratic features, MAP + Laplace \
         ({DRAWS} draws)"
    );
    println!(
        "pool {POOL}, test {TEST}, {INITIAL} initial labels, {ROUNDS} queries, mean over {SEEDS} seeds"
    );
    println!(
        "{:>7} {:>8} {:>10} {:>8} {:>10}",
        "queries", "BALD", "(se)", "random", "(se)"
    );
    for k in 0..=ROUNDS {
        println!(
            "{:>7} {:>8.3} {:>10.3} {:>8.3} {:>10.3}",
            k, bald.0[k], bald.1[k], random.0[k], random.1[k]
        );
    }
    let alc_bald = area_under(&bald.0);
    let alc_random = area_under(&random.0);
    let per_seed: Vec<f64> = bald_curves
        .iter()
        .zip(&random_curves)
        .map(|(b, r)| area_under(b) - area_under(r))
        .collect();
    println!(
        "area under the learning curve (mean accuracy over the {ROUNDS} queries): BALD \
         {alc_bald:.4}, random {alc_random:.4}"
    );
    println!(
        "per-seed difference BALD - random: {}",
        per_seed
            .iter()
            .map(|d| format!("{d:+.4}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("time {:.1} s", start.elapsed().as_secs_f64());
    let path = "docs/img/bald_active_learning.svg";
    let (bald_queries, random_queries) = first_queries.expect("at least one seed");
    plot(path, &bald, &random, (&bald_queries, &random_queries))?;
    println!("wrote {path}");
    println!(
        "result: alc_bald={alc_bald:.4} alc_random={alc_random:.4} final_bald={:.4} final_random={:.4}",
        bald.0[ROUNDS], random.0[ROUNDS]
    );
    Ok(())
}

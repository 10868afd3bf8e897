//! Epistemic variance falls like 1/N while aleatoric variance stays at the noise level: a heteroscedastic regression fitted with NUTS for growing N, split by the law of total variance.
//!
//! Run with `cargo run --release --example epistemic_vs_n`; writes
//! `docs/img/epistemic_vs_n.svg`. Discussion and measured numbers: `docs/uncertainty.md`.
//!
//! Model (Stan notation): `y[i] ~ normal(a + b x[i], exp(c + d x[i]))` with `a, b, c, d ~
//! normal(0, 5)`. Data: `x ~ uniform(-2, 2)`, true `(a, b, c, d) = (1, 0.5, -0.7, 0.35)`, one
//! simulated data set of 1600 points (seed 2026) whose first N points are used for each N.
//! At the fixed inputs `x* ∈ {-1, 0, 1}`:
//! - epistemic `Var_W E(y | x*, W) = Var_W (a + b x*)` falls like `1/N`,
//! - aleatoric `E_W Var(y | x*, W) = E_W exp(2 (c + d x*))` tends to the true noise variance.

use std::time::Instant;

use plotters::prelude::*;
use ppl::core::dist::{Distribution, Normal};
use ppl::infer::nuts::{sample, NutsOptions};
use ppl::infer::uncertainty::regression_decomposition;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Sample sizes of the experiment.
const SIZES: [usize; 7] = [25, 50, 100, 200, 400, 800, 1600];
/// The fixed inputs at which the variance is split.
const INPUTS: [f64; 3] = [-1.0, 0.0, 1.0];
/// True parameters `(a, b, c, d)`.
const TRUTH: [f64; 4] = [1.0, 0.5, -0.7, 0.35];
/// Prior scale of every coefficient.
const PRIOR_SCALE: f64 = 5.0;

ppl::model! {
    /// `y ~ normal(a + b x, exp(c + d x))` with `normal(0, PRIOR_SCALE)` priors.
    pub struct Heteroscedastic {
        #[data(size = y.len())]
        x: Vec<f64>,
        y: Vec<f64>,
    }
    a ~ normal(0.0, PRIOR_SCALE);
    b ~ normal(0.0, PRIOR_SCALE);
    c ~ normal(0.0, PRIOR_SCALE);
    d ~ normal(0.0, PRIOR_SCALE);
    y ~ normal(a + b * x, (c + d * x).map(|v| v.exp()));
}

/// One row of the table: the split averaged over [`INPUTS`].
struct Row {
    n: usize,
    epistemic: f64,
    mcse_epistemic: f64,
    aleatoric: f64,
    divergences: usize,
    seconds: f64,
}

/// Least-squares slope of `ln y` against `ln x`.
fn log_log_slope(x: &[f64], y: &[f64]) -> f64 {
    let lx: Vec<f64> = x.iter().map(|v| v.ln()).collect();
    let ly: Vec<f64> = y.iter().map(|v| v.ln()).collect();
    let n = lx.len() as f64;
    let (mx, my) = (lx.iter().sum::<f64>() / n, ly.iter().sum::<f64>() / n);
    let sxy: f64 = lx.iter().zip(&ly).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = lx.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

/// Log-log plot of both variance parts against N, with the `1/N` reference line.
fn plot(path: &str, rows: &[Row], noise_variance: f64) -> Result<(), Box<dyn std::error::Error>> {
    let root = SVGBackend::new(path, (640, 460)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "Predictive variance split vs N (mean over x* = -1, 0, 1)",
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d((20f64..2000f64).log_scale(), (1e-4f64..2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("N (observations)")
        .y_desc("variance")
        .draw()?;
    let epistemic: Vec<(f64, f64)> = rows.iter().map(|r| (r.n as f64, r.epistemic)).collect();
    let aleatoric: Vec<(f64, f64)> = rows.iter().map(|r| (r.n as f64, r.aleatoric)).collect();
    let first = &rows[0];
    let reference = [20.0, 2000.0].map(|n| (n, first.epistemic * first.n as f64 / n));
    chart
        .draw_series(LineSeries::new(epistemic.clone(), BLUE.stroke_width(2)))?
        .label("epistemic Var_W E(y|x,W)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    chart.draw_series(epistemic.iter().map(|&p| Circle::new(p, 4, BLUE.filled())))?;
    chart
        .draw_series(LineSeries::new(aleatoric.clone(), RED.stroke_width(2)))?
        .label("aleatoric E_W Var(y|x,W)")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.stroke_width(2)));
    chart.draw_series(aleatoric.iter().map(|&p| Circle::new(p, 4, RED.filled())))?;
    chart
        .draw_series(LineSeries::new(reference, BLACK.mix(0.5)))?
        .label("1/N reference")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
    chart
        .draw_series(LineSeries::new(
            [(20.0, noise_variance), (2000.0, noise_variance)],
            RED.mix(0.4),
        ))?
        .label("true noise variance")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], RED.mix(0.4)));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.8))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let n_max = *SIZES.last().expect("sizes");
    let standard_normal = Normal::new(0.0, 1.0)?;
    let [a, b, c, d] = TRUTH;
    let x: Vec<f64> = (0..n_max).map(|_| rng.random_range(-2.0..2.0)).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|&xi| a + b * xi + (c + d * xi).exp() * standard_normal.sample(&mut rng))
        .collect();
    // The true noise variance averaged over the fixed inputs.
    let noise_variance = INPUTS
        .iter()
        .map(|&xs| (2.0 * (c + d * xs)).exp())
        .sum::<f64>()
        / INPUTS.len() as f64;

    // 4 chains x (500 warm-up + 500 draws): 2000 draws, enough for a variance estimate with a
    // relative Monte Carlo error of a few percent on this well-conditioned 4-parameter posterior.
    let options = NutsOptions {
        num_chains: 4,
        num_warmup: 500,
        num_draws: 500,
        progress: false,
        seed: 7,
        ..NutsOptions::default()
    };
    let mut rows = Vec::new();
    for n in SIZES {
        let model = Heteroscedastic::new(x[..n].to_vec(), y[..n].to_vec())?;
        let start = Instant::now();
        let fit = sample(&model, &options)?;
        let seconds = start.elapsed().as_secs_f64();
        let columns: Vec<Vec<f64>> = ["a", "b", "c", "d"]
            .iter()
            .map(|name| fit.draws.pooled(name))
            .collect::<Result<_, _>>()?;
        let n_draws = columns[0].len();
        // conditional_means[s][i] = a_s + b_s x*_i, conditional_variances[s][i] =
        // exp(2 (c_s + d_s x*_i)).
        let (means, variances): (Vec<Vec<f64>>, Vec<Vec<f64>>) = (0..n_draws)
            .map(|s| {
                let [a, b, c, d] = [0, 1, 2, 3].map(|k| columns[k][s]);
                INPUTS
                    .iter()
                    .map(|&xs| (a + b * xs, (2.0 * (c + d * xs)).exp()))
                    .unzip()
            })
            .unzip();
        let split = regression_decomposition(&means, &variances)?;
        let average = |f: fn(&ppl::infer::uncertainty::VarianceDecomposition) -> f64| {
            split.iter().map(f).sum::<f64>() / split.len() as f64
        };
        rows.push(Row {
            n,
            epistemic: average(|s| s.epistemic),
            mcse_epistemic: average(|s| s.mcse_epistemic),
            aleatoric: average(|s| s.aleatoric),
            divergences: fit.divergences,
            seconds,
        });
    }

    println!("Heteroscedastic regression, NUTS 4 chains x 500 draws (500 warm-up) per N");
    println!("variance split at x* in {{-1, 0, 1}}, averaged over the three inputs");
    println!(
        "{:>6} {:>12} {:>10} {:>12} {:>12} {:>5} {:>7}",
        "N", "epistemic", "mcse*", "N*epistemic", "aleatoric", "div", "time_s"
    );
    for r in &rows {
        println!(
            "{:>6} {:>12.6} {:>10.6} {:>12.4} {:>12.4} {:>5} {:>7.2}",
            r.n,
            r.epistemic,
            r.mcse_epistemic,
            r.n as f64 * r.epistemic,
            r.aleatoric,
            r.divergences,
            r.seconds
        );
    }
    println!("(*mcse for independent draws; true noise variance {noise_variance:.4})");
    let sizes: Vec<f64> = rows.iter().map(|r| r.n as f64).collect();
    let slope_epistemic = log_log_slope(
        &sizes,
        &rows.iter().map(|r| r.epistemic).collect::<Vec<_>>(),
    );
    let slope_aleatoric = log_log_slope(
        &sizes,
        &rows.iter().map(|r| r.aleatoric).collect::<Vec<_>>(),
    );
    println!("log-log slope: epistemic {slope_epistemic:.3} (theory -1), aleatoric {slope_aleatoric:.3} (theory 0)");
    let path = "docs/img/epistemic_vs_n.svg";
    plot(path, &rows, noise_variance)?;
    println!("wrote {path}");
    println!(
        "result: slope_epistemic={slope_epistemic:.3} slope_aleatoric={slope_aleatoric:.3} \
         aleatoric_1600={:.4} noise_variance={noise_variance:.4}",
        rows.last().expect("rows").aleatoric
    );
    Ok(())
}

//! Trace and rank plots of draws as SVG files (plotters), one row per parameter.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::diagnostics::average_ranks;
use crate::draws::Draws;
use crate::error::{Error, Result};

/// Chain colours (matplotlib's tab10, as ArviZ uses).
const CHAIN_COLOURS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Height of one parameter's row, in pixels.
const ROW_HEIGHT: u32 = 220;
/// Bins of the marginal histograms in the trace plot.
const DENSITY_BINS: usize = 30;

/// Axis label for a count, iteration or rank.
fn whole_label(value: &f64) -> String {
    format!("{value:.0}")
}

/// Axis label for a parameter value: at most 4 significant figures, no trailing zeros.
fn value_label(value: &f64) -> String {
    let text = format!("{:.4}", value);
    let text = if value.abs() >= 1e4 || (value.abs() < 1e-3 && *value != 0.0) {
        format!("{value:.2e}")
    } else if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    };
    if text == "-0" {
        "0".to_string()
    } else {
        text
    }
}

fn chain_colour(chain: usize) -> RGBColor {
    CHAIN_COLOURS[chain % CHAIN_COLOURS.len()]
}

fn plot_error(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::Plot {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// The draws of each requested column (one `Vec` per chain), checking the request.
fn requested_columns(
    function: &'static str,
    draws: &Draws,
    names: &[&str],
) -> Result<Vec<Vec<Vec<f64>>>> {
    if names.is_empty() {
        return Err(Error::invalid(
            function,
            "names",
            "empty",
            "at least one column name",
        ));
    }
    if draws.n_chains() == 0 || draws.n_draws() == 0 {
        return Err(Error::invalid(
            function,
            "draws",
            format!("{} chains of {} draws", draws.n_chains(), draws.n_draws()),
            "at least one chain with at least one draw",
        ));
    }
    let n_values = draws.n_draws() * draws.n_columns();
    if let Some(k) = draws.chains.iter().position(|c| c.values.len() != n_values) {
        return Err(Error::SizeMismatch {
            function,
            argument: format!("chain {} values", k + 1),
            actual: draws.chains[k].values.len(),
            expected: n_values,
        });
    }
    names.iter().map(|name| draws.column(name)).collect()
}

/// The finite range of all values, widened by 5% (and to a unit interval when constant).
fn value_range(chains: &[Vec<f64>]) -> (f64, f64) {
    let (min, max) = chains
        .iter()
        .flatten()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if !min.is_finite() {
        return (-1.0, 1.0);
    }
    if max - min < 1e-12 * max.abs().max(1.0) {
        return (min - 0.5, max + 0.5);
    }
    let pad = 0.05 * (max - min);
    (min - pad, max + pad)
}

/// Draws a trace plot: for each name a row with, on the left, each chain's marginal
/// histogram (as a step outline) and, on the right, each chain's draws against iteration,
/// chains in distinct colours (ArviZ's `plot_trace` layout). Chains that wander apart or drift
/// show non-convergence; a "hairy caterpillar" shows good mixing.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty `names` or empty draws,
/// [`Error::UnknownParameter`] for a name that is not a column, [`Error::Plot`] if the SVG
/// cannot be drawn or written.
pub fn trace_plot(path: impl AsRef<Path>, draws: &Draws, names: &[&str]) -> Result<()> {
    let path = path.as_ref();
    let columns = requested_columns("trace_plot", draws, names)?;
    let height = ROW_HEIGHT * names.len() as u32;
    let root = SVGBackend::new(path, (1000, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    for ((name, chains), row) in names
        .iter()
        .zip(&columns)
        .zip(root.split_evenly((names.len(), 1)))
    {
        let (left, right) = row.split_horizontally(350);
        draw_marginals(&left, name, chains).map_err(|e| plot_error(path, e))?;
        draw_trace(&right, name, chains).map_err(|e| plot_error(path, e))?;
    }
    root.present().map_err(|e| plot_error(path, e))
}

type DrawResult = std::result::Result<(), DrawingAreaErrorKind<std::io::Error>>;

fn draw_marginals(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    name: &str,
    chains: &[Vec<f64>],
) -> DrawResult {
    let (low, high) = value_range(chains);
    let width = (high - low) / DENSITY_BINS as f64;
    let densities: Vec<Vec<f64>> = chains
        .iter()
        .map(|chain| {
            let mut counts = vec![0.0; DENSITY_BINS];
            for &x in chain.iter().filter(|x| x.is_finite()) {
                let bin = (((x - low) / width) as usize).min(DENSITY_BINS - 1);
                counts[bin] += 1.0;
            }
            counts
                .iter()
                .map(|c| c / (chain.len() as f64 * width))
                .collect()
        })
        .collect();
    let top = densities.iter().flatten().fold(0.0_f64, |a, &b| a.max(b)) * 1.1;
    let mut chart = ChartBuilder::on(area)
        .caption(name, ("sans-serif", 18))
        .margin(10)
        .margin_right(20)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(low..high, 0.0..top.max(f64::MIN_POSITIVE))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .y_desc("density")
        .x_labels(5)
        .y_labels(4)
        .x_label_formatter(&value_label)
        .y_label_formatter(&value_label)
        .draw()?;
    for (k, density) in densities.iter().enumerate() {
        let outline = density.iter().enumerate().flat_map(|(bin, &d)| {
            let start = low + bin as f64 * width;
            [(start, d), (start + width, d)]
        });
        let closed = std::iter::once((low, 0.0))
            .chain(outline)
            .chain(std::iter::once((high, 0.0)));
        chart.draw_series(LineSeries::new(closed, chain_colour(k).stroke_width(2)))?;
    }
    Ok(())
}

fn draw_trace(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    name: &str,
    chains: &[Vec<f64>],
) -> DrawResult {
    let (low, high) = value_range(chains);
    let n_draws = chains.iter().map(Vec::len).max().unwrap_or(1);
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{name} (trace)"), ("sans-serif", 18))
        .margin(10)
        .margin_right(25)
        .x_label_area_size(30)
        .y_label_area_size(50)
        .build_cartesian_2d(0.0..n_draws as f64, low..high)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("iteration")
        .x_labels(6)
        .y_labels(5)
        .x_label_formatter(&whole_label)
        .y_label_formatter(&value_label)
        .draw()?;
    for (k, chain) in chains.iter().enumerate() {
        let points = chain
            .iter()
            .enumerate()
            .filter(|(_, x)| x.is_finite())
            .map(|(i, &x)| (i as f64, x));
        chart
            .draw_series(LineSeries::new(points, chain_colour(k).mix(0.8)))?
            .label(format!("chain {}", k + 1))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], chain_colour(k)));
    }
    if chains.len() > 1 {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK.mix(0.3))
            .label_font(("sans-serif", 12))
            .draw()?;
    }
    Ok(())
}

/// Draws a rank plot (Vehtari et al. 2021, §3): all draws of a column are ranked together
/// and each chain's ranks are shown as a histogram, one panel per chain (columns) and per
/// name (rows), with the count expected under uniformity as a dashed line. When the chains
/// have mixed, every histogram is flat; a chain with too many high or low ranks has not
/// explored the same distribution as the others.
///
/// # Errors
/// [`Error::InvalidArgument`] for an empty `names` or empty draws,
/// [`Error::UnknownParameter`] for a name that is not a column, [`Error::Plot`] if the SVG
/// cannot be drawn or written.
pub fn rank_plot(path: impl AsRef<Path>, draws: &Draws, names: &[&str]) -> Result<()> {
    let path = path.as_ref();
    let columns = requested_columns("rank_plot", draws, names)?;
    let n_chains = draws.n_chains();
    let width = (260 * n_chains as u32).max(520);
    let height = ROW_HEIGHT * names.len() as u32;
    let root = SVGBackend::new(path, (width, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| plot_error(path, e))?;
    let panels = root.split_evenly((names.len(), n_chains));
    for (row, (name, chains)) in names.iter().zip(&columns).enumerate() {
        let pooled: Vec<f64> = chains.iter().flatten().copied().collect();
        let ranks = average_ranks(&pooled);
        let n_draws = chains[0].len();
        // About 20 draws per bin at least, at most 20 bins (ArviZ's choice is similar).
        let bins = (n_draws / 20).clamp(1, 20);
        let total = pooled.len() as f64;
        let mut counts = vec![vec![0.0_f64; bins]; n_chains];
        for (index, rank) in ranks.iter().enumerate() {
            let bin = (((rank - 1.0) / total * bins as f64) as usize).min(bins - 1);
            counts[index / n_draws][bin] += 1.0;
        }
        let expected = n_draws as f64 / bins as f64;
        let top = counts.iter().flatten().fold(expected, |a, &b| a.max(b)) * 1.15;
        for (chain, chain_counts) in counts.iter().enumerate() {
            let area = &panels[row * n_chains + chain];
            draw_rank_histogram(area, name, chain, chain_counts, expected, top, total)
                .map_err(|e| plot_error(path, e))?;
        }
    }
    root.present().map_err(|e| plot_error(path, e))
}

fn draw_rank_histogram(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    name: &str,
    chain: usize,
    counts: &[f64],
    expected: f64,
    top: f64,
    total: f64,
) -> DrawResult {
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{name}, chain {}", chain + 1), ("sans-serif", 16))
        .margin(8)
        .margin_right(20)
        .x_label_area_size(28)
        .y_label_area_size(40)
        .build_cartesian_2d(0.0..total, 0.0..top)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc("rank")
        .x_labels(3)
        .y_labels(4)
        .x_label_formatter(&whole_label)
        .y_label_formatter(&whole_label)
        .draw()?;
    let bin_width = total / counts.len() as f64;
    chart.draw_series(counts.iter().enumerate().map(|(bin, &count)| {
        let start = bin as f64 * bin_width;
        Rectangle::new(
            [(start, 0.0), (start + bin_width, count)],
            chain_colour(chain).mix(0.7).filled(),
        )
    }))?;
    chart.draw_series(counts.iter().enumerate().map(|(bin, &count)| {
        let start = bin as f64 * bin_width;
        Rectangle::new(
            [(start, 0.0), (start + bin_width, count)],
            WHITE.stroke_width(1),
        )
    }))?;
    // Dashed line at the expected count: short segments.
    let segments = 40;
    let dash = total / segments as f64;
    chart.draw_series((0..segments).step_by(2).map(|k| {
        let start = k as f64 * dash;
        PathElement::new(
            vec![(start, expected), (start + dash, expected)],
            BLACK.stroke_width(1),
        )
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draws::Chain;

    fn draws() -> Draws {
        let chain = |shift: f64, seed: usize| Chain {
            values: (0..200)
                .flat_map(|i| {
                    let u = ((i * 37 + seed * 101) % 200) as f64 / 200.0;
                    [shift + (6.0 * u).sin() + u, (u * 3.0).exp()]
                })
                .collect(),
            ..Chain::default()
        };
        Draws {
            names: vec!["mu".into(), "sigma".into()],
            chains: vec![chain(0.0, 1), chain(0.2, 2), chain(0.0, 3), chain(1.0, 4)],
        }
    }

    fn temporary(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("ppl_infer_plot_{}_{name}.svg", std::process::id()))
    }

    #[test]
    fn trace_and_rank_plots_are_svg_files() {
        let draws = draws();
        type Plot = fn(&Path, &Draws) -> Result<()>;
        let plots: [(&str, Plot); 2] = [
            ("trace", |path, draws| {
                trace_plot(path, draws, &["mu", "sigma"])
            }),
            ("rank", |path, draws| {
                rank_plot(path, draws, &["mu", "sigma"])
            }),
        ];
        for (file, plot) in plots {
            let path = temporary(file);
            plot(&path, &draws).unwrap();
            let svg = std::fs::read_to_string(&path).unwrap();
            std::fs::remove_file(&path).unwrap();
            assert!(svg.contains("<svg"), "{file}");
            assert!(svg.contains("sigma"), "{file}");
        }
    }

    #[test]
    fn bad_requests_are_errors() {
        let draws = draws();
        let path = temporary("bad");
        assert!(matches!(
            trace_plot(&path, &draws, &["tau"]),
            Err(Error::UnknownParameter(name)) if name == "tau"
        ));
        assert_eq!(
            rank_plot(&path, &draws, &[]).unwrap_err().to_string(),
            "rank_plot: names is empty, but must be at least one column name"
        );
        let mut ragged = draws.clone();
        ragged.chains[2].values.truncate(10);
        assert_eq!(
            rank_plot(&path, &ragged, &["mu"]).unwrap_err().to_string(),
            "rank_plot: chain 3 values has size 10, but must have size 400"
        );
    }
}

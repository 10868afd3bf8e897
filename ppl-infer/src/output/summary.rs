//! Posterior summary table: per column mean, sd, MCSE, 5/50/95% quantiles, bulk and tail ESS and R-hat, printed like CmdStan's stansummary.

use std::fmt;

use crate::diagnostics::{
    ess_bulk, ess_tail, mcse_mean, mcse_sd, quantile_sorted, rhat, sample_variance,
};
use crate::draws::Draws;

/// Summary statistics and diagnostics of one column of draws (all chains pooled).
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnSummary {
    /// Column name (`mu`, `theta[1]`, or `lp__`).
    pub name: String,
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation (denominator `n − 1`).
    pub sd: f64,
    /// Monte Carlo standard error of the mean ([`crate::diagnostics::mcse_mean`]).
    pub mcse_mean: f64,
    /// Monte Carlo standard error of the sd ([`crate::diagnostics::mcse_sd`]).
    pub mcse_sd: f64,
    /// 5% quantile (type 7, numpy's `linear`).
    pub q5: f64,
    /// Median (type 7).
    pub q50: f64,
    /// 95% quantile (type 7).
    pub q95: f64,
    /// Bulk effective sample size ([`crate::diagnostics::ess_bulk`]).
    pub ess_bulk: f64,
    /// Tail effective sample size ([`crate::diagnostics::ess_tail`]).
    pub ess_tail: f64,
    /// Rank-normalised split R-hat ([`crate::diagnostics::rhat`]).
    pub rhat: f64,
}

impl ColumnSummary {
    /// Summarises the draws of one column, one `Vec` per chain.
    fn from_chains(name: &str, chains: &[Vec<f64>]) -> Self {
        let mut sorted: Vec<f64> = chains.iter().flatten().copied().collect();
        let mean = sorted.iter().sum::<f64>() / sorted.len() as f64;
        let sd = sample_variance(&sorted).sqrt();
        sorted.sort_by(f64::total_cmp);
        ColumnSummary {
            name: name.to_string(),
            mean,
            sd,
            mcse_mean: mcse_mean(chains),
            mcse_sd: mcse_sd(chains),
            q5: quantile_sorted(&sorted, 0.05),
            q50: quantile_sorted(&sorted, 0.5),
            q95: quantile_sorted(&sorted, 0.95),
            ess_bulk: ess_bulk(chains),
            ess_tail: ess_tail(chains),
            rhat: rhat(chains),
        }
    }
}

/// The posterior summary of a [`Draws`]: one [`ColumnSummary`] per column, preceded by `lp__`
/// when the draws carry sampler statistics (as CmdStan's `stansummary` and cmdstanpy's
/// `summary()` show it).
///
/// Diagnostics that cannot be computed (fewer than 4 draws per chain, a constant column,
/// non-finite values) are NaN, as in ArviZ and posterior; `Display` prints them as `NaN`.
///
/// ```
/// use ppl_infer::{Chain, Draws};
/// use ppl_infer::output::Summary;
/// let chain = |offset: f64| Chain {
///     values: (0..100).map(|i| offset + ((i * 37) % 100) as f64 / 100.0).collect(),
///     ..Chain::default()
/// };
/// let draws = Draws { names: vec!["mu".into()], chains: vec![chain(0.0), chain(0.01)] };
/// let summary = Summary::new(&draws);
/// let mu = summary.get("mu").unwrap();
/// assert!((mu.mean - 0.5).abs() < 1e-12);
/// assert!((mu.q50 - 0.5).abs() < 1e-12);
/// println!("{summary}");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of chains summarised.
    pub n_chains: usize,
    /// Draws per chain.
    pub n_draws: usize,
    /// One row per column (`lp__` first when present).
    pub columns: Vec<ColumnSummary>,
}

impl Summary {
    /// Summarises every column of `draws` (and `lp__` from the sampler statistics, when every
    /// chain has one statistic per draw).
    pub fn new(draws: &Draws) -> Self {
        let n_draws = draws.n_draws();
        let mut columns = Vec::with_capacity(draws.n_columns() + 1);
        let has_lp = !draws.chains.is_empty()
            && draws
                .chains
                .iter()
                .all(|c| !c.stats.is_empty() && c.stats.len() == n_draws);
        if has_lp {
            let lp: Vec<Vec<f64>> = draws
                .chains
                .iter()
                .map(|c| c.stats.iter().map(|s| s.lp).collect())
                .collect();
            columns.push(ColumnSummary::from_chains("lp__", &lp));
        }
        for (j, name) in draws.names.iter().enumerate() {
            columns.push(ColumnSummary::from_chains(name, &draws.column_by_index(j)));
        }
        Summary {
            n_chains: draws.n_chains(),
            n_draws,
            columns,
        }
    }

    /// The summary of the column named `name` (`"theta[1]"`, `"lp__"`), if there is one.
    pub fn get(&self, name: &str) -> Option<&ColumnSummary> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The rows, in column order.
    pub fn iter(&self) -> std::slice::Iter<'_, ColumnSummary> {
        self.columns.iter()
    }
}

impl<'a> IntoIterator for &'a Summary {
    type Item = &'a ColumnSummary;
    type IntoIter = std::slice::Iter<'a, ColumnSummary>;
    fn into_iter(self) -> Self::IntoIter {
        self.columns.iter()
    }
}

/// `value` to `digits` significant figures, switching to scientific notation outside
/// `[1e-3, 1e6)`.
fn significant(value: f64, digits: i32) -> String {
    if !value.is_finite() {
        return not_finite(value);
    }
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10().floor() as i32;
    if !(-3..6).contains(&magnitude) {
        return format!("{:.*e}", (digits - 1).max(0) as usize, value);
    }
    let decimals = (digits - 1 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

fn not_finite(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_string()
    } else if value > 0.0 {
        "inf".to_string()
    } else {
        "-inf".to_string()
    }
}

/// An effective sample size as a whole number.
fn whole(value: f64) -> String {
    if value.is_finite() {
        format!("{:.0}", value)
    } else {
        not_finite(value)
    }
}

/// R-hat to two decimals (the 1.01 threshold shows as `1.01`).
fn two_decimals(value: f64) -> String {
    if value.is_finite() {
        format!("{value:.2}")
    } else {
        not_finite(value)
    }
}

impl fmt::Display for Summary {
    /// An aligned table in the style of CmdStan's `stansummary` and ArviZ's `summary`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers = [
            "mean",
            "sd",
            "mcse_mean",
            "mcse_sd",
            "5%",
            "50%",
            "95%",
            "ess_bulk",
            "ess_tail",
            "r_hat",
        ];
        let rows: Vec<(String, Vec<String>)> = self
            .columns
            .iter()
            .map(|c| {
                let cells = vec![
                    significant(c.mean, 3),
                    significant(c.sd, 3),
                    significant(c.mcse_mean, 2),
                    significant(c.mcse_sd, 2),
                    significant(c.q5, 3),
                    significant(c.q50, 3),
                    significant(c.q95, 3),
                    whole(c.ess_bulk),
                    whole(c.ess_tail),
                    two_decimals(c.rhat),
                ];
                (c.name.clone(), cells)
            })
            .collect();
        let name_width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0).max(4);
        let widths: Vec<usize> = headers
            .iter()
            .enumerate()
            .map(|(k, h)| {
                rows.iter()
                    .map(|(_, cells)| cells[k].len())
                    .max()
                    .unwrap_or(0)
                    .max(h.len())
            })
            .collect();
        writeln!(
            f,
            "{} chains, {} draws each ({} total)",
            self.n_chains,
            self.n_draws,
            self.n_chains * self.n_draws
        )?;
        write!(f, "{:name_width$}", "")?;
        for (header, width) in headers.iter().zip(&widths) {
            write!(f, "  {header:>width$}")?;
        }
        writeln!(f)?;
        for (name, cells) in &rows {
            write!(f, "{name:<name_width$}")?;
            for (cell, width) in cells.iter().zip(&widths) {
                write!(f, "  {cell:>width$}")?;
            }
            writeln!(f)?;
        }
        write!(
            f,
            "mcse: Monte Carlo standard error; ess_bulk/ess_tail: rank-normalised effective sample \
             sizes (want > 100 per chain); r_hat: rank-normalised split R-hat (want < 1.01)."
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draws::{Chain, SamplerStats};

    fn two_column_draws() -> Draws {
        let chain = |shift: usize| Chain {
            values: (0..40)
                .flat_map(|i| {
                    let u = ((i * 17 + shift) % 40) as f64 / 40.0;
                    [u, 10.0 * u * u]
                })
                .collect(),
            stats: (0..40)
                .map(|i| SamplerStats {
                    lp: -(i as f64 % 7.0),
                    ..SamplerStats::default()
                })
                .collect(),
            ..Chain::default()
        };
        Draws {
            names: vec!["alpha".into(), "theta[1]".into()],
            chains: vec![chain(0), chain(5), chain(11)],
        }
    }

    #[test]
    fn rows_match_the_diagnostics() {
        let draws = two_column_draws();
        let summary = Summary::new(&draws);
        assert_eq!(summary.n_chains, 3);
        assert_eq!(summary.n_draws, 40);
        let names: Vec<&str> = summary.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["lp__", "alpha", "theta[1]"]);
        let theta = summary.get("theta[1]").unwrap();
        let chains = draws.column("theta[1]").unwrap();
        let pooled: Vec<f64> = chains.concat();
        let mean = pooled.iter().sum::<f64>() / 120.0;
        assert!((theta.mean - mean).abs() < 1e-12);
        assert_eq!(theta.ess_bulk, ess_bulk(&chains));
        assert_eq!(theta.rhat, rhat(&chains));
        // Every chain is a permutation of u = k/40: the pooled quantiles are those of
        // 10 u² over k = 0..39, three times each; numpy.quantile(np.repeat(10*(np.arange(40)/40)**2, 3), [.05, .5, .95]).
        assert!((theta.q5 - 0.024_062_5).abs() < 1e-12);
        assert!((theta.q50 - 2.378125).abs() < 1e-12);
        assert!((theta.q95 - 8.579_687_5).abs() < 1e-12);
        assert!(summary.get("beta").is_none());
    }

    #[test]
    fn display_is_an_aligned_table() {
        let text = Summary::new(&two_column_draws()).to_string();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "3 chains, 40 draws each (120 total)");
        assert!(lines[1].contains("mean") && lines[1].ends_with("r_hat"));
        assert!(lines[3].starts_with("alpha "));
        assert!(lines[4].starts_with("theta[1]"));
        // Every table line has the same width.
        assert!(lines[1..5].iter().all(|l| l.len() == lines[1].len()));
    }

    #[test]
    fn number_formats() {
        assert_eq!(significant(0.012345, 2), "0.012");
        assert_eq!(significant(-7.2849, 3), "-7.28");
        assert_eq!(significant(1234.4, 3), "1234");
        assert_eq!(significant(2.5e-7, 2), "2.5e-7");
        assert_eq!(significant(f64::NAN, 2), "NaN");
        assert_eq!(whole(1234.6), "1235");
        assert_eq!(two_decimals(1.0049), "1.00");
    }
}

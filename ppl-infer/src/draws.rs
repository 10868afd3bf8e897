//! Posterior draws from any engine (NUTS, ADVI, Laplace, user-supplied), by chain, with per-draw sampler statistics.

use crate::error::{Error, Result};

/// Per-draw statistics of a Hamiltonian sampler, as Stan reports them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SamplerStats {
    /// Log-density at the draw (`lp__`, unconstrained scale, Jacobian included).
    pub lp: f64,
    /// Average acceptance statistic of the trajectory (`accept_stat__`).
    pub accept_stat: f64,
    /// Step size used (`stepsize__`).
    pub step_size: f64,
    /// Tree depth reached (`treedepth__`).
    pub tree_depth: u32,
    /// Leapfrog steps taken (`n_leapfrog__`), each one gradient evaluation.
    pub n_leapfrog: u32,
    /// Whether the trajectory diverged (`divergent__`).
    pub divergent: bool,
    /// Hamiltonian at the draw (`energy__`).
    pub energy: f64,
}

/// The draws of one chain: a row per draw, a column per output name.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Chain {
    /// Row-major values: draw `i`, column `j` is `values[i * n_columns + j]`.
    pub values: Vec<f64>,
    /// Sampler statistics, one per draw (empty for engines that have none, such as ADVI).
    pub stats: Vec<SamplerStats>,
    /// Warm-up draws, row-major like `values` (empty unless kept on request).
    pub warmup_values: Vec<f64>,
    /// Warm-up statistics, one per warm-up draw kept.
    pub warmup_stats: Vec<SamplerStats>,
    /// The adapted step size (NaN for engines without one).
    pub step_size: f64,
    /// The adapted inverse metric: the diagonal (length d) or the dense matrix (d², row-major).
    pub inv_metric: Vec<f64>,
}

/// Draws from a posterior (or an approximation of it), by chain.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Draws {
    /// Column names in Stan style (`mu`, `theta[1]`), parameters then derived quantities.
    pub names: Vec<String>,
    /// The chains; each has the same number of draws.
    pub chains: Vec<Chain>,
}

impl Draws {
    /// Number of columns.
    pub fn n_columns(&self) -> usize {
        self.names.len()
    }

    /// Number of chains.
    pub fn n_chains(&self) -> usize {
        self.chains.len()
    }

    /// Draws per chain (of the first chain; all chains have the same number).
    pub fn n_draws(&self) -> usize {
        match (self.chains.first(), self.n_columns()) {
            (Some(chain), n) if n > 0 => chain.values.len() / n,
            _ => 0,
        }
    }

    /// Index of the column named `name`.
    ///
    /// # Errors
    /// [`Error::UnknownParameter`] if there is none.
    pub fn column_index(&self, name: &str) -> Result<usize> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| Error::UnknownParameter(name.to_string()))
    }

    /// The draws of one column, one `Vec` per chain.
    ///
    /// # Errors
    /// [`Error::UnknownParameter`] if there is no such column.
    pub fn column(&self, name: &str) -> Result<Vec<Vec<f64>>> {
        let j = self.column_index(name)?;
        Ok(self.column_by_index(j))
    }

    /// The draws of column `j`, one `Vec` per chain.
    pub fn column_by_index(&self, j: usize) -> Vec<Vec<f64>> {
        let n = self.n_columns();
        self.chains
            .iter()
            .map(|c| c.values.iter().skip(j).step_by(n).copied().collect())
            .collect()
    }

    /// All draws of column `name`, chains concatenated.
    ///
    /// # Errors
    /// [`Error::UnknownParameter`] if there is no such column.
    pub fn pooled(&self, name: &str) -> Result<Vec<f64>> {
        Ok(self.column(name)?.concat())
    }

    /// Total divergent transitions over all chains (post warm-up).
    pub fn divergences(&self) -> usize {
        self.chains
            .iter()
            .map(|c| c.stats.iter().filter(|s| s.divergent).count())
            .sum()
    }

    /// Total leapfrog steps (gradient evaluations) over all chains, warm-up included when kept.
    pub fn n_leapfrog(&self) -> u64 {
        self.chains
            .iter()
            .flat_map(|c| c.stats.iter().chain(&c.warmup_stats))
            .map(|s| u64::from(s.n_leapfrog))
            .sum()
    }
}

//! Pareto-smoothed importance sampling (PSIS) and its k-hat diagnostic (Vehtari et al. 2024; Yao et al. 2018 for variational fits), with the Zhang–Stephens generalised Pareto fit as in Stan's loo and ArviZ.

use crate::error::{Error, Result};

/// The k-hat above which importance sampling, and the approximation it checks, is unreliable.
pub const KHAT_THRESHOLD: f64 = 0.7;

/// A generalised Pareto distribution fitted to exceedances: shape `k` and scale `sigma`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneralizedPareto {
    /// Shape `k` (k > 0: heavy tail; the mean exists for k < 1, the variance for k < 1/2).
    pub k: f64,
    /// Scale `sigma` (> 0).
    pub sigma: f64,
}

impl GeneralizedPareto {
    /// The quantile function: `sigma · ((1 − p)^(−k) − 1) / k` (`−sigma · ln(1 − p)` at k = 0).
    ///
    /// ```
    /// use ppl_infer::advi::GeneralizedPareto;
    /// // k = 0.5, sigma = 2: the median is 2 · (√2 − 1) / 0.5.
    /// let median = GeneralizedPareto { k: 0.5, sigma: 2.0 }.quantile(0.5);
    /// assert!((median - 4.0 * (2f64.sqrt() - 1.0)).abs() < 1e-14);
    /// ```
    pub fn quantile(&self, probability: f64) -> f64 {
        if self.k.abs() < f64::EPSILON {
            -self.sigma * (-probability).ln_1p()
        } else {
            self.sigma * (-self.k * (-probability).ln_1p()).exp_m1() / self.k
        }
    }
}

/// Fits a generalised Pareto distribution to positive exceedances sorted ascending, by the
/// empirical-Bayes method of Zhang & Stephens (2009) with the weak prior on `k` of Stan's loo
/// (`k ← (n·k + 10 · 0.5) / (n + 10)`) and a grid of `30 + ⌊√n⌋` points.
///
/// # Errors
/// [`Error::InvalidArgument`] unless there are at least 5 exceedances, all positive, finite and
/// sorted ascending.
///
/// # Reference
/// Zhang, J. & Stephens, M. A. (2009), "A new and efficient estimation method for the
/// generalized Pareto distribution", *Technometrics* 51(3), 316–325.
///
/// # Example
/// ```
/// use ppl_infer::advi::gpd_fit;
/// // Exceedances 1..=10: a light tail (k < 0.5).
/// let x: Vec<f64> = (1..=10).map(f64::from).collect();
/// let fit = gpd_fit(&x).unwrap();
/// assert!(fit.k < 0.0 && fit.sigma > 0.0);
/// ```
pub fn gpd_fit(exceedances: &[f64]) -> Result<GeneralizedPareto> {
    let n = exceedances.len();
    if n < 5 {
        return Err(Error::invalid(
            "gpd_fit",
            "exceedances length",
            n,
            "at least 5",
        ));
    }
    if let Some((i, value)) = exceedances
        .iter()
        .enumerate()
        .find(|(_, x)| !(x.is_finite() && **x > 0.0))
    {
        return Err(Error::invalid(
            "gpd_fit",
            format!("exceedances[{}]", i + 1),
            value,
            "positive and finite",
        ));
    }
    if let Some(i) = exceedances.windows(2).position(|w| w[1] < w[0]) {
        return Err(Error::invalid(
            "gpd_fit",
            format!("exceedances[{}]", i + 2),
            exceedances[i + 1],
            format!(
                "at least exceedances[{}] = {} (sorted ascending)",
                i + 1,
                exceedances[i]
            ),
        ));
    }
    const PRIOR_B: f64 = 3.0;
    const PRIOR_K: f64 = 10.0;
    let n_f = n as f64;
    let grid_size = 30 + (n_f.sqrt() as usize);
    let first_quartile = exceedances[((n_f / 4.0 + 0.5) as usize).max(1) - 1];
    let largest = exceedances[n - 1];
    let mean_log1p = |theta: f64| -> f64 {
        exceedances
            .iter()
            .map(|x| (-theta * x).ln_1p())
            .sum::<f64>()
            / n_f
    };
    let thetas: Vec<f64> = (1..=grid_size)
        .map(|j| {
            (1.0 - (grid_size as f64 / (j as f64 - 0.5)).sqrt()) / (PRIOR_B * first_quartile)
                + 1.0 / largest
        })
        .collect();
    // Profile log-likelihood of each theta.
    let profile: Vec<f64> = thetas
        .iter()
        .map(|&theta| {
            let k = mean_log1p(theta);
            n_f * ((-theta / k).ln() - k - 1.0)
        })
        .collect();
    // Normalised posterior weights of the grid, negligible ones dropped.
    let mut weights: Vec<f64> = profile
        .iter()
        .map(|l_i| 1.0 / profile.iter().map(|l_j| (l_j - l_i).exp()).sum::<f64>())
        .collect();
    for weight in &mut weights {
        if *weight < 10.0 * f64::EPSILON {
            *weight = 0.0;
        }
    }
    let total: f64 = weights.iter().sum();
    let theta_mean: f64 = thetas
        .iter()
        .zip(&weights)
        .map(|(theta, w)| theta * w / total)
        .sum();
    let k_raw = mean_log1p(theta_mean);
    let sigma = -k_raw / theta_mean;
    let k = (n_f * k_raw + PRIOR_K * 0.5) / (n_f + PRIOR_K);
    Ok(GeneralizedPareto { k, sigma })
}

/// The result of [`psis`].
#[derive(Debug, Clone, PartialEq)]
pub struct Psis {
    /// Pareto-smoothed log weights, normalised (`log Σ exp = 0`), in the input order.
    pub log_weights: Vec<f64>,
    /// The estimated Pareto shape k-hat of the largest raw ratios (`+∞` if the tail is too short).
    pub khat: f64,
    /// Number of largest ratios in the fitted tail: `⌈min(M/5, 3√M)⌉`.
    pub tail_length: usize,
}

impl Psis {
    /// The normalised weights `exp(log_weights)` (they sum to 1).
    pub fn weights(&self) -> Vec<f64> {
        self.log_weights.iter().map(|w| w.exp()).collect()
    }

    /// Whether k-hat is at most [`KHAT_THRESHOLD`] (0.7).
    pub fn is_reliable(&self) -> bool {
        self.khat <= KHAT_THRESHOLD
    }
}

/// Pareto-smoothed importance sampling of log ratios `log p(θ_s) − log q(θ_s)`, θ_s ~ q
/// (relative efficiency 1: independent draws).
///
/// The `⌈min(M/5, 3√M)⌉` largest ratios are replaced by the expected order statistics of a
/// generalised Pareto distribution fitted to them ([`gpd_fit`]), truncated at the largest raw
/// ratio, and the log weights are normalised. `k̂ > 0.7` means the importance weights, and for a
/// variational or Laplace approximation the approximation itself, are unreliable (Yao et al.
/// 2018). Ratios of `−∞` (log p failed) get weight zero.
///
/// # Errors
/// [`Error::InvalidArgument`] for fewer than 2 ratios, or a ratio that is NaN or `+∞`.
///
/// # Reference
/// Vehtari, Simpson, Gelman, Yao & Gabry (2024), "Pareto smoothed importance sampling", *JMLR*
/// 25(72); Yao, Vehtari, Simpson & Gelman (2018), "Yes, but did it work?: Evaluating
/// variational inference", *ICML*.
///
/// # Example
/// ```
/// use ppl_infer::advi::psis;
/// // Equal ratios: equal weights 1/M and a light tail.
/// let fit = psis(&[0.0; 100]).unwrap();
/// assert!((fit.weights()[0] - 0.01).abs() < 1e-12);
/// ```
pub fn psis(log_ratios: &[f64]) -> Result<Psis> {
    let n = log_ratios.len();
    if n < 2 {
        return Err(Error::invalid("psis", "log_ratios length", n, "at least 2"));
    }
    if let Some((i, value)) = log_ratios
        .iter()
        .enumerate()
        .find(|(_, r)| r.is_nan() || **r == f64::INFINITY)
    {
        return Err(Error::invalid(
            "psis",
            format!("log_ratios[{}]", i + 1),
            value,
            "a number below +inf",
        ));
    }
    let largest = log_ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if largest == f64::NEG_INFINITY {
        return Err(Error::invalid(
            "psis",
            "log_ratios",
            "all -inf",
            "finite for at least one draw",
        ));
    }
    let n_f = n as f64;
    let tail_length = (n_f / 5.0).min(3.0 * n_f.sqrt()).ceil() as usize;
    let mut log_weights: Vec<f64> = log_ratios.iter().map(|r| r - largest).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| log_weights[a].total_cmp(&log_weights[b]));
    let cutoff = log_weights[order[n - tail_length - 1]].max(f64::MIN_POSITIVE.ln());
    let exp_cutoff = cutoff.exp();
    let tail: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&i| log_weights[i] > cutoff)
        .collect();
    let khat = if tail.len() <= 4 {
        f64::INFINITY
    } else {
        let exceedances: Vec<f64> = tail
            .iter()
            .map(|&i| log_weights[i].exp() - exp_cutoff)
            .collect();
        match gpd_fit(&exceedances) {
            Ok(pareto) if pareto.k.is_finite() => {
                let m = tail.len() as f64;
                for (rank, &i) in tail.iter().enumerate() {
                    let smoothed = (pareto.quantile((rank as f64 + 0.5) / m) + exp_cutoff).ln();
                    log_weights[i] = smoothed.min(0.0);
                }
                pareto.k
            }
            // Ties at the cutoff (zero exceedances) or a failed fit: no smoothing.
            _ => f64::INFINITY,
        }
    };
    let log_total = log_sum_exp(&log_weights);
    for w in &mut log_weights {
        *w -= log_total;
    }
    Ok(Psis {
        log_weights,
        khat,
        tail_length,
    })
}

/// `log Σ exp(x_i)` of values whose maximum is finite.
fn log_sum_exp(values: &[f64]) -> f64 {
    let largest = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    largest + values.iter().map(|v| (v - largest).exp()).sum::<f64>().ln()
}

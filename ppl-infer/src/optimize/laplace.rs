//! The Laplace approximation at a posterior mode: N(mode, (−H)⁻¹) on the unconstrained scale with H from central differences of the exact gradient, sampled and mapped through `constrain` (Stan's `laplace`).

use super::map::MapFit;
use crate::advi::gaussian::{draw_gaussian, resample_draws};
use crate::advi::{Psis, KHAT_THRESHOLD};
use crate::draws::Draws;
use crate::error::{Error, Result};
use nalgebra::{DMatrix, SymmetricEigen};
use ppl_core::LogDensity;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Options of [`laplace`], with Stan's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct LaplaceOptions {
    /// Number of draws (Stan's `draws`, default 1000).
    pub draws: usize,
    /// Relative step of the central differences: `h_i = step · max(1, |u_i|)` (default
    /// `∛ε ≈ 6.06e-6`, the optimum for central differences of an exact gradient).
    pub finite_difference_step: f64,
    /// Seed of the draws.
    pub seed: u64,
}

impl Default for LaplaceOptions {
    fn default() -> Self {
        Self {
            draws: 1000,
            finite_difference_step: f64::EPSILON.cbrt(),
            seed: 0,
        }
    }
}

impl LaplaceOptions {
    /// Checks every option.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`], e.g. `"laplace: draws is 0, but must be at least 1"`.
    pub fn validate(&self) -> Result<()> {
        if self.draws == 0 {
            return Err(Error::invalid("laplace", "draws", 0, "at least 1"));
        }
        let step = self.finite_difference_step;
        if !(step.is_finite() && step > 0.0 && step < 1.0) {
            return Err(Error::invalid(
                "laplace",
                "finite_difference_step",
                step,
                "in (0, 1)",
            ));
        }
        Ok(())
    }
}

/// A Laplace approximation and draws from it.
#[derive(Debug, Clone)]
pub struct LaplaceFit {
    /// Draws on the constrained scale (derived quantities included), one chain, the same format
    /// as NUTS.
    pub draws: Draws,
    /// The mode (unconstrained), the mean of the approximation.
    pub mode: Vec<f64>,
    /// The Hessian of the log density at the mode (row-major `d × d`, symmetrised).
    pub hessian: Vec<f64>,
    /// The covariance `(−H)⁻¹` (row-major `d × d`, unconstrained scale).
    pub covariance: Vec<f64>,
    /// `log p(u_s)` of each draw (unconstrained, Jacobian included; Stan's `log_p__`).
    pub log_p: Vec<f64>,
    /// `log g(u_s)` of each draw under the normal approximation (Stan's `log_g__`, normalised).
    pub log_g: Vec<f64>,
    /// PSIS of `log p − log g`: k-hat and the normalised smoothed log weights.
    pub psis: Psis,
    /// Plain-language warnings (k-hat above 0.7, a mode found without the Jacobian, a mode
    /// search that did not converge).
    pub warnings: Vec<String>,
}

impl LaplaceFit {
    /// The PSIS k-hat of the approximation (Yao et al. 2018).
    pub fn khat(&self) -> f64 {
        self.psis.khat
    }

    /// `n` draws resampled with the normalised PSIS weights (seeded).
    pub fn psis_resample(&self, n: usize, seed: u64) -> Draws {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        resample_draws(&self.draws, &self.psis.weights(), n, &mut rng)
    }
}

/// The Hessian of `log p` (Jacobian per `jacobian`) at `point` by central differences of the
/// exact gradient, symmetrised: `H_ij = ½ (∂_j g_i + ∂_i g_j)`, row-major.
///
/// # Errors
/// [`Error::Optimisation`] when the gradient fails or is not finite at a stencil point.
pub(crate) fn finite_difference_hessian<M: LogDensity + ?Sized>(
    model: &M,
    point: &[f64],
    jacobian: bool,
    relative_step: f64,
) -> Result<Vec<f64>> {
    let dim = point.len();
    let gradient_at = |u: &[f64], gradient: &mut [f64]| -> Result<()> {
        let value = if jacobian {
            model.log_density_gradient(u, gradient)
        } else {
            model.log_density_gradient_no_jacobian(u, gradient)
        }?;
        if !value.is_finite() || gradient.iter().any(|g| !g.is_finite()) {
            return Err(Error::Optimisation {
                function: "laplace",
                reason: "the gradient is not finite next to the mode".to_string(),
            });
        }
        Ok(())
    };
    let mut hessian = vec![0.0; dim * dim];
    let mut shifted = point.to_vec();
    let mut forward = vec![0.0; dim];
    let mut backward = vec![0.0; dim];
    for j in 0..dim {
        let step = relative_step * point[j].abs().max(1.0);
        shifted[j] = point[j] + step;
        gradient_at(&shifted, &mut forward)?;
        shifted[j] = point[j] - step;
        gradient_at(&shifted, &mut backward)?;
        shifted[j] = point[j];
        for i in 0..dim {
            hessian[i * dim + j] = (forward[i] - backward[i]) / (2.0 * step);
        }
    }
    for i in 0..dim {
        for j in 0..i {
            let mean = 0.5 * (hessian[i * dim + j] + hessian[j * dim + i]);
            hessian[i * dim + j] = mean;
            hessian[j * dim + i] = mean;
        }
    }
    Ok(hessian)
}

/// Draws from the Laplace approximation `N(mode, (−H)⁻¹)` at a mode found by
/// [`map`](super::map), mapped through [`LogDensity::constrain`].
///
/// `H` is the Hessian of the log density at the mode (with the Jacobian iff the mode was found
/// with it; Stan requires the two to match) from central differences of the exact gradient,
/// symmetrised. The draws are checked by PSIS: `k̂ > 0.7` says the normal approximation is poor.
/// For a Bayesian approximation find the mode with `MapOptions { jacobian: true, .. }`.
///
/// # Errors
/// Invalid options; [`Error::SizeMismatch`] if the fit does not match the model;
/// [`Error::Optimisation`] when `−H` is not positive definite (not a strict local maximum) or
/// the gradient fails next to the mode.
///
/// # Reference
/// Stan Reference Manual, "Laplace sampling"; Gelman et al. (2013), *Bayesian Data Analysis*,
/// §4.1.
///
/// # Example
/// ```
/// use ppl_infer::optimize::{laplace, map, LaplaceOptions, MapOptions};
/// // N(3, 0.5²): the Laplace approximation is exact.
/// struct Normal;
/// impl ppl_core::LogDensity for Normal {
///     fn dim(&self) -> usize { 1 }
///     fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> { Ok(-2.0 * (u[0] - 3.0).powi(2)) }
///     fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
///         g[0] = -4.0 * (u[0] - 3.0);
///         self.log_density(u)
///     }
/// }
/// let mode = map(&Normal, &MapOptions { jacobian: true, ..MapOptions::default() }).unwrap();
/// let fit = laplace(&Normal, &mode, &LaplaceOptions::default()).unwrap();
/// assert!((fit.covariance[0] - 0.25).abs() < 1e-6);
/// assert_eq!(fit.draws.n_draws(), 1000);
/// ```
pub fn laplace<M: LogDensity + ?Sized>(
    model: &M,
    fit: &MapFit,
    options: &LaplaceOptions,
) -> Result<LaplaceFit> {
    options.validate()?;
    let dim = model.dim();
    if fit.unconstrained.len() != dim {
        return Err(Error::SizeMismatch {
            function: "laplace",
            argument: "fit.unconstrained".to_string(),
            actual: fit.unconstrained.len(),
            expected: dim,
        });
    }
    let hessian = finite_difference_hessian(
        model,
        &fit.unconstrained,
        fit.jacobian,
        options.finite_difference_step,
    )?;
    let negative_hessian = DMatrix::from_row_slice(dim, dim, &hessian).map(|h| -h);
    let precision_cholesky = negative_hessian.clone().cholesky().ok_or_else(|| {
        let smallest = SymmetricEigen::new(negative_hessian.clone())
            .eigenvalues
            .min();
        Error::Optimisation {
            function: "laplace",
            reason: format!(
                "the negative Hessian at the mode is not positive definite (smallest eigenvalue \
                 {smallest:.3e}); the point is not a strict local maximum"
            ),
        }
    })?;
    let covariance = precision_cholesky.inverse();
    let covariance = (&covariance + covariance.transpose()) * 0.5;
    let scale = covariance
        .clone()
        .cholesky()
        .ok_or_else(|| Error::Optimisation {
            function: "laplace",
            reason: "the covariance (−H)⁻¹ is numerically singular".to_string(),
        })?;
    let scale_lower: Vec<f64> = scale.l().transpose().iter().copied().collect();
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let approximate = draw_gaussian(
        model,
        &fit.unconstrained,
        &scale_lower,
        options.draws,
        &mut rng,
    )?;
    let mut warnings = Vec::new();
    if !fit.converged() {
        warnings.push(format!(
            "the mode search {}: the approximation is centred at a point that may not be the \
             mode",
            fit.termination
        ));
    }
    if !fit.jacobian {
        warnings.push(
            "the mode was found without the Jacobian (MapOptions::jacobian = false); the \
             Laplace approximation of the posterior on the unconstrained scale needs \
             jacobian = true"
                .to_string(),
        );
    }
    if approximate.psis.khat > KHAT_THRESHOLD {
        warnings.push(format!(
            "Pareto k-hat is {:.2} > {KHAT_THRESHOLD}: the normal approximation is unreliable; \
             use NUTS",
            approximate.psis.khat
        ));
    }
    Ok(LaplaceFit {
        draws: approximate.draws,
        mode: fit.unconstrained.clone(),
        hessian,
        covariance: covariance.transpose().iter().copied().collect(),
        log_p: approximate.log_p,
        log_g: approximate.log_q,
        psis: approximate.psis,
        warnings,
    })
}

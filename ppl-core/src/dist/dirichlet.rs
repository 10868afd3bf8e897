//! The Dirichlet distribution `dirichlet(theta | alpha)` over the probability simplex, and the simplex check shared with `multinomial`.

use rand::Rng;
use rand_distr::{Distribution as _, Gamma};

use super::check::{check_all, check_positive_finite, common_len};
use super::distribution::{Distribution, Support};
use crate::data::{include_summand, is_data_vector};
use crate::error::{Error, Result};
use crate::linalg::VectorOperand;
use crate::real::{add_scaled_from, Real};
use crate::special;

/// Stan's tolerance for a simplex's sum (`|Σ θ − 1| ≤ 1e-8`).
const SIMPLEX_TOLERANCE: f64 = 1e-8;

/// Checks that `theta` is a simplex: every element in `[0, 1]` and the sum within `1e-8` of 1.
pub(super) fn check_simplex<S: Real>(
    function: &'static str,
    name: &'static str,
    theta: &[S],
) -> Result<()> {
    check_all(function, name, &theta, "in [0, 1] (a simplex)", |v| {
        (0.0..=1.0).contains(&v)
    })?;
    let sum: f64 = theta.iter().map(Real::value).sum();
    if sum.is_nan() || (sum - 1.0).abs() > SIMPLEX_TOLERANCE {
        return Err(Error::invalid(
            function,
            format!("sum({name})"),
            sum,
            "1 (a simplex, tolerance 1e-8)",
        ));
    }
    Ok(())
}

/// Log-density of the Dirichlet distribution (Stan's `dirichlet_lpdf`):
///
/// `ln Γ(α₀) − Σ_k ln Γ(α_k) + Σ_k (α_k − 1) ln θ_k`, with `α₀ = Σ_k α_k`,
///
/// summed over observations. `theta` (a simplex of length `K`) and `alpha` (concentrations,
/// length `K`) are each one vector or an array of vectors (a single vector is shared). The
/// partials `∂/∂θ_k = (α_k − 1)/θ_k` and `∂/∂α_k = ψ(α₀) − ψ(α_k) + ln θ_k` are computed in
/// `f64` and applied once; a term with `α_k = 1` is 0 even at `θ_k = 0`.
///
/// # Errors
/// `theta` not a simplex (elements in `[0, 1]`, sum within `1e-8` of 1), `alpha` not positive
/// and finite (`dirichlet: concentration[2] is -1, but must be positive and finite`), or sizes
/// that differ (`dirichlet: concentration has size 3, but must have size 2`).
///
/// # Reference
/// Stan Functions Reference, "Dirichlet distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::dirichlet_lpdf(&[0.2, 0.3, 0.5], &[1.0, 2.0, 3.0])?;
/// // scipy.stats.dirichlet.logpdf([0.2, 0.3, 0.5], [1, 2, 3])
/// assert!((lp - 1.504_077_396_776_273_7).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn dirichlet_lpdf<T: Real>(theta: impl VectorOperand, alpha: impl VectorOperand) -> Result<T> {
    dirichlet_log_density::<false, T>(theta, alpha)
}

/// [`dirichlet_lpdf`] for `~` statements (Stan's `dirichlet_lupdf`). With `alpha` a parameter
/// no term is constant; with `alpha` [`crate::Data`] the normaliser
/// `ln Γ(α₀) − Σ_k ln Γ(α_k)` is dropped (not computed).
pub fn dirichlet_lupdf<T: Real>(theta: impl VectorOperand, alpha: impl VectorOperand) -> Result<T> {
    dirichlet_log_density::<true, T>(theta, alpha)
}

fn dirichlet_log_density<const PROPTO: bool, T: Real>(
    theta: impl VectorOperand,
    alpha: impl VectorOperand,
) -> Result<T> {
    const FUNCTION: &str = "dirichlet";
    let observations = common_len(
        FUNCTION,
        &[
            ("random variable", theta.count()),
            ("concentration", alpha.count()),
        ],
    )?;
    if observations == 0 {
        return Ok(T::constant(0.0));
    }
    let dimension = theta.vector(0).len();
    for n in 0..observations {
        let (theta_n, alpha_n) = (theta.vector(n), alpha.vector(n));
        if theta_n.len() != dimension {
            return Err(Error::size_mismatch(
                FUNCTION,
                format!("random variable[{}]", n + 1),
                theta_n.len(),
                dimension,
            ));
        }
        if alpha_n.len() != dimension {
            return Err(Error::size_mismatch(
                FUNCTION,
                "concentration",
                alpha_n.len(),
                dimension,
            ));
        }
        check_simplex(FUNCTION, "random variable", theta_n)?;
        check_positive_finite(FUNCTION, "concentration", &alpha_n)?;
    }
    // The normaliser depends on `alpha` alone (Stan's `include_summand<propto, T_prior_size>`).
    let include_normaliser = include_summand::<PROPTO>(is_data_vector(&alpha));
    let shared_alpha = alpha.count().is_none();
    // The digammas of `∂/∂α` only when some concentration carries a tangent.
    let alpha_active =
        (0..alpha.count().unwrap_or(1)).any(|n| alpha.vector(n).iter().any(Real::has_tangent));
    let mut d_alpha_shared = vec![0.0; if shared_alpha { dimension } else { 0 }];
    let mut value = 0.0;
    let mut out = T::accumulator();
    for n in 0..observations {
        let (theta_n, alpha_n) = (theta.vector(n), alpha.vector(n));
        let total: f64 = alpha_n.iter().map(Real::value).sum();
        let digamma_total = if alpha_active {
            special::digamma(total)
        } else {
            0.0
        };
        if include_normaliser {
            value += special::lgamma(total);
        }
        for (k, (theta_k, alpha_k)) in theta_n.iter().zip(alpha_n).enumerate() {
            let (t, a) = (theta_k.value(), alpha_k.value());
            let log_theta = t.ln();
            if include_normaliser {
                value -= special::lgamma(a);
            }
            if a != 1.0 {
                value += (a - 1.0) * log_theta;
                add_scaled_from(&mut out, theta_k, (a - 1.0) / t);
            }
            if !alpha_active {
                continue;
            }
            let d_alpha = digamma_total - special::digamma(a) + log_theta;
            if shared_alpha {
                d_alpha_shared[k] += d_alpha;
            } else {
                add_scaled_from(&mut out, alpha_k, d_alpha);
            }
        }
    }
    for (k, d) in d_alpha_shared.iter().enumerate() {
        add_scaled_from(&mut out, &alpha.vector(0)[k], *d);
    }
    Ok(out + value)
}

/// The Dirichlet distribution with fixed concentrations, for sampling and moments.
#[derive(Debug, Clone, PartialEq)]
pub struct Dirichlet {
    alpha: Vec<f64>,
}

impl Dirichlet {
    /// `dirichlet(alpha)`.
    ///
    /// # Errors
    /// An element of `alpha` not positive and finite.
    pub fn new(alpha: Vec<f64>) -> Result<Self> {
        check_positive_finite("dirichlet", "concentration", &&alpha)?;
        Ok(Dirichlet { alpha })
    }

    fn total(&self) -> f64 {
        self.alpha.iter().sum()
    }
}

impl Distribution for Dirichlet {
    type Value = Vec<f64>;
    type Moment = Vec<f64>;
    /// Normalised gamma draws, in log space so that small concentrations (whose gamma draws
    /// underflow to 0) still give a valid simplex: `ln G_k = ln G'_k + ln(U_k)/α_k` with
    /// `G'_k ~ gamma(α_k + 1, 1)`, `U_k ~ uniform(0, 1)`, then a softmax.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> Vec<f64> {
        let log_gammas: Vec<f64> = self
            .alpha
            .iter()
            .map(|&a| {
                let shifted = Gamma::new(a + 1.0, 1.0)
                    .map(|g| g.sample(rng))
                    .unwrap_or(f64::NAN);
                // In (0, 1], so that its logarithm is finite.
                let uniform: f64 = 1.0 - rng.random::<f64>();
                shifted.ln() + uniform.ln() / a
            })
            .collect();
        let max = log_gammas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = log_gammas.iter().map(|g| (g - max).exp()).collect();
        let sum: f64 = weights.iter().sum();
        weights.iter().map(|w| w / sum).collect()
    }
    fn mean(&self) -> Option<Vec<f64>> {
        let total = self.total();
        Some(self.alpha.iter().map(|a| a / total).collect())
    }
    fn variance(&self) -> Option<Vec<f64>> {
        let total = self.total();
        Some(
            self.alpha
                .iter()
                .map(|a| a * (total - a) / (total * total * (total + 1.0)))
                .collect(),
        )
    }
    fn support(&self) -> Support {
        Support::Simplex(self.alpha.len())
    }
    fn log_density(&self, x: &Vec<f64>) -> f64 {
        dirichlet_lpdf::<f64>(x, &self.alpha).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::multi_normal::tests::assert_vector_moments;
    use crate::dist::testing::{assert_close, assert_gradient_matches};
    use proptest::prelude::*;

    /// With data `alpha` the unnormalised form drops `ln Γ(α₀) − Σ_k ln Γ(α_k)`; with `alpha` a
    /// parameter nothing is dropped.
    #[test]
    fn data_concentration_drops_the_normaliser() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let alpha = [1.5, 2.0, 0.7];
        let theta = [0.2, 0.3, 0.5];
        let normaliser = ln_gamma(4.2) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>();
        assert_data_drops!(
            dirichlet_lpdf,
            dirichlet_lupdf,
            |x, data| (&x[0..3], data(&alpha[..])),
            [0.2, 0.3, 0.5],
            normaliser,
        );
        assert_data_drops!(
            dirichlet_lpdf,
            dirichlet_lupdf,
            |x, data| (data(&theta[..]), &x[0..3]),
            alpha,
            0.0,
        );
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.dirichlet.logpdf(theta, alpha), scipy 1.17.1.
        for (theta, alpha, expected) in [
            (
                vec![0.2, 0.3, 0.5],
                vec![1.0, 2.0, 3.0],
                1.504_077_396_776_273_7,
            ),
            (vec![0.7, 0.3], vec![0.5, 0.5], -0.364_406_011_717_065_66),
            (
                vec![0.1, 0.1, 0.1, 0.7],
                vec![2.5, 0.8, 1.0, 10.0],
                3.894_341_559_403_249,
            ),
        ] {
            let lp: f64 = dirichlet_lpdf(&theta, &alpha).unwrap();
            assert_close(lp, expected, 1e-13);
            assert_eq!(lp, dirichlet_lupdf::<f64>(&theta, &alpha).unwrap());
        }
        // Several simplexes sharing alpha: the sum.
        let thetas = vec![vec![0.2, 0.3, 0.5], vec![0.6, 0.3, 0.1]];
        let lp: f64 = dirichlet_lpdf(&thetas, &[1.0, 2.0, 3.0]).unwrap();
        assert_close(lp, 1.504_077_396_776_273_7 + REFERENCE_SECOND, 1e-13);
        // alpha_k = 1 at theta_k = 0 contributes 0 (uniform on the simplex: ln Γ(3) = ln 2).
        let lp: f64 = dirichlet_lpdf(&[0.0, 0.4, 0.6], &[1.0, 1.0, 1.0]).unwrap();
        assert_close(lp, 2f64.ln(), 1e-14);
    }

    const REFERENCE_SECOND: f64 = -1.714_798_428_091_926_4;

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = dirichlet_lpdf::<f64>(&[0.2, 0.3, 0.5], &[1.0, -1.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dirichlet: concentration[2] is -1, but must be positive and finite"
        );
        let err = dirichlet_lpdf::<f64>(&[0.5, 0.5], &[1.0, 1.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dirichlet: concentration has size 3, but must have size 2"
        );
        let err = dirichlet_lpdf::<f64>(&[0.5, 0.6], &[1.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dirichlet: sum(random variable) is 1.1, but must be 1 (a simplex, tolerance 1e-8)"
        );
        let err = dirichlet_lpdf::<f64>(&[1.5, -0.5], &[1.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "dirichlet: random variable[1] is 1.5, but must be in [0, 1] (a simplex)"
        );
        assert_eq!(
            Dirichlet::new(vec![1.0, 0.0]).unwrap_err().to_string(),
            "dirichlet: concentration[2] is 0, but must be positive and finite"
        );
    }

    #[test]
    fn sample_moments_match() {
        for alpha in [vec![1.0, 2.0, 3.0], vec![0.05, 0.3, 4.0]] {
            let distribution = Dirichlet::new(alpha).unwrap();
            assert_vector_moments(|rng| distribution.sample(rng), &distribution);
        }
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            theta_raw in proptest::collection::vec(0.1..1.0f64, 3),
            log_alpha in proptest::collection::vec(-1.5..2.0f64, 3),
        ) {
            let sum: f64 = theta_raw.iter().sum();
            let mut x: Vec<f64> = theta_raw.iter().map(|t| t / sum).collect();
            x.extend(log_alpha.iter().map(|a| a.exp()));
            // The simplex is kept exact under perturbation by parameterising its last element.
            assert_gradient_matches(
                |q| {
                    let theta = [q[0], q[1], 1.0 - q[0] - q[1]];
                    dirichlet_lpdf(&theta, &q[3..6])
                },
                &x,
            );
            // Two observations sharing alpha.
            assert_gradient_matches(
                |q| {
                    let thetas = vec![
                        vec![q[0], q[1], 1.0 - q[0] - q[1]],
                        vec![q[1], q[0], 1.0 - q[0] - q[1]],
                    ];
                    dirichlet_lpdf(&thetas, &q[3..6])
                },
                &x,
            );
        }
    }
}

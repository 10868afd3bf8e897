//! The negative binomial distribution with log-mean and dispersion, `neg_binomial_2_log(y | eta, phi) = neg_binomial_2(y | exp(eta), phi)`, and the stable kernel both forms share.

use rand::Rng;

use super::check::{
    check_finite, check_int_all, check_positive_finite, checked_len, leading_value,
};
use super::distribution::{Distribution, Support};
use super::math::ln_factorial;
use super::neg_binomial_2::{check_sampling_mean, sample_neg_binomial_2};
use super::partials::{log_mass, ArgPartials};
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};
use crate::special::{digamma, inv_logit, lgamma, log1p_exp};

/// Log-mass of the negative binomial distribution parameterised by the log-mean `η` and the
/// dispersion `φ`, vectorised over all arguments (Stan's `neg_binomial_2_log_lpmf`):
///
/// `Σ_i ln Γ(y_i + φ_i) − ln Γ(φ_i) − ln y_i! − y_i ln(1 + φ_i e^−η_i) − φ_i ln(1 + e^η_i / φ_i)`,
///
/// the same as `neg_binomial_2(y | e^η, φ)`, evaluated with stable softplus terms in
/// `η − ln φ` so that the mean is never formed. The partials
/// `∂/∂η = y − (y + φ) p` and `∂/∂φ = ψ(y + φ) − ψ(φ) − ln(1 + μ/φ) + p − y (1 − p)/φ`,
/// `p = μ/(μ + φ)`, are computed in `f64` in one pass (the digammas only when `φ` carries a
/// tangent).
///
/// # Errors
/// `y` negative, `log_mean` not finite, `dispersion` not positive and finite, or vector
/// lengths that differ: `neg_binomial_2_log: dispersion is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Negative binomial distribution (log alternative
/// parameterization)".
///
/// ```
/// // neg_binomial_2(2 | 1, 1) = C(2, 2) (1/2)¹ (1/2)² = 1/8
/// let lp: f64 = ppl_core::dist::neg_binomial_2_log_lpmf(2, 0.0, 1.0)?;
/// assert!((lp - 0.125f64.ln()).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn neg_binomial_2_log_lpmf<T: Real>(
    y: impl IntOperand,
    log_mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    neg_binomial_2_log_log_mass::<false, T>(y, log_mean, dispersion)
}

/// [`neg_binomial_2_log_lpmf`] without `−Σ ln y_i!`, which depends only on the data (Stan's
/// `neg_binomial_2_log_lupmf`, what `~` uses), without `Σ ln Γ(y_i + φ_i) − ln Γ(φ_i)` when
/// `dispersion` is [`crate::Data`] and without `Σ y_i η_i` when `log_mean` is.
pub fn neg_binomial_2_log_lupmf<T: Real>(
    y: impl IntOperand,
    log_mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    neg_binomial_2_log_log_mass::<true, T>(y, log_mean, dispersion)
}

fn neg_binomial_2_log_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    log_mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "neg_binomial_2_log";
    // A lazy log-mean (`a[group] + b[group] .* x`, `mu + tau * eta`) drives the loop and is
    // checked in it.
    let log_mean_in_loop = log_mean.prefers_visit();
    let checks = |with_log_mean: bool| -> Result<()> {
        check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
        if with_log_mean {
            check_finite(FUNCTION, "log_mean", &log_mean)?;
        }
        check_positive_finite(FUNCTION, "dispersion", &dispersion)
    };
    let n = checked_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("log_mean", log_mean.size()),
            ("dispersion", dispersion.size()),
        ],
        log_mean_in_loop,
        checks,
    )?;
    let kept = KeptTerms::new::<PROPTO>(is_data(&log_mean), is_data(&dispersion));
    let scalar_dispersion = dispersion.size().is_none();
    let log_dispersion_0 = leading_value(&dispersion).ln();
    let mut log_mean_partials = ArgPartials::new(&log_mean);
    let mut dispersion_partials = ArgPartials::new(&dispersion);
    let mut out = T::accumulator();
    let mut value = 0.0;
    let mut log_mean_valid = true;
    let dispersion_active = dispersion_partials.is_active();
    log_mean_partials.visit(
        &log_mean,
        n,
        &mut out,
        #[inline(always)]
        |out, i, log_mean_i| {
            log_mean_valid &= log_mean_i.is_finite();
            let count = y.at(i);
            let phi = dispersion.value_at(i);
            let log_phi = if scalar_dispersion {
                log_dispersion_0
            } else {
                phi.ln()
            };
            let term =
                neg_binomial_2_log_term(count, log_mean_i, phi, log_phi, dispersion_active, kept);
            value += term.log_mass;
            if !PROPTO {
                value -= ln_factorial(count);
            }
            dispersion_partials.add(out, i, term.d_dispersion);
            term.d_log_mean
        },
    );
    if !log_mean_valid {
        checks(true)?;
    }
    log_mean_partials.apply(&mut out);
    dispersion_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// Which terms of the negative binomial log-mass an unnormalised form keeps (Stan's
/// `include_summand`): `ln Γ(y + φ) − ln Γ(φ)` unless the dispersion is data, `y ln μ` unless
/// the mean (or log-mean) is data. Both are always kept by the normalised form.
#[derive(Clone, Copy)]
pub(crate) struct KeptTerms {
    log_rising_factorial: bool,
    y_log_mean: bool,
}

impl KeptTerms {
    /// The kept terms given which arguments are data.
    pub(crate) const fn new<const PROPTO: bool>(
        mean_is_data: bool,
        dispersion_is_data: bool,
    ) -> Self {
        KeptTerms {
            log_rising_factorial: include_summand::<PROPTO>(dispersion_is_data),
            y_log_mean: include_summand::<PROPTO>(mean_is_data),
        }
    }
}

/// One observation's negative binomial log-mass (without `ln y!`, and without what `kept`
/// drops) and partials.
pub(crate) struct NegBinomial2Term {
    /// `ln Γ(y + φ) − ln Γ(φ) − y ln(1 + φ/μ) − φ ln(1 + μ/φ)`.
    pub(crate) log_mass: f64,
    /// `∂/∂ ln μ = y − (y + φ) μ/(μ + φ)`.
    pub(crate) d_log_mean: f64,
    /// `∂/∂φ` (0 unless requested).
    pub(crate) d_dispersion: f64,
}

/// The kernel shared by `neg_binomial_2` and `neg_binomial_2_log`, in terms of
/// `x = ln μ − ln φ` only: `p = μ/(μ + φ) = inv_logit(x)`, `ln(1 + μ/φ) = softplus(x)`,
/// `ln(1 + φ/μ) = softplus(−x)`, so neither tail overflows.
#[inline]
pub(crate) fn neg_binomial_2_log_term(
    count: i64,
    log_mean: f64,
    dispersion: f64,
    log_dispersion: f64,
    with_d_dispersion: bool,
    kept: KeptTerms,
) -> NegBinomial2Term {
    let y = count as f64;
    let x = log_mean - log_dispersion;
    let p = inv_logit(x);
    let softplus_x = log1p_exp(x);
    // A dropped rising factorial belongs to a data dispersion, which needs no derivative.
    let (rising, d_rising) = if kept.log_rising_factorial {
        log_rising_factorial(dispersion, count, with_d_dispersion)
    } else {
        (0.0, 0.0)
    };
    let mut log_mass = rising - dispersion * softplus_x;
    if count > 0 {
        if kept.y_log_mean {
            log_mass -= y * log1p_exp(-x);
        } else {
            // Without `y ln μ`: −y softplus(−x) − y ln μ = −y (ln φ + softplus(x)).
            log_mass -= y * (log_dispersion + softplus_x);
        }
    }
    let d_dispersion = if with_d_dispersion {
        d_rising - softplus_x + p - y * inv_logit(-x) / dispersion
    } else {
        0.0
    };
    NegBinomial2Term {
        log_mass,
        d_log_mean: y - (y + dispersion) * p,
        d_dispersion,
    }
}

/// `ln Γ(φ + k) − ln Γ(φ)` and (if `with_derivative`) `ψ(φ + k) − ψ(φ)`: the exact sums
/// `Σ_{j<k} ln(φ + j)` and `Σ 1/(φ + j)` for `k ≤ 16` (no cancellation for large `φ`), the
/// gamma functions beyond.
#[inline]
fn log_rising_factorial(phi: f64, count: i64, with_derivative: bool) -> (f64, f64) {
    if count <= 16 {
        let mut value = 0.0;
        let mut derivative = 0.0;
        for j in 0..count {
            let term = phi + j as f64;
            value += term.ln();
            if with_derivative {
                derivative += 1.0 / term;
            }
        }
        (value, derivative)
    } else {
        let shifted = phi + count as f64;
        let derivative = if with_derivative {
            digamma(shifted) - digamma(phi)
        } else {
            0.0
        };
        (lgamma(shifted) - lgamma(phi), derivative)
    }
}

/// The negative binomial distribution with fixed log-mean and dispersion, for sampling and
/// moments (a gamma–Poisson mixture).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegBinomial2Log {
    log_mean: f64,
    dispersion: f64,
}

impl NegBinomial2Log {
    /// `neg_binomial_2_log(log_mean, dispersion)`.
    ///
    /// # Errors
    /// `log_mean` not finite, `dispersion` not positive and finite, or `exp(log_mean)` above
    /// `1e18` (draws must fit an `i64`).
    pub fn new(log_mean: f64, dispersion: f64) -> Result<Self> {
        const FUNCTION: &str = "neg_binomial_2_log";
        check_finite(FUNCTION, "log_mean", &log_mean)?;
        check_positive_finite(FUNCTION, "dispersion", &dispersion)?;
        check_sampling_mean(FUNCTION, "exp(log_mean)", log_mean.exp())?;
        Ok(NegBinomial2Log {
            log_mean,
            dispersion,
        })
    }
}

impl Distribution for NegBinomial2Log {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_neg_binomial_2(self.log_mean.exp(), self.dispersion, rng)
    }
    /// The mean `μ = exp(η)`.
    fn mean(&self) -> Option<f64> {
        Some(self.log_mean.exp())
    }
    /// The variance `μ + μ²/φ`.
    fn variance(&self) -> Option<f64> {
        let mean = self.log_mean.exp();
        Some(mean + mean * mean / self.dispersion)
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: None,
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        neg_binomial_2_log_lpmf::<f64>(*x, self.log_mean, self.dispersion)
            .unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::neg_binomial_2_lpmf;
    use crate::dist::poisson_log_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_neg_binomial_2_of_exp() {
        for &(y, eta, phi) in &[
            (0, 0.3, 2.0),
            (7, 1.5, 0.4),
            (40, 3.0, 12.0),
            (3, -2.0, 100.0),
        ] {
            let expected: f64 = neg_binomial_2_lpmf(y, f64::exp(eta), phi).unwrap();
            let lp: f64 = neg_binomial_2_log_lpmf(y, eta, phi).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn values_match_scipy() {
        // scipy.stats.nbinom.logpmf(y, phi, phi / (exp(eta) + phi)), scipy 1.17.1
        for &(y, eta, phi, expected) in &[
            (0, 0.3, 2.0, -1.031_542_034_793_165_2),
            (7, 1.5, 0.4, -3.580_585_974_261_381_5),
            (40, 3.0, 12.0, -5.951_554_182_666_941),
            (3, -2.0, 100.0, -7.901_307_612_289_617),
        ] {
            let lp: f64 = neg_binomial_2_log_lpmf(y, eta, phi).unwrap();
            assert_close(lp, expected, 1e-11);
        }
    }

    #[test]
    fn large_dispersion_tends_to_poisson_log() {
        let lp: f64 = neg_binomial_2_log_lpmf(5, 1.2, 1e12).unwrap();
        let poisson: f64 = poisson_log_lpmf(5, 1.2).unwrap();
        assert_close(lp, poisson, 1e-10);
    }

    #[test]
    fn stable_for_extreme_log_means() {
        // η = −600: ln p(0) = −φ ln(1 + e^−600/φ) ≈ −e^−600, not NaN.
        let lp: f64 = neg_binomial_2_log_lpmf(0, -600.0, 3.0).unwrap();
        assert!(lp <= 0.0 && lp > -1e-250);
        // η = 600: ln p(0) = −φ ln(1 + e^600/φ) ≈ −φ (600 − ln φ), finite.
        let lp: f64 = neg_binomial_2_log_lpmf(0, 600.0, 3.0).unwrap();
        assert_close(lp, -3.0 * (600.0 - 3.0f64.ln()), 1e-14);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_factorials() {
        let y = vec![0, 4, 25];
        let eta = vec![-0.5, 1.0, 2.9];
        let phi = vec![0.7, 3.0, 20.0];
        let lp: f64 = neg_binomial_2_log_lpmf(&y, &eta, &phi).unwrap();
        let sum: f64 = (0..3)
            .map(|i| neg_binomial_2_log_lpmf::<f64>(y[i], eta[i], phi[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-13);
        let propto: f64 = neg_binomial_2_log_lupmf(&y, &eta, &phi).unwrap();
        let factorials: f64 = y.iter().map(|&k| ln_factorial(k)).sum();
        assert_close(lp - propto, -factorials, 1e-13);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(
            |y| neg_binomial_2_log_lpmf::<f64>(y, 1.1, 1.5).unwrap(),
            0,
            400,
        );
    }

    #[test]
    fn sample_moments_match() {
        let d = NegBinomial2Log::new(1.1, 2.5).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = neg_binomial_2_log_lpmf::<f64>(1, 0.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2_log: dispersion is 0, but must be positive and finite"
        );
        let err = neg_binomial_2_log_lpmf::<f64>(1, f64::NEG_INFINITY, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2_log: log_mean is -inf, but must be finite"
        );
        let err = neg_binomial_2_log_lpmf::<f64>(-3, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2_log: random variable is -3, but must be non-negative"
        );
        let err = neg_binomial_2_log_lpmf::<f64>(&vec![1, 2], 0.0, &vec![1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2_log: dispersion has size 3, but must have size 2"
        );
        assert_eq!(
            NegBinomial2Log::new(0.0, -1.0).unwrap_err().to_string(),
            "neg_binomial_2_log: dispersion is -1, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..60, eta in -3.0..4.0f64, log_phi in -2.0..4.0f64, b in -1.0..1.0f64,
        ) {
            let phi = log_phi.exp();
            assert_gradient_matches(|x| neg_binomial_2_log_lpmf(y, x[0], x[1]), &[eta, phi]);
            let ys = vec![y, 0, 3];
            assert_gradient_matches(
                |x| neg_binomial_2_log_lpmf(&ys, &x[0..3], &x[3..6]),
                &[eta, b, -b, phi, 1.5, 0.3],
            );
            assert_gradient_matches(|x| neg_binomial_2_log_lupmf(&ys, &x[0..3], x[3]), &[eta, b, 0.0, phi]);
        }
    }

    /// With data `dispersion` the unnormalised form drops `Σ ln Γ(y + φ) − ln Γ(φ)`, with data
    /// `log_mean` `Σ y η`.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0i64, 3, 25];
        let log_mean = [-0.5, 0.7, 3.4];
        let dispersion = [0.7, 4.0, 150.0];
        let rising: f64 = (0..3)
            .map(|i| ln_gamma(y[i] as f64 + dispersion[i]) - ln_gamma(dispersion[i]))
            .sum();
        let y_log_mean: f64 = (0..3).map(|i| y[i] as f64 * log_mean[i]).sum();
        assert_data_drops!(
            neg_binomial_2_log_lpmf,
            neg_binomial_2_log_lupmf,
            |x, data| (&y[..], &x[0..3], data(&dispersion[..])),
            [-0.5, 0.7, 3.4],
            rising,
        );
        assert_data_drops!(
            neg_binomial_2_log_lpmf,
            neg_binomial_2_log_lupmf,
            |x, data| (&y[..], data(&log_mean[..]), &x[0..3]),
            [0.7, 4.0, 150.0],
            y_log_mean,
        );
        assert_data_drops!(
            neg_binomial_2_log_lpmf,
            neg_binomial_2_log_lupmf,
            |x, data| (&y[..], data(&log_mean[..]), x[0]),
            [2.0],
            y_log_mean,
        );
    }
}

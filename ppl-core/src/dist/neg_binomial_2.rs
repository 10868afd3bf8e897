//! The negative binomial distribution with mean and dispersion, `neg_binomial_2(y | mu, phi)` (Stan's `NegBinomial2`: variance `mu + mu²/phi`).

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_all, check_int_all, check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::ln_factorial;
use super::neg_binomial_2_log::{neg_binomial_2_log_term, KeptTerms};
use super::partials::{log_mass, ArgPartials};
use super::poisson::{sample_poisson, MAX_SAMPLING_RATE};
use crate::data::is_data;
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the negative binomial distribution parameterised by the mean `μ` and the
/// dispersion `φ`, vectorised over all arguments (Stan's `neg_binomial_2_lpmf`):
///
/// `Σ_i ln C(y_i + φ_i − 1, y_i) + y_i ln(μ_i/(μ_i + φ_i)) + φ_i ln(φ_i/(μ_i + φ_i))`,
///
/// mean `μ`, variance `μ + μ²/φ`; as `φ → ∞` it tends to `poisson(μ)`. Evaluated through the
/// stable kernel of [`neg_binomial_2_log_lpmf`](crate::dist::neg_binomial_2_log_lpmf) with
/// `η = ln μ`; the partials are `∂/∂μ = y/μ − (y + φ)/(μ + φ)` and
/// `∂/∂φ = ψ(y + φ) − ψ(φ) − ln(1 + μ/φ) + (μ − y)/(μ + φ)`, computed in `f64` in one pass.
///
/// # Errors
/// `y` negative, `mean` or `dispersion` not positive and finite, or vector lengths that
/// differ: `neg_binomial_2: mean is -1, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Negative binomial distribution (alternative parameterization)".
///
/// ```
/// // neg_binomial_2(2 | 1, 1) = C(2, 2) (1/2)¹ (1/2)² = 1/8
/// let lp: f64 = ppl_core::dist::neg_binomial_2_lpmf(2, 1.0, 1.0)?;
/// assert!((lp - 0.125f64.ln()).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn neg_binomial_2_lpmf<T: Real>(
    y: impl IntOperand,
    mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    neg_binomial_2_log_mass::<false, T>(y, mean, dispersion)
}

/// [`neg_binomial_2_lpmf`] without `−Σ ln y_i!`, which depends only on the data (Stan's
/// `neg_binomial_2_lupmf`, what `~` uses), without `Σ ln Γ(y_i + φ_i) − ln Γ(φ_i)` when
/// `dispersion` is [`crate::Data`] and without `Σ y_i ln μ_i` when `mean` is.
pub fn neg_binomial_2_lupmf<T: Real>(
    y: impl IntOperand,
    mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    neg_binomial_2_log_mass::<true, T>(y, mean, dispersion)
}

fn neg_binomial_2_log_mass<const PROPTO: bool, T: Real>(
    y: impl IntOperand,
    mean: impl Operand,
    dispersion: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "neg_binomial_2";
    check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
    check_positive_finite(FUNCTION, "mean", &mean)?;
    check_positive_finite(FUNCTION, "dispersion", &dispersion)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("mean", mean.size()),
            ("dispersion", dispersion.size()),
        ],
    )?;
    let kept = KeptTerms::new::<PROPTO>(is_data(&mean), is_data(&dispersion));
    let scalar_mean = mean.size().is_none();
    let scalar_dispersion = dispersion.size().is_none();
    let log_mean_0 = leading_value(&mean).ln();
    let log_dispersion_0 = leading_value(&dispersion).ln();
    let mut mean_partials = ArgPartials::new(&mean);
    let mut dispersion_partials = ArgPartials::new(&dispersion);
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..n {
        let count = y.at(i);
        let (mu, phi) = (mean.value_at(i), dispersion.value_at(i));
        let log_mu = if scalar_mean { log_mean_0 } else { mu.ln() };
        let log_phi = if scalar_dispersion {
            log_dispersion_0
        } else {
            phi.ln()
        };
        let term = neg_binomial_2_log_term(
            count,
            log_mu,
            phi,
            log_phi,
            dispersion_partials.is_active(),
            kept,
        );
        value += term.log_mass;
        if !PROPTO {
            value -= ln_factorial(count);
        }
        // ∂/∂μ = (∂/∂ ln μ) / μ.
        mean_partials.add(&mut out, i, term.d_log_mean / mu);
        dispersion_partials.add(&mut out, i, term.d_dispersion);
    }
    mean_partials.apply(&mut out);
    dispersion_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// `mean` is at most `1e18`, so that draws fit an `i64`.
pub(crate) fn check_sampling_mean(
    function: &'static str,
    name: &'static str,
    mean: f64,
) -> Result<()> {
    check_all(function, name, &mean, "at most 1e18 to sample", |v| {
        v <= MAX_SAMPLING_RATE
    })
}

/// One negative binomial draw as a gamma–Poisson mixture: `λ ~ gamma(φ, rate φ/μ)`,
/// `y ~ poisson(λ)`.
pub(crate) fn sample_neg_binomial_2<R: Rng + ?Sized>(
    mean: f64,
    dispersion: f64,
    rng: &mut R,
) -> i64 {
    // Arguments were checked by the constructors, so construction cannot fail.
    let rate = rand_distr::Gamma::new(dispersion, mean / dispersion)
        .map(|d| d.sample(rng))
        .unwrap_or(mean);
    sample_poisson(rate.min(MAX_SAMPLING_RATE), rng)
}

/// The negative binomial distribution with fixed mean and dispersion, for sampling and moments
/// (a gamma–Poisson mixture).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NegBinomial2 {
    mean: f64,
    dispersion: f64,
}

impl NegBinomial2 {
    /// `neg_binomial_2(mean, dispersion)`.
    ///
    /// # Errors
    /// `mean` or `dispersion` not positive and finite, or `mean` above `1e18` (draws must fit
    /// an `i64`).
    pub fn new(mean: f64, dispersion: f64) -> Result<Self> {
        const FUNCTION: &str = "neg_binomial_2";
        check_positive_finite(FUNCTION, "mean", &mean)?;
        check_positive_finite(FUNCTION, "dispersion", &dispersion)?;
        check_sampling_mean(FUNCTION, "mean", mean)?;
        Ok(NegBinomial2 { mean, dispersion })
    }
}

impl Distribution for NegBinomial2 {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_neg_binomial_2(self.mean, self.dispersion, rng)
    }
    /// The mean `μ`.
    fn mean(&self) -> Option<f64> {
        Some(self.mean)
    }
    /// The variance `μ + μ²/φ`.
    fn variance(&self) -> Option<f64> {
        Some(self.mean + self.mean * self.mean / self.dispersion)
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: None,
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        neg_binomial_2_lpmf::<f64>(*x, self.mean, self.dispersion).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::poisson_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Discrete, NegativeBinomial};
        // statrs' NegativeBinomial(r, p) counts failures before the r-th success of
        // probability p: neg_binomial_2(μ, φ) = NegativeBinomial(φ, φ/(μ + φ)).
        for &(y, mu, phi) in &[
            (0, 1.3, 2.0),
            (7, 4.5, 0.4),
            (40, 20.0, 12.0),
            (3, 0.1, 100.0),
            (150, 90.0, 3.5),
        ] {
            let expected = NegativeBinomial::new(phi, phi / (mu + phi))
                .unwrap()
                .ln_pmf(y as u64);
            let lp: f64 = neg_binomial_2_lpmf(y, mu, phi).unwrap();
            assert_close(lp, expected, 1e-11);
        }
    }

    #[test]
    fn large_dispersion_tends_to_poisson() {
        let lp: f64 = neg_binomial_2_lpmf(5, 3.3, 1e12).unwrap();
        let poisson: f64 = poisson_lpmf(5, 3.3).unwrap();
        assert_close(lp, poisson, 1e-10);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_factorials() {
        let y = vec![0, 4, 25];
        let mu = vec![0.5, 3.0, 20.0];
        let phi = vec![0.7, 3.0, 20.0];
        let lp: f64 = neg_binomial_2_lpmf(&y, &mu, &phi).unwrap();
        let sum: f64 = (0..3)
            .map(|i| neg_binomial_2_lpmf::<f64>(y[i], mu[i], phi[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-13);
        let propto: f64 = neg_binomial_2_lupmf(&y, &mu, &phi).unwrap();
        let factorials: f64 = y.iter().map(|&k| ln_factorial(k)).sum();
        assert_close(lp - propto, -factorials, 1e-13);
        let broadcast: f64 = neg_binomial_2_lpmf(&y, 4.0, 2.0).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&k| neg_binomial_2_lpmf::<f64>(k, 4.0, 2.0).unwrap())
            .sum();
        assert_close(broadcast, sum, 1e-13);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(
            |y| neg_binomial_2_lpmf::<f64>(y, 6.0, 0.8).unwrap(),
            0,
            3000,
        );
    }

    #[test]
    fn sample_moments_match() {
        for d in [
            NegBinomial2::new(4.0, 1.5).unwrap(),
            NegBinomial2::new(0.7, 30.0).unwrap(),
        ] {
            assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
        }
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = neg_binomial_2_lpmf::<f64>(1, -1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2: mean is -1, but must be positive and finite"
        );
        let err = neg_binomial_2_lpmf::<f64>(1, 1.0, f64::INFINITY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2: dispersion is inf, but must be positive and finite"
        );
        let err = neg_binomial_2_lpmf::<f64>(&vec![0, -1], 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2: random variable[2] is -1, but must be non-negative"
        );
        let err = neg_binomial_2_lpmf::<f64>(&vec![1, 2], &vec![1.0; 3], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "neg_binomial_2: mean has size 3, but must have size 2"
        );
        assert_eq!(
            NegBinomial2::new(1e19, 1.0).unwrap_err().to_string(),
            "neg_binomial_2: mean is 10000000000000000000, but must be at most 1e18 to sample"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..60, log_mu in -2.0..4.0f64, log_phi in -2.0..4.0f64,
        ) {
            let (mu, phi) = (log_mu.exp(), log_phi.exp());
            assert_gradient_matches(|x| neg_binomial_2_lpmf(y, x[0], x[1]), &[mu, phi]);
            let ys = vec![y, 0, 30];
            assert_gradient_matches(
                |x| neg_binomial_2_lpmf(&ys, &x[0..3], &x[3..6]),
                &[mu, 0.4, 25.0, phi, 1.5, 0.3],
            );
            assert_gradient_matches(|x| neg_binomial_2_lupmf(&ys, x[0], x[1]), &[mu, phi]);
        }
    }

    /// With data `dispersion` the unnormalised form drops `Σ ln Γ(y + φ) − ln Γ(φ)`, with data
    /// `mean` `Σ y ln μ`.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0i64, 3, 25];
        let mean = [0.5, 2.0, 30.0];
        let dispersion = [0.7, 4.0, 150.0];
        let rising: f64 = (0..3)
            .map(|i| ln_gamma(y[i] as f64 + dispersion[i]) - ln_gamma(dispersion[i]))
            .sum();
        let y_log_mean: f64 = (0..3).map(|i| y[i] as f64 * mean[i].ln()).sum();
        assert_data_drops!(
            neg_binomial_2_lpmf,
            neg_binomial_2_lupmf,
            |x, data| (&y[..], &x[0..3], data(&dispersion[..])),
            [0.5, 2.0, 30.0],
            rising,
        );
        assert_data_drops!(
            neg_binomial_2_lpmf,
            neg_binomial_2_lupmf,
            |x, data| (&y[..], data(&mean[..]), &x[0..3]),
            [0.7, 4.0, 150.0],
            y_log_mean,
        );
        assert_data_drops!(
            neg_binomial_2_lpmf,
            neg_binomial_2_lupmf,
            |x, data| (&y[..], data(&mean[..]), x[0]),
            [2.5],
            y_log_mean,
        );
    }
}

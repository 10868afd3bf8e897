//! The Bernoulli distribution on the log-odds scale, `bernoulli_logit(y | alpha) = bernoulli(y | inv_logit(alpha))`.

use rand::Rng;

use super::bernoulli::{check_binary, sample_bernoulli};
use super::check::{check_finite, check_not_nan, checked_len};
use super::distribution::{Distribution, Support};
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};
use crate::special::inv_logit;

/// Log-mass of the Bernoulli distribution parameterised by log-odds `α`, vectorised (Stan's
/// `bernoulli_logit_lpmf`):
///
/// `Σ_i −ln(1 + exp(−s_i α_i))`, `s_i = 2 y_i − 1`,
///
/// i.e. `ln inv_logit(α)` for `y = 1` and `ln(1 − inv_logit(α))` for `y = 0`, evaluated with a
/// stable softplus so that `|α|` in the hundreds neither overflows nor loses the tail. The
/// partial `∂/∂α = s · inv_logit(−s α) = y − inv_logit(α)` is computed in `f64` in one pass.
///
/// # Errors
/// `y` not in `{0, 1}`, `log_odds` NaN, or vector lengths that differ:
/// `bernoulli_logit: log_odds is NaN, but must be not NaN`.
///
/// # Reference
/// Stan Functions Reference, "Bernoulli distribution, logit parameterization".
///
/// ```
/// // ln inv_logit(2) = −ln(1 + e^−2)
/// let lp: f64 = ppl_core::dist::bernoulli_logit_lpmf(1, 2.0)?;
/// assert!((lp - (-0.126_928_011_042_972_5)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn bernoulli_logit_lpmf<T: Real>(y: impl IntOperand, log_odds: impl Operand) -> Result<T> {
    const FUNCTION: &str = "bernoulli_logit";
    // Lazy log-odds (`a[group] + b[group] .* x`, `mu + tau * eta`) drive the loop and are
    // checked in it.
    let log_odds_in_loop = log_odds.prefers_visit();
    let checks = |with_log_odds: bool| -> Result<()> {
        check_binary(FUNCTION, &y)?;
        if with_log_odds {
            check_not_nan(FUNCTION, "log_odds", &log_odds)?;
        }
        Ok(())
    };
    let n = checked_len(
        FUNCTION,
        &[("random variable", y.size()), ("log_odds", log_odds.size())],
        log_odds_in_loop,
        checks,
    )?;
    let mut log_odds_partials = ArgPartials::new(&log_odds);
    let mut out = T::accumulator();
    let mut value = 0.0;
    let mut log_odds_valid = true;
    log_odds_partials.visit(
        &log_odds,
        n,
        &mut out,
        #[inline(always)]
        |_, i, alpha| {
            log_odds_valid &= !alpha.is_nan();
            let (lp, d_log_odds) = bernoulli_logit_term(y.at(i), alpha);
            value += lp;
            d_log_odds
        },
    );
    if !log_odds_valid {
        checks(true)?;
    }
    log_odds_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The same as [`bernoulli_logit_lpmf`]: no term depends on the data only (Stan's
/// `bernoulli_logit_lupmf`, what `~` uses).
pub fn bernoulli_logit_lupmf<T: Real>(y: impl IntOperand, log_odds: impl Operand) -> Result<T> {
    bernoulli_logit_lpmf(y, log_odds)
}

/// `(ln p(y | α), ∂/∂α)` for one observation `y ∈ {0, 1}`: `−softplus(−sα)` and
/// `s · inv_logit(−sα)` with `s = 2y − 1`, stable for any `|α|`.
#[inline]
pub(crate) fn bernoulli_logit_term(y: i64, log_odds: f64) -> (f64, f64) {
    let sign = if y == 1 { 1.0 } else { -1.0 };
    let signed = sign * log_odds;
    // One exponential of −|sα| serves both the softplus and the logistic.
    if signed >= 0.0 {
        let e = (-signed).exp();
        (-e.ln_1p(), sign * e / (1.0 + e))
    } else {
        let e = signed.exp();
        (signed - e.ln_1p(), sign / (1.0 + e))
    }
}

/// The Bernoulli distribution with fixed log-odds, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BernoulliLogit {
    log_odds: f64,
}

impl BernoulliLogit {
    /// `bernoulli_logit(log_odds)`.
    ///
    /// # Errors
    /// `log_odds` not finite.
    pub fn new(log_odds: f64) -> Result<Self> {
        check_finite("bernoulli_logit", "log_odds", &log_odds)?;
        Ok(BernoulliLogit { log_odds })
    }
}

impl Distribution for BernoulliLogit {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_bernoulli(inv_logit(self.log_odds), rng)
    }
    /// The mean `inv_logit(α)`.
    fn mean(&self) -> Option<f64> {
        Some(inv_logit(self.log_odds))
    }
    /// The variance `inv_logit(α) · inv_logit(−α)`.
    fn variance(&self) -> Option<f64> {
        Some(inv_logit(self.log_odds) * inv_logit(-self.log_odds))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: Some(1),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        bernoulli_logit_lpmf::<f64>(*x, self.log_odds).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::bernoulli_lpmf;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_bernoulli_of_inv_logit() {
        for &(y, alpha) in &[(0, 0.3), (1, -2.0), (1, 4.5), (0, -7.0)] {
            let expected: f64 = bernoulli_lpmf(y, inv_logit(alpha)).unwrap();
            let lp: f64 = bernoulli_logit_lpmf(y, alpha).unwrap();
            assert_close(lp, expected, 1e-13);
        }
    }

    #[test]
    fn values_match_scipy() {
        // scipy.special.log_expit(±alpha), scipy 1.17.1
        for &(y, alpha, expected) in &[
            (1, 2.5, -0.078_889_734_292_549_63),
            (0, 2.5, -2.578_889_734_292_549_6),
            (1, -30.0, -30.000_000_000_000_092),
            (0, -0.7, -0.403_186_048_885_457_9),
        ] {
            let lp: f64 = bernoulli_logit_lpmf(y, alpha).unwrap();
            assert_close(lp, expected, 1e-14);
        }
    }

    #[test]
    fn stable_for_large_log_odds() {
        // Exact: ln inv_logit(−800) = −800 − ln(1 + e^−800) = −800 in f64.
        assert_eq!(bernoulli_logit_lpmf::<f64>(1, -800.0).unwrap(), -800.0);
        assert_eq!(bernoulli_logit_lpmf::<f64>(0, 800.0).unwrap(), -800.0);
        // ln(1 − inv_logit(−40)) = −ln(1 + e^−40) ≈ −e^−40, not rounded to 0.
        let tail: f64 = bernoulli_logit_lpmf(0, -40.0).unwrap();
        assert_close(tail / -(-40.0f64).exp(), 1.0, 1e-12);
        // The gradient at α = 800 for y = 0 is −1, at α = −800 for y = 0 it is −e^−800 = −0.
        let mut g = [0.0];
        crate::gradient_chunked::<1, _>(|x| bernoulli_logit_lpmf(0, x[0]), &[800.0], &mut g)
            .unwrap();
        assert_eq!(g[0], -1.0);
        // Infinite log-odds are allowed (as in Stan).
        assert_eq!(bernoulli_logit_lpmf::<f64>(1, f64::INFINITY).unwrap(), 0.0);
        assert_eq!(
            bernoulli_logit_lpmf::<f64>(0, f64::INFINITY).unwrap(),
            f64::NEG_INFINITY
        );
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![1, 0, 0, 1];
        let alpha = vec![0.2, -1.5, 3.0, -0.6];
        let lp: f64 = bernoulli_logit_lpmf(&y, &alpha).unwrap();
        let sum: f64 = (0..4)
            .map(|i| bernoulli_logit_lpmf::<f64>(y[i], alpha[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(bernoulli_logit_lupmf::<f64>(&y, &alpha).unwrap(), lp);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| bernoulli_logit_lpmf::<f64>(y, -1.3).unwrap(), 0, 1);
    }

    #[test]
    fn sample_moments_match() {
        let d = BernoulliLogit::new(-0.8).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = bernoulli_logit_lpmf::<f64>(3, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit: random variable is 3, but must be in {0, 1}"
        );
        let err = bernoulli_logit_lpmf::<f64>(1, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit: log_odds is NaN, but must be not NaN"
        );
        let err = bernoulli_logit_lpmf::<f64>(&vec![0, 1], &vec![0.5; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli_logit: log_odds has size 3, but must have size 2"
        );
        assert_eq!(
            BernoulliLogit::new(f64::INFINITY).unwrap_err().to_string(),
            "bernoulli_logit: log_odds is inf, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..2, a in -30.0..30.0f64, b in -5.0..5.0f64,
        ) {
            assert_gradient_matches(|x| bernoulli_logit_lpmf(y, x[0]), &[a]);
            let ys = vec![y, 1 - y, 1];
            assert_gradient_matches(|x| bernoulli_logit_lpmf(&ys, &x[0..3]), &[a, b, -b]);
            assert_gradient_matches(|x| bernoulli_logit_lpmf(&ys, x[0]), &[b]);
        }
    }
}

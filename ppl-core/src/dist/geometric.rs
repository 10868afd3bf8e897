//! The geometric distribution `geometric(y | theta)`: the number of failures before the first success of probability theta.

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_all, check_int_all, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::{log_and_log1m, multiply_log};
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// The rule on the success probability: `0 < θ ≤ 1`.
const PROBABILITY_RULE: &str = "in (0, 1]";

/// Log-mass of the geometric distribution counting failures before the first success,
/// vectorised over both arguments:
///
/// `Σ_i ln θ_i + y_i ln(1 − θ_i)`, `y_i ∈ {0, 1, 2, ...}`,
///
/// i.e. `neg_binomial(y | 1, θ/(1 − θ))` in Stan's terms (Stan has no `geometric`); mean
/// `(1 − θ)/θ`. With `θ = 1` all mass is at 0. The partial `∂/∂θ = 1/θ − y/(1 − θ)` is
/// computed in `f64` in one pass.
///
/// # Errors
/// `y` negative, `probability` not in `(0, 1]`, or vector lengths that differ:
/// `geometric: probability is 0, but must be in (0, 1]`.
///
/// # Reference
/// Johnson, Kemp & Kotz, *Univariate Discrete Distributions* (3rd ed.), §5.2.
///
/// ```
/// // 0.25 · 0.75²
/// let lp: f64 = ppl_core::dist::geometric_lpmf(2, 0.25)?;
/// assert!((lp - (0.25f64 * 0.75 * 0.75).ln()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn geometric_lpmf<T: Real>(y: impl IntOperand, probability: impl Operand) -> Result<T> {
    const FUNCTION: &str = "geometric";
    check_int_all(FUNCTION, "random variable", &y, "non-negative", |v| v >= 0)?;
    check_all(
        FUNCTION,
        "probability",
        &probability,
        PROBABILITY_RULE,
        valid_probability,
    )?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("probability", probability.size()),
        ],
    )?;
    let scalar_probability = probability.size().is_none();
    let scalar_logs = log_and_log1m(leading_value(&probability));
    let mut probability_partials = ArgPartials::new(&probability);
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..n {
        let failures = y.at(i);
        let theta = probability.value_at(i);
        let (log_p, log1m_p) = if scalar_probability {
            scalar_logs
        } else {
            log_and_log1m(theta)
        };
        value += log_p + multiply_log(failures as f64, log1m_p);
        if probability_partials.is_active() {
            let mut d_probability = 1.0 / theta;
            if failures > 0 {
                d_probability -= failures as f64 / (1.0 - theta);
            }
            probability_partials.add(&mut out, i, d_probability);
        }
    }
    probability_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The same as [`geometric_lpmf`]: no term depends on the data only.
pub fn geometric_lupmf<T: Real>(y: impl IntOperand, probability: impl Operand) -> Result<T> {
    geometric_lpmf(y, probability)
}

fn valid_probability(theta: f64) -> bool {
    theta > 0.0 && theta <= 1.0
}

/// The geometric distribution (failures before the first success) with a fixed probability,
/// for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geometric {
    probability: f64,
}

impl Geometric {
    /// `geometric(probability)`.
    ///
    /// # Errors
    /// `probability` not in `(0, 1]`.
    pub fn new(probability: f64) -> Result<Self> {
        check_all(
            "geometric",
            "probability",
            &probability,
            PROBABILITY_RULE,
            valid_probability,
        )?;
        Ok(Geometric { probability })
    }
}

impl Distribution for Geometric {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        // The probability was checked by `new`, so construction cannot fail; draws beyond
        // `i64::MAX` (probability below ~1e-19 per draw) saturate.
        rand_distr::Geometric::new(self.probability)
            .map(|d| d.sample(rng).min(i64::MAX as u64) as i64)
            .unwrap_or(0)
    }
    /// The mean `(1 − θ)/θ`.
    fn mean(&self) -> Option<f64> {
        Some((1.0 - self.probability) / self.probability)
    }
    /// The variance `(1 − θ)/θ²`.
    fn variance(&self) -> Option<f64> {
        Some((1.0 - self.probability) / (self.probability * self.probability))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: None,
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        geometric_lpmf::<f64>(*x, self.probability).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Discrete, Geometric as StatrsGeometric};
        // statrs counts trials up to and including the first success: ours(y) = statrs(y + 1).
        for &(y, p) in &[(0, 0.3), (5, 0.3), (40, 0.05), (2, 0.999)] {
            let expected = StatrsGeometric::new(p).unwrap().ln_pmf(y as u64 + 1);
            let lp: f64 = geometric_lpmf(y, p).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn certain_success_puts_all_mass_at_zero() {
        assert_eq!(geometric_lpmf::<f64>(0, 1.0).unwrap(), 0.0);
        assert_eq!(geometric_lpmf::<f64>(3, 1.0).unwrap(), f64::NEG_INFINITY);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0, 4, 2];
        let p = vec![0.5, 0.2, 0.9];
        let lp: f64 = geometric_lpmf(&y, &p).unwrap();
        let sum: f64 = (0..3)
            .map(|i| geometric_lpmf::<f64>(y[i], p[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let broadcast: f64 = geometric_lpmf(&y, 0.4).unwrap();
        assert_close(broadcast, 3.0 * 0.4f64.ln() + 6.0 * 0.6f64.ln(), 1e-14);
        assert_eq!(geometric_lupmf::<f64>(&y, &p).unwrap(), lp);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| geometric_lpmf::<f64>(y, 0.15).unwrap(), 0, 400);
    }

    #[test]
    fn sample_moments_match() {
        let d = Geometric::new(0.2).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
        assert_close(d.mean().unwrap(), 4.0, 1e-15);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = geometric_lpmf::<f64>(1, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "geometric: probability is 0, but must be in (0, 1]"
        );
        let err = geometric_lpmf::<f64>(&vec![1, -4], 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "geometric: random variable[2] is -4, but must be non-negative"
        );
        let err = geometric_lpmf::<f64>(&vec![1, 2], &vec![0.5; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "geometric: probability has size 3, but must have size 2"
        );
        assert_eq!(
            Geometric::new(1.5).unwrap_err().to_string(),
            "geometric: probability is 1.5, but must be in (0, 1]"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..50, p in 0.01..0.99f64, q in 0.01..0.99f64,
        ) {
            assert_gradient_matches(|x| geometric_lpmf(y, x[0]), &[p]);
            let ys = vec![y, 0, 3];
            assert_gradient_matches(|x| geometric_lpmf(&ys, &x[0..3]), &[p, q, 0.5]);
            assert_gradient_matches(|x| geometric_lupmf(&ys, x[0]), &[q]);
        }
    }
}

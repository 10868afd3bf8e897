//! The Bernoulli distribution `bernoulli(y | theta)`, theta the probability of `y = 1`.

use rand::Rng;

use super::check::{check_int_all, check_probability, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the Bernoulli distribution, vectorised over both arguments (Stan's
/// `bernoulli_lpmf`):
///
/// `Σ_i y_i ln θ_i + (1 − y_i) ln(1 − θ_i)`, `y_i ∈ {0, 1}`.
///
/// The partial `∂/∂θ = 1/θ` (`y = 1`) or `−1/(1 − θ)` (`y = 0`) is computed in `f64`; with a
/// scalar `θ` the logs are taken once and the partials summed and applied once.
///
/// # Errors
/// `y` not in `{0, 1}`, `probability` not in `[0, 1]`, or vector lengths that differ:
/// `bernoulli: random variable is 2, but must be in {0, 1}`.
///
/// # Reference
/// Stan Functions Reference, "Bernoulli distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::bernoulli_lpmf(&vec![1, 0, 1], 0.25)?;
/// assert!((lp - (2.0 * 0.25f64.ln() + 0.75f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn bernoulli_lpmf<T: Real>(y: impl IntOperand, probability: impl Operand) -> Result<T> {
    const FUNCTION: &str = "bernoulli";
    check_binary(FUNCTION, &y)?;
    check_probability(FUNCTION, "probability", &probability)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("probability", probability.size()),
        ],
    )?;
    let scalar_probability = probability.size().is_none();
    let mut out = T::accumulator();
    let mut value = 0.0;
    if scalar_probability {
        // Count the ones, then take each log once.
        let theta = leading_value(&probability);
        let ones = (0..n).filter(|&i| y.at(i) == 1).count() as f64;
        let zeros = n as f64 - ones;
        if ones > 0.0 {
            value += ones * theta.ln();
        }
        if zeros > 0.0 {
            value += zeros * (-theta).ln_1p();
        }
        let mut probability_partials = ArgPartials::new(&probability);
        let mut d_probability = 0.0;
        if ones > 0.0 {
            d_probability += ones / theta;
        }
        if zeros > 0.0 {
            d_probability -= zeros / (1.0 - theta);
        }
        probability_partials.add(&mut out, 0, d_probability);
        probability_partials.apply(&mut out);
    } else {
        let mut probability_partials = ArgPartials::new(&probability);
        for i in 0..n {
            let theta = probability.value_at(i);
            let (lp, d_probability) = if y.at(i) == 1 {
                (theta.ln(), 1.0 / theta)
            } else {
                ((-theta).ln_1p(), -1.0 / (1.0 - theta))
            };
            value += lp;
            probability_partials.add(&mut out, i, d_probability);
        }
    }
    Ok(log_mass(out, value))
}

/// The same as [`bernoulli_lpmf`]: no term depends on the data only (Stan's
/// `bernoulli_lupmf`, what `~` uses).
pub fn bernoulli_lupmf<T: Real>(y: impl IntOperand, probability: impl Operand) -> Result<T> {
    bernoulli_lpmf(y, probability)
}

/// Every element of the variate is 0 or 1.
pub(crate) fn check_binary(function: &'static str, y: &impl IntOperand) -> Result<()> {
    check_int_all(function, "random variable", y, "in {0, 1}", |v| {
        v == 0 || v == 1
    })
}

/// One Bernoulli draw: 1 with probability `probability`.
pub(crate) fn sample_bernoulli<R: Rng + ?Sized>(probability: f64, rng: &mut R) -> i64 {
    i64::from(rng.random::<f64>() < probability)
}

/// The Bernoulli distribution with a fixed probability, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bernoulli {
    probability: f64,
}

impl Bernoulli {
    /// `bernoulli(probability)`.
    ///
    /// # Errors
    /// `probability` not in `[0, 1]`.
    pub fn new(probability: f64) -> Result<Self> {
        check_probability("bernoulli", "probability", &probability)?;
        Ok(Bernoulli { probability })
    }
}

impl Distribution for Bernoulli {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_bernoulli(self.probability, rng)
    }
    /// The mean `θ`.
    fn mean(&self) -> Option<f64> {
        Some(self.probability)
    }
    /// The variance `θ (1 − θ)`.
    fn variance(&self) -> Option<f64> {
        Some(self.probability * (1.0 - self.probability))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: Some(1),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        bernoulli_lpmf::<f64>(*x, self.probability).unwrap_or(f64::NEG_INFINITY)
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
        use statrs::distribution::{Bernoulli as StatrsBernoulli, Discrete};
        for &(y, p) in &[(0, 0.3), (1, 0.3), (1, 1e-9), (0, 0.999_999)] {
            let expected = StatrsBernoulli::new(p).unwrap().ln_pmf(y as u64);
            let lp: f64 = bernoulli_lpmf(y, p).unwrap();
            assert_close(lp, expected, 1e-12);
        }
    }

    #[test]
    fn boundary_probabilities() {
        assert_eq!(bernoulli_lpmf::<f64>(1, 1.0).unwrap(), 0.0);
        assert_eq!(bernoulli_lpmf::<f64>(0, 0.0).unwrap(), 0.0);
        assert_eq!(bernoulli_lpmf::<f64>(1, 0.0).unwrap(), f64::NEG_INFINITY);
        assert_eq!(bernoulli_lpmf::<f64>(&vec![0, 0], 0.0).unwrap(), 0.0);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![1, 0, 0, 1];
        let p = vec![0.2, 0.5, 0.9, 0.6];
        let lp: f64 = bernoulli_lpmf(&y, &p).unwrap();
        let sum: f64 = (0..4)
            .map(|i| bernoulli_lpmf::<f64>(y[i], p[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let scalar: f64 = bernoulli_lpmf(&y, 0.3).unwrap();
        assert_close(scalar, 2.0 * 0.3f64.ln() + 2.0 * 0.7f64.ln(), 1e-14);
        assert_eq!(bernoulli_lupmf::<f64>(&y, &p).unwrap(), lp);
    }

    #[test]
    fn mass_sums_to_one() {
        assert_pmf_normalised(|y| bernoulli_lpmf::<f64>(y, 0.37).unwrap(), 0, 1);
    }

    #[test]
    fn sample_moments_match() {
        let d = Bernoulli::new(0.3).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
        assert_close(d.variance().unwrap(), 0.21, 1e-15);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = bernoulli_lpmf::<f64>(2, 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli: random variable is 2, but must be in {0, 1}"
        );
        let err = bernoulli_lpmf::<f64>(&vec![0, 1, -1], 0.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli: random variable[3] is -1, but must be in {0, 1}"
        );
        let err = bernoulli_lpmf::<f64>(1, 1.5).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli: probability is 1.5, but must be in [0, 1]"
        );
        let err = bernoulli_lpmf::<f64>(1, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli: probability is NaN, but must be in [0, 1]"
        );
        let err = bernoulli_lpmf::<f64>(&vec![0, 1], &vec![0.5; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bernoulli: probability has size 3, but must have size 2"
        );
        assert_eq!(
            Bernoulli::new(-0.1).unwrap_err().to_string(),
            "bernoulli: probability is -0.1, but must be in [0, 1]"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in 0i64..2, p in 0.01..0.99f64, q in 0.01..0.99f64,
        ) {
            assert_gradient_matches(|x| bernoulli_lpmf(y, x[0]), &[p]);
            let ys = vec![y, 1 - y, 1];
            assert_gradient_matches(|x| bernoulli_lpmf(&ys, &x[0..3]), &[p, q, 0.5]);
            assert_gradient_matches(|x| bernoulli_lpmf(&ys, x[0]), &[q]);
        }
    }
}

//! The categorical distribution `categorical(y | theta)`: one draw of a category in `1..=K` with probabilities the simplex theta.

use rand::Rng;

use super::check::{check_int_all, check_simplex};
use super::distribution::{Distribution, Support};
use super::math::multiply_log;
use super::partials::{log_mass, ArgPartials};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};

/// Log-mass of the categorical distribution (Stan's `categorical_lpmf`):
///
/// `Σ_i ln θ_{y_i}`, `y_i ∈ {1, ..., K}`, `θ` a simplex of size `K`.
///
/// `y` is one category or a slice of categories that share `probabilities`. The categories are
/// counted first, so the cost is `K` logarithms whatever the number of observations; the
/// partials `∂/∂θ_k = n_k / θ_k` (`n_k` the count of category `k`) are applied once per
/// element. A scalar `probabilities` is a simplex of size 1.
///
/// # Errors
/// `y` outside `[1, K]`, or `probabilities` not a simplex (an element outside `[0, 1]`, or
/// the sum further than `1e-8` from 1):
/// `categorical: sum of probabilities is 1.1, but must be 1 (within 1e-8)`.
///
/// # Reference
/// Stan Functions Reference, "Categorical distribution".
///
/// ```
/// let theta = vec![0.2, 0.5, 0.3];
/// let lp: f64 = ppl_core::dist::categorical_lpmf(&vec![2, 3, 2], &theta)?;
/// assert!((lp - (2.0 * 0.5f64.ln() + 0.3f64.ln())).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn categorical_lpmf<T: Real>(y: impl IntOperand, probabilities: impl Operand) -> Result<T> {
    const FUNCTION: &str = "categorical";
    let counts = count_categories(FUNCTION, &y, probabilities.size().unwrap_or(1))?;
    check_simplex(FUNCTION, "probabilities", &probabilities)?;
    let mut out = T::accumulator();
    let mut probabilities_partials = ArgPartials::new(&probabilities);
    let mut value = 0.0;
    for (k, &count) in counts.iter().enumerate() {
        if count == 0 {
            continue;
        }
        let theta = probabilities.value_at(k);
        value += multiply_log(count as f64, theta.ln());
        probabilities_partials.add(&mut out, k, count as f64 / theta);
    }
    probabilities_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The same as [`categorical_lpmf`]: no term depends on the data only (Stan's
/// `categorical_lupmf`, what `~` uses).
pub fn categorical_lupmf<T: Real>(y: impl IntOperand, probabilities: impl Operand) -> Result<T> {
    categorical_lpmf(y, probabilities)
}

/// Checks `1 ≤ y_i ≤ K` and returns how often each category occurs (`counts[k − 1]`).
pub(crate) fn count_categories(
    function: &'static str,
    y: &impl IntOperand,
    categories: usize,
) -> Result<Vec<i64>> {
    let upper = categories as i64;
    check_int_all(
        function,
        "random variable",
        y,
        format!("in [1, {upper}]"),
        |v| v >= 1 && v <= upper,
    )?;
    let mut counts = vec![0i64; categories];
    for i in 0..y.size().unwrap_or(1) {
        counts[(y.at(i) - 1) as usize] += 1;
    }
    Ok(counts)
}

/// One draw of a category in `1..=K` by inversion of the cumulative probabilities.
pub(crate) fn sample_category<R: Rng + ?Sized>(probabilities: &[f64], rng: &mut R) -> i64 {
    let u: f64 = rng.random();
    let mut cumulative = 0.0;
    let mut last_possible = 1;
    for (k, &p) in probabilities.iter().enumerate() {
        if p > 0.0 {
            last_possible = k as i64 + 1;
        }
        cumulative += p;
        if u < cumulative {
            return k as i64 + 1;
        }
    }
    // Rounding left the total just below u: the last category with positive probability.
    last_possible
}

/// The mean and variance of the category index `Σ k θ_k`, `Σ k² θ_k − mean²`.
pub(crate) fn category_moments(probabilities: &[f64]) -> (f64, f64) {
    let (mut mean, mut second) = (0.0, 0.0);
    for (k, &p) in probabilities.iter().enumerate() {
        let category = (k + 1) as f64;
        mean += category * p;
        second += category * category * p;
    }
    (mean, second - mean * mean)
}

/// The categorical distribution with fixed probabilities, for sampling.
///
/// Draws are categories `1..=K` (Stan's convention). [`Distribution::mean`] and
/// [`Distribution::variance`] are the moments of the category index, meaningful only when the
/// categories are ordered.
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    probabilities: Vec<f64>,
}

impl Categorical {
    /// `categorical(probabilities)`.
    ///
    /// # Errors
    /// `probabilities` not a simplex.
    pub fn new(probabilities: Vec<f64>) -> Result<Self> {
        check_simplex("categorical", "probabilities", &&probabilities)?;
        Ok(Categorical { probabilities })
    }

    /// The probabilities `θ`.
    pub fn probabilities(&self) -> &[f64] {
        &self.probabilities
    }
}

impl Distribution for Categorical {
    type Value = i64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        sample_category(&self.probabilities, rng)
    }
    /// The mean of the category index, `Σ k θ_k`.
    fn mean(&self) -> Option<f64> {
        Some(category_moments(&self.probabilities).0)
    }
    /// The variance of the category index, `Σ k² θ_k − (Σ k θ_k)²`.
    fn variance(&self) -> Option<f64> {
        Some(category_moments(&self.probabilities).1)
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 1,
            upper: Some(self.probabilities.len() as i64),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        categorical_lpmf::<f64>(*x, &self.probabilities).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use crate::Dual;
    use proptest::prelude::*;

    #[test]
    fn values_match_statrs() {
        use statrs::distribution::{Categorical as StatrsCategorical, Discrete};
        let theta = [0.1, 0.25, 0.05, 0.6];
        let reference = StatrsCategorical::new(&theta).unwrap();
        for y in 1..=4 {
            // statrs numbers categories from 0.
            let expected = reference.ln_pmf(y as u64 - 1);
            let lp: f64 = categorical_lpmf(y, &theta).unwrap();
            assert_close(lp, expected, 1e-14);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let theta = vec![0.1, 0.25, 0.05, 0.6];
        let y = vec![4, 1, 4, 2, 4];
        let lp: f64 = categorical_lpmf(&y, &theta).unwrap();
        let sum: f64 = y
            .iter()
            .map(|&k| categorical_lpmf::<f64>(k, &theta).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(categorical_lupmf::<f64>(&y, &theta).unwrap(), lp);
        // A zero-probability category: −∞ only if observed.
        let sparse = vec![0.0, 1.0];
        assert_eq!(categorical_lpmf::<f64>(2, &sparse).unwrap(), 0.0);
        assert_eq!(
            categorical_lpmf::<f64>(1, &sparse).unwrap(),
            f64::NEG_INFINITY
        );
        // No observations.
        assert_eq!(
            categorical_lpmf::<f64>(&Vec::<i64>::new(), &theta).unwrap(),
            0.0
        );
    }

    #[test]
    fn mass_sums_to_one() {
        let theta = [0.1, 0.25, 0.05, 0.6];
        assert_pmf_normalised(|y| categorical_lpmf::<f64>(y, &theta).unwrap(), 1, 4);
    }

    #[test]
    fn sample_frequencies_and_moments_match() {
        let d = Categorical::new(vec![0.1, 0.25, 0.05, 0.6]).unwrap();
        assert_discrete_moments(&d, d.mean().unwrap(), d.variance().unwrap());
        assert_close(d.mean().unwrap(), 0.1 + 0.5 + 0.15 + 2.4, 1e-15);
        // Each category's frequency within 5 binomial standard errors.
        let mut rng = <rand_chacha::ChaCha8Rng as rand::SeedableRng>::seed_from_u64(7);
        let n = 100_000;
        let mut counts = [0usize; 4];
        for _ in 0..n {
            counts[(d.sample(&mut rng) - 1) as usize] += 1;
        }
        for (k, &p) in d.probabilities().iter().enumerate() {
            let frequency = counts[k] as f64 / n as f64;
            let se = (p * (1.0 - p) / n as f64).sqrt();
            assert!(
                (frequency - p).abs() <= 5.0 * se,
                "category {}: {frequency} vs {p}",
                k + 1
            );
        }
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let theta = vec![0.2, 0.5, 0.3];
        let err = categorical_lpmf::<f64>(4, &theta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical: random variable is 4, but must be in [1, 3]"
        );
        let err = categorical_lpmf::<f64>(&vec![1, 0], &theta).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical: random variable[2] is 0, but must be in [1, 3]"
        );
        let err = categorical_lpmf::<f64>(1, &vec![0.2, 0.5, 0.4]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical: sum of probabilities is 1.1, but must be 1 (within 1e-8)"
        );
        let err = categorical_lpmf::<f64>(1, &vec![-0.1, 0.6, 0.5]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "categorical: probabilities[1] is -0.1, but must be in [0, 1]"
        );
        assert_eq!(
            Categorical::new(vec![0.5, 0.6]).unwrap_err().to_string(),
            "categorical: sum of probabilities is 1.1, but must be 1 (within 1e-8)"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            a in 0.05..1.0f64, b in 0.05..1.0f64, c in 0.05..1.0f64, y in 1i64..4,
        ) {
            // Differentiate through a normalisation so that every evaluation (including the
            // finite-difference steps) is an exact simplex.
            let simplex = |x: &[Dual<4>]| -> Vec<Dual<4>> {
                let total = x[0] + x[1] + x[2];
                x.iter().map(|&v| v / total).collect()
            };
            assert_gradient_matches(|x| categorical_lpmf(y, &simplex(x)), &[a, b, c]);
            let ys = vec![y, 1, 3, 3];
            assert_gradient_matches(|x| categorical_lpmf(&ys, &simplex(x)), &[a, b, c]);
        }
    }
}

//! The beta-binomial distribution `beta_binomial(n | N, alpha, beta)`: successes in `N` trials whose probability is beta(alpha, beta) distributed.

use rand::Rng;
use rand_distr::Distribution as _;

use super::binomial::{ln_choose, sample_binomial};
use super::check::{check_int_all, check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::{log_mass, ArgPartials};
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};
use crate::special::{digamma, lbeta};

/// Log-mass of the beta-binomial distribution, vectorised over all arguments (Stan's
/// `beta_binomial_lpmf`):
///
/// `Σ_i ln C(N_i, n_i) + ln B(n_i + α_i, N_i − n_i + β_i) − ln B(α_i, β_i)`, `0 ≤ n_i ≤ N_i`,
///
/// the number of successes in `N` trials whose success probability is drawn from
/// `beta(α, β)`; mean `N α/(α + β)`. With `m = N − n`, the partials
/// `∂/∂α = ψ(α + n) − ψ(α) − (ψ(α + β + N) − ψ(α + β))` and
/// `∂/∂β = ψ(β + m) − ψ(β) − (ψ(α + β + N) − ψ(α + β))` are computed in `f64` in one pass,
/// each difference `ψ(x + j) − ψ(x)` as the finite sum `Σ_{i<j} 1/(x + i)` for `j ≤ 20`
/// (no cancellation for large shapes); for `N ≤ 20` the value is likewise the sum of
/// logarithms `ln Γ(x + j) − ln Γ(x) = Σ_{i<j} ln(x + i)` rather than a difference of two
/// large `ln B`. A scalar pair of shapes has its `ln B(α, β)` taken once.
///
/// As in Stan, `n < 0` or `n > N` is not an error: the mass is 0 and the log-mass `−∞`.
///
/// # Errors
/// In Stan's order: vector lengths that differ, `trials` negative, `alpha` or `beta` not
/// positive and finite: `beta_binomial: alpha is 0, but must be positive and finite`.
///
/// # Reference
/// Stan Functions Reference, "Beta-binomial distribution".
///
/// ```
/// // C(10, 3) B(5, 10) / B(2, 3)
/// let lp: f64 = ppl_core::dist::beta_binomial_lpmf(3, 10, 2.0, 3.0)?;
/// assert!((lp - (-1.938_941_479_739_22)).abs() < 1e-13);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn beta_binomial_lpmf<T: Real>(
    n: impl IntOperand,
    trials: impl IntOperand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    beta_binomial_log_mass::<false, T>(n, trials, alpha, beta)
}

/// [`beta_binomial_lpmf`] without `Σ ln C(N_i, n_i)`, which depends only on the data (Stan's
/// `beta_binomial_lupmf`, what `~` uses), and without `−Σ ln B(α_i, β_i)` when both `alpha`
/// and `beta` are [`crate::Data`].
pub fn beta_binomial_lupmf<T: Real>(
    n: impl IntOperand,
    trials: impl IntOperand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    beta_binomial_log_mass::<true, T>(n, trials, alpha, beta)
}

/// Counts up to which `ψ(x + j) − ψ(x)` and `ln Γ(x + j) − ln Γ(x)` are summed term by term.
const SUMMED_COUNT: i64 = 20;

/// `ψ(x + count) − ψ(x)` for `x > 0`, `count ≥ 0`: `Σ_{i<count} 1/(x + i)` for small counts
/// (exact, even when `x` is so large that the digammas agree in most digits).
#[inline]
fn digamma_difference(x: f64, count: i64) -> f64 {
    if count <= SUMMED_COUNT {
        (0..count).map(|i| 1.0 / (x + i as f64)).sum()
    } else {
        digamma(x + count as f64) - digamma(x)
    }
}

/// `ln Γ(x + count) − ln Γ(x) = Σ_{i<count} ln(x + i)` for `x > 0`, `0 ≤ count ≤ 20`.
#[inline]
fn log_rising_factorial(x: f64, count: i64) -> f64 {
    (0..count).map(|i| (x + i as f64).ln()).sum()
}

fn beta_binomial_log_mass<const PROPTO: bool, T: Real>(
    n: impl IntOperand,
    trials: impl IntOperand,
    alpha: impl Operand,
    beta: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "beta_binomial";
    let len = common_len(
        FUNCTION,
        &[
            ("random variable", n.size()),
            ("trials", trials.size()),
            ("alpha", alpha.size()),
            ("beta", beta.size()),
        ],
    )?;
    check_int_all(FUNCTION, "trials", &trials, "non-negative", |v| v >= 0)?;
    check_positive_finite(FUNCTION, "alpha", &alpha)?;
    check_positive_finite(FUNCTION, "beta", &beta)?;
    if (0..len).any(|i| n.at(i) < 0 || n.at(i) > trials.at(i)) {
        return Ok(T::constant(f64::NEG_INFINITY));
    }
    // `−ln B(α, β)` goes from the unnormalised form when both shapes are data.
    let include_shapes_term = include_summand::<PROPTO>(is_data(&alpha) && is_data(&beta));
    let scalar_shapes = alpha.size().is_none() && beta.size().is_none();
    let scalar_log_beta = if scalar_shapes {
        lbeta(leading_value(&alpha), leading_value(&beta))
    } else {
        f64::NAN
    };
    let mut alpha_partials = ArgPartials::new(&alpha);
    let mut beta_partials = ArgPartials::new(&beta);
    let (alpha_active, beta_active) = (alpha_partials.is_active(), beta_partials.is_active());
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..len {
        let (successes, total) = (n.at(i), trials.at(i));
        let failures = total - successes;
        let (a, b) = (alpha.value_at(i), beta.value_at(i));
        if !PROPTO {
            value += ln_choose(total, successes);
        }
        if total <= SUMMED_COUNT && include_shapes_term {
            value += log_rising_factorial(a, successes) + log_rising_factorial(b, failures)
                - log_rising_factorial(a + b, total);
        } else {
            value += lbeta(successes as f64 + a, failures as f64 + b);
            if include_shapes_term {
                value -= if scalar_shapes {
                    scalar_log_beta
                } else {
                    lbeta(a, b)
                };
            }
        }
        if alpha_active || beta_active {
            let total_difference = digamma_difference(a + b, total);
            alpha_partials.add(
                &mut out,
                i,
                digamma_difference(a, successes) - total_difference,
            );
            beta_partials.add(
                &mut out,
                i,
                digamma_difference(b, failures) - total_difference,
            );
        }
    }
    alpha_partials.apply(&mut out);
    beta_partials.apply(&mut out);
    Ok(log_mass(out, value))
}

/// The beta-binomial distribution with fixed trials and shapes, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BetaBinomial {
    trials: i64,
    alpha: f64,
    beta: f64,
}

impl BetaBinomial {
    /// `beta_binomial(trials, alpha, beta)`.
    ///
    /// # Errors
    /// `trials` negative, `alpha` or `beta` not positive and finite.
    pub fn new(trials: i64, alpha: f64, beta: f64) -> Result<Self> {
        check_int_all("beta_binomial", "trials", &trials, "non-negative", |v| {
            v >= 0
        })?;
        check_positive_finite("beta_binomial", "alpha", &alpha)?;
        check_positive_finite("beta_binomial", "beta", &beta)?;
        Ok(BetaBinomial {
            trials,
            alpha,
            beta,
        })
    }
}

impl Distribution for BetaBinomial {
    type Value = i64;
    type Moment = f64;
    /// A success probability from `beta(α, β)`, then a binomial draw.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> i64 {
        // The shapes were checked by `new`, so construction cannot fail.
        let probability = rand_distr::Beta::new(self.alpha, self.beta)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN);
        sample_binomial(self.trials, probability, rng)
    }
    /// The mean `N α / (α + β)`.
    fn mean(&self) -> Option<f64> {
        Some(self.trials as f64 * self.alpha / (self.alpha + self.beta))
    }
    /// The variance `N α β (α + β + N) / ((α + β)² (α + β + 1))`.
    fn variance(&self) -> Option<f64> {
        let (n, shapes) = (self.trials as f64, self.alpha + self.beta);
        Some(n * self.alpha * self.beta * (shapes + n) / (shapes * shapes * (shapes + 1.0)))
    }
    fn support(&self) -> Support {
        Support::Integers {
            lower: 0,
            upper: Some(self.trials),
        }
    }
    fn log_density(&self, x: &i64) -> f64 {
        beta_binomial_lpmf::<f64>(*x, self.trials, self.alpha, self.beta)
            .unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_data_drops, assert_discrete_moments, assert_gradient_matches,
        assert_pmf_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_mpmath_and_scipy() {
        // mpmath 1.3 at 60 digits: log(binomial(N, n) beta(n + a, N - n + b) / beta(a, b)).
        // scipy 1.17.1 `scipy.stats.betabinom.logpmf(n, N, a, b)` agrees to 1e-14 in the first
        // four rows, to 1e-12 in the N = 400 and N = 5000 rows, and loses six digits in the
        // row with shapes 1e8 and 2e8 (-1.5040779411792755).
        // Tolerances: 1e-13, and 1e-12 where ln C(N, n) and the ln B terms are in the
        // thousands and cancel to a value near -7 (their rounding alone is 1e-12).
        for &(n, trials, a, b, expected, tolerance) in &[
            (0, 5, 1.0, 1.0, -1.791_759_469_228_055, 1e-13),
            (3, 10, 2.5, 0.7, -3.482_302_417_745_947, 1e-13),
            (10, 10, 0.3, 4.0, -8.769_086_867_010_872, 1e-13),
            (7, 50, 0.05, 0.02, -6.146_380_055_324_393, 1e-13),
            (120, 400, 12.0, 30.0, -4.350_628_792_785_061, 1e-12),
            (1000, 5000, 1.5, 6.5, -7.566_575_950_772_201, 1e-12),
            (2, 3, 1e8, 2e8, -1.504_077_396_776_274_2, 1e-13),
        ] {
            let lp: f64 = beta_binomial_lpmf(n, trials, a, b).unwrap();
            assert_close(lp, expected, tolerance);
        }
    }

    #[test]
    fn out_of_support_is_log_zero_as_in_stan() {
        assert_eq!(
            beta_binomial_lpmf::<f64>(4, 3, 1.0, 1.0).unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(
            beta_binomial_lpmf::<f64>(&vec![1, -1], 3, 1.0, 1.0).unwrap(),
            f64::NEG_INFINITY
        );
        assert_eq!(beta_binomial_lpmf::<f64>(0, 0, 2.0, 3.0).unwrap(), 0.0);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars_and_lupmf_drops_coefficients() {
        let n = vec![0, 3, 5, 30];
        let trials = vec![2, 7, 5, 60];
        let a = vec![0.4, 2.0, 8.0, 3.0];
        let lp: f64 = beta_binomial_lpmf(&n, &trials, &a, 1.7).unwrap();
        let sum: f64 = (0..4)
            .map(|i| beta_binomial_lpmf::<f64>(n[i], trials[i], a[i], 1.7).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = beta_binomial_lupmf(&n, &trials, &a, 1.7).unwrap();
        let choose: f64 = (0..4).map(|i| ln_choose(trials[i], n[i])).sum();
        assert_close(lp - propto, choose, 1e-14);
    }

    #[test]
    fn data_shapes_drop_their_log_beta() {
        let (n, trials) = (vec![2, 9], vec![4, 20]);
        let dropped = -(lbeta(2.5, 0.8) + lbeta(1.5, 0.8));
        assert_data_drops!(
            beta_binomial_lpmf,
            beta_binomial_lupmf,
            |_x, data| (&n, &trials, data(&[2.5, 1.5][..]), data(0.8)),
            [0.0],
            dropped,
        );
        // One shape a parameter: nothing more goes.
        assert_data_drops!(
            beta_binomial_lpmf,
            beta_binomial_lupmf,
            |x, data| (&n, &trials, data(2.5), x[0]),
            [0.8],
            0.0,
        );
    }

    #[test]
    fn mass_sums_to_one() {
        for (trials, a, b) in [(40, 0.35, 2.0), (15, 5.0, 5.0), (200, 0.9, 0.2)] {
            assert_pmf_normalised(
                |n| beta_binomial_lpmf::<f64>(n, trials, a, b).unwrap(),
                0,
                trials,
            );
        }
    }

    #[test]
    fn sample_moments_match() {
        for (d, mean, variance) in [
            // N α/(α + β), N α β (α + β + N)/((α + β)² (α + β + 1)) by hand.
            (BetaBinomial::new(20, 2.0, 3.0).unwrap(), 8.0, 20.0),
            (BetaBinomial::new(9, 0.5, 0.5).unwrap(), 4.5, 11.25),
        ] {
            assert_close(d.mean().unwrap(), mean, 1e-15);
            assert_close(d.variance().unwrap(), variance, 1e-15);
            assert_discrete_moments(&d, mean, variance);
        }
        let d = BetaBinomial::new(6, 1.5, 2.5).unwrap();
        assert_eq!(
            d.support(),
            Support::Integers {
                lower: 0,
                upper: Some(6)
            }
        );
        assert_eq!(d.log_density(&7), f64::NEG_INFINITY);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = beta_binomial_lpmf::<f64>(1, 3, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: alpha is 0, but must be positive and finite"
        );
        let err = beta_binomial_lpmf::<f64>(1, 3, 1.0, &vec![1.0, -2.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: beta[2] is -2, but must be positive and finite"
        );
        let err = beta_binomial_lpmf::<f64>(1, 3, f64::INFINITY, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: alpha is inf, but must be positive and finite"
        );
        let err = beta_binomial_lpmf::<f64>(1, -3, 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: trials is -3, but must be non-negative"
        );
        let err = beta_binomial_lpmf::<f64>(&vec![1, 2], &vec![3, 3, 3], 1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: trials has size 3, but must have size 2"
        );
        // Stan's order: sizes, trials, alpha, beta; an out-of-support n only after them.
        let err = beta_binomial_lpmf::<f64>(9, 3, -1.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "beta_binomial: alpha is -1, but must be positive and finite"
        );
        assert_eq!(
            BetaBinomial::new(5, 1.0, 0.0).unwrap_err().to_string(),
            "beta_binomial: beta is 0, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            trials in 0i64..60, fraction in 0.0..1.0f64,
            log_a in -2.0..3.0f64, log_b in -2.0..3.0f64,
        ) {
            let n = (fraction * trials as f64).floor() as i64;
            let (a, b) = (log_a.exp(), log_b.exp());
            assert_gradient_matches(|x| beta_binomial_lpmf(n, trials, x[0], x[1]), &[a, b]);
            let ns = vec![n, 0, 3, 25];
            let ts = vec![trials, 2, 3, 40];
            assert_gradient_matches(
                |x| beta_binomial_lpmf(&ns, &ts, &x[0..4], x[4]),
                &[a, b, 0.5, 2.0, b],
            );
            assert_gradient_matches(|x| beta_binomial_lupmf(&ns, &ts, x[0], x[1]), &[b, a]);
        }
    }
}

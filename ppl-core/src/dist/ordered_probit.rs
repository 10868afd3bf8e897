//! The ordered probit distribution `ordered_probit(k | eta, c)`: `ordered_logistic` with a standard normal latent variable.

use super::ordered_logistic::{
    ordered_distribution, ordered_log_mass, IntervalLogProbability, OrderedLink,
};
use crate::error::Result;
use crate::real::{IntOperand, Operand, Real};
use crate::special::{log1m_exp, std_normal_log_cdf, std_normal_log_pdf};

/// Log-mass of the ordered probit distribution (Stan's `ordered_probit_lpmf`):
///
/// `Σ_i ln(Φ(c_{k_i} − η_i) − Φ(c_{k_i − 1} − η_i))`, `k_i ∈ {1, ..., K}`,
///
/// with `c_0 = −∞` and `c_K = +∞`, `c` the `K − 1` strictly increasing cutpoints shared by
/// every observation, `Φ` the standard normal cdf: the probability that a latent `η + ε`,
/// `ε ~ normal(0, 1)`, falls in `(c_{k−1}, c_k]`. Each term is `ln Φ(b) + ln(1 − e^{ln Φ(a) −
/// ln Φ(b)})` with `ln Φ` accurate in both tails
/// ([`std_normal_log_cdf`](crate::special::std_normal_log_cdf)), and `(a, b)` the bounds
/// `(c_{k−1} − η, c_k − η)` or, when the interval lies mostly above 0, their reflection
/// `(η − c_k, η − c_{k−1})` (`Φ(v) − Φ(u) = Φ(−u) − Φ(−v)`), so that the difference is never
/// taken between two probabilities close to 1: finite for `|c − η|` up to about 37 standard
/// deviations in either direction and beyond. (A narrow interval, cutpoints much closer than
/// one standard deviation, keeps a relative error of about `1e-16 / P` in its probability `P`,
/// as Stan's.) The partials `∂/∂c_{k−1} = −φ(u)/P`,
/// `∂/∂c_k = φ(v)/P` and `∂/∂η = (φ(u) − φ(v))/P` (`P` the category's probability, formed from
/// the logs) are computed in `f64` in one pass; each cutpoint's tangent (and a scalar
/// location's) is applied once. Stan differentiates its `ordered_probit` by autodiff; the
/// values agree.
///
/// `k` is one category or a slice; `location` a scalar or a slice of the same length
/// (scalars broadcast); `cutpoints` a non-empty vector (a scalar is one cutpoint, `K = 2`).
///
/// # Errors
/// In Stan's order: `cutpoints` empty, `k` and `location` of different lengths, `k` outside
/// `[1, K]`, `cutpoints` not strictly increasing, its last or first element not finite,
/// `location` not finite: `ordered_probit: cutpoints is [1, 0], but must be ordered`.
///
/// # Reference
/// Stan Functions Reference, "Ordered probit distribution".
///
/// ```
/// // P(k = 2 | eta = 0.5, c = [-1, 1]) = Φ(0.5) − Φ(−1.5)
/// let lp: f64 = ppl_core::dist::ordered_probit_lpmf(2, 0.5, &vec![-1.0, 1.0])?;
/// assert!((lp - (-0.470_555_365_415_899_5)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn ordered_probit_lpmf<T: Real>(
    k: impl IntOperand,
    location: impl Operand,
    cutpoints: impl Operand,
) -> Result<T> {
    ordered_log_mass::<ProbitLink, T>(k, location, cutpoints)
}

/// The same as [`ordered_probit_lpmf`]: every term depends on the location or the cutpoints
/// (Stan's `ordered_probit_lupmf`, what `~` uses).
pub fn ordered_probit_lupmf<T: Real>(
    k: impl IntOperand,
    location: impl Operand,
    cutpoints: impl Operand,
) -> Result<T> {
    ordered_probit_lpmf(k, location, cutpoints)
}

/// The standard normal latent variable of `ordered_probit`.
pub(crate) struct ProbitLink;

/// `ln Φ(x)`, with `ln Φ(−∞) = −∞` and `ln Φ(+∞) = 0`.
#[inline]
fn log_phi(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        0.0
    } else {
        std_normal_log_cdf(x)
    }
}

/// `φ(x) / P` from `ln P`, 0 at an infinite bound.
#[inline]
fn density_ratio(x: f64, log_probability: f64) -> f64 {
    if x.is_finite() {
        (std_normal_log_pdf(x) - log_probability).exp()
    } else {
        0.0
    }
}

impl OrderedLink for ProbitLink {
    const FUNCTION: &'static str = "ordered_probit";
    const LOCATION_CHECKED_FIRST: bool = false;
    const NEEDS_CUTPOINTS: bool = true;

    #[inline]
    fn interval(lower: f64, upper: f64) -> IntervalLogProbability {
        // Both bounds reflected when the interval lies mostly above 0 (`lower = −∞` never is,
        // `upper = +∞` always is).
        let (high, low) = if lower + upper > 0.0 {
            (-lower, -upper)
        } else {
            (upper, lower)
        };
        let log_high = log_phi(high);
        let log_probability = log_high + log1m_exp(log_phi(low) - log_high);
        let d_lower = -density_ratio(lower, log_probability);
        let d_upper = density_ratio(upper, log_probability);
        // (φ(v) − φ(u))/P as the larger density's term times 1 − (smaller/larger), the ratio
        // `exp(±(v − u)(v + u)/2)` formed without subtracting the densities.
        let d_shift = if !(lower.is_finite() && upper.is_finite()) {
            d_lower + d_upper
        } else if lower.abs() >= upper.abs() {
            d_upper * -((upper - lower) * (upper + lower) * 0.5).exp_m1()
        } else {
            d_lower * -((lower - upper) * (lower + upper) * 0.5).exp_m1()
        };
        IntervalLogProbability {
            log_probability,
            d_lower,
            d_upper,
            d_shift,
        }
    }
}

ordered_distribution! {
    /// The ordered probit distribution with fixed location and cutpoints, for sampling.
    ///
    /// Draws are categories `1..=K`; [`crate::dist::Distribution::mean`] and
    /// [`crate::dist::Distribution::variance`] are the moments of the category index.
    OrderedProbit, ProbitLink
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::ordered_logistic::tests::assert_category_frequencies;
    use crate::dist::testing::{
        assert_close, assert_discrete_moments, assert_gradient_matches, assert_pmf_normalised,
    };
    use crate::dist::Distribution;
    use proptest::prelude::*;

    const CUTPOINTS: [f64; 3] = [-1.2, 0.3, 2.0];

    #[test]
    fn values_match_mpmath_and_scipy() {
        // ln(Φ(c[k] - eta) - Φ(c[k-1] - eta)), c_0 = -inf, c_K = +inf, c = [-1.2, 0.3, 2.0]:
        // mpmath 1.3 (`ncdf`) at 1200 digits; scipy 1.17 `np.log(ndtr(..) - ndtr(..))` agrees
        // to 1e-15 at eta = 0.7 (and loses digits in the tails, e.g. -17.779376351985 for
        // k = 4, eta = -3.5), and statsmodels 0.15 OrderedModel(distr="probit").predict gives
        // the row eta = 0.7 to the 8 digits it prints.
        let rows: [(f64, [f64; 4]); 3] = [
            (
                0.7,
                [
                    -3.550_281_325_542_134_6,
                    -1.152_450_823_939_054_3,
                    -0.582_283_572_087_126_7,
                    -2.335_103_278_662_442_6,
                ],
            ),
            (
                -3.5,
                [
                    -0.010_782_027_739_052_052,
                    -4.542_029_956_590_787,
                    -9.534_284_651_118_398,
                    -17.779_376_352_625_26,
                ],
            ),
            (
                12.0,
                [
                    -90.624_814_467_282_7,
                    -71.830_703_677_282_91,
                    -53.231_285_158_875_72,
                    -7.619_853_024_160_525e-24,
                ],
            ),
        ];
        for (eta, expected) in rows {
            for (index, &e) in expected.iter().enumerate() {
                let lp: f64 = ordered_probit_lpmf(index as i64 + 1, eta, &CUTPOINTS).unwrap();
                assert_close(lp, e, 1e-13);
            }
        }
    }

    #[test]
    fn stable_in_both_tails() {
        // mpmath 1.3 at 1200 digits.
        for (k, eta, expected) in [
            (2, 40.0, -792.645_923_199_150_2),
            (3, -40.0, -816.660_904_786_640_8),
            (1, 40.0, -853.357_965_046_851_4),
            (4, -40.0, -886.657_174_243_729_5),
        ] {
            let lp: f64 = ordered_probit_lpmf(k, eta, &CUTPOINTS).unwrap();
            assert_close(lp, expected, 1e-13);
        }
        // Close cutpoints: the difference of two `ln Φ` values carries their rounding, a
        // relative error of about `1e-16 / P` in the probability (as Stan's `log_diff_exp`):
        // `P ≈ 4e-10` here, so about 3e-7 in the probability, 1.5e-9 relative in its log.
        let close = [0.0, 1e-9];
        let lp: f64 = ordered_probit_lpmf(2, 0.0, &close).unwrap();
        assert_close(lp, -21.642_204_370_151_084, 1e-8);
        let close = [1.0 - 1e-6, 1.0];
        let lp: f64 = ordered_probit_lpmf(2, 30.0, &close).unwrap();
        assert_close(lp, -435.234_463_591_105_34, 1e-9);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let k = vec![1, 4, 2, 3, 3];
        let eta = vec![0.1, -0.5, 1.3, 2.2, -4.0];
        let lp: f64 = ordered_probit_lpmf(&k, &eta, &CUTPOINTS).unwrap();
        let sum: f64 = (0..5)
            .map(|i| ordered_probit_lpmf::<f64>(k[i], eta[i], &CUTPOINTS).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(
            ordered_probit_lupmf::<f64>(&k, &eta, &CUTPOINTS).unwrap(),
            lp
        );
    }

    #[test]
    fn mass_sums_to_one() {
        for eta in [-9.0, -2.0, 0.0, 0.9, 8.0] {
            assert_pmf_normalised(
                |k| ordered_probit_lpmf::<f64>(k, eta, &CUTPOINTS).unwrap(),
                1,
                4,
            );
        }
        // One cutpoint as a scalar: P(k = 2) = Φ(η − c).
        let lp: f64 = ordered_probit_lpmf(2, 0.3, -0.2).unwrap();
        assert_close(lp, crate::special::std_normal_log_cdf(0.5), 1e-15);
    }

    #[test]
    fn sample_frequencies_and_moments_match() {
        let d = OrderedProbit::new(-0.3, CUTPOINTS.to_vec()).unwrap();
        let mass = |k| {
            ordered_probit_lpmf::<f64>(k, -0.3, &CUTPOINTS)
                .unwrap()
                .exp()
        };
        assert_category_frequencies(&d, mass, 4);
        let mean: f64 = (1..=4).map(|k| k as f64 * mass(k)).sum();
        let second: f64 = (1..=4).map(|k| (k * k) as f64 * mass(k)).sum();
        assert_close(d.mean().unwrap(), mean, 1e-14);
        assert_close(d.variance().unwrap(), second - mean * mean, 1e-14);
        assert_discrete_moments(&d, mean, second - mean * mean);
        assert_close(d.probabilities().iter().sum(), 1.0, 1e-15);
        assert_close(d.log_density(&3), mass(3).ln(), 1e-14);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = ordered_probit_lpmf::<f64>(1, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: cutpoints is [1, 0], but must be ordered"
        );
        let empty: &[f64] = &[];
        let err = ordered_probit_lpmf::<f64>(1, 0.0, empty).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: size of cutpoints is 0, but must be positive"
        );
        let err = ordered_probit_lpmf::<f64>(1, 0.0, &vec![-0.5, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: cutpoints[2] is inf, but must be finite"
        );
        let err = ordered_probit_lpmf::<f64>(1, f64::NEG_INFINITY, &CUTPOINTS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: location is -inf, but must be finite"
        );
        let err = ordered_probit_lpmf::<f64>(0, 0.0, &CUTPOINTS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: random variable is 0, but must be in [1, 4]"
        );
        // Stan's order: the category and the cutpoints before the location.
        let err = ordered_probit_lpmf::<f64>(1, f64::NAN, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_probit: cutpoints is [1, 0], but must be ordered"
        );
        assert_eq!(
            OrderedProbit::new(f64::NAN, CUTPOINTS.to_vec())
                .unwrap_err()
                .to_string(),
            "ordered_probit: location is NaN, but must be finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            eta in -9.0..9.0f64, c1 in -3.0..3.0f64, gap1 in 0.05..3.0f64, gap2 in 0.05..3.0f64,
            k in 1i64..5, eta2 in -6.0..6.0f64,
        ) {
            let cuts = [c1, c1 + gap1, c1 + gap1 + gap2];
            assert_gradient_matches(
                |x| ordered_probit_lpmf(k, x[0], &x[1..4]),
                &[eta, cuts[0], cuts[1], cuts[2]],
            );
            let ks = vec![k, 1, 2, 3, 4];
            assert_gradient_matches(
                |x| ordered_probit_lpmf(&ks, &x[0..5], &x[5..8]),
                &[eta, eta2, -eta, 0.5 * eta2, 0.1, cuts[0], cuts[1], cuts[2]],
            );
            assert_gradient_matches(
                |x| ordered_probit_lpmf(&ks, x[0], &x[1..4]),
                &[eta2, cuts[0], cuts[1], cuts[2]],
            );
        }
    }

    /// In the far tails the partials tend to the Mills-ratio asymptotes: for `k = 1` and
    /// `c_1 − η = −t`, `∂/∂c_1 = φ(t)/Φ(−t) ≈ t + 1/t`.
    #[test]
    fn tail_gradients_are_finite_and_match_finite_differences() {
        for (k, eta) in [(1, 40.0), (2, 40.0), (3, -40.0), (4, -40.0), (2, 25.0)] {
            assert_gradient_matches(
                |x| ordered_probit_lpmf(k, x[0], &x[1..4]),
                &[eta, CUTPOINTS[0], CUTPOINTS[1], CUTPOINTS[2]],
            );
        }
        let mut gradient = [0.0; 2];
        crate::gradient_chunked::<2, _>(
            |x| ordered_probit_lpmf(1, x[0], x[1]),
            &[40.0, 0.0],
            &mut gradient,
        )
        .unwrap();
        let t = 40.0;
        assert_close(gradient[1], t + 1.0 / t, 1e-6);
        assert_close(gradient[0], -gradient[1], 1e-15);
    }
}

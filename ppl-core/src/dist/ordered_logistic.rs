//! The ordered logistic distribution `ordered_logistic(k | eta, c)`, and the machinery it shares with `ordered_probit`: argument checks, the vectorised log-mass, the fixed-parameter distribution.

use std::cmp::Ordering;

use rand::Rng;

use super::categorical::{category_moments, sample_category};
use super::check::{check_finite, check_int_all, common_len};
use super::partials::ArgPartials;
use crate::error::{Error, Result};
use crate::real::{IntOperand, Operand, Real};
use crate::special::{inv_logit, log1m_exp, log1m_inv_logit, log_inv_logit};

/// Log-mass of the ordered logistic distribution (Stan's `ordered_logistic_lpmf`):
///
/// `Σ_i ln(inv_logit(η_i − c_{k_i − 1}) − inv_logit(η_i − c_{k_i}))`, `k_i ∈ {1, ..., K}`,
///
/// with `c_0 = −∞` and `c_K = +∞`, `c` the `K − 1` strictly increasing cutpoints shared by
/// every observation: the probability that a latent `η + ε`, `ε` standard logistic, falls in
/// `(c_{k−1}, c_k]`. With `u = c_{k−1} − η` and `v = c_k − η` each term is evaluated as
/// `ln inv_logit(v) + ln(1 − inv_logit(u)) + ln(1 − e^{u − v})`, stable for any location and
/// any gap between cutpoints. The partials `∂/∂c_{k−1} = −inv_logit(u) − 1/expm1(v − u)`,
/// `∂/∂c_k = inv_logit(−v) + 1/expm1(v − u)` and `∂/∂η = inv_logit(u) − inv_logit(−v)` are
/// computed in `f64` in one pass; each cutpoint's tangent (and a scalar location's) is applied
/// once.
///
/// `k` is one category or a slice; `location` a scalar or a slice of the same length
/// (scalars broadcast); `cutpoints` a vector (a scalar is one cutpoint, `K = 2`; an empty
/// vector gives `K = 1`, and `k = 1` has probability 1).
///
/// # Errors
/// In Stan's order: `k` and `location` of different lengths, `location` not finite, `k`
/// outside `[1, K]`, `cutpoints` not strictly increasing, its last or first element not finite:
/// `ordered_logistic: cutpoints is [1, 0], but must be ordered`.
///
/// # Reference
/// Stan Functions Reference, "Ordered logistic distribution"; McCullagh (1980), "Regression
/// models for ordinal data", JRSS B 42.
///
/// ```
/// // P(k = 2 | eta = 0.5, c = [-1, 1]) = inv_logit(1.5) − inv_logit(−0.5)
/// let lp: f64 = ppl_core::dist::ordered_logistic_lpmf(2, 0.5, &vec![-1.0, 1.0])?;
/// assert!((lp - (-0.820_903_720_031_718_2)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn ordered_logistic_lpmf<T: Real>(
    k: impl IntOperand,
    location: impl Operand,
    cutpoints: impl Operand,
) -> Result<T> {
    ordered_log_mass::<LogisticLink, T>(k, location, cutpoints)
}

/// The same as [`ordered_logistic_lpmf`]: every term depends on the location or the cutpoints
/// (Stan's `ordered_logistic_lupmf`, what `~` uses).
pub fn ordered_logistic_lupmf<T: Real>(
    k: impl IntOperand,
    location: impl Operand,
    cutpoints: impl Operand,
) -> Result<T> {
    ordered_logistic_lpmf(k, location, cutpoints)
}

/// The log-probability that a standardised latent variable falls in `(lower, upper]`
/// (`lower < upper`, `lower` possibly `−∞` and `upper` `+∞`) and its partials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct IntervalLogProbability {
    /// `ln(F(upper) − F(lower))`.
    pub(crate) log_probability: f64,
    /// `∂/∂lower` (0 for `lower = −∞`).
    pub(crate) d_lower: f64,
    /// `∂/∂upper` (0 for `upper = +∞`).
    pub(crate) d_upper: f64,
    /// `∂/∂lower + ∂/∂upper`, the partial for a shift of both bounds, computed without the
    /// cancellation of the sum when the bounds are close. The location's partial is its
    /// negative (the bounds are `c − η`).
    pub(crate) d_shift: f64,
}

/// The latent distribution of an ordered family: the standard logistic (`ordered_logistic`)
/// or the standard normal (`ordered_probit`), with the family's name and Stan's check order.
pub(crate) trait OrderedLink {
    /// The family's name in messages.
    const FUNCTION: &'static str;
    /// Stan checks the location before the categories and cutpoints (`ordered_logistic`) or
    /// after them (`ordered_probit`).
    const LOCATION_CHECKED_FIRST: bool;
    /// Stan's `ordered_probit` rejects an empty cutpoint vector; `ordered_logistic` takes it
    /// as `K = 1`.
    const NEEDS_CUTPOINTS: bool;
    /// `ln(F(upper) − F(lower))` and its partials.
    fn interval(lower: f64, upper: f64) -> IntervalLogProbability;
}

/// The standard logistic latent variable of `ordered_logistic`.
pub(crate) struct LogisticLink;

impl OrderedLink for LogisticLink {
    const FUNCTION: &'static str = "ordered_logistic";
    const LOCATION_CHECKED_FIRST: bool = true;
    const NEEDS_CUTPOINTS: bool = false;

    /// `ln(σ(v) − σ(u)) = ln σ(v) + ln(1 − σ(u)) + ln(1 − e^{u − v})`, from
    /// `σ(v) − σ(u) = σ(v) σ(−u) (1 − e^{u − v})`.
    #[inline]
    fn interval(lower: f64, upper: f64) -> IntervalLogProbability {
        let log_probability =
            log_inv_logit(upper) + log1m_inv_logit(lower) + log1m_exp(lower - upper);
        // 1/expm1(v − u), 0 when a bound is infinite.
        let inv_gap = 1.0 / (upper - lower).exp_m1();
        let (lower_cdf, upper_ccdf) = (inv_logit(lower), inv_logit(-upper));
        IntervalLogProbability {
            log_probability,
            d_lower: -(lower_cdf + inv_gap),
            d_upper: upper_ccdf + inv_gap,
            d_shift: upper_ccdf - lower_cdf,
        }
    }
}

/// The argument checks of an ordered family in Stan's order; returns the number of
/// observations and the number of categories `K`.
fn check_ordered_arguments<L: OrderedLink>(
    k: &impl IntOperand,
    location: &impl Operand,
    cutpoints: &impl Operand,
) -> Result<(usize, usize)> {
    let function = L::FUNCTION;
    let cutpoint_count = cutpoints.size().unwrap_or(1);
    if L::NEEDS_CUTPOINTS && cutpoint_count == 0 {
        return Err(Error::invalid(function, "size of cutpoints", 0, "positive"));
    }
    let n = common_len(
        function,
        &[("random variable", k.size()), ("location", location.size())],
    )?;
    if L::LOCATION_CHECKED_FIRST {
        check_finite(function, "location", location)?;
    }
    let categories = cutpoint_count + 1;
    check_int_all(
        function,
        "random variable",
        k,
        format!("in [1, {categories}]"),
        |v| v >= 1 && v <= categories as i64,
    )?;
    check_cutpoints(function, cutpoints)?;
    if !L::LOCATION_CHECKED_FIRST {
        check_finite(function, "location", location)?;
    }
    Ok((n, categories))
}

/// Stan's checks of a cutpoint vector: strictly increasing (NaN fails), then the last and the
/// first element finite.
pub(crate) fn check_cutpoints(function: &'static str, cutpoints: &impl Operand) -> Result<()> {
    let count = cutpoints.size().unwrap_or(1);
    let values: Vec<f64> = (0..count).map(|j| cutpoints.value_at(j)).collect();
    // Not `pair[1] > pair[0]`, NaN included.
    let increasing = |pair: &[f64]| pair[1].partial_cmp(&pair[0]) == Some(Ordering::Greater);
    if !values.windows(2).all(increasing) {
        let listed: Vec<String> = values.iter().map(f64::to_string).collect();
        return Err(Error::invalid(
            function,
            "cutpoints",
            format!("[{}]", listed.join(", ")),
            "ordered",
        ));
    }
    let label = |j: usize| match cutpoints.size() {
        None => "cutpoints".to_string(),
        Some(_) => format!("cutpoints[{}]", j + 1),
    };
    for j in [count.saturating_sub(1), 0] {
        if count > 0 && !values[j].is_finite() {
            return Err(Error::invalid(function, label(j), values[j], "finite"));
        }
    }
    Ok(())
}

/// The bounds `(c_{k−1} − η, c_k − η)` of category `k` (1-based) given the cutpoint values,
/// with `c_0 = −∞` and `c_K = +∞`.
#[inline]
fn category_bounds(cutpoints: &[f64], category: usize, location: f64) -> (f64, f64) {
    let lower = match category {
        1 => f64::NEG_INFINITY,
        _ => cutpoints[category - 2] - location,
    };
    let upper = match cutpoints.get(category - 1) {
        Some(cut) => cut - location,
        None => f64::INFINITY,
    };
    (lower, upper)
}

/// The log-mass of an ordered family (see [`ordered_logistic_lpmf`]), after its checks: one
/// pass over the observations computing each term and its partials in `f64`; the location's
/// partials go to its sink (summed once for a scalar), the cutpoints' are summed per cutpoint
/// and applied once.
pub(crate) fn ordered_log_mass<L: OrderedLink, T: Real>(
    k: impl IntOperand,
    location: impl Operand,
    cutpoints: impl Operand,
) -> Result<T> {
    let (n, categories) = check_ordered_arguments::<L>(&k, &location, &cutpoints)?;
    let cut_values: Vec<f64> = (0..categories - 1).map(|j| cutpoints.value_at(j)).collect();
    let mut out = T::accumulator();
    let mut location_partials = ArgPartials::new(&location);
    let mut cutpoint_partials = ArgPartials::new(&cutpoints);
    let cutpoints_active = cutpoint_partials.is_active();
    let mut cutpoint_sums = vec![0.0; if cutpoints_active { categories - 1 } else { 0 }];
    let mut value = 0.0;
    for i in 0..n {
        let category = k.at(i) as usize;
        let (lower, upper) = category_bounds(&cut_values, category, location.value_at(i));
        let interval = L::interval(lower, upper);
        value += interval.log_probability;
        location_partials.add(&mut out, i, -interval.d_shift);
        if cutpoints_active {
            if category > 1 {
                cutpoint_sums[category - 2] += interval.d_lower;
            }
            if category < categories {
                cutpoint_sums[category - 1] += interval.d_upper;
            }
        }
    }
    for (j, &sum) in cutpoint_sums.iter().enumerate() {
        cutpoint_partials.add(&mut out, j, sum);
    }
    location_partials.apply(&mut out);
    cutpoint_partials.apply(&mut out);
    Ok(out + value)
}

/// The category probabilities `P(k), k = 1..=K`, of an ordered family with fixed location and
/// cutpoints, after checking them (the constructors of [`OrderedLogistic`] and
/// [`crate::dist::OrderedProbit`]).
pub(crate) fn ordered_probabilities<L: OrderedLink>(
    location: f64,
    cutpoints: &[f64],
) -> Result<Vec<f64>> {
    check_ordered_arguments::<L>(&1, &location, &cutpoints)?;
    Ok((1..=cutpoints.len() + 1)
        .map(|category| {
            let (lower, upper) = category_bounds(cutpoints, category, location);
            L::interval(lower, upper).log_probability.exp()
        })
        .collect())
}

/// The fixed-parameter distribution of an ordered family: `$name::new(location, cutpoints)`,
/// sampling by inversion of the category probabilities at one uniform draw, the moments of the
/// category index (as [`crate::dist::Categorical`]), support `1..=K`.
macro_rules! ordered_distribution {
    ($(#[$doc:meta])* $name:ident, $link:ty) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name {
            location: f64,
            cutpoints: Vec<f64>,
            probabilities: Vec<f64>,
        }

        impl $name {
            /// The distribution with location `location` and cutpoints `cutpoints`
            /// (`K − 1` of them, `K` categories).
            ///
            /// # Errors
            /// `location` not finite, `cutpoints` not strictly increasing or its first or last
            /// element not finite, as the log-mass function.
            pub fn new(location: f64, cutpoints: Vec<f64>) -> $crate::error::Result<Self> {
                let probabilities = $crate::dist::ordered_logistic::ordered_probabilities::<
                    $link,
                >(location, &cutpoints)?;
                Ok($name {
                    location,
                    cutpoints,
                    probabilities,
                })
            }

            /// The category probabilities `P(k)`, `k = 1..=K`.
            pub fn probabilities(&self) -> &[f64] {
                &self.probabilities
            }
        }

        impl $crate::dist::Distribution for $name {
            type Value = i64;
            type Moment = f64;
            fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> i64 {
                $crate::dist::ordered_logistic::sample_ordered(&self.probabilities, rng)
            }
            /// The mean of the category index, `Σ k P(k)`.
            fn mean(&self) -> Option<f64> {
                Some($crate::dist::ordered_logistic::ordered_moments(&self.probabilities).0)
            }
            /// The variance of the category index.
            fn variance(&self) -> Option<f64> {
                Some($crate::dist::ordered_logistic::ordered_moments(&self.probabilities).1)
            }
            fn support(&self) -> $crate::dist::Support {
                $crate::dist::Support::Integers {
                    lower: 1,
                    upper: Some(self.probabilities.len() as i64),
                }
            }
            fn log_density(&self, x: &i64) -> f64 {
                $crate::dist::ordered_logistic::ordered_log_mass::<$link, f64>(
                    *x,
                    self.location,
                    &self.cutpoints,
                )
                .unwrap_or(f64::NEG_INFINITY)
            }
        }
    };
}
pub(crate) use ordered_distribution;

/// One category by inversion of the cumulative probabilities at a uniform draw.
#[inline]
pub(crate) fn sample_ordered<R: Rng + ?Sized>(probabilities: &[f64], rng: &mut R) -> i64 {
    sample_category(probabilities, rng)
}

/// The mean and variance of the category index.
#[inline]
pub(crate) fn ordered_moments(probabilities: &[f64]) -> (f64, f64) {
    category_moments(probabilities)
}

ordered_distribution! {
    /// The ordered logistic distribution with fixed location and cutpoints, for sampling.
    ///
    /// Draws are categories `1..=K`; [`crate::dist::Distribution::mean`] and
    /// [`crate::dist::Distribution::variance`] are the moments of the category index.
    OrderedLogistic, LogisticLink
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::dist::testing::{assert_close, assert_gradient_matches, assert_pmf_normalised};
    use crate::dist::Distribution;
    use proptest::prelude::*;
    use rand::SeedableRng;

    /// The frequency of each category in 200 000 seeded draws of `distribution` against
    /// `mass(k)` within 5 Monte Carlo standard errors `√(p(1 − p)/n)`.
    #[track_caller]
    pub(crate) fn assert_category_frequencies<D: Distribution<Value = i64>>(
        distribution: &D,
        mass: impl Fn(i64) -> f64,
        categories: i64,
    ) {
        let draws = 200_000;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20261127);
        let mut counts = vec![0usize; categories as usize];
        for _ in 0..draws {
            let k = distribution.sample(&mut rng);
            assert!((1..=categories).contains(&k), "draw {k}");
            counts[(k - 1) as usize] += 1;
        }
        for (index, &count) in counts.iter().enumerate() {
            let p = mass(index as i64 + 1);
            let fraction = count as f64 / draws as f64;
            let mcse = (p * (1.0 - p) / draws as f64).sqrt();
            assert!(
                (fraction - p).abs() <= 5.0 * mcse,
                "category {}: frequency {fraction} vs {p} (mcse {mcse})",
                index + 1
            );
        }
    }

    const CUTPOINTS: [f64; 3] = [-1.2, 0.3, 2.0];

    #[test]
    fn values_match_numpy() {
        // ln(inv_logit(eta - c[k-1]) - inv_logit(eta - c[k])), c_0 = -inf, c_K = +inf,
        // c = [-1.2, 0.3, 2.0]: mpmath 1.3 at 1200 digits; numpy 2.4 / scipy 1.17
        // `np.log(expit(..) - expit(..))` agrees to 1e-15 for eta = 0.7 and -3.5 (and gives
        // -inf at eta = 40), and statsmodels 0.15 OrderedModel(distr="logit").predict gives
        // the row eta = 0.7 to the 8 digits it prints.
        let rows: [(f64, [f64; 4]); 3] = [
            (
                0.7,
                [
                    -2.039_386_758_282_960_3,
                    -1.304_884_469_608_367_2,
                    -0.955_752_601_900_390_1,
                    -1.541_008_453_832_992_2,
                ],
            ),
            (
                -3.5,
                [
                    -0.095_545_464_597_962_94,
                    -2.670_152_139_978_296_4,
                    -4.027_931_555_392_895,
                    -5.504_078_443_270_571,
                ],
            ),
            (
                40.0,
                [
                    -41.2,
                    -39.952_482_458_925_45,
                    -38.201_728_895_667_44,
                    -3.139_132_792_048_029_6e-17,
                ],
            ),
        ];
        for (eta, expected) in rows {
            for (index, &e) in expected.iter().enumerate() {
                let lp: f64 = ordered_logistic_lpmf(index as i64 + 1, eta, &CUTPOINTS).unwrap();
                assert_close(lp, e, 1e-13);
            }
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let k = vec![1, 4, 2, 3, 3];
        let eta = vec![0.1, -0.5, 1.3, 2.2, -4.0];
        let lp: f64 = ordered_logistic_lpmf(&k, &eta, &CUTPOINTS).unwrap();
        let sum: f64 = (0..5)
            .map(|i| ordered_logistic_lpmf::<f64>(k[i], eta[i], &CUTPOINTS).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(
            ordered_logistic_lupmf::<f64>(&k, &eta, &CUTPOINTS).unwrap(),
            lp
        );
        let broadcast: f64 = ordered_logistic_lpmf(&k, 0.4, &CUTPOINTS).unwrap();
        let sum: f64 = k
            .iter()
            .map(|&c| ordered_logistic_lpmf::<f64>(c, 0.4, &CUTPOINTS).unwrap())
            .sum();
        assert_close(broadcast, sum, 1e-14);
    }

    #[test]
    fn mass_sums_to_one() {
        for eta in [-30.0, -2.0, 0.0, 0.9, 25.0] {
            assert_pmf_normalised(
                |k| ordered_logistic_lpmf::<f64>(k, eta, &CUTPOINTS).unwrap(),
                1,
                4,
            );
        }
        // One cutpoint given as a scalar: K = 2, bernoulli_logit(η − c) on k − 1.
        let lp: f64 = ordered_logistic_lpmf(2, 0.3, -0.2).unwrap();
        assert_close(lp, crate::special::log_inv_logit(0.5), 1e-15);
        // No cutpoint: K = 1.
        let none: &[f64] = &[];
        assert_eq!(ordered_logistic_lpmf::<f64>(1, 0.3, none).unwrap(), 0.0);
    }

    #[test]
    fn stable_for_extreme_locations_and_close_cutpoints() {
        // Cutpoints 1e-9 apart: P(k = 2) = σ(0) − σ(−1e-9) (mpmath 1.3).
        let close = [0.0, 1e-9];
        let lp: f64 = ordered_logistic_lpmf(2, 0.0, &close).unwrap();
        assert_close(lp, -22.109_560_198_066_3, 1e-14);
        // mpmath 1.3 at 1200 digits: σ(801.2) − σ(799.7) and σ(−800.3) − σ(−802).
        let lp: f64 = ordered_logistic_lpmf(2, 800.0, &CUTPOINTS).unwrap();
        assert_close(lp, -799.952_482_458_925_5, 1e-14);
        let lp: f64 = ordered_logistic_lpmf(3, -800.0, &CUTPOINTS).unwrap();
        assert_close(lp, -800.501_728_895_667_5, 1e-14);
    }

    #[test]
    fn sample_frequencies_and_moments_match() {
        let d = OrderedLogistic::new(0.4, CUTPOINTS.to_vec()).unwrap();
        assert_category_frequencies(
            &d,
            |k| {
                ordered_logistic_lpmf::<f64>(k, 0.4, &CUTPOINTS)
                    .unwrap()
                    .exp()
            },
            4,
        );
        let p: Vec<f64> = (1..=4)
            .map(|k| {
                ordered_logistic_lpmf::<f64>(k, 0.4, &CUTPOINTS)
                    .unwrap()
                    .exp()
            })
            .collect();
        let mean: f64 = p.iter().enumerate().map(|(i, p)| (i + 1) as f64 * p).sum();
        let second: f64 = p
            .iter()
            .enumerate()
            .map(|(i, p)| ((i + 1) as f64).powi(2) * p)
            .sum();
        assert_close(d.mean().unwrap(), mean, 1e-14);
        assert_close(d.variance().unwrap(), second - mean * mean, 1e-14);
        crate::dist::testing::assert_discrete_moments(&d, mean, second - mean * mean);
        assert_eq!(
            d.support(),
            crate::dist::Support::Integers {
                lower: 1,
                upper: Some(4)
            }
        );
        assert_close(d.log_density(&2), p[1].ln(), 1e-14);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints is [1, 0], but must be ordered"
        );
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, &vec![0.0, 0.0, 1.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints is [0, 0, 1], but must be ordered"
        );
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, &vec![0.0, f64::NAN]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints is [0, NaN], but must be ordered"
        );
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, &vec![0.0, f64::INFINITY]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints[2] is inf, but must be finite"
        );
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, &vec![f64::NEG_INFINITY, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints[1] is -inf, but must be finite"
        );
        let err = ordered_logistic_lpmf::<f64>(1, 0.0, f64::NAN).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: cutpoints is NaN, but must be finite"
        );
        let err = ordered_logistic_lpmf::<f64>(&vec![1, 2], &vec![0.0, f64::INFINITY], &CUTPOINTS)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: location[2] is inf, but must be finite"
        );
        let err = ordered_logistic_lpmf::<f64>(5, 0.0, &CUTPOINTS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: random variable is 5, but must be in [1, 4]"
        );
        let err = ordered_logistic_lpmf::<f64>(&vec![2, 0], 0.0, &CUTPOINTS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: random variable[2] is 0, but must be in [1, 4]"
        );
        let err =
            ordered_logistic_lpmf::<f64>(&vec![1, 2, 3], &vec![0.0, 1.0], &CUTPOINTS).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: location has size 2, but must have size 3"
        );
        // Stan's order: the location before the category and the cutpoints.
        let err = ordered_logistic_lpmf::<f64>(9, f64::NAN, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: location is NaN, but must be finite"
        );
        let err = ordered_logistic_lpmf::<f64>(9, 0.0, &vec![1.0, 0.0]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ordered_logistic: random variable is 9, but must be in [1, 3]"
        );
        assert_eq!(
            OrderedLogistic::new(0.0, vec![2.0, 1.0])
                .unwrap_err()
                .to_string(),
            "ordered_logistic: cutpoints is [2, 1], but must be ordered"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            eta in -6.0..6.0f64, c1 in -3.0..3.0f64, gap1 in 0.05..3.0f64, gap2 in 0.05..3.0f64,
            k in 1i64..5, eta2 in -6.0..6.0f64,
        ) {
            let cuts = [c1, c1 + gap1, c1 + gap1 + gap2];
            // Scalar location, every cutpoint.
            assert_gradient_matches(
                |x| ordered_logistic_lpmf(k, x[0], &x[1..4]),
                &[eta, cuts[0], cuts[1], cuts[2]],
            );
            // Vector locations, every category visited.
            let ks = vec![k, 1, 2, 3, 4];
            assert_gradient_matches(
                |x| ordered_logistic_lpmf(&ks, &x[0..5], &x[5..8]),
                &[eta, eta2, -eta, 0.5 * eta2, 0.1, cuts[0], cuts[1], cuts[2]],
            );
            // Broadcast scalar location over several observations.
            assert_gradient_matches(
                |x| ordered_logistic_lpmf(&ks, x[0], &x[1..4]),
                &[eta2, cuts[0], cuts[1], cuts[2]],
            );
        }
    }
}

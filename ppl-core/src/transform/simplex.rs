//! The simplex transform: Stan 2.35's centred stick-breaking map from `K − 1` unconstrained values to `simplex[K]`.

use super::check::{check_finite_vector, element, CONSTRAINT_TOLERANCE};
use crate::error::{Error, Result};
use crate::real::Real;

/// Number of unconstrained values of a `simplex[k]`: `k − 1` (0 for `k = 0`).
pub fn simplex_unconstrained_size(k: usize) -> usize {
    k.saturating_sub(1)
}

/// Maps `u ∈ ℝ^{K−1}` to the simplex `x ∈ Δ^{K−1}` (`x_k > 0`, `Σ x_k = 1`) by centred stick
/// breaking, and adds `ln |det J|` to `log_jacobian` (Stan 2.35's `simplex_constrain`).
///
/// With `stick = 1`, for `k = 1, …, K − 1`: `z_k = inv_logit(u_k − ln(K − k))`,
/// `x_k = stick·z_k`, the log-Jacobian gains `ln(stick) + ln z_k + ln(1 − z_k)`, and
/// `stick ← stick − x_k`; finally `x_K = stick`. The offset `ln(K − k)` makes `u = 0` the
/// uniform simplex. The Jacobian is of the map from `u` to the first `K − 1` coordinates.
///
/// The remaining stick is carried as `stick·(1 − z_k)` and `ln(stick)` as a sum of
/// `ln(1 − z_k)` terms, so `|u_k|` in the hundreds gives exact zeros and a finite log-Jacobian,
/// never NaN. Stan 2.37 and later use a different (isometric log-ratio) transform, with other
/// unconstrained values.
///
/// # Reference
/// Stan Reference Manual 2.35, "Unit simplex".
///
/// ```
/// use ppl_core::transform::{simplex_constrain, simplex_unconstrain};
/// let mut log_jacobian = 0.0;
/// let x = simplex_constrain(&[0.0_f64, 0.0], &mut log_jacobian);
/// for x_k in &x {
///     assert!((x_k - 1.0 / 3.0).abs() < 1e-15);
/// }
/// // ln(1·(1/3)(2/3)) + ln((2/3)·(1/2)(1/2))
/// assert!((log_jacobian - (2.0_f64 / 9.0).ln() - (1.0_f64 / 6.0).ln()).abs() < 1e-14);
/// assert!(simplex_unconstrain(&x)?.iter().all(|u| u.abs() < 1e-14));
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn simplex_constrain<T: Real>(u: &[T], log_jacobian: &mut T) -> Vec<T> {
    let n = u.len();
    let mut x = Vec::with_capacity(n + 1);
    let mut stick = T::constant(1.0);
    let mut log_stick = T::constant(0.0);
    for (k, &u_k) in u.iter().enumerate() {
        let centred = u_k - ((n - k) as f64).ln();
        let log1m_z = centred.log1m_inv_logit();
        *log_jacobian += log_stick + centred.log_inv_logit() + log1m_z;
        x.push(stick * centred.inv_logit());
        stick *= (-centred).inv_logit();
        log_stick += log1m_z;
    }
    x.push(stick);
    x
}

/// The inverse of [`simplex_constrain`] (Stan 2.35's `simplex_free`):
/// `u_k = logit(x_k / (x_k + … + x_K)) + ln(K − k)`, computed as
/// `ln x_k − ln(x_{k+1} + … + x_K) + ln(K − k)`.
///
/// # Errors
/// `x` empty, an element not finite, negative or zero (a zero element has no finite
/// unconstrained value), or `|Σ x_k − 1| > 1e-8`:
/// `simplex: sum of x is 1.1, but must be 1 (within 1e-8)`.
pub fn simplex_unconstrain(x: &[f64]) -> Result<Vec<f64>> {
    const FUNCTION: &str = "simplex";
    if x.is_empty() {
        return Err(Error::invalid(FUNCTION, "size of x", 0, "at least 1"));
    }
    check_finite_vector(FUNCTION, x)?;
    for (i, &x_i) in x.iter().enumerate() {
        if x_i < 0.0 {
            return Err(Error::invalid(
                FUNCTION,
                element("x", i),
                x_i,
                "non-negative",
            ));
        }
    }
    let sum: f64 = x.iter().sum();
    if (sum - 1.0).abs() > CONSTRAINT_TOLERANCE {
        return Err(Error::invalid(FUNCTION, "sum of x", sum, "1 (within 1e-8)"));
    }
    for (i, &x_i) in x.iter().enumerate() {
        if x_i == 0.0 {
            return Err(Error::invalid(
                FUNCTION,
                element("x", i),
                x_i,
                "positive (a zero element has an infinite unconstrained value)",
            ));
        }
    }
    let n = x.len() - 1;
    let mut u = vec![0.0; n];
    // `tail` is x_{k+1} + … + x_K, accumulated from the end.
    let mut tail = x[n];
    for k in (0..n).rev() {
        u[k] = x[k].ln() - tail.ln() + ((n - k) as f64).ln();
        tail += x[k];
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dual::Dual;
    use crate::transform::positive_ordered_constrain;
    use crate::transform::testing::{
        assert_all_close, assert_close, assert_gradient_matches, finite_difference_log_abs_det,
    };
    use proptest::prelude::*;

    #[test]
    fn matches_stan_hmm_example() {
        // /work/shared/posteriordb/hmm_example-hmm_example/logdensity_checks.json, points[0..3]
        // (Stan 2.35.0): theta1, theta2 are simplex[2] (unconstrained[0], [1]) and mu is
        // positive_ordered[2] (unconstrained[2..4]). Columns: unconstrained, constrained_flat,
        // and the whole log-Jacobian log_prob_jacobian − log_prob_no_jacobian.
        type Point = ([f64; 4], [f64; 6], f64);
        let points: [Point; 3] = [
            (
                [
                    -1.0906559101313213,
                    -0.7329666411609885,
                    1.1894618293309365,
                    0.7050186830038982,
                ],
                [
                    0.2514947863616962,
                    0.7485052136383038,
                    0.32454405634041256,
                    0.6754559436595875,
                    3.285312672619928,
                    5.309197169430998,
                ],
                -692.4906331841271 - -691.1974022376736,
            ),
            (
                [
                    -0.435561797592364,
                    -0.6687442885344619,
                    0.3932350143487593,
                    -1.2530632575851466,
                ],
                [
                    0.392799010670678,
                    0.607200989329322,
                    0.3387780725989315,
                    0.6612219274010684,
                    1.4817665848211383,
                    1.7673950865332748,
                ],
                -2229.300657049783 - -2225.511400372183,
            ),
            (
                [
                    0.6910241760584852,
                    1.7672114610797487,
                    -1.007017141481716,
                    1.795524607333273,
                ],
                [
                    0.6661947210753894,
                    0.33380527892461065,
                    0.8541105461538422,
                    0.1458894538461578,
                    0.3653070151786705,
                    6.387940426030707,
                ],
                -592.355849746082 - -589.5583857235683,
            ),
        ];
        for (u, constrained, stan_log_jacobian) in points {
            let mut log_jacobian = 0.0;
            let theta1 = simplex_constrain(&u[0..1], &mut log_jacobian);
            let theta2 = simplex_constrain(&u[1..2], &mut log_jacobian);
            positive_ordered_constrain(&u[2..4], &mut log_jacobian);
            assert_all_close(&theta1, &constrained[0..2], 1e-14);
            assert_all_close(&theta2, &constrained[2..4], 1e-14);
            // The difference of two log-densities near −700 carries ~1e-13 rounding.
            assert_close(log_jacobian, stan_log_jacobian, 1e-11);
            assert_all_close(&simplex_unconstrain(&theta1).unwrap(), &u[0..1], 1e-13);
            assert_all_close(&simplex_unconstrain(&theta2).unwrap(), &u[1..2], 1e-13);
        }
    }

    #[test]
    fn round_trips_and_jacobian() {
        let u = [0.4, -1.3, 2.0, 0.0, -3.0];
        let mut log_jacobian = 0.0;
        let x = simplex_constrain(&u, &mut log_jacobian);
        assert_eq!(x.len(), 6);
        assert!(x.iter().all(|&x_k| x_k > 0.0));
        assert_close(x.iter().sum::<f64>(), 1.0, 1e-15);
        assert_all_close(&simplex_unconstrain(&x).unwrap(), &u, 1e-12);
        // The Jacobian of u ↦ (x_1, …, x_{K−1}).
        let fd = finite_difference_log_abs_det(
            |v| {
                let mut x = simplex_constrain(v, &mut 0.0);
                x.pop();
                x
            },
            &u,
        );
        assert_close(log_jacobian, fd, 1e-6);
        let x = [0.1, 0.2, 0.3, 0.4];
        let back = simplex_constrain(&simplex_unconstrain(&x).unwrap(), &mut 0.0);
        assert_all_close(&back, &x, 1e-14);
        // simplex[1] has no free values.
        assert_eq!(simplex_constrain::<f64>(&[], &mut 0.0), vec![1.0]);
        assert!(simplex_unconstrain(&[1.0]).unwrap().is_empty());
        assert_eq!(simplex_unconstrained_size(4), 3);
        assert_eq!(simplex_unconstrained_size(0), 0);
    }

    #[test]
    fn extreme_inputs_give_no_nan() {
        for u in [
            [800.0, 800.0, 800.0],
            [-800.0, -800.0, -800.0],
            [800.0, -800.0, 0.0],
            [-800.0, 800.0, -800.0],
        ] {
            let mut log_jacobian = 0.0;
            let x = simplex_constrain(&u, &mut log_jacobian);
            assert!(x.iter().all(|x_k| x_k.is_finite() && *x_k >= 0.0), "{x:?}");
            assert_close(x.iter().sum::<f64>(), 1.0, 1e-15);
            assert!(log_jacobian.is_finite(), "{log_jacobian}");
            let mut gradient = [0.0; 3];
            crate::gradient_chunked::<4, _>(
                |v| {
                    let mut lj = Dual::constant(0.0);
                    let x = simplex_constrain(v, &mut lj);
                    Ok(x.into_iter().sum::<Dual<4>>() + lj)
                },
                &u,
                &mut gradient,
            )
            .unwrap();
            assert!(gradient.iter().all(|g| g.is_finite()), "{gradient:?}");
        }
    }

    #[test]
    fn unconstrain_errors_name_function_argument_value_and_rule() {
        let message = |x: &[f64]| simplex_unconstrain(x).unwrap_err().to_string();
        assert_eq!(
            message(&[0.5, 0.6]),
            "simplex: sum of x is 1.1, but must be 1 (within 1e-8)"
        );
        assert_eq!(
            message(&[1.5, -0.5]),
            "simplex: x[2] is -0.5, but must be non-negative"
        );
        assert_eq!(
            message(&[1.0, 0.0]),
            "simplex: x[2] is 0, but must be positive (a zero element has an infinite \
             unconstrained value)"
        );
        assert_eq!(
            message(&[f64::NAN, 1.0]),
            "simplex: x[1] is NaN, but must be finite"
        );
        assert_eq!(
            message(&[]),
            "simplex: size of x is 0, but must be at least 1"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            u in prop::collection::vec(-4.0..4.0f64, 0..6),
        ) {
            // sum(x) is identically 1, so weight the outputs to see every coordinate.
            assert_gradient_matches(
                |v| {
                    let mut log_jacobian = Dual::constant(0.0);
                    let x = simplex_constrain(v, &mut log_jacobian);
                    let weighted: Dual<4> = x
                        .into_iter()
                        .enumerate()
                        .map(|(k, x_k)| x_k * (k as f64 + 1.0))
                        .sum();
                    Ok(weighted + log_jacobian)
                },
                &u,
            );
        }
    }
}

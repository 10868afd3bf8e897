//! Property tests of the `Real` trait: every method's dual derivative against central finite differences at random points of its domain, and comparisons that look at values only.

use proptest::prelude::*;

use crate::dist::testing::assert_gradient_matches;
use crate::dual::Dual;
use crate::real::{
    cumulative_sum, dot_product, dot_self, log_diff_exp, log_inv_logit_diff, log_mix, log_softmax,
    log_sum_exp, log_sum_exp2, mean, sd, softmax, sum, variance, Real,
};
use crate::sparse::{gradient_sparse, SparseDual};
use crate::vector::Vector;
use crate::Error;

type D = Dual<4>;

/// Checks a one-argument method `f` at `x`.
#[track_caller]
fn check_unary(f: impl Fn(D) -> D, x: f64) {
    assert_gradient_matches(|p| Ok(f(p[0])), &[x]);
}

/// Checks a two-argument method `f` at `(a, b)` (both arguments dual).
#[track_caller]
fn check_binary(f: impl Fn(D, D) -> D, a: f64, b: f64) {
    assert_gradient_matches(|p| Ok(f(p[0], p[1])), &[a, b]);
}

proptest! {
    #[test]
    fn elementary_functions(x in -5.0..5.0f64, positive in 0.1..10.0f64) {
        check_unary(Real::exp, x);
        check_unary(Real::ln, positive);
        check_unary(Real::ln_1p, positive - 0.95);
        check_unary(Real::exp_m1, x);
        check_unary(Real::sqrt, positive);
        check_unary(Real::square, x);
        check_unary(Real::sin, x);
        check_unary(Real::cos, x);
        check_unary(Real::tanh, x);
        // abs away from its kink at 0.
        check_unary(Real::abs, positive);
        check_unary(Real::abs, -positive);
    }

    #[test]
    fn powers(base in 0.2..3.0f64, exponent in -2.0..3.0f64, n in -3i32..5) {
        check_unary(|x| x.powi(n), base);
        check_unary(|x| x.powf_const(exponent), base);
        check_binary(Real::powf, base, exponent);
    }

    #[test]
    fn logistic_functions(x in -20.0..20.0f64) {
        check_unary(Real::log1p_exp, x);
        check_unary(Real::inv_logit, x);
        check_unary(Real::log_inv_logit, x);
        check_unary(Real::log1m_inv_logit, x);
    }

    #[test]
    fn gamma_family(x in 0.1..30.0f64, negative in -4.9..-0.1f64) {
        check_unary(Real::lgamma, x);
        check_unary(Real::digamma, x);
        // Negative non-integers (reflection formulas), away from the poles.
        let away_from_pole = negative.floor() + 0.1 + 0.8 * negative.fract().abs();
        check_unary(Real::lgamma, away_from_pole);
        check_unary(Real::digamma, away_from_pole);
    }

    #[test]
    fn error_and_normal_functions(x in -4.0..4.0f64, tail in -40.0..8.0f64) {
        check_unary(Real::erf, x);
        check_unary(Real::erfc, x);
        check_unary(Real::std_normal_cdf, 2.0 * x);
        check_unary(Real::std_normal_log_cdf, tail);
    }

    #[test]
    fn beta_and_choose(a in 0.1..20.0f64, b in 0.1..20.0f64, fraction in 0.0..1.0f64) {
        check_binary(Real::lbeta, a, b);
        let n = a + 1.0;
        check_binary(Real::lchoose, n, fraction * n);
    }

    #[test]
    fn arithmetic_and_reductions(a in -5.0..5.0f64, b in 0.2..5.0f64, c in -5.0..5.0f64) {
        check_binary(|x, y| x + y, a, b);
        check_binary(|x, y| x - y, a, b);
        check_binary(|x, y| x * y, a, b);
        check_binary(|x, y| x / y, a, b);
        check_unary(|x| -x, a);
        check_unary(|x| x + 2.5, a);
        check_unary(|x| x - 2.5, a);
        check_unary(|x| x * 2.5, a);
        check_unary(|x| x / 2.5, a);
        check_unary(|x| 2.5 - x, a);
        check_unary(|x| 2.5 / x, b);
        check_binary(
            |x, y| {
                let mut acc = x;
                acc += y;
                acc *= y;
                acc -= x * 0.5;
                acc /= y;
                acc += 1.0;
                acc *= 3.0;
                acc -= 2.0;
                acc /= 4.0;
                acc
            },
            a,
            b,
        );
        check_binary(|x, y| [x, y, x * y].into_iter().sum(), a, b);
        assert_gradient_matches(|p| Ok(log_sum_exp(p)), &[a, b, c]);
        check_binary(log_sum_exp2, a, c);
        let theta = b / 5.5;
        assert_gradient_matches(|p| Ok(log_mix(p[0], p[1], p[2])), &[theta, a, c]);
        // max and min follow the larger / smaller value, tangent included.
        check_binary(Real::max, a, a + b);
        check_binary(Real::min, a, a + b);
        check_binary(Real::max, a + b, a);
        check_binary(Real::min, a + b, a);
        // from_partials: the tangent is the weighted sum of the arguments' tangents.
        check_binary(
            |x, y| D::from_partials(x.value() * y.value(), &[(&x, y.value()), (&y, x.value())]),
            a,
            b,
        );
    }

    #[test]
    fn log1m_family(x in -5.0..0.95f64, negative in -40.0..-1e-6f64, p in 0.01..0.99f64) {
        check_unary(Real::log1m, x);
        check_unary(Real::log1m_exp, negative);
        // Both branches of log1m_exp: near 0 (expm1, here −0.41 … −0.01) and beyond −ln 2
        // (log1p). Not closer to 0: the finite-difference step (1e-6) must stay small against
        // |a|, where the derivative −1/expm1(−a) ≈ 1/a is steep.
        check_unary(Real::log1m_exp, negative / 100.0 - 0.01);
        check_unary(Real::logit, p);
    }

    #[test]
    fn two_argument_log_differences(a in -30.0..30.0f64, gap in 1e-3..40.0f64) {
        check_binary(log_diff_exp, a, a - gap);
        check_binary(log_inv_logit_diff, a, a - gap);
    }

    #[test]
    fn vector_functions(
        x in proptest::collection::vec(-5.0..5.0f64, 1..6),
        weights in proptest::collection::vec(-2.0..2.0f64, 6),
    ) {
        // Σ w_i f(x)_i checks every row of the Jacobian of a vector-valued f.
        let weighted = |values: &[D]| -> D {
            values.iter().zip(&weights).map(|(&v, &w)| v * w).sum()
        };
        assert_gradient_matches(|p| Ok(weighted(&softmax(p))), &x);
        assert_gradient_matches(|p| Ok(weighted(&log_softmax(p))), &x);
        assert_gradient_matches(|p| Ok(weighted(&cumulative_sum(p))), &x);
        assert_gradient_matches(|p| Ok(sum(p)), &x);
        assert_gradient_matches(|p| Ok(dot_self(p)), &x);
        assert_gradient_matches(|p| Ok(mean(p)), &x);
        if x.len() > 1 {
            assert_gradient_matches(|p| Ok(variance(p)), &x);
            assert_gradient_matches(|p| Ok(sd(p)), &x);
        }
        // dot_product: both arguments parameters (the halves of p), then data on the right.
        let n = x.len();
        let both: Vec<f64> = x.iter().chain(&weights[..n]).copied().collect();
        assert_gradient_matches(|p| dot_product(&p[..n], &p[n..]), &both);
        let data = weights[..n].to_vec();
        assert_gradient_matches(|p| dot_product(p, &data), &x);
    }

    #[test]
    fn comparisons_look_only_at_values(a in -5.0..5.0f64, b in -5.0..5.0f64) {
        let x = D::variable(a, 0);
        let y = D::variable(b, 1);
        let x_other_tangent = D::with_tangent(a, [3.0, -1.0, 0.5, 7.0]);
        let x_constant = D::new_constant(a);
        prop_assert!(x == x_other_tangent);
        prop_assert!(x == x_constant);
        prop_assert!(x == a);
        prop_assert!(a == x);
        prop_assert_eq!(x < y, a < b);
        prop_assert_eq!(x > y, a > b);
        prop_assert_eq!(x <= b, a <= b);
        prop_assert_eq!(b < x, b < a);
        prop_assert_eq!(x.partial_cmp(&y), a.partial_cmp(&b));
        prop_assert_eq!(x.partial_cmp(&x_other_tangent), Some(std::cmp::Ordering::Equal));
        prop_assert_eq!(x.max(y).value(), a.max(b));
        prop_assert_eq!(x.min(y).value(), a.min(b));
        prop_assert!(x.is_finite());
        prop_assert!(!D::new_constant(f64::INFINITY).is_finite());
    }
}

#[test]
fn f64_and_dual_agree_on_values() {
    let points = [-3.7, -0.5, 0.25, 1.0, 2.5, 10.0];
    for &x in &points {
        let dual = D::variable(x, 2);
        let positive = x.abs();
        let dual_positive = dual.abs();
        let pairs: [(f64, D); 13] = [
            (x.exp(), dual.exp()),
            (Real::ln(positive), dual_positive.ln()),
            (Real::sqrt(positive), dual_positive.sqrt()),
            (Real::powi(x, 3), dual.powi(3)),
            (
                Real::powf(positive, 1.7),
                dual_positive.powf(D::new_constant(1.7)),
            ),
            (Real::lgamma(positive), dual_positive.lgamma()),
            (Real::erf(x), dual.erf()),
            (Real::erfc(x), dual.erfc()),
            (Real::std_normal_cdf(x), dual.std_normal_cdf()),
            (Real::std_normal_log_cdf(x), dual.std_normal_log_cdf()),
            (Real::log1p_exp(x), dual.log1p_exp()),
            (Real::inv_logit(x), dual.inv_logit()),
            (Real::tanh(x), dual.tanh()),
        ];
        for (plain, lifted) in pairs {
            assert_eq!(plain, lifted.value());
        }
    }
}

/// `Σ_i weight_i · values_i`, for reducing a vector-valued function to a scalar.
fn weighted_sum<T: Real>(values: &[T]) -> T {
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| v * (1.0 + i as f64))
        .sum()
}

// Reference values: scipy 1.17.1 / numpy 2.4.6 on x = [1, −2, 0.5, 3]:
// scipy.special.softmax(x), scipy.special.log_softmax(x), numpy.cumsum(x), numpy.mean(x),
// numpy.var(x, ddof=1), numpy.std(x, ddof=1), numpy.dot(x, x).
const X: [f64; 4] = [1.0, -2.0, 0.5, 3.0];

#[test]
fn vector_functions_match_scipy() {
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-15 * b.abs().max(1.0);
    let expected_softmax = [
        0.110_553_750_361_739_21,
        0.005_504_147_127_583_673,
        0.067_054_239_140_611_47,
        0.816_887_863_370_065_7,
    ];
    let expected_log_softmax = [
        -2.202_253_447_679_351_6,
        -5.202_253_447_679_352,
        -2.702_253_447_679_351_6,
        -0.202_253_447_679_351_72,
    ];
    let s = softmax(&X);
    let l = log_softmax(&X);
    for i in 0..4 {
        assert!(close(s[i], expected_softmax[i]), "softmax[{i}] = {}", s[i]);
        assert!(
            close(l[i], expected_log_softmax[i]),
            "log_softmax[{i}] = {}",
            l[i]
        );
    }
    assert_eq!(cumulative_sum(&X).as_slice(), &[1.0, -1.0, -0.5, 2.5]);
    assert!(cumulative_sum::<f64>(&[]).is_empty());
    assert_eq!(sum(&X), 2.5);
    assert_eq!(sum::<f64>(&[]), 0.0);
    assert_eq!(dot_self(&X), 14.25);
    assert_eq!(mean(&X), 0.625);
    assert!(close(variance(&X), 4.229_166_666_666_667));
    assert!(close(sd(&X), 2.056_493_779_875_511));
    assert_eq!(dot_product(&X, &X).unwrap(), 14.25);
    assert_eq!(dot_product(&X, 2.0).unwrap(), 5.0);
    // Large magnitudes: scipy.special.softmax / log_softmax([1000, 999, −1000]), and
    // numpy.var([1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4], ddof=1) = 1.6666666666666667.
    let big = [1000.0, 999.0, -1000.0];
    let s = softmax(&big);
    let l = log_softmax(&big);
    assert!(close(s[0], 0.731_058_578_630_004_9) && close(s[1], 0.268_941_421_369_995_1));
    assert_eq!(s[2], 0.0);
    assert!(close(l[0], -0.313_261_687_518_222_86));
    assert!(close(l[2], -2_000.313_261_687_518_2));
    let shifted = [1e9 + 1.0, 1e9 + 2.0, 1e9 + 3.0, 1e9 + 4.0];
    assert!(close(variance(&shifted), 1.666_666_666_666_666_7));
    // One element: variance and sd are 0, as Stan.
    assert_eq!(variance(&[3.0]), 0.0);
    assert_eq!(sd(&[3.0]), 0.0);
}

#[test]
fn empty_and_mismatched_arguments() {
    // Stan throws for size 0; here the reductions are NaN and the vector functions empty.
    let empty: [f64; 0] = [];
    assert!(mean(&empty).is_nan() && variance(&empty).is_nan() && sd(&empty).is_nan());
    assert!(softmax(&empty).is_empty() && log_softmax(&empty).is_empty());
    assert!(matches!(
        dot_product(&[1.0, 2.0], &vec![1.0]),
        Err(Error::SizeMismatch { .. })
    ));
    assert_eq!(
        dot_product(&[1.0, 2.0], &vec![1.0])
            .unwrap_err()
            .to_string(),
        "dot_product: b has size 1, but must have size 2"
    );
}

#[test]
fn derivatives_at_the_edges_follow_stan() {
    // log_diff_exp(a, −∞) = a with ∂/∂a = 1, ∂/∂b = 0.
    let a = D::variable(2.5, 0);
    let b = D::variable(f64::NEG_INFINITY, 1);
    let value = log_diff_exp(a, b);
    assert_eq!(value.value(), 2.5);
    assert_eq!(value.lanes()[0], 1.0);
    assert_eq!(value.lanes()[1], 0.0);
    // log_inv_logit_diff(+∞, b) = −log1p_exp(b), ∂/∂b = −inv_logit(b).
    let value = log_inv_logit_diff(D::variable(f64::INFINITY, 0), D::variable(0.0, 1));
    assert_eq!(value.value(), -std::f64::consts::LN_2);
    assert_eq!(value.lanes()[0], 0.0);
    assert_eq!(value.lanes()[1], -0.5);
    // sd of equal values: 0 with zero partials (not NaN).
    let equal = [D::variable(1.5, 0), D::variable(1.5, 1)];
    let value = sd(&equal);
    assert_eq!(value.value(), 0.0);
    assert_eq!(value.lanes()[..2], [0.0, 0.0]);
    // Data (constants) stay constants.
    assert!(!softmax(&[D::new_constant(1.0), D::new_constant(2.0)])[0].has_tangent());
}

/// The sparse scalar gives the same gradients as the dense dual for every vector function.
#[test]
fn sparse_duals_agree_with_dense_duals() {
    fn all<T: Real>(p: &[T]) -> crate::Result<T> {
        let weights: Vec<f64> = (0..p.len()).map(|i| 0.5 - i as f64).collect();
        let mut total = weighted_sum(&softmax(p))
            + weighted_sum(&log_softmax(p))
            + weighted_sum(&cumulative_sum(p))
            + sum(p)
            + dot_self(p)
            + dot_product(p, &weights)?
            + dot_product(&p[..2], &p[2..4])?
            + mean(p)
            + variance(p)
            + sd(p)
            + log_diff_exp(p[0], p[1])
            + log_inv_logit_diff(p[0], p[1]);
        total += p[1].log1m() + p[1].log1m_exp() + (p[2] * 0.1).inv_logit().logit();
        Ok(total)
    }
    let x = [0.3, -0.7, 1.1, -2.0, 0.4];
    let mut dense = vec![0.0; x.len()];
    let mut sparse = vec![0.0; x.len()];
    let value_dense = crate::gradient::gradient_chunked::<4, _>(all::<D>, &x, &mut dense).unwrap();
    let value_sparse = gradient_sparse::<8, _>(all::<SparseDual<8>>, &x, &mut sparse).unwrap();
    assert_eq!(value_dense, value_sparse);
    assert_eq!(value_dense, all(&x).unwrap());
    for (d, s) in dense.iter().zip(&sparse) {
        assert!((d - s).abs() <= 1e-13 * d.abs().max(1.0), "{d} vs {s}");
    }
    // Output vectors are `Vector`s usable in arithmetic.
    let v: Vector<f64> = 2.0 * softmax(&x);
    assert!((v.sum() - 2.0).abs() < 1e-15);
}

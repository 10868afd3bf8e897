//! Property tests of the `Real` trait: every method's dual derivative against central finite differences at random points of its domain, and comparisons that look at values only.

use proptest::prelude::*;

use crate::dist::testing::assert_gradient_matches;
use crate::dual::Dual;
use crate::real::{log_mix, log_sum_exp, log_sum_exp2, Real};

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

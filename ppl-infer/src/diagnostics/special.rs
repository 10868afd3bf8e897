//! Quantile functions the diagnostics need: the standard normal (Wichura's AS 241) and the beta (bisection on the continued-fraction incomplete beta).

use ppl_core::special::lbeta;

/// `Φ⁻¹(p)`, the standard normal quantile, by Wichura's algorithm AS 241 (PPND16), relative
/// accuracy about 1e-16. `−∞` at 0, `+∞` at 1, NaN outside `[0, 1]`.
// The published coefficients, digit for digit.
#[allow(clippy::excessive_precision, clippy::inconsistent_digit_grouping)]
pub(crate) fn inv_std_normal_cdf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q
            * (((((((2509.080_928_730_122_7 * r + 33_430.575_583_588_128) * r
                + 67_265.770_927_008_7)
                * r
                + 45_921.953_931_549_87)
                * r
                + 13_731.693_765_509_461)
                * r
                + 1971.590_950_306_551_4)
                * r
                + 133.141_667_891_784_38)
                * r
                + 3.387_132_872_796_366_5)
            / (((((((5226.495_278_852_546 * r + 28_729.085_735_721_943) * r
                + 39_307.895_800_092_71)
                * r
                + 21_213.794_301_586_597)
                * r
                + 5394.196_021_424_751)
                * r
                + 687.187_007_492_057_9)
                * r
                + 42.313_330_701_600_91)
                * r
                + 1.0);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-tail.ln()).sqrt();
    let value = if r <= 5.0 {
        r -= 1.6;
        (((((((7.745_450_142_783_414e-4 * r + 0.022_723_844_989_269_184) * r
            + 0.241_780_725_177_450_6)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_545)
            * r
            + 1.423_437_110_749_683_5)
            / (((((((1.050_750_071_644_416_8e-9 * r + 5.475_938_084_995_345e-4) * r
                + 0.015_198_666_563_616_457)
                * r
                + 0.148_103_976_427_480_08)
                * r
                + 0.689_767_334_985_1)
                * r
                + 1.676_384_830_183_803_8)
                * r
                + 2.053_191_626_637_759)
                * r
                + 1.0)
    } else {
        r -= 5.0;
        (((((((2.010_334_399_292_288_1e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 0.001_242_660_947_388_078_4)
            * r
            + 0.026_532_189_526_576_124)
            * r
            + 0.296_560_571_828_504_9)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103)
            / (((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_446e-7) * r
                + 1.846_318_317_510_054_8e-5)
                * r
                + 7.868_691_311_456_133e-4)
                * r
                + 0.014_875_361_290_850_615)
                * r
                + 0.136_929_880_922_735_8)
                * r
                + 0.599_832_206_555_887_9)
                * r
                + 1.0)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// Regularised incomplete beta `I_x(a, b)` by the modified Lentz continued fraction
/// (Numerical Recipes §6.4), using the symmetry `I_x(a, b) = 1 − I_{1−x}(b, a)` where the
/// fraction converges slowly. Relative accuracy about 1e-14 for the moderate `a, b` here.
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = a * x.ln() + b * (1.0 - x).ln() - lbeta(a, b);
    if x < (a + 1.0) / (a + b + 2.0) {
        log_front.exp() * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - log_front.exp() * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut fraction = d;
    for m in 1..100_000 {
        let m = f64::from(m);
        for numerator in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + numerator * d;
            if d.abs() < TINY {
                d = TINY;
            }
            c = 1.0 + numerator / c;
            if c.abs() < TINY {
                c = TINY;
            }
            d = 1.0 / d;
            fraction *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    fraction
}

/// The `p` quantile of the Beta(a, b) distribution, solving `I_x(a, b) = p` by bisection to
/// full double precision. NaN unless `a, b > 0` are finite and `p ∈ [0, 1]`.
pub(crate) fn beta_quantile(p: f64, a: f64, b: f64) -> f64 {
    if !(a > 0.0 && b > 0.0 && a.is_finite() && b.is_finite() && (0.0..=1.0).contains(&p)) {
        return f64::NAN;
    }
    let (mut lower, mut upper) = (0.0_f64, 1.0_f64);
    for _ in 0..200 {
        let middle = 0.5 * (lower + upper);
        if middle <= lower || middle >= upper {
            break;
        }
        if inc_beta(a, b, middle) < p {
            lower = middle;
        } else {
            upper = middle;
        }
    }
    0.5 * (lower + upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_quantile_matches_scipy() {
        // scipy.stats.norm.ppf, scipy 1.17.1
        let cases = [
            (0.5, 0.0),
            (0.975, 1.959963984540054),
            (0.01, -2.3263478740408408),
            (1e-10, -6.361340902404056),
            (0.8413447, 0.9999998096111059),
        ];
        for (p, expected) in cases {
            let actual = inv_std_normal_cdf(p);
            assert!(
                (actual - expected).abs() <= 1e-14 * expected.abs().max(1.0),
                "p {p}: {actual} vs {expected}"
            );
        }
        assert_eq!(inv_std_normal_cdf(0.0), f64::NEG_INFINITY);
        assert!(inv_std_normal_cdf(1.5).is_nan());
    }

    #[test]
    fn beta_quantile_matches_scipy() {
        // scipy.stats.beta.ppf, scipy 1.17.1
        let cases = [
            (0.1586553, 10.4, 190.6, 0.03633819400091839),
            (0.8413447, 10.4, 190.6, 0.06715879066601668),
            (0.1586553, 51.0, 951.0, 0.043974380330828296),
            (0.5, 2.0, 3.0, 0.3857275681323895),
        ];
        for (p, a, b, expected) in cases {
            let actual = beta_quantile(p, a, b);
            assert!(
                (actual - expected).abs() <= 1e-12 * expected,
                "Beta({a}, {b}) at {p}: {actual} vs {expected}"
            );
        }
        assert!(beta_quantile(0.5, -1.0, 2.0).is_nan());
    }
}

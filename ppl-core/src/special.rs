//! Special functions in `f64` (values and the derivatives the dual number needs): log-gamma, digamma, trigamma, erf, normal cdf, logistic helpers.
//!
//! Every function is written here (no external special-function code) with its method and
//! accuracy stated on it; the `tests` module checks each against mpmath at 50 digits, in the
//! tails included. `docs/special-functions.md` summarises the accuracy. [`crate::Real`] lifts
//! each of them to dual numbers.

/// `2 / √π`, the derivative scale of `erf`.
pub const TWO_OVER_SQRT_PI: f64 = std::f64::consts::FRAC_2_SQRT_PI;
/// `ln √(2π)`.
pub const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;
/// `ln 2`.
pub const LN_2: f64 = std::f64::consts::LN_2;
/// `ln π`.
pub const LN_PI: f64 = 1.144_729_885_849_400_2;

/// `ζ(k) − 1` for `k = 2, 3, …, 33` (mpmath 1.3.0, `mp.zeta(k) − 1` at 40 digits): the
/// coefficients of the series of `ln Γ` and `ψ` around 1 and 2 (Abramowitz & Stegun 6.1.33).
const ZETA_MINUS_ONE: [f64; 32] = [
    0.644_934_066_848_226_4,
    0.202_056_903_159_594_3,
    0.082_323_233_711_138_19,
    0.036_927_755_143_369_93,
    0.017_343_061_984_449_14,
    0.008_349_277_381_922_827,
    0.004_077_356_197_944_34,
    0.002_008_392_826_082_214_3,
    0.000_994_575_127_818_085_3,
    0.000_494_188_604_119_464_5,
    0.000_246_086_553_308_048_3,
    0.000_122_713_347_578_489_15,
    6.124_813_505_870_483e-5,
    3.058_823_630_702_049e-5,
    1.528_225_940_865_187e-5,
    7.637_197_637_899_763e-6,
    3.817_293_264_999_84e-6,
    1.908_212_716_553_939e-6,
    9.539_620_338_727_962e-7,
    4.769_329_867_878_064e-7,
    2.384_505_027_277_33e-7,
    1.192_199_259_653_110_6e-7,
    5.960_818_905_125_948e-8,
    2.980_350_351_465_228e-8,
    1.490_155_482_836_504e-8,
    7.450_711_789_835_43e-9,
    3.725_334_024_788_457e-9,
    1.862_659_723_513_049e-9,
    9.313_274_324_196_682e-10,
    4.656_629_065_033_784e-10,
    2.328_311_833_676_505_3e-10,
    1.164_155_017_270_052e-10,
];

/// Euler's constant γ.
const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// `Σ_{k≥2} (−1)^k (ζ(k) − 1) z^k / k` for `|z| ≤ ½` (terms below `4^−33`).
fn zeta_series_lgamma(z: f64) -> f64 {
    let mut power = -z;
    let mut sum = 0.0;
    for (i, c) in ZETA_MINUS_ONE.iter().enumerate() {
        power *= -z;
        sum += c * power / (i as f64 + 2.0);
    }
    sum
}

/// `Σ_{k≥2} (−1)^k (ζ(k) − 1) z^(k−1)` for `|z| ≤ ½`.
fn zeta_series_digamma(z: f64) -> f64 {
    let mut power = -1.0;
    let mut sum = 0.0;
    for c in &ZETA_MINUS_ONE {
        power *= -z;
        sum -= c * power;
    }
    -sum
}

/// `ln Γ(x) − [(x − ½) ln x − x + ln √(2π)]`, the Stirling correction, for `x ≥ 10`:
/// `Σ_k B_2k / (2k (2k − 1) x^(2k−1))`, 8 terms (error below `1e-17` at `x = 10`).
fn lgamma_stirling_diff(x: f64) -> f64 {
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    inv * (1.0 / 12.0
        + inv2
            * (-1.0 / 360.0
                + inv2
                    * (1.0 / 1260.0
                        + inv2
                            * (-1.0 / 1680.0
                                + inv2
                                    * (1.0 / 1188.0
                                        + inv2
                                            * (-691.0 / 360_360.0
                                                + inv2
                                                    * (1.0 / 156.0
                                                        + inv2 * (-3617.0 / 122_400.0))))))))
}

/// `ln |Γ(x)|`.
///
/// Accuracy (checked against mpmath in the tests): relative error below `1e-14` for `x > 0`,
/// including next to the roots at 1 and 2, where the value is computed from the series
/// `ln Γ(1 + z) = −ln(1 + z) + z(1 − γ) + Σ_{k≥2} (−1)^k (ζ(k) − 1) zᵏ/k` (Abramowitz &
/// Stegun 6.1.33) with `|z| ≤ ½`; `x ≥ 10` uses Stirling's series with 8 terms, and
/// `2.5 ≤ x < 10` the recurrence `ln Γ(x) = ln Γ(x − n) + ln Π (x − i)`. Returns `+∞` at
/// `0, −1, −2, …` and uses the reflection formula for other negative `x`.
///
/// ```
/// assert!((ppl_core::special::lgamma(0.5) - 0.572_364_942_924_700_1).abs() < 1e-15);
/// ```
pub fn lgamma(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        if x == x.floor() {
            return f64::INFINITY;
        }
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        let sin_pi_x = (std::f64::consts::PI * x).sin().abs();
        return LN_PI - sin_pi_x.ln() - lgamma(1.0 - x);
    }
    if x < 0.5 {
        // ln Γ(x) = ln Γ(1 + x) − ln x.
        return lgamma_1p_series(x) - x.ln();
    }
    if x < 1.5 {
        return lgamma_1p_series(x - 1.0);
    }
    if x < 2.5 {
        return lgamma_2p_series(x - 2.0);
    }
    if x < 10.0 {
        let shifts = (x - 1.5).floor();
        let mut y = x - shifts;
        let mut product = 1.0;
        while y < x {
            product *= y;
            y += 1.0;
        }
        return lgamma_2p_series(x - shifts - 2.0) + product.ln();
    }
    (x - 0.5) * x.ln() - x + LN_SQRT_2PI + lgamma_stirling_diff(x)
}

/// `ln Γ(1 + z)` for `|z| ≤ ½`.
fn lgamma_1p_series(z: f64) -> f64 {
    -z.ln_1p() + z * (1.0 - EULER_GAMMA) + zeta_series_lgamma(z)
}

/// `ln Γ(2 + z) = ln(1 + z) + ln Γ(1 + z)` for `|z| ≤ ½`: the logarithms cancel exactly.
fn lgamma_2p_series(z: f64) -> f64 {
    z * (1.0 - EULER_GAMMA) + zeta_series_lgamma(z)
}

/// The positive root of ψ split in two doubles, `x₀ = ROOT_HI + ROOT_LO` (mpmath `findroot`).
const DIGAMMA_ROOT_HI: f64 = 1.461_632_144_968_362_2;
const DIGAMMA_ROOT_LO: f64 = 9.549_995_429_965_697e-17;
/// `ψ⁽ⁿ⁾(x₀) / n!` for `n = 1..15` (mpmath `polygamma(n, x0) / factorial(n)`).
const DIGAMMA_ROOT_TAYLOR: [f64; 15] = [
    0.967_672_245_447_621_2,
    -0.442_763_168_983_592_14,
    0.258_499_760_955_651,
    -0.163_942_705_442_406_52,
    0.107_824_050_691_262_37,
    -0.072_199_561_256_454_71,
    0.048_804_288_164_143_11,
    -0.033_161_126_474_847_36,
    0.022_597_648_232_218_104,
    -0.015_424_765_904_948_96,
    0.010_538_791_616_612_175,
    -0.007_204_534_386_356_868,
    0.004_926_781_395_729_853,
    -0.003_369_801_655_439_328,
    0.002_305_126_326_734_928,
];

/// Digamma `ψ(x) = d/dx ln Γ(x)`.
///
/// Accuracy (checked against mpmath in the tests): relative error below `1e-14` for `x > 0`,
/// including next to the positive root `x₀ ≈ 1.4616`, where a 15-term Taylor series in
/// `x − x₀` (with `x₀` split in two doubles) is used for `|x − x₀| < 0.05`. Elsewhere: the
/// ζ-series around 1 and 2 (`|z| ≤ ½`), the recurrence `ψ(x) = ψ(x − n) + Σ 1/(x − i)` below
/// 10, the asymptotic series (7 terms) from 10 on, and the reflection
/// `ψ(x) = ψ(1 − x) − π / tan(πx)` for negative `x`. NaN at `0, −1, −2, …`.
///
/// ```
/// assert!((ppl_core::special::digamma(1.0) + 0.577_215_664_901_532_9).abs() < 1e-15);
/// ```
pub fn digamma(x: f64) -> f64 {
    if x.is_nan() || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    if x < 0.0 {
        let pi = std::f64::consts::PI;
        return digamma(1.0 - x) - pi / (pi * x).tan();
    }
    if x < 0.5 {
        // ψ(x) = ψ(1 + x) − 1/x.
        return -1.0 / (1.0 + x) + (1.0 - EULER_GAMMA) + zeta_series_digamma(x) - 1.0 / x;
    }
    let offset = (x - DIGAMMA_ROOT_HI) - DIGAMMA_ROOT_LO;
    if offset.abs() < 0.05 {
        let mut power = 1.0;
        let mut sum = 0.0;
        for c in &DIGAMMA_ROOT_TAYLOR {
            power *= offset;
            sum += c * power;
        }
        return sum;
    }
    if x < 1.5 {
        let z = x - 1.0;
        return -1.0 / x + (1.0 - EULER_GAMMA) + zeta_series_digamma(z);
    }
    if x < 10.0 {
        let shifts = (x - 1.5).floor();
        let y = x - shifts;
        let mut sum = (1.0 - EULER_GAMMA) + zeta_series_digamma(y - 2.0);
        let mut term = y;
        while term < x {
            sum += 1.0 / term;
            term += 1.0;
        }
        return sum;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    x.ln()
        - 0.5 * inv
        - inv2
            * (1.0 / 12.0
                - inv2
                    * (1.0 / 120.0
                        - inv2
                            * (1.0 / 252.0
                                - inv2
                                    * (1.0 / 240.0
                                        - inv2
                                            * (1.0 / 132.0
                                                - inv2 * (691.0 / 32_760.0 - inv2 / 12.0))))))
}

/// Trigamma `ψ'(x)`.
///
/// Accuracy (checked against mpmath in the tests): relative error below `1e-14` for `x > 0`:
/// the recurrence `ψ'(x) = ψ'(x + 1) + 1/x²` up to `x ≥ 20`, then the asymptotic series
/// `1/x + 1/(2x²) + Σ B_2k / x^(2k+1)` with 6 Bernoulli terms. Negative `x` uses the
/// reflection `ψ'(1 − x) + ψ'(x) = π² / sin²(πx)`; NaN at `0, −1, −2, …`.
///
/// ```
/// let pi_squared_over_6 = std::f64::consts::PI.powi(2) / 6.0;
/// assert!((ppl_core::special::trigamma(1.0) - pi_squared_over_6).abs() < 1e-15);
/// ```
pub fn trigamma(x: f64) -> f64 {
    if x.is_nan() || (x <= 0.0 && x == x.floor()) {
        return f64::NAN;
    }
    if x < 0.0 {
        // Reflection: ψ'(1 − x) + ψ'(x) = π² / sin²(πx).
        let s = (std::f64::consts::PI * x).sin();
        return -trigamma(1.0 - x) + std::f64::consts::PI.powi(2) / (s * s);
    }
    let mut x = x;
    let mut acc = 0.0;
    while x < 20.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    acc + inv
        + 0.5 * inv2
        + inv
            * inv2
            * (1.0 / 6.0
                - inv2
                    * (1.0 / 30.0
                        - inv2
                            * (1.0 / 42.0
                                - inv2
                                    * (1.0 / 30.0 - inv2 * (5.0 / 66.0 - inv2 * 691.0 / 2730.0)))))
}

/// `erfc(c)` at the expansion centres `c = 0.5, 0.75, …, 2.0` (mpmath 1.3.0, 40 digits).
const ERFC_CENTRES: [f64; 7] = [
    0.479_500_122_186_953_5,
    0.288_844_366_346_484_86,
    0.157_299_207_050_285_13,
    0.077_099_871_743_541_77,
    0.033_894_853_524_689_274,
    0.013_328_328_780_817_557,
    0.004_677_734_981_047_266,
];

/// `erf(x)` for `|x| < 0.375` by its Maclaurin series `2/√π Σ (−1)ⁿ x^(2n+1) / (n! (2n + 1))`.
fn erf_maclaurin(x: f64) -> f64 {
    let square = x * x;
    let mut term = x;
    let mut sum = x;
    for n in 1..=16 {
        term *= -square / f64::from(n);
        sum += term / f64::from(2 * n + 1);
    }
    TWO_OVER_SQRT_PI * sum
}

/// `erfc(x)` for `0.375 ≤ x < 2.125`: Taylor series about the nearest centre `c` (a multiple
/// of ¼, `|x − c| ≤ ⅛`), whose derivatives are Hermite polynomials:
/// `erfc(c + δ) = erfc(c) + 2/√π e^(−c²) Σ_{n≥1} (−δ)ⁿ H_{n−1}(c) / n!`.
fn erfc_taylor(x: f64) -> f64 {
    let index = ((x * 4.0).round() as usize).clamp(2, 8);
    let centre = index as f64 * 0.25;
    let offset = x - centre;
    let (mut hermite_previous, mut hermite) = (0.0, 1.0); // H_{−1} (unused), H_0
    let mut power_over_factorial = 1.0;
    let mut sum = 0.0;
    for n in 1..=22 {
        power_over_factorial *= -offset / f64::from(n);
        sum += power_over_factorial * hermite;
        // H_n = 2c H_{n−1} − 2(n − 1) H_{n−2}.
        let next = 2.0 * centre * hermite - 2.0 * f64::from(n - 1) * hermite_previous;
        hermite_previous = hermite;
        hermite = next;
    }
    ERFC_CENTRES[index - 2] + TWO_OVER_SQRT_PI * (-centre * centre).exp() * sum
}

/// `erfc(x)` for `x ≥ 2.125` from the continued fraction
/// `erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …))))`, evaluated bottom-up at a
/// depth that reaches `1e-17` (`30 + 200/x²` levels), with `x²` split exactly.
fn erfc_continued_fraction(x: f64) -> f64 {
    let depth = 30 + (200.0 / (x * x)) as u32;
    let mut value = x;
    for k in (1..=depth).rev() {
        value = x + 0.5 * f64::from(k) / value;
    }
    let square = x * x;
    let square_error = x.mul_add(x, -square);
    (-square).exp() * (-square_error).exp() / (std::f64::consts::PI.sqrt() * value)
}

/// Error function `erf(x) = 2/√π ∫₀ˣ e^(−t²) dt`.
///
/// Accuracy (checked against mpmath in the tests): relative error below `2e-15`. Maclaurin
/// series for `|x| < 0.375`, else `1 − erfc(|x|)` with the sign restored.
///
/// ```
/// assert!((ppl_core::special::erf(1.0) - 0.842_700_792_949_714_9).abs() < 1e-16);
/// ```
pub fn erf(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x.abs() < 0.375 {
        return erf_maclaurin(x);
    }
    let upper = 1.0 - erfc(x.abs());
    if x < 0.0 {
        -upper
    } else {
        upper
    }
}

/// Complementary error function `erfc(x) = 1 − erf(x)`, accurate in the upper tail.
///
/// Accuracy (checked against mpmath in the tests, up to `erfc(26) ≈ 5.7e-296`): relative error
/// below `1e-14`. `1 − erf(x)` (Maclaurin) for `|x| < 0.375`, a Taylor series about the nearest
/// multiple of ¼ up to 2.125, then a continued fraction with `x²` split exactly so that the
/// factor `e^(−x²)` keeps full accuracy; `2 − erfc(−x)` for negative `x`.
///
/// ```
/// assert!((ppl_core::special::erfc(3.0) / 2.209_049_699_858_544e-5 - 1.0).abs() < 1e-14);
/// ```
pub fn erfc(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        return 2.0 - erfc(-x);
    }
    if x < 0.375 {
        1.0 - erf_maclaurin(x)
    } else if x < 2.125 {
        erfc_taylor(x)
    } else {
        erfc_continued_fraction(x)
    }
}

/// Standard normal density `φ(x)`.
pub fn std_normal_pdf(x: f64) -> f64 {
    (-0.5 * x * x - LN_SQRT_2PI).exp()
}

/// `ln φ(x)`.
pub fn std_normal_log_pdf(x: f64) -> f64 {
    -0.5 * x * x - LN_SQRT_2PI
}

/// `x < −5`: the lower tail is computed from `φ(x)` and Laplace's continued fraction for
/// Mills' ratio instead of `erfc(−x/√2)`, whose rounded argument costs `x²·1e-16` relative.
const NORMAL_TAIL: f64 = -5.0;

/// `(−x²/2` as an unevaluated sum `hi + lo)`: `x²` split exactly with a fused multiply-add,
/// so that `exp(−x²/2)` keeps full relative accuracy when `x²/2` is in the hundreds.
fn half_square_split(x: f64) -> (f64, f64) {
    let square = x * x;
    let error = x.mul_add(x, -square);
    (-0.5 * square, -0.5 * error)
}

/// `D(t) = t + 1/(t + 2/(t + 3/(t + …)))` with `Φ(−t) = φ(t) / D(t)`, for `t ≥ 5` (40 levels,
/// truncation error below `1e-20`).
fn mills_denominator(t: f64) -> f64 {
    let mut value = t;
    for k in (1..=40).rev() {
        value = t + f64::from(k) / value;
    }
    value
}

/// Standard normal cdf `Φ(x)`.
///
/// Accuracy (checked against mpmath in the tests): relative error below `1e-14` for
/// `x ≥ −37.5` (below that `Φ` underflows towards 0). `erfc(−x/√2)/2` for `x ≥ −5`; below,
/// `φ(x) / D(−x)` with `x²` split exactly and Laplace's continued fraction `D`.
///
/// ```
/// assert!((ppl_core::special::std_normal_cdf(-1.0) - 0.158_655_253_931_457_05).abs() < 1e-16);
/// ```
pub fn std_normal_cdf(x: f64) -> f64 {
    if x < NORMAL_TAIL {
        let (hi, lo) = half_square_split(x);
        return hi.exp() * lo.exp() / (SQRT_2PI * mills_denominator(-x));
    }
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// `√(2π)`.
const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// `ln Φ(x)`, accurate in both tails.
///
/// Accuracy (checked against mpmath in the tests, including `x = −100, −40, +10, +30`):
/// relative error below `1e-14` everywhere. `x > 0`: `ln(1 − Φ(−x))` with `ln_1p`, so the
/// upper tail keeps its tiny negative value (`ln Φ(10) ≈ −7.6e-24`); `−5 ≤ x ≤ 0`: `ln Φ(x)`;
/// `x < −5`: `−x²/2 − ln √(2π) − ln D(−x)` with Laplace's continued fraction `D`, so no
/// underflow however far the lower tail.
///
/// ```
/// let log_cdf = ppl_core::special::std_normal_log_cdf(-40.0);
/// assert!((log_cdf - (-804.608_442_013_753_8)).abs() < 1e-12);
/// ```
pub fn std_normal_log_cdf(x: f64) -> f64 {
    if x > 0.0 {
        return (-std_normal_cdf(-x)).ln_1p();
    }
    if x >= NORMAL_TAIL {
        return std_normal_cdf(x).ln();
    }
    let (hi, lo) = half_square_split(x);
    hi + (lo - LN_SQRT_2PI - mills_denominator(-x).ln())
}

/// `ln(1 + eˣ)` (softplus), stable for large `|x|`.
pub fn log1p_exp(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// Logistic sigmoid `1 / (1 + e^−x)`, stable for large `|x|`.
pub fn inv_logit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln inv_logit(x) = −ln(1 + e^−x)`.
pub fn log_inv_logit(x: f64) -> f64 {
    -log1p_exp(-x)
}

/// `ln(1 − inv_logit(x)) = −ln(1 + eˣ)`.
pub fn log1m_inv_logit(x: f64) -> f64 {
    -log1p_exp(x)
}

/// `logit(p) = ln(p / (1 − p))` (Stan's `logit`, same formula), the inverse of
/// [`inv_logit`]; relative error below `1e-15` (tested against mpmath, `p` from `1e-10` to
/// `0.999`).
///
/// `±∞` at 1 and 0; NaN outside `[0, 1]`, as Stan.
///
/// ```
/// assert!((ppl_core::special::logit(0.25) + 3f64.ln()).abs() < 1e-15);
/// ```
pub fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// `ln(1 − x)` (Stan's `log1m`), accurate for small `|x|`: `ln_1p(−x)`.
///
/// Domain `x ≤ 1`: `−∞` at 1; NaN for `x > 1` (Stan throws a domain error there; a scalar
/// function here cannot, and the NaN makes the log density NaN, which the samplers reject).
///
/// ```
/// // ln(1 − 1e-10) = −1.00000000005e-10 (mpmath); ln(1.0 - 1e-10) would lose 7 digits.
/// assert!((ppl_core::special::log1m(1e-10) + 1.000_000_000_05e-10).abs() < 1e-25);
/// ```
pub fn log1m(x: f64) -> f64 {
    (-x).ln_1p()
}

/// `ln(1 − eᵃ)` (Stan's `log1m_exp`) for `a < 0`, stable over the whole range.
///
/// Two branches, as Stan (Mächler, *Accurately computing log(1 − exp(−|a|))*, CRAN Rmpfr
/// vignette, 2012): `ln(−expm1(a))` for `a > −ln 2`, where `1 − eᵃ` is small and `expm1`
/// keeps its digits, and `ln_1p(−eᵃ)` below, where `eᵃ` is small. Relative error below
/// `1e-15` (tested against mpmath from `a = −1e-20` to `−745`).
///
/// `−∞` at `a = 0`; NaN for `a > 0` (as Stan) and for NaN.
///
/// ```
/// // ln(1 − e^−40) = −4.248354255291589e-18 (mpmath); ln(1.0 - (-40f64).exp()) gives 0.
/// let value = ppl_core::special::log1m_exp(-40.0);
/// assert!((value + 4.248_354_255_291_589e-18).abs() < 1e-32);
/// ```
pub fn log1m_exp(a: f64) -> f64 {
    if a > 0.0 {
        f64::NAN
    } else if a > -LN_2 {
        (-a.exp_m1()).ln()
    } else {
        log1m(a.exp())
    }
}

/// `d/da ln(1 − eᵃ) = −1 / (e^−a − 1)`: `−∞` at 0, tending to `−eᵃ` as `a → −∞`.
pub(crate) fn log1m_exp_derivative(a: f64) -> f64 {
    -1.0 / (-a).exp_m1()
}

/// `ln(eᵃ − eᵇ)` (Stan's `log_diff_exp`) for `a ≥ b`: `a + log1m_exp(b − a)`, stable for
/// any `a − b` (tiny or huge) and any magnitude of `a`.
///
/// Stan's conventions: `−∞` when `a == b` (including `a = b = −∞`), NaN when
/// `a = b = +∞` or `a < b` (the difference of exponentials is negative); `a` when
/// `b = −∞`.
///
/// ```
/// // ln(e^800 − e^799) = 799.5413248546129 (mpmath): no overflow.
/// let value = ppl_core::special::log_diff_exp(800.0, 799.0);
/// assert!((value - 799.541_324_854_612_9).abs() < 1e-12);
/// ```
pub fn log_diff_exp(a: f64, b: f64) -> f64 {
    if a <= b {
        return if a == b && a < f64::INFINITY {
            f64::NEG_INFINITY
        } else {
            f64::NAN
        };
    }
    a + log1m_exp(b - a)
}

/// `(∂/∂a, ∂/∂b)` of [`log_diff_exp`]: `(−1/expm1(b − a), −1/expm1(a − b))`, i.e.
/// `(1/(1 − e^(b−a)), −1/(e^(a−b) − 1))`; `(1, 0)` when `b = −∞`.
pub(crate) fn log_diff_exp_partials(a: f64, b: f64) -> (f64, f64) {
    (-1.0 / (b - a).exp_m1(), -1.0 / (a - b).exp_m1())
}

/// `ln(inv_logit(a) − inv_logit(b))` (Stan's `log_inv_logit_diff`) for `a > b`:
/// `log_inv_logit(a) + log1m_exp(b − a) − log1p_exp(b)`, from
/// `inv_logit(a) − inv_logit(b) = (eᵃ − eᵇ) / ((1 + eᵃ)(1 + eᵇ))`, stable in both tails and
/// for `a − b` small. This is Stan's formula with `a − log1p_exp(a)` written as
/// `log_inv_logit(a)`, which keeps the `e^−a` that the difference rounds away for large `a`
/// (`log_inv_logit_diff(40, −40) = −8.5e-18`, not `−4.2e-18`). For `a = +∞` it is
/// `−log1p_exp(b)`, as Stan. Relative error below `1e-14` in the tests.
///
/// `−∞` when `a == b`; NaN when `a < b` (as Stan, whose formula gives NaN there).
///
/// ```
/// // ln(inv_logit(30) − inv_logit(29)) = −29.45867514538743 (mpmath); the direct
/// // difference of the two probabilities keeps only 2 digits.
/// let value = ppl_core::special::log_inv_logit_diff(30.0, 29.0);
/// assert!((value + 29.458_675_145_387_43).abs() < 1e-13);
/// ```
pub fn log_inv_logit_diff(a: f64, b: f64) -> f64 {
    if a == f64::INFINITY {
        return -log1p_exp(b);
    }
    log_inv_logit(a) + log1m_exp(b - a) - log1p_exp(b)
}

/// `(∂/∂a, ∂/∂b)` of [`log_inv_logit_diff`]:
/// `(inv_logit(−a) + 1/expm1(a − b), −1/expm1(a − b) − inv_logit(b))`.
pub(crate) fn log_inv_logit_diff_partials(a: f64, b: f64) -> (f64, f64) {
    let inv_expm1 = 1.0 / (a - b).exp_m1();
    (inv_logit(-a) + inv_expm1, -inv_expm1 - inv_logit(b))
}

/// `ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b)` for `a, b > 0`.
///
/// Accuracy (checked against mpmath in the tests, e.g. `lbeta(1e10, 2.5)`, `lbeta(1e8, 1e8)`):
/// relative error below `1e-14`. When an argument is 10 or more, the large `ln Γ` values that
/// would cancel are never formed: with `x = min(a, b)`, `y = max(a, b)`, Stirling's formula is
/// subtracted analytically and only the corrections [`lgamma`]'s series leaves are combined
/// (the method of Stan's `lbeta`).
///
/// ```
/// // B(1e10, 1) = 1e-10.
/// assert!((ppl_core::special::lbeta(1e10, 1.0) + 1e10f64.ln()).abs() < 1e-13);
/// ```
pub fn lbeta(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    if y < 10.0 {
        return lgamma(x) + lgamma(y) - lgamma(x + y);
    }
    let total = x + y;
    let x_share = x / total;
    if x < 10.0 {
        // ln Γ(y) − ln Γ(x + y) with the Stirling terms cancelled by hand.
        let stirling_diff = lgamma_stirling_diff(y) - lgamma_stirling_diff(total);
        let stirling = (y - 0.5) * (-x_share).ln_1p() + x * (1.0 - total.ln());
        return stirling + lgamma(x) + stirling_diff;
    }
    let stirling_diff =
        lgamma_stirling_diff(x) + lgamma_stirling_diff(y) - lgamma_stirling_diff(total);
    let stirling = (x - 0.5) * x_share.ln() + y * (-x_share).ln_1p() + LN_SQRT_2PI - 0.5 * y.ln();
    stirling + stirling_diff
}

/// `ln (n choose k) = −ln(n + 1) − ln B(n − k + 1, k + 1)` for real `n ≥ k ≥ 0`.
///
/// Accuracy: that of [`lbeta`] (relative error below `1e-14` in the tests, e.g.
/// `lchoose(1e12, 5e11)`), absolute error below `1e-14` where the value is 0.
///
/// ```
/// assert!((ppl_core::special::lchoose(5.0, 2.0) - 10f64.ln()).abs() < 1e-14);
/// ```
pub fn lchoose(n: f64, k: f64) -> f64 {
    -(n + 1.0).ln() - lbeta(n - k + 1.0, k + 1.0)
}

#[cfg(test)]
// Reference values such as ln Φ(0) = −ln 2 are pasted from mpmath, not typed constants.
#[allow(clippy::approx_constant)]
mod tests {
    use super::*;

    /// A named function with its `(x, expected)` reference rows.
    type Table<'a> = (&'a str, fn(f64) -> f64, &'a [(f64, f64)]);

    /// `|actual − expected| ≤ tol · |expected|` (absolute `tol` for an expected 0).
    #[track_caller]
    fn assert_relative(function: &str, x: &[f64], actual: f64, expected: f64, tol: f64) {
        let scale = if expected == 0.0 { 1.0 } else { expected.abs() };
        assert!(
            actual == expected || (actual - expected).abs() <= tol * scale,
            "{function}{x:?}: actual {actual:e} vs expected {expected:e} (relative error {:e}, tol {tol:e})",
            ((actual - expected) / expected).abs()
        );
    }

    /// Checks `f` against `(x, expected)` rows to relative tolerance `tol`.
    #[track_caller]
    fn check_table(name: &str, f: impl Fn(f64) -> f64, table: &[(f64, f64)], tol: f64) {
        for &(x, expected) in table {
            assert_relative(name, &[x], f(x), expected, tol);
        }
    }

    // Every expected value below is mpmath 1.3.0 at 50 significant digits, rounded to 17:
    // mp.loggamma, mp.digamma, mp.polygamma(1, x), mp.erf, mp.erfc,
    // Φ(x) = mp.erfc(−x/√2)/2, ln Φ(x) = mp.log(Φ(x)) (mp.log1p(−Φ(−x)) for x > 0),
    // mp.log1p(mp.exp(x)), 1/(1 + mp.exp(−x)), mp.loggamma-based lbeta, mp.log(mp.binomial).

    #[test]
    fn lgamma_matches_mpmath() {
        check_table(
            "lgamma",
            lgamma,
            &[
                (0.001, 6.907_178_885_383_853),
                (0.5, 0.572_364_942_924_700_1),
                (1.5, -0.120_782_237_635_245_22),
                (2.5, 0.284_682_870_472_919_2),
                (1.000_000_01, -5.772_156_531_688_512e-9),
                (1.999_999_99, -4.227_843_293_043_373e-9),
                (3.7, 1.428_072_326_665_388),
                (10.0, 12.801_827_480_081_47),
                (100.0, 359.134_205_369_575_4),
                (1e5, 1_051_287.708_973_656_9),
                (1e10, 220_258_509_288.810_58),
                (171.5, 709.143_163_030_928_2),
            ],
            1e-14,
        );
        assert_eq!(lgamma(1.0), 0.0);
        assert_eq!(lgamma(2.0), 0.0);
    }

    #[test]
    fn digamma_matches_mpmath() {
        check_table(
            "digamma",
            digamma,
            &[
                (1e-3, -1_000.575_571_931_810_3),
                (0.5, -1.963_510_026_021_423_5),
                (1.0, -0.577_215_664_901_532_9),
                (1.5, 0.036_489_973_978_576_52),
                (2.0, 0.422_784_335_098_467_13),
                (3.7, 1.167_153_539_361_511_3),
                (6.0, 1.706_117_668_431_800_5),
                (10.0, 2.251_752_589_066_721),
                (100.0, 4.600_161_852_738_087),
                (1e6, 13.815_510_057_964_191),
                (-0.5, 0.036_489_973_978_576_52),
                (-2.5, 1.103_156_640_645_243),
            ],
            1e-14,
        );
        // At the positive root x₀ = 1.461_632_144_968_362_2 only absolute accuracy is possible.
        assert!((digamma(1.461_632_144_968_362_2) - -9.241_265_521_729_427e-17).abs() < 1e-15);
    }

    #[test]
    fn trigamma_matches_mpmath() {
        check_table(
            "trigamma",
            trigamma,
            &[
                (1e-3, 1_000_001.642_533_195_8),
                (0.5, 4.934_802_200_544_679),
                (1.0, 1.644_934_066_848_226_4),
                (1.5, 0.934_802_200_544_679_3),
                (2.0, 0.644_934_066_848_226_4),
                (5.9, 0.184_662_151_405_340_98),
                (6.0, 0.181_322_955_737_115_32),
                (10.0, 0.105_166_335_681_685_75),
                (100.0, 0.010_050_166_663_333_571),
                (1e6, 1.000_000_500_000_166_7e-6),
                (-0.5, 8.934_802_200_544_679),
                (-2.5, 9.539_246_644_989_124),
            ],
            1e-14,
        );
    }

    #[test]
    fn erf_and_erfc_match_mpmath() {
        check_table(
            "erf",
            erf,
            &[
                (-3.0, -0.999_977_909_503_001_4),
                (-1.0, -0.842_700_792_949_714_9),
                (-1e-5, -1.128_379_167_057_9e-5),
                (0.0, 0.0),
                (0.3, 0.328_626_759_459_127_4),
                (0.5, 0.520_499_877_813_046_5),
                (1.0, 0.842_700_792_949_714_9),
                (2.0, 0.995_322_265_018_952_7),
                (5.0, 0.999_999_999_998_462_6),
            ],
            1e-15,
        );
        check_table(
            "erfc",
            erfc,
            &[
                (-3.0, 1.999_977_909_503_001_5),
                (-0.5, 1.520_499_877_813_046_5),
                (0.0, 1.0),
                (0.5, 0.479_500_122_186_953_5),
                (1.0, 0.157_299_207_050_285_13),
                (3.0, 2.209_049_699_858_544e-5),
                (5.0, 1.537_459_794_428_035e-12),
                (10.0, 2.088_487_583_762_545e-45),
                (26.0, 5.663_192_408_856_143e-296),
            ],
            1e-14,
        );
    }

    #[test]
    fn normal_cdf_and_log_cdf_match_mpmath() {
        check_table(
            "std_normal_cdf",
            std_normal_cdf,
            &[
                (-37.0, 5.725_571_222_524_577e-300),
                (-20.0, 2.753_624_118_606_233_7e-89),
                (-5.0, 2.866_515_718_791_939e-7),
                (-1.0, 0.158_655_253_931_457_05),
                (0.0, 0.5),
                (0.5, 0.691_462_461_274_013_1),
                (1.0, 0.841_344_746_068_542_9),
                (3.0, 0.998_650_101_968_369_9),
                (8.0, 0.999_999_999_999_999_3),
            ],
            1e-14,
        );
        check_table(
            "std_normal_log_cdf",
            std_normal_log_cdf,
            &[
                (-100.0, -5_005.524_208_694_205),
                (-40.0, -804.608_442_013_753_8),
                (-37.5, -707.668_989_317_507_2),
                (-37.0, -689.030_585_576_890_6),
                (-36.9, -685.332_883_165_350_6),
                (-20.0, -203.917_155_371_097_27),
                (-5.0, -15.064_998_393_988_725),
                (-1.0, -1.841_021_645_009_263_6),
                (0.0, -0.693_147_180_559_945_3),
                (1.0, -0.172_753_779_023_449_88),
                (4.9, -4.791_833_913_986_62e-7),
                (5.1, -1.698_267_551_353_227e-7),
                (10.0, -7.619_853_024_160_525e-24),
                (30.0, -4.906_713_927_148_187e-198),
            ],
            1e-14,
        );
    }

    // mpmath 1.3.0 at 50 digits: mp.log1p(−x), mp.log(−mp.expm1(a)),
    // a + mp.log(−mp.expm1(b − a)), mp.log(inv_logit(a) − inv_logit(b)) with
    // inv_logit(x) = 1/(1 + mp.exp(−x)), mp.log(p/(1 − p)).
    #[test]
    fn log1m_family_matches_mpmath() {
        check_table(
            "log1m",
            log1m,
            &[
                (-3.0, 1.386_294_361_119_890_6),
                (-1e-10, 9.999_999_999_500_001e-11),
                (1e-10, -1.000_000_000_05e-10),
                (0.5, -0.693_147_180_559_945_3),
                (0.999, -6.907_755_278_982_136),
                (1.0 - 2f64.powi(-30), -20.794_415_416_798_36),
            ],
            1e-15,
        );
        assert_eq!(log1m(1.0), f64::NEG_INFINITY);
        assert!(log1m(1.5).is_nan());
        // Both branches and the switch at −ln 2; −40 and −1e-20 are where the naive
        // ln(1 − eᵃ) returns 0 and −∞.
        check_table(
            "log1m_exp",
            log1m_exp,
            &[
                (-1e-20, -46.051_701_859_880_914),
                (-1e-10, -23.025_850_929_990_458),
                (-1e-3, -6.908_255_237_315_471),
                (-0.5, -0.932_752_129_567_188_6),
                (-LN_2, -0.693_147_180_559_945_3),
                (-0.7, -0.686_341_002_808_385_2),
                (-1.0, -0.458_675_145_387_081_9),
                (-5.0, -0.006_760_749_449_488_557),
                (-40.0, -4.248_354_255_291_589e-18),
                (-745.0, 0.0), // −5e-324 rounds to 0
            ],
            1e-15,
        );
        assert_eq!(log1m_exp(0.0), f64::NEG_INFINITY);
        assert_eq!(log1m_exp(f64::NEG_INFINITY), 0.0);
        assert!(log1m_exp(1e-300).is_nan());
        assert!(log1m_exp(f64::NAN).is_nan());
        check_table(
            "logit",
            logit,
            &[
                (0.5, 0.0),
                (0.25, -1.098_612_288_668_109_8),
                (1e-10, -23.025_850_929_840_455),
                (0.999, 6.906_754_778_648_553),
            ],
            1e-15,
        );
    }

    #[test]
    fn log_diff_exp_matches_mpmath() {
        let table: [(f64, f64, f64); 8] = [
            (0.0, -1e-12, -27.631_021_115_929_048),
            (1.0, 1.0 - 1e-9, -19.723_265_865_728_344),
            (2.0, -1.0, 1.948_930_819_057_298_5),
            (10.0, -40.0, 10.0),
            (0.0, -800.0, 0.0),
            (800.0, 799.0, 799.541_324_854_612_9),
            (-1000.0, -1001.0, -1_000.458_675_145_387_1),
            (3.0, 2.5, 2.067_247_870_432_811),
        ];
        for (a, b, expected) in table {
            // mpmath took the same doubles (1 − 1e-9 as rounded), and a − b is exact in f64
            // for these pairs, so the tiny differences are checked as tightly as the rest.
            assert_relative("log_diff_exp", &[a, b], log_diff_exp(a, b), expected, 1e-15);
        }
        // Stan's conventions.
        assert_eq!(log_diff_exp(1.5, 1.5), f64::NEG_INFINITY);
        assert_eq!(
            log_diff_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert_eq!(log_diff_exp(2.5, f64::NEG_INFINITY), 2.5);
        assert!(log_diff_exp(f64::INFINITY, f64::INFINITY).is_nan());
        assert!(log_diff_exp(1.0, 2.0).is_nan());
        assert_eq!(log_diff_exp_partials(2.5, f64::NEG_INFINITY), (1.0, -0.0));
    }

    #[test]
    fn log_inv_logit_diff_matches_mpmath() {
        let table: [(f64, f64, f64); 7] = [
            (1.0, -1.0, -0.771_936_832_905_304_7),
            (0.5, 0.4999, -10.658_482_095_161_748),
            (30.0, 29.0, -29.458_675_145_387_43),
            (-30.0, -31.0, -30.458_675_145_387_21),
            (2.0, -40.0, -0.126_928_011_042_972_5),
            (40.0, -40.0, -8.496_708_510_583_178e-18),
            (0.0, -1e-8, -19.806_975_105_072_254),
        ];
        for (a, b, expected) in table {
            assert_relative(
                "log_inv_logit_diff",
                &[a, b],
                log_inv_logit_diff(a, b),
                expected,
                1e-14,
            );
        }
        assert_eq!(log_inv_logit_diff(f64::INFINITY, 0.0), -LN_2);
        assert_eq!(log_inv_logit_diff(0.5, 0.5), f64::NEG_INFINITY);
        assert!(log_inv_logit_diff(0.0, 1.0).is_nan());
    }

    #[test]
    fn logistic_helpers_match_mpmath() {
        check_table(
            "log1p_exp",
            log1p_exp,
            &[
                (-800.0, 0.0), // 3.7e-348 underflows
                (-40.0, 4.248_354_255_291_589e-18),
                (-1.0, 0.313_261_687_518_222_8),
                (0.0, 0.693_147_180_559_945_3),
                (1e-10, 0.693_147_180_609_945_3),
                (1.0, 1.313_261_687_518_222_8),
                (20.0, 20.000_000_002_061_153),
                (40.0, 40.0),
                (800.0, 800.0),
            ],
            1e-15,
        );
        check_table(
            "inv_logit",
            inv_logit,
            &[
                (-800.0, 0.0),
                (-40.0, 4.248_354_255_291_589e-18),
                (-1.0, 0.268_941_421_369_995_1),
                (0.0, 0.5),
                (1.0, 0.731_058_578_630_004_9),
                (40.0, 1.0),
            ],
            1e-15,
        );
        check_table(
            "log_inv_logit",
            log_inv_logit,
            &[
                (-800.0, -800.0),
                (-40.0, -40.0),
                (-1.0, -1.313_261_687_518_222_8),
                (0.0, -0.693_147_180_559_945_3),
                (1.0, -0.313_261_687_518_222_8),
                (40.0, -4.248_354_255_291_589e-18),
                (800.0, 0.0),
            ],
            1e-15,
        );
        check_table(
            "log1m_inv_logit",
            log1m_inv_logit,
            &[
                (-800.0, 0.0),
                (-40.0, -4.248_354_255_291_589e-18),
                (-1.0, -0.313_261_687_518_222_8),
                (0.0, -0.693_147_180_559_945_3),
                (1.0, -1.313_261_687_518_222_8),
                (40.0, -40.0),
                (800.0, -800.0),
            ],
            1e-15,
        );
    }

    #[test]
    fn lbeta_and_lchoose_match_mpmath() {
        for &(a, b, expected) in &[
            (1.0, 1.0, 0.0),
            (0.5, 0.5, 1.144_729_885_849_400_2),
            (2.0, 3.0, -2.484_906_649_788_000_4),
            (1e-3, 1e-3, 7.600_900_817_008_347),
            (1e10, 1.0, -23.025_850_929_940_457),
            (1e10, 2.5, -57.279_944_454_565_72),
            (1e8, 1e8, -138_629_444.056_817_32),
            (1e5, 0.5, -5.184_096_539_560_414),
            (30.0, 40.0, -48.301_749_095_916_12),
            (1e-8, 1e8, 18.420_680_553_973_4), // a + b formed in mpmath, not in f64
        ] {
            assert_relative("lbeta", &[a, b], lbeta(a, b), expected, 1e-14);
            assert_relative("lbeta", &[b, a], lbeta(b, a), expected, 1e-14);
        }
        for &(n, k, expected) in &[
            (5.0, 2.0, 2.302_585_092_994_046),
            (10.0, 0.0, 0.0),
            (10.0, 10.0, 0.0),
            (100.0, 37.0, 63.399_446_701_494_54),
            (1e9, 3.0, 60.378_038_038_611_18),
            (2.5, 1.5, 0.916_290_731_874_155_1),
            (1e12, 5e11, 693_147_180_545.904),
        ] {
            assert_relative("lchoose", &[n, k], lchoose(n, k), expected, 1e-14);
        }
    }

    /// Points either side of every switch between methods (series, recurrence, Taylor centres,
    /// continued fractions, tails); mpmath 1.3.0 at 50 digits (log Φ via `log1p(−Φ(−x))` for
    /// `x > 0`).
    #[test]
    fn method_boundaries_match_mpmath() {
        let tables: &[Table] = &[
            (
                "lgamma",
                lgamma as fn(f64) -> f64,
                &[
                    (0.37, 0.876_946_819_484_879_3),
                    (0.49, 0.592_249_629_335_267),
                    (0.51, 0.552_973_817_929_800_7),
                    (0.99, 0.005_854_806_764_709_781),
                    (1.01, -0.005_690_307_946_069_651),
                    (1.49, -0.121_100_258_542_197_72),
                    (1.51, -0.120_370_735_333_964_86),
                    (1.99, -0.004_195_529_088_791_668),
                    (2.01, 0.004_260_022_907_098_346),
                    (2.49, 0.277_675_861_415_170_2),
                    (2.51, 0.291_738_915_492_867_96),
                    (3.3, 0.987_098_577_894_734_4),
                    (5.5, 3.957_813_967_618_716_5),
                    (7.25, 7.052_185_450_738_539_5),
                    (9.99, 12.779_315_214_350_193),
                    (10.01, 12.824_350_262_448_247),
                    (25.3, 55.746_181_183_584_59),
                    (-0.3, 1.464_840_050_857_602_5), // real part: ln|Γ|
                    (-1.7, 0.921_844_687_694_637_5),
                    (-7.5, -8.404_537_371_451_598),
                ],
            ),
            (
                "digamma",
                digamma as fn(f64) -> f64,
                &[
                    (0.2, -5.289_039_896_592_188),
                    (0.49, -2.013_716_050_695_126),
                    (0.51, -1.914_987_524_163_575_6),
                    (1.2, -0.289_039_896_592_188_4),
                    (1.41, -0.051_180_133_737_897_836),
                    (1.4116, -0.049_556_486_793_072_1),
                    (1.45, -0.011_316_422_586_445_888),
                    (1.4616, -3.110_625_123_034_165e-5),
                    (1.4617, 6.565_939_229_367_65e-5),
                    (1.47, 0.008_066_489_011_364_869),
                    (1.5116, 0.047_278_282_038_980_85),
                    (1.52, 0.055_022_114_579_551_64),
                    (2.49, 0.698_241_215_432_801_7),
                    (2.51, 0.708_048_445_191_053_5),
                    (4.4, 1.363_685_483_426_088_3),
                    (9.99, 2.250_700_372_831_201),
                    (10.01, 2.252_803_700_318_135_6),
                    (33.0, 3.481_279_530_534_987_3),
                    (-0.3, 2.113_309_779_635_399),
                    (-1.7, -1.485_717_499_511_056_7),
                ],
            ),
            (
                "trigamma",
                trigamma as fn(f64) -> f64,
                &[
                    (0.2, 26.267_377_205_423_777),
                    (2.7, 0.447_212_068_918_323_6),
                    (19.99, 0.051_297_117_634_841_87),
                    (20.01, 0.051_244_555_172_993_575),
                    (55.0, 0.018_348_109_124_868_422),
                    (-1.7, 14.632_201_633_884_014),
                ],
            ),
            (
                "erfc",
                erfc as fn(f64) -> f64,
                &[
                    (0.1, 0.887_537_083_981_715),
                    (0.374, 0.596_863_810_771_984_5),
                    (0.376, 0.594_903_105_622_644_9),
                    (0.6, 0.396_143_909_152_074_1),
                    (0.87, 0.218_560_154_509_449_3),
                    (1.12, 0.113_212_109_834_745_32),
                    (1.37, 0.052_687_601_964_748),
                    (1.62, 0.021_961_911_626_796_52),
                    (1.87, 0.008_179_252_389_293_243),
                    (2.12, 0.002_716_393_214_839_387_7),
                    (2.13, 0.002_592_976_749_266_660_3),
                    (2.5, 0.000_406_952_017_444_958_9),
                    (4.0, 1.541_725_790_028_002e-8),
                    (7.0, 4.183_825_607_779_414e-23),
                    (15.0, 7.212_994_172_451_207e-100),
                    (-0.2, 1.222_702_589_210_478_6),
                    (-1.3, 1.934_007_944_940_652_4),
                    (-2.6, 1.999_763_965_583_470_7),
                ],
            ),
            (
                "erf",
                erf as fn(f64) -> f64,
                &[
                    (0.1, 0.112_462_916_018_284_9),
                    (0.374, 0.403_136_189_228_015_53),
                    (0.376, 0.405_096_894_377_355_1),
                    (0.87, 0.781_439_845_490_550_7),
                    (1.62, 0.978_038_088_373_203_5),
                    (2.13, 0.997_407_023_250_733_4),
                    (4.0, 0.999_999_984_582_742_1),
                    (-0.6, -0.603_856_090_847_925_9),
                    (-2.6, -0.999_763_965_583_470_7),
                ],
            ),
            (
                "std_normal_cdf",
                std_normal_cdf as fn(f64) -> f64,
                &[
                    (-5.01, 2.721_501_772_855_819_4e-7),
                    (-4.99, 3.018_964_625_208_484_5e-7),
                    (-7.0, 1.279_812_543_885_835e-12),
                    (-12.0, 1.776_482_112_077_679e-33),
                    (-30.0, 4.906_713_927_148_187e-198),
                    (-2.0, 0.022_750_131_948_179_21),
                    (2.0, 0.977_249_868_051_820_8),
                    (4.99, 0.999_999_698_103_537_5),
                    (5.01, 0.999_999_727_849_822_7),
                ],
            ),
            (
                "std_normal_log_cdf",
                std_normal_log_cdf as fn(f64) -> f64,
                &[
                    (-5.01, -15.116_911_800_640_429),
                    (-4.99, -15.013_181_717_689_32),
                    (-7.0, -27.384_307_498_811_076),
                    (-12.0, -75.410_673_001_568_8),
                    (-200.0, -20_006.217_280_898_19),
                    (-2.0, -3.783_184_333_682_032),
                    (0.01, -0.685_200_129_557_115_5),
                    (2.0, -0.023_012_909_328_963_486),
                    (6.0, -9.865_876_455_243_758e-10),
                    (8.5, -9.479_534_822_203_318e-18),
                ],
            ),
        ];
        for (name, f, table) in tables {
            for &(x, expected) in table.iter() {
                let tol = if name.contains("digamma") && (x - 1.461_632).abs() < 0.01 {
                    // Next to the root only absolute accuracy is meaningful.
                    1e-15 / expected.abs()
                } else {
                    1e-14
                };
                assert_relative(name, &[x], f(x), expected, tol);
            }
        }
    }
}

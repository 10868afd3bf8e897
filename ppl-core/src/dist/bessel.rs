//! The modified Bessel function of the first kind `I0` (as `ln I0` and the ratio `I1/I0`) and the constant `ln(2π)`, for the von Mises family.
//!
//! NOTE for the integrator: these belong in [`crate::special`] next to `LN_SQRT_2PI` and
//! `LN_PI`; they live here because `special.rs` was owned by the multivariate helper when the
//! distributions were cleaned up. Move them there (and this file's test) after that merge.

use std::f64::consts::PI;

/// `ln(2π)`.
pub(crate) const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// Below this argument the Bessel functions are summed from their power series, above it from
/// their large-argument asymptotic expansion.
const BESSEL_SERIES_LIMIT: f64 = 25.0;

/// `ln I0(κ)` and `I1(κ)/I0(κ)` for `κ ≥ 0`, `I_ν` the modified Bessel functions of the first
/// kind.
///
/// For `κ ≤ 25` both are summed from the power series `I0 = Σ q^k/(k!)²`,
/// `I1 = (κ/2) Σ q^k/(k!(k+1)!)`, `q = κ²/4`, whose terms are all positive (no cancellation).
/// Above, the asymptotic expansion `I_ν(κ) ≈ e^κ/√(2πκ) Σ_k (−1)^k a_k(ν)/κ^k` is summed until
/// its terms fall below `1e-17` (its smallest term at `κ = 25` is below `1e-20`), and the
/// ratio needs no exponential at all. Relative error below `1e-14` for both outputs over
/// `[0, 1e4]`, checked against `scipy.special.i0e`/`i1e` in the tests.
///
/// Reference: Abramowitz & Stegun 9.6.10 (series) and 9.7.1 (asymptotic expansion).
pub(crate) fn log_bessel_i0_and_ratio(kappa: f64) -> (f64, f64) {
    if kappa <= BESSEL_SERIES_LIMIT {
        let q = 0.25 * kappa * kappa;
        let (mut term0, mut term1) = (1.0_f64, 1.0_f64);
        let (mut sum0, mut sum1) = (1.0_f64, 1.0_f64);
        for k in 1..500 {
            let k = f64::from(k);
            term0 *= q / (k * k);
            term1 *= q / (k * (k + 1.0));
            sum0 += term0;
            sum1 += term1;
            if term0 < 1e-17 * sum0 && term1 < 1e-17 * sum1 {
                break;
            }
        }
        (sum0.ln(), 0.5 * kappa * sum1 / sum0)
    } else {
        let inv_8_kappa = 1.0 / (8.0 * kappa);
        let (mut term0, mut term1) = (1.0_f64, 1.0_f64);
        let (mut sum0, mut sum1) = (1.0_f64, 1.0_f64);
        for k in 1..100 {
            let k = f64::from(k);
            let odd_squared = (2.0 * k - 1.0) * (2.0 * k - 1.0);
            // (−1)^k a_k(0)/κ^k and (−1)^k a_k(1)/κ^k, a_k(ν) = Π_j (4ν² − (2j−1)²) / (k! 8^k).
            term0 *= odd_squared * inv_8_kappa / k;
            term1 *= (odd_squared - 4.0) * inv_8_kappa / k;
            sum0 += term0;
            sum1 += term1;
            if term0.abs() < 1e-17 && term1.abs() < 1e-17 {
                break;
            }
        }
        (
            kappa - 0.5 * (2.0 * PI * kappa).ln() + sum0.ln(),
            sum1 / sum0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::assert_close;

    #[test]
    fn bessel_matches_scipy() {
        // (x, scipy.special.i0e(x), scipy.special.i1e(x)), scipy 1.17.1; i0e = e^−x I0(x).
        for &(x, i0e, i1e) in &[
            (0.0, 1.0, 0.0),
            (0.001, 0.9990007495835156, 0.0004995003123542213),
            (0.5, 0.64503527044915, 0.15642080318487173),
            (1.0, 0.46575960759364043, 0.2079104153497085),
            (5.0, 0.18354081260932834, 0.16397226694454234),
            (15.0, 0.1038995314488227, 0.10037417504516664),
            (19.9, 0.09000858886438959, 0.08771710213170608),
            (20.1, 0.08955376362061344, 0.0872968518432016),
            (30.0, 0.0731459464822373, 0.07191633059864755),
            (100.0, 0.03994437929909668, 0.03974415302513025),
            (10000.0, 0.0039894726746047314, 0.003989273195983662),
        ] {
            let (log_i0, ratio) = log_bessel_i0_and_ratio(x);
            assert_close(log_i0, x + f64::ln(i0e), 1e-14);
            assert_close(ratio, i1e / i0e, 1e-14);
        }
        // Continuity across the switch from series to asymptotic expansion.
        let below = log_bessel_i0_and_ratio(BESSEL_SERIES_LIMIT);
        let above = log_bessel_i0_and_ratio(BESSEL_SERIES_LIMIT * (1.0 + 1e-15));
        assert_close(below.0, above.0, 1e-14);
        assert_close(below.1, above.1, 1e-14);
    }
}

//! The von Mises distribution `von_mises(y | mu, kappa)` for angles, mu the location and kappa the concentration.

use std::f64::consts::PI;

use rand::Rng;
use rand_distr::{Distribution as _, Open01, StandardNormal};

use super::bessel::{log_bessel_i0_and_ratio, LN_2PI};
use super::check::{check_finite, check_nonnegative, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};

/// Log-density of the von Mises distribution, vectorised over all arguments (Stan's
/// `von_mises_lpdf`):
///
/// `Σ_i κ_i cos(y_i − μ_i) − ln(2π) − ln I0(κ_i)`,
///
/// normalised over any interval of length `2π` (the variate is an angle; it is not reduced
/// modulo `2π`). Scalars broadcast; vectors must share one length. Partials in `f64` in one
/// pass: `∂/∂y = −κ sin(y − μ)`, `∂/∂μ = κ sin(y − μ)`, `∂/∂κ = cos(y − μ) − I1(κ)/I0(κ)`
/// (`ln I0` and the ratio once for a scalar `kappa`).
///
/// # Errors
/// `y` or `mu` not finite, `kappa` negative or not finite, or vector lengths that differ:
/// `von_mises: concentration is -1, but must be non-negative and finite`.
///
/// # Reference
/// Stan Functions Reference, "Von Mises distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::von_mises_lpdf(0.0, 0.0, 1.0)?;
/// // scipy.stats.vonmises.logpdf(0, 1)
/// assert!((lp - (-1.073_791_424_916_524_1)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn von_mises_lpdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    kappa: impl Operand,
) -> Result<T> {
    von_mises_log_density::<false, T>(y, mu, kappa)
}

/// [`von_mises_lpdf`] without the constant `−n ln(2π)` (Stan's `von_mises_lupdf`, what `~`
/// uses), and without `−Σ ln I₀(κ_i)` when `kappa` is [`crate::Data`].
pub fn von_mises_lupdf<T: Real>(
    y: impl Operand,
    mu: impl Operand,
    kappa: impl Operand,
) -> Result<T> {
    von_mises_log_density::<true, T>(y, mu, kappa)
}

fn von_mises_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    mu: impl Operand,
    kappa: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "von_mises";
    check_finite(FUNCTION, "random variable", &y)?;
    check_finite(FUNCTION, "location", &mu)?;
    check_nonnegative(FUNCTION, "concentration", &kappa)?;
    let n = common_len(
        FUNCTION,
        &[
            ("random variable", y.size()),
            ("location", mu.size()),
            ("concentration", kappa.size()),
        ],
    )?;
    let kappa_is_parameter = kappa.any_tangent();
    // `−ln I₀(κ)` is dropped from the unnormalised form when κ is data (Stan's `~`); then no
    // Bessel function is evaluated (data κ needs no ratio either).
    let include_log_i0 = include_summand::<PROPTO>(is_data(&kappa));
    let bessel = |kappa: f64| {
        if include_log_i0 {
            log_bessel_i0_and_ratio(kappa)
        } else {
            (0.0, 0.0)
        }
    };
    let scalar_bessel = bessel(leading_value(&kappa));
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut mu_partials = ArgPartials::new(&mu);
    let mut kappa_partials = ArgPartials::new(&kappa);
    for i in 0..n {
        let (y_i, mu_i, kappa_i) = (y.value_at(i), mu.value_at(i), kappa.value_at(i));
        let (log_i0, bessel_ratio) = if kappa.size().is_none() {
            scalar_bessel
        } else {
            bessel(kappa_i)
        };
        let (sin, cos) = (y_i - mu_i).sin_cos();
        value += kappa_i * cos - log_i0;
        let d_mu = kappa_i * sin;
        y_partials.add(&mut out, i, -d_mu);
        mu_partials.add(&mut out, i, d_mu);
        if kappa_is_parameter {
            kappa_partials.add(&mut out, i, cos - bessel_ratio);
        }
    }
    y_partials.apply(&mut out);
    mu_partials.apply(&mut out);
    kappa_partials.apply(&mut out);
    if !PROPTO {
        value -= n as f64 * LN_2PI;
    }
    Ok(out + value)
}

/// Above this concentration the sampler uses the normal approximation `θ ~ normal(0, 1/√κ)`
/// (wrapped), whose error in distribution is `O(1/κ)`, below `1e-6`.
const NORMAL_APPROXIMATION_LIMIT: f64 = 1e6;

/// The von Mises distribution with fixed parameters, for sampling and moments. Draws and
/// moments refer to the representation `y ∈ [μ − π, μ + π]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VonMises {
    mu: f64,
    kappa: f64,
}

impl VonMises {
    /// `von_mises(mu, kappa)`.
    ///
    /// # Errors
    /// `mu` not finite, `kappa` negative or not finite.
    pub fn new(mu: f64, kappa: f64) -> Result<Self> {
        check_finite("von_mises", "location", &mu)?;
        check_nonnegative("von_mises", "concentration", &kappa)?;
        Ok(VonMises { mu, kappa })
    }

    /// One deviation `θ = y − μ ∈ [−π, π]` by Best & Fisher's (1979) rejection sampler from
    /// a wrapped Cauchy envelope; uniform for `κ < 1e-8`, the normal approximation above `1e6`.
    fn sample_deviation<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let kappa = self.kappa;
        if kappa < 1e-8 {
            let u: f64 = Open01.sample(rng);
            return PI * (2.0 * u - 1.0);
        }
        if kappa > NORMAL_APPROXIMATION_LIMIT {
            let z: f64 = StandardNormal.sample(rng);
            let theta = z / kappa.sqrt();
            // Wrap into [−π, π] (reached only for |z| > π√κ > 3000).
            return (theta + PI).rem_euclid(2.0 * PI) - PI;
        }
        // τ = 1 + √(1 + 4κ²), ρ = (τ − √(2τ))/(2κ), written without cancellation for small κ.
        let s = (1.0 + 4.0 * kappa * kappa).sqrt();
        let tau = 1.0 + s;
        let rho = 2.0 * kappa * tau / ((s + 1.0) * (tau + (2.0 * tau).sqrt()));
        let r = (1.0 + rho * rho) / (2.0 * rho);
        loop {
            let (u1, u2, u3): (f64, f64, f64) =
                (Open01.sample(rng), Open01.sample(rng), Open01.sample(rng));
            let z = (PI * u1).cos();
            let f = ((1.0 + r * z) / (r + z)).clamp(-1.0, 1.0);
            let c = kappa * (r - f);
            if c * (2.0 - c) > u2 || (c / u2).ln() + 1.0 - c >= 0.0 {
                let theta = f.acos();
                return if u3 > 0.5 { theta } else { -theta };
            }
        }
    }
}

impl Distribution for VonMises {
    type Value = f64;
    type Moment = f64;
    /// A draw in `[μ − π, μ + π]`.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.mu + self.sample_deviation(rng)
    }
    /// `μ` (the distribution on `[μ − π, μ + π]` is symmetric about it).
    fn mean(&self) -> Option<f64> {
        Some(self.mu)
    }
    /// `E(y − μ)²` on `[μ − π, μ + π]`, by composite Simpson quadrature (4 000 intervals over
    /// `|θ| ≤ min(π, 40/√κ)`, where all but `e^−800` of the mass lies) of `θ² e^(κ(cos θ − 1))`
    /// over the same quadrature of `e^(κ(cos θ − 1))`; relative error below `1e-10`. This is not
    /// the circular variance `1 − I1(κ)/I0(κ)`.
    fn variance(&self) -> Option<f64> {
        let half_width = if self.kappa > 0.0 {
            (40.0 / self.kappa.sqrt()).min(PI)
        } else {
            PI
        };
        let intervals = 4000;
        let h = 2.0 * half_width / f64::from(intervals);
        let (mut mass, mut second_moment) = (0.0, 0.0);
        for j in 0..=intervals {
            let theta = -half_width + f64::from(j) * h;
            let weight = if j == 0 || j == intervals {
                1.0
            } else if j % 2 == 1 {
                4.0
            } else {
                2.0
            };
            // cos θ − 1 = −2 sin²(θ/2), accurate for small θ.
            let half_sin = (0.5 * theta).sin();
            let density = (-2.0 * self.kappa * half_sin * half_sin).exp();
            mass += weight * density;
            second_moment += weight * density * theta * theta;
        }
        Some(second_moment / mass)
    }
    fn support(&self) -> Support {
        Support::Interval(self.mu - PI, self.mu + PI)
    }
    fn log_density(&self, x: &f64) -> f64 {
        von_mises_lpdf::<f64>(*x, self.mu, self.kappa).unwrap_or(f64::NEG_INFINITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{
        assert_close, assert_gradient_matches, assert_moments, assert_normalised,
    };
    use proptest::prelude::*;

    #[test]
    fn values_match_scipy() {
        // (y, mu, kappa, scipy.stats.vonmises.logpdf(y, kappa, loc=mu)), scipy 1.17.1.
        for &(y, mu, kappa, expected) in &[
            (0.0, 0.0, 1.0, -1.0737914249165241),
            (1.5, -0.3, 2.0, -3.116274797278475),
            (-2.5, 1.0, 0.01, -1.847266633126005),
            (0.1, 0.2, 50.0, 0.7847556956201385),
            (0.3, 0.0, 800.0, -33.30759771666955),
            (2.0, 0.5, 0.0, -1.8378770664093453),
        ] {
            let lp: f64 = von_mises_lpdf(y, mu, kappa).unwrap();
            assert_close(lp, expected, 1e-13);
        }
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, -1.0, 2.0];
        let kappa = vec![0.5, 3.0, 40.0];
        let lp: f64 = von_mises_lpdf(&y, 0.3, &kappa).unwrap();
        let sum: f64 = (0..3)
            .map(|i| von_mises_lpdf::<f64>(y[i], 0.3, kappa[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        let propto: f64 = von_mises_lupdf(&y, 0.3, &kappa).unwrap();
        assert_close(lp - propto, -3.0 * LN_2PI, 1e-14);
    }

    #[test]
    fn normalised_by_quadrature() {
        for kappa in [0.0, 0.7, 12.0, 300.0] {
            assert_normalised(
                |y| von_mises_lpdf::<f64>(y, 1.0, kappa).unwrap(),
                1.0 - PI,
                1.0 + PI,
            );
        }
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&VonMises::new(1.0, 2.0).unwrap());
        assert_moments(&VonMises::new(-0.5, 0.05).unwrap());
        assert_moments(&VonMises::new(0.0, 400.0).unwrap());
        // The draws stay in [μ − π, μ + π].
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let vm = VonMises::new(1.0, 0.3).unwrap();
        assert!((0..10_000)
            .map(|_| vm.sample(&mut rng))
            .all(|y| (1.0 - PI..=1.0 + PI).contains(&y)));
    }

    #[test]
    fn variance_matches_high_precision_quadrature() {
        // ∫θ² e^(κ cos θ) dθ / ∫e^(κ cos θ) dθ over [−π, π] by mpmath.quad at 30 digits
        // (mpmath 1.3; scipy.stats.vonmises.var agrees to 6e-9 relative only).
        for &(kappa, expected) in &[
            (0.5, 2.348803343668747),
            (2.0, 0.7644618798111269),
            (30.0, 0.03391011461486364),
            (400.0, 0.0025031334979036678),
        ] {
            let variance = VonMises::new(0.0, kappa).unwrap().variance().unwrap();
            assert_close(variance, expected, 1e-10);
        }
        let uniform = VonMises::new(0.0, 0.0).unwrap().variance().unwrap();
        assert_close(uniform, PI * PI / 3.0, 1e-12);
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = von_mises_lpdf::<f64>(0.0, 0.0, -1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "von_mises: concentration is -1, but must be non-negative and finite"
        );
        let err = von_mises_lpdf::<f64>(f64::INFINITY, 0.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "von_mises: random variable is inf, but must be finite"
        );
        let err = von_mises_lpdf::<f64>(0.0, &vec![0.0, f64::NAN], 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "von_mises: location[2] is NaN, but must be finite"
        );
        let err = von_mises_lpdf::<f64>(&vec![0.0; 3], 0.0, &vec![1.0; 2]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "von_mises: concentration has size 2, but must have size 3"
        );
        assert_eq!(
            VonMises::new(0.0, f64::INFINITY).unwrap_err().to_string(),
            "von_mises: concentration is inf, but must be non-negative and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(
            y in -3.0..3.0f64, mu in -3.0..3.0f64, log_kappa in -2.0..4.0f64,
        ) {
            let kappa = log_kappa.exp();
            assert_gradient_matches(|x| von_mises_lpdf(x[0], x[1], x[2]), &[y, mu, kappa]);
            assert_gradient_matches(
                |x| von_mises_lpdf(&x[0..2], &x[2..4], x[4]),
                &[y, -y, mu, 0.5 * mu, kappa],
            );
            assert_gradient_matches(
                |x| von_mises_lpdf(x[0], x[1], &x[2..4]),
                &[y, mu, kappa, 30.0],
            );
            // kappa as data: no partial for it.
            assert_gradient_matches(|x| von_mises_lpdf(x[0], x[1], kappa), &[y, mu]);
        }
    }

    /// With data `kappa` the unnormalised form drops `−Σ ln I₀(κ_i)`.
    #[test]
    fn data_concentration_drops_the_bessel_term() {
        use crate::dist::testing::assert_data_drops;
        let y = [0.3, -1.7, 2.0];
        let kappa = [0.5, 2.0, 7.5];
        // ln I₀(κ): scipy.special.i0e (scipy 1.17), ln(i0e(κ)) + κ.
        let log_i0_sum = 0.061_549_719_185_481_19 + 0.823_993_541_482_956_2 + 5.591_588_708_075_275;
        assert_data_drops!(
            von_mises_lpdf,
            von_mises_lupdf,
            |x, data| (&y[..], x[0], data(&kappa[..])),
            [0.2],
            -log_i0_sum,
        );
        assert_data_drops!(
            von_mises_lpdf,
            von_mises_lupdf,
            |x, data| (&x[0..3], x[3], data(2.0)),
            [0.3, -1.7, 2.0, 0.1],
            -3.0 * 0.823_993_541_482_956_2,
        );
    }
}

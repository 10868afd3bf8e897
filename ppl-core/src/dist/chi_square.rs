//! The chi-square distribution `chi_square(y | nu)`, nu the degrees of freedom (`gamma(nu/2, 1/2)`).

use rand::Rng;
use rand_distr::Distribution as _;

use super::check::{check_not_negative, check_positive_finite, common_len, leading_value};
use super::distribution::{Distribution, Support};
use super::math::multiply_log;
use super::partials::ArgPartials;
use crate::data::{include_summand, is_data};
use crate::error::Result;
use crate::real::{Operand, Real};
use crate::special::{digamma, lgamma, LN_2};

/// Log-density of the chi-square distribution, vectorised over both arguments (Stan's
/// `chi_square_lpdf`):
///
/// `Σ_i −(ν_i/2) ln 2 − ln Γ(ν_i/2) + (ν_i/2 − 1) ln y_i − y_i/2`, `y_i ≥ 0`.
///
/// Scalars broadcast; vectors must share one length. Partials in `f64` in one pass:
/// `∂/∂y = (ν/2 − 1)/y − ½`, `∂/∂ν = ½(ln y − ln 2 − ψ(ν/2))`.
///
/// # Errors
/// `y` negative or NaN, `nu` not positive and finite, or vector lengths that differ:
/// `chi_square: nu is 0, but must be positive and finite`. At `y = 0` the density is that of
/// the limit (`−∞` for `ν > 2`, `+∞` for `ν < 2`, `−ln 2` for `ν = 2`), as Stan's
/// `multiply_log`.
///
/// # Reference
/// Stan Functions Reference, "Chi-square distribution".
///
/// ```
/// let lp: f64 = ppl_core::dist::chi_square_lpdf(2.0, 2.0)?;
/// // ν = 2 is exponential(1/2): ln ½ − 1.
/// assert!((lp - (-1.693_147_180_559_945_3)).abs() < 1e-14);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn chi_square_lpdf<T: Real>(y: impl Operand, nu: impl Operand) -> Result<T> {
    chi_square_log_density::<false, T>(y, nu)
}

/// [`chi_square_lpdf`] without the terms whose arguments are all [`crate::Data`] (Stan's
/// `chi_square_lupdf`, what `~` uses): `−ν/2 ln 2 − ln Γ(ν/2)` (data `nu`), `−y/2` (data `y`).
pub fn chi_square_lupdf<T: Real>(y: impl Operand, nu: impl Operand) -> Result<T> {
    chi_square_log_density::<true, T>(y, nu)
}

/// `ln Γ(ν/2)` (if wanted, else 0) and, if wanted, `ψ(ν/2)`.
fn nu_terms(nu: f64, with_value: bool, with_derivative: bool) -> (f64, f64) {
    let digamma_half_nu = if with_derivative {
        digamma(0.5 * nu)
    } else {
        0.0
    };
    let lgamma_half_nu = if with_value { lgamma(0.5 * nu) } else { 0.0 };
    (lgamma_half_nu, digamma_half_nu)
}

fn chi_square_log_density<const PROPTO: bool, T: Real>(
    y: impl Operand,
    nu: impl Operand,
) -> Result<T> {
    const FUNCTION: &str = "chi_square";
    check_not_negative(FUNCTION, "random variable", &y)?;
    check_positive_finite(FUNCTION, "nu", &nu)?;
    let n = common_len(
        FUNCTION,
        &[("random variable", y.size()), ("nu", nu.size())],
    )?;
    let nu_is_parameter = nu.any_tangent();
    // The unnormalised form drops the terms in ν alone when ν is data and `−y/2` when y is
    // (Stan's `~`).
    let include_nu_terms = include_summand::<PROPTO>(is_data(&nu));
    let include_half_y = include_summand::<PROPTO>(is_data(&y));
    let scalar_nu_terms = nu_terms(leading_value(&nu), include_nu_terms, nu_is_parameter);
    let mut value = 0.0;
    let mut out = T::accumulator();
    let mut y_partials = ArgPartials::new(&y);
    let mut nu_partials = ArgPartials::new(&nu);
    for i in 0..n {
        let (y_i, nu_i) = (y.value_at(i), nu.value_at(i));
        let (lgamma_half_nu, digamma_half_nu) = if nu.size().is_none() {
            scalar_nu_terms
        } else {
            nu_terms(nu_i, include_nu_terms, nu_is_parameter)
        };
        let half_nu = 0.5 * nu_i;
        let half_nu_log_2 = if include_nu_terms {
            half_nu * LN_2
        } else {
            0.0
        };
        let half_y = if include_half_y { 0.5 * y_i } else { 0.0 };
        value += -half_nu_log_2 - lgamma_half_nu + multiply_log(half_nu - 1.0, y_i.ln()) - half_y;
        y_partials.add(&mut out, i, (half_nu - 1.0) / y_i - 0.5);
        if nu_is_parameter {
            let d_nu = 0.5 * (y_i.ln() - LN_2 - digamma_half_nu);
            nu_partials.add(&mut out, i, d_nu);
        }
    }
    if value.is_infinite() {
        return Ok(T::constant(value));
    }
    y_partials.apply(&mut out);
    nu_partials.apply(&mut out);
    Ok(out + value)
}

/// The chi-square distribution with fixed degrees of freedom, for sampling and moments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquare {
    nu: f64,
}

impl ChiSquare {
    /// `chi_square(nu)`.
    ///
    /// # Errors
    /// `nu` not positive and finite.
    pub fn new(nu: f64) -> Result<Self> {
        check_positive_finite("chi_square", "nu", &nu)?;
        Ok(ChiSquare { nu })
    }
}

impl Distribution for ChiSquare {
    type Value = f64;
    type Moment = f64;
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Parameters were checked by `new`, so construction cannot fail.
        rand_distr::ChiSquared::new(self.nu)
            .map(|d| d.sample(rng))
            .unwrap_or(f64::NAN)
    }
    fn mean(&self) -> Option<f64> {
        Some(self.nu)
    }
    fn variance(&self) -> Option<f64> {
        Some(2.0 * self.nu)
    }
    fn support(&self) -> Support {
        Support::LowerBounded(0.0)
    }
    fn log_density(&self, x: &f64) -> f64 {
        chi_square_lpdf::<f64>(*x, self.nu).unwrap_or(f64::NEG_INFINITY)
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
    fn values_match_statrs() {
        use statrs::distribution::{ChiSquared, Continuous};
        for &(y, nu) in &[
            (1.0, 1.0),
            (2.0, 3.0),
            (1e-4, 0.3),
            (150.0, 120.0),
            (0.5, 2.0),
        ] {
            let expected = ChiSquared::new(nu).unwrap().ln_pdf(y);
            let lp: f64 = chi_square_lpdf(y, nu).unwrap();
            assert_close(lp, expected, 1e-11);
        }
        let boundary: [f64; 3] = [
            chi_square_lpdf(0.0, 3.0).unwrap(),
            chi_square_lpdf(0.0, 1.0).unwrap(),
            chi_square_lpdf(0.0, 2.0).unwrap(),
        ];
        assert_eq!(boundary[0], f64::NEG_INFINITY);
        assert_eq!(boundary[1], f64::INFINITY);
        assert_close(boundary[2], -LN_2, 1e-15);
    }

    #[test]
    fn vectorised_equals_sum_of_scalars() {
        let y = vec![0.5, 1.0, 2.0];
        let nu = vec![1.0, 2.5, 7.0];
        let lp: f64 = chi_square_lpdf(&y, &nu).unwrap();
        let sum: f64 = (0..3)
            .map(|i| chi_square_lpdf::<f64>(y[i], nu[i]).unwrap())
            .sum();
        assert_close(lp, sum, 1e-14);
        assert_eq!(lp, chi_square_lupdf::<f64>(&y, &nu).unwrap());
    }

    #[test]
    fn normalised_by_quadrature() {
        assert_normalised(|y| chi_square_lpdf::<f64>(y, 5.0).unwrap(), 0.0, 120.0);
    }

    #[test]
    fn sample_moments_match() {
        assert_moments(&ChiSquare::new(5.0).unwrap());
    }

    #[test]
    fn argument_checks_name_function_argument_value_and_rule() {
        let err = chi_square_lpdf::<f64>(-1.0, 1.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chi_square: random variable is -1, but must be non-negative"
        );
        let err = chi_square_lpdf::<f64>(1.0, 0.0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chi_square: nu is 0, but must be positive and finite"
        );
        let err = chi_square_lpdf::<f64>(&vec![1.0; 2], &vec![1.0; 3]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "chi_square: nu has size 3, but must have size 2"
        );
        assert_eq!(
            ChiSquare::new(-2.0).unwrap_err().to_string(),
            "chi_square: nu is -2, but must be positive and finite"
        );
    }

    proptest! {
        #[test]
        fn gradient_matches_finite_differences(log_y in -2.0..3.0f64, log_nu in -1.0..3.0f64) {
            let (y, nu) = (log_y.exp(), log_nu.exp());
            assert_gradient_matches(|x| chi_square_lpdf(x[0], x[1]), &[y, nu]);
            assert_gradient_matches(|x| chi_square_lpdf(&x[0..2], x[2]), &[y, 2.0 * y, nu]);
            assert_gradient_matches(|x| chi_square_lpdf(x[0], &x[1..3]), &[y, nu, 1.5]);
            // nu as data: its (skipped) digamma partial is not needed.
            assert_gradient_matches(|x| chi_square_lpdf(x[0], nu), &[y]);
        }
    }

    /// With data `nu` the unnormalised form drops `−ν/2 ln 2 − ln Γ(ν/2)`, with data `y` `−y/2`.
    #[test]
    fn data_arguments_drop_their_terms() {
        use crate::dist::testing::assert_data_drops;
        use statrs::function::gamma::ln_gamma;
        let y = [0.3, 1.7, 4.0];
        let nu = [0.5, 2.0, 7.0];
        let nu_terms: f64 = nu
            .iter()
            .map(|&v: &f64| -0.5 * v * 2f64.ln() - ln_gamma(0.5 * v))
            .sum();
        let half_y: f64 = y.iter().map(|&v: &f64| -0.5 * v).sum();
        assert_data_drops!(
            chi_square_lpdf,
            chi_square_lupdf,
            |x, data| (&x[0..3], data(&nu[..])),
            [0.3, 1.7, 4.0],
            nu_terms,
        );
        assert_data_drops!(
            chi_square_lpdf,
            chi_square_lupdf,
            |x, data| (data(&y[..]), &x[0..3]),
            [0.5, 2.0, 7.0],
            half_y,
        );
        assert_data_drops!(
            chi_square_lpdf,
            chi_square_lupdf,
            |x, data| (data(&y[..]), x[0]),
            [3.0],
            half_y,
        );
    }
}

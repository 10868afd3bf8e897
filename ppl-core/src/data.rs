//! `Data`: marks a density argument as data, so that a density's `_lupdf` / `_lupmf` form drops the terms that depend on data alone, as Stan's `~` does.

use crate::linalg::VectorOperand;
use crate::matrix::{Matrix, MatrixOperand};
use crate::real::Operand;

/// A density argument known to be data (never a parameter), whatever the scalar type the
/// log-density is evaluated in.
///
/// Stan's `y ~ normal(mu, sigma)` drops every term of the log-density that does not depend on a
/// parameter: with data `sigma`, the `−Σ ln σ_i` term goes. Stan tells data from parameters by
/// type (`double` against `var`). In ppl one generic log-density is evaluated both in `f64` and
/// in dual numbers, so `f64` alone does not say "data": wrapping an argument in `Data` does. The
/// unnormalised forms (`normal_lupdf`, ...) then drop the terms whose arguments are all
/// constants or `Data`, identically in `f64` and dual evaluations, so the value a gradient
/// reports and the value of a plain evaluation agree. The normalised forms (`_lpdf`) ignore the
/// marker. `model!` wraps data fields and literals in `~` statements itself.
///
/// The wrapped operand must have `f64` elements, so a parameter (a generic `T`) cannot be
/// marked as data by mistake: it does not compile.
///
/// ```
/// use ppl_core::{dist, Data};
/// let y = [1.0, 2.0];
/// let sigma = [2.0, 4.0];
/// // The full log-density keeps `−ln σ_i` (and `−ln √(2π)`); with data `sigma` the
/// // unnormalised form keeps only `−½ z_i²`.
/// let full: f64 = dist::normal_lupdf(&y[..], 0.0, &sigma[..])?;
/// let data: f64 = dist::normal_lupdf(&y[..], 0.0, Data(&sigma[..]))?;
/// assert!((full - (-0.125 - 0.125 - 2f64.ln() - 4f64.ln())).abs() < 1e-15);
/// assert!((data - (-0.125 - 0.125)).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Data<X>(pub X);

impl<X: Operand<Scalar = f64>> Operand for Data<X> {
    type Scalar = f64;
    type Partials<'s>
        = X::Partials<'s>
    where
        Self: 's;
    const IS_DATA: bool = true;
    #[inline]
    fn size(&self) -> Option<usize> {
        self.0.size()
    }
    #[inline]
    fn at(&self, i: usize) -> &f64 {
        self.0.at(i)
    }
    #[inline]
    fn partials(&self) -> X::Partials<'_> {
        self.0.partials()
    }
    #[inline]
    fn value_at(&self, i: usize) -> f64 {
        self.0.value_at(i)
    }
    #[inline]
    fn any_tangent(&self) -> bool {
        false
    }
}

/// A vector argument (of `dirichlet`) marked as data.
impl<X: VectorOperand<Scalar = f64>> VectorOperand for Data<X> {
    type Scalar = f64;
    const IS_DATA: bool = true;
    #[inline]
    fn count(&self) -> Option<usize> {
        self.0.count()
    }
    #[inline]
    fn vector(&self, i: usize) -> &[f64] {
        self.0.vector(i)
    }
}

/// A matrix argument (`multi_normal`'s covariance, `multi_normal_cholesky`'s factor,
/// `lkj_corr_cholesky`'s variate) marked as data: `Data(&l)` wherever `&l` is accepted, for an
/// `f64` matrix only.
///
/// ```compile_fail
/// use ppl_core::{dist, Data, Matrix, Real};
/// // A matrix of a generic scalar may hold parameters: it cannot be marked as data.
/// fn marked<T: Real>(l: &Matrix<T>) -> ppl_core::Result<T> {
///     dist::multi_normal_cholesky_lupdf(&[0.0][..], &[0.0][..], Data(l))
/// }
/// ```
impl<X: MatrixOperand<Scalar = f64>> MatrixOperand for Data<X> {
    type Scalar = f64;
    const IS_DATA: bool = true;
    #[inline]
    fn matrix(&self) -> &Matrix<f64> {
        self.0.matrix()
    }
}

/// Whether a density keeps a term whose arguments are `data` flags: always in the normalised
/// form, and in the unnormalised form (`PROPTO`) unless every argument of the term is data
/// (Stan's `include_summand`).
#[inline]
pub(crate) const fn include_summand<const PROPTO: bool>(all_data: bool) -> bool {
    !PROPTO || !all_data
}

/// [`Operand::IS_DATA`] of an argument, for a density whose arguments are `impl Operand`.
#[inline]
pub(crate) const fn is_data<O: Operand>(_argument: &O) -> bool {
    O::IS_DATA
}

/// [`VectorOperand::IS_DATA`] of a vector argument.
#[inline]
pub(crate) const fn is_data_vector<V: VectorOperand>(_argument: &V) -> bool {
    V::IS_DATA
}

/// [`MatrixOperand::IS_DATA`] of a matrix argument.
#[inline]
pub(crate) const fn is_data_matrix<M: MatrixOperand>(_argument: &M) -> bool {
    M::IS_DATA
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist;
    use crate::{gradient_chunked, Dual};

    #[test]
    fn data_marker_is_seen_through_references_and_scalars() {
        let sigma = vec![1.0, 2.0];
        assert!(is_data(&Data(&sigma)));
        assert!(is_data(&Data(3.0)));
        assert!(!is_data(&&sigma));
        assert!(!is_data(&3.0));
        let matrix = crate::Matrix::filled(2, 2, 1.0);
        assert!(is_data_matrix(&Data(&matrix)));
        assert!(!is_data_matrix(&&matrix));
        assert!(include_summand::<false>(true));
        assert!(include_summand::<true>(false));
        assert!(!include_summand::<true>(true));
    }

    #[test]
    fn data_does_not_change_the_normalised_density_or_any_gradient() {
        let y = [0.3, -1.2, 2.5];
        let sigma = [0.5, 1.5, 2.0];
        let full: f64 = dist::normal_lpdf(&y[..], 0.1, &sigma[..]).unwrap();
        let marked: f64 = dist::normal_lpdf(&y[..], 0.1, Data(&sigma[..])).unwrap();
        assert_eq!(full, marked);
        // The gradient with respect to the location is the same with or without the marker;
        // the value differs by exactly the dropped Σ ln σ_i.
        let mut plain = [0.0];
        let mut with_data = [0.0];
        let lp_plain = gradient_chunked::<1, _>(
            |mu: &[Dual<1>]| dist::normal_lupdf(&y[..], mu[0], &sigma[..]),
            &[0.1],
            &mut plain,
        )
        .unwrap();
        let lp_data = gradient_chunked::<1, _>(
            |mu: &[Dual<1>]| dist::normal_lupdf(&y[..], mu[0], Data(&sigma[..])),
            &[0.1],
            &mut with_data,
        )
        .unwrap();
        assert_eq!(plain, with_data);
        let log_sigma_sum: f64 = sigma.iter().map(|s: &f64| s.ln()).sum();
        assert!((lp_plain + log_sigma_sum - lp_data).abs() < 1e-14);
    }

    #[test]
    fn data_arguments_are_still_checked() {
        let error = dist::normal_lupdf::<f64>(0.0, 0.0, Data(-1.0)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "normal: scale is -1, but must be positive and finite"
        );
    }
}

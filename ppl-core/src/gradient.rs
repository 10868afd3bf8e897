//! The chunked gradient driver: a dimension `d` is covered by `ceil(d / N)` forward passes of `Dual<N>`.

use crate::dual::Dual;
use crate::error::{Error, Result};
use crate::real::Real;

/// Lanes per dual number used by [`crate::LogDensity`]'s blanket gradient (chosen by measurement,
/// see `docs/performance.md`).
pub const DEFAULT_LANES: usize = 8;

/// Gradient of `f` at `x` by forward-mode AD in chunks of `N` lanes.
///
/// Pass `c` seeds lanes `0..N` with the unit directions of coordinates `c·N .. c·N + N`; every
/// other coordinate enters as an inactive constant, so work that depends only on coordinates
/// outside the chunk runs at `f64` speed. Writes `∂f/∂x` into `gradient` and returns `f(x)`.
///
/// Cost: `ceil(d / N)` evaluations of `f` with `Dual<N>` arithmetic.
///
/// # Errors
/// Whatever `f` returns, or [`Error::SizeMismatch`] if `gradient.len() != x.len()`.
///
/// # Example
/// ```
/// use ppl_core::{gradient_chunked, Real};
/// let mut g = vec![0.0; 3];
/// let f = gradient_chunked::<2, _>(|x| Ok(x[0] * x[1] + x[2].exp()), &[2.0, 3.0, 0.0], &mut g)?;
/// assert_eq!(f, 7.0);
/// assert_eq!(g, vec![3.0, 2.0, 1.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn gradient_chunked<const N: usize, F>(f: F, x: &[f64], gradient: &mut [f64]) -> Result<f64>
where
    F: Fn(&[Dual<N>]) -> Result<Dual<N>>,
{
    let d = x.len();
    check_gradient_len(gradient, d)?;
    let mut inputs: Vec<Dual<N>> = x.iter().map(|&v| Dual::new_constant(v)).collect();
    let mut value = f64::NAN;
    if d == 0 {
        return f(&inputs).map(|y| y.value());
    }
    let mut start = 0;
    while start < d {
        let end = (start + N).min(d);
        for (lane, i) in (start..end).enumerate() {
            inputs[i] = Dual::variable(x[i], lane);
        }
        let out = f(&inputs)?;
        value = out.value();
        for (lane, i) in (start..end).enumerate() {
            gradient[i] = out.lanes()[lane];
            inputs[i] = Dual::new_constant(x[i]);
        }
        start = end;
    }
    Ok(value)
}

/// `Ok` if the gradient buffer has one entry per coordinate.
pub(crate) fn check_gradient_len(gradient: &[f64], dim: usize) -> Result<()> {
    if gradient.len() == dim {
        Ok(())
    } else {
        Err(Error::size_mismatch(
            "gradient",
            "gradient",
            gradient.len(),
            dim,
        ))
    }
}

/// Central finite-difference gradient of `f` at `x` with step `h·max(1, |x_i|)`; for tests.
pub fn finite_difference_gradient<F>(f: F, x: &[f64], h: f64) -> Result<Vec<f64>>
where
    F: Fn(&[f64]) -> Result<f64>,
{
    let mut point = x.to_vec();
    let mut out = vec![0.0; x.len()];
    for i in 0..x.len() {
        let step = h * x[i].abs().max(1.0);
        point[i] = x[i] + step;
        let up = f(&point)?;
        point[i] = x[i] - step;
        let down = f(&point)?;
        point[i] = x[i];
        out[i] = (up - down) / (2.0 * step);
    }
    Ok(out)
}

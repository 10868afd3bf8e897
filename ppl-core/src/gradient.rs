//! The chunked gradient driver: a dimension `d` is covered by `ceil(d / N)` forward passes of `Dual<N>`.

use std::any::Any;
use std::cell::Cell;

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
/// Cost: `ceil(d / N)` evaluations of `f` with `Dual<N>` arithmetic. The inputs vector is
/// kept per thread between calls, so a gradient allocates nothing once a thread has computed
/// one of the same `N` (up to 1 MiB of inputs).
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
    const { assert!(N > 0, "gradient_chunked needs at least one lane") };
    let d = x.len();
    check_gradient_len(gradient, d)?;
    let mut inputs = take_input_buffer::<N>();
    // A kept buffer holds constants: only their values change.
    inputs.truncate(d);
    for (input, &v) in inputs.iter_mut().zip(x) {
        input.set_value(v);
    }
    let kept = inputs.len();
    inputs.extend(x[kept..].iter().map(|&v| Dual::new_constant(v)));
    let result = chunked_passes(&f, &mut inputs, gradient);
    return_input_buffer(inputs);
    result
}

/// The passes of [`gradient_chunked`] over `inputs` (all constants on entry and on return).
#[inline]
fn chunked_passes<const N: usize, F>(
    f: &F,
    inputs: &mut [Dual<N>],
    gradient: &mut [f64],
) -> Result<f64>
where
    F: Fn(&[Dual<N>]) -> Result<Dual<N>>,
{
    if inputs.is_empty() {
        return f(inputs).map(|y| y.value());
    }
    let mut value = f64::NAN;
    for (chunk, gradient_chunk) in (0..inputs.len()).step_by(N).zip(gradient.chunks_mut(N)) {
        let end = chunk + gradient_chunk.len();
        for (lane, input) in inputs[chunk..end].iter_mut().enumerate() {
            input.seed(lane);
        }
        let out = f(inputs);
        for (lane, input) in inputs[chunk..end].iter_mut().enumerate() {
            input.unseed(lane);
        }
        let out = out?;
        value = out.value();
        match <&mut [f64; N]>::try_from(&mut *gradient_chunk) {
            // A whole chunk: a fixed-size copy (a memcpy call would dominate at small `N`).
            Ok(whole) => *whole = *out.lanes(),
            Err(_) => gradient_chunk.copy_from_slice(&out.lanes()[..gradient_chunk.len()]),
        }
    }
    Ok(value)
}

/// Input buffers of at most this many bytes (13 107 `Dual<8>`s) are kept for the thread's next
/// gradient.
pub(crate) const KEPT_INPUT_BYTES: usize = 1 << 20;

thread_local! {
    /// The inputs vector of this thread's last [`gradient_chunked`] call (a `Vec<Dual<N>>`),
    /// reused so that a gradient allocates nothing. A nested call finds it taken and allocates.
    static INPUT_BUFFER: Cell<Option<Box<dyn Any>>> = const { Cell::new(None) };
}

/// This thread's kept input buffer if it holds `Dual<N>`s, else a new one. The vector stays
/// boxed so that it goes back into the `Box<dyn Any>` slot without a new allocation.
#[allow(clippy::box_collection)]
fn take_input_buffer<const N: usize>() -> Box<Vec<Dual<N>>> {
    INPUT_BUFFER
        .take()
        .and_then(|kept| kept.downcast::<Vec<Dual<N>>>().ok())
        .unwrap_or_default()
}

/// Keeps `inputs` for this thread's next call unless it is large.
#[allow(clippy::box_collection)]
fn return_input_buffer<const N: usize>(inputs: Box<Vec<Dual<N>>>) {
    if inputs.capacity() * std::mem::size_of::<Dual<N>>() <= KEPT_INPUT_BYTES {
        INPUT_BUFFER.with(|kept| kept.set(Some(inputs)));
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `Σ_i (i + 1)·x_i² + x_0·x_last`, with gradient `2(i + 1)·x_i` plus the cross term.
    fn quadratic<T: Real>(x: &[T]) -> Result<T> {
        let mut total = T::accumulator();
        for (i, &v) in x.iter().enumerate() {
            total += v.square() * (i + 1) as f64;
        }
        Ok(total + x[0] * x[x.len() - 1])
    }

    fn quadratic_gradient(x: &[f64]) -> Vec<f64> {
        let last = x.len() - 1;
        let mut g: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 2.0 * (i + 1) as f64 * v)
            .collect();
        g[0] += x[last];
        g[last] += x[0];
        g
    }

    fn point(d: usize) -> Vec<f64> {
        (0..d).map(|i| 0.25 * i as f64 - 1.0).collect()
    }

    #[test]
    fn kept_buffer_serves_every_dimension_and_lane_count() {
        // Growing, shrinking and switching `N` between calls on one thread: each call sees
        // exactly its own point as constants outside its chunk.
        for d in [3, 17, 5, 8, 1, 24, 9] {
            let x = point(d);
            let expected_value = quadratic(&x).unwrap();
            let expected = quadratic_gradient(&x);
            let mut g = vec![f64::NAN; d];
            assert_eq!(
                gradient_chunked::<4, _>(quadratic, &x, &mut g).unwrap(),
                expected_value
            );
            assert_eq!(g, expected, "d = {d}, N = 4");
            let mut g = vec![f64::NAN; d];
            assert_eq!(
                gradient_chunked::<8, _>(quadratic, &x, &mut g).unwrap(),
                expected_value
            );
            assert_eq!(g, expected, "d = {d}, N = 8");
        }
    }

    #[test]
    fn an_error_leaves_the_kept_buffer_constant() {
        let x = point(6);
        let mut g = vec![0.0; 6];
        let failing = |u: &[Dual<4>]| -> Result<Dual<4>> {
            if u[5].is_active() {
                Err(Error::size_mismatch("test", "x", 6, 5))
            } else {
                quadratic(u)
            }
        };
        assert!(gradient_chunked::<4, _>(failing, &x, &mut g).is_err());
        // Every input of the next call outside the seeded chunk is inactive.
        let inactive_outside_chunk = |u: &[Dual<4>]| -> Result<Dual<4>> {
            let seeded = u.iter().filter(|v| v.is_active()).count();
            assert!(seeded == 4 || seeded == 2, "{seeded} inputs seeded");
            quadratic(u)
        };
        gradient_chunked::<4, _>(inactive_outside_chunk, &x, &mut g).unwrap();
        assert_eq!(g, quadratic_gradient(&x));
    }

    #[test]
    fn nested_gradients_do_not_share_inputs() {
        // The outer density calls the driver itself (as a model computing a gradient inside
        // its log-density would); the inner call must not see the outer inputs.
        let inner_x = point(5);
        let outer = |u: &[Dual<4>]| -> Result<Dual<4>> {
            let mut inner_g = vec![0.0; 5];
            gradient_chunked::<4, _>(quadratic, &inner_x, &mut inner_g)?;
            assert_eq!(inner_g, quadratic_gradient(&inner_x));
            Ok(quadratic(u)? + inner_g[0])
        };
        let x = point(7);
        let mut g = vec![0.0; 7];
        gradient_chunked::<4, _>(outer, &x, &mut g).unwrap();
        assert_eq!(g, quadratic_gradient(&x));
    }

    #[test]
    fn zero_dimension_evaluates_once() {
        let mut g: Vec<f64> = Vec::new();
        let value = gradient_chunked::<8, _>(|_| Ok(Dual::new_constant(2.5)), &[], &mut g);
        assert_eq!(value.unwrap(), 2.5);
    }

    #[test]
    fn wrong_gradient_length_is_an_error() {
        let mut g = vec![0.0; 2];
        let err = gradient_chunked::<8, _>(quadratic, &point(3), &mut g).unwrap_err();
        assert!(matches!(err, Error::SizeMismatch { .. }), "{err}");
    }
}

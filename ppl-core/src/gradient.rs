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

/// Input buffers of at most this many bytes are kept for the thread's next gradient.
const KEPT_INPUT_BYTES: usize = 1 << 20;

thread_local! {
    /// The inputs vector of this thread's last [`gradient_chunked`] call (a `Vec<Dual<N>>`),
    /// reused so that a gradient allocates nothing. A nested call finds it taken and allocates.
    static INPUT_BUFFER: Cell<Option<Box<dyn Any>>> = const { Cell::new(None) };
}

/// This thread's kept input buffer if it holds `Dual<N>`s, else a new one.
fn take_input_buffer<const N: usize>() -> Box<Vec<Dual<N>>> {
    INPUT_BUFFER
        .take()
        .and_then(|kept| kept.downcast::<Vec<Dual<N>>>().ok())
        .unwrap_or_default()
}

/// Keeps `inputs` for this thread's next call unless it is large.
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

//! Autocovariance of a chain at every lag in O(n log n) with a radix-2 FFT.

use std::f64::consts::PI;

/// Autocovariances `γ_t = (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄)` for `t = 0 .. n−1`, the
/// biased estimator ArviZ and posterior use (`γ_0` is the variance with denominator `n`).
///
/// Computed as the inverse FFT of the power spectrum of the centred chain zero-padded to a
/// power of two at least `2n` (so there is no circular wrap-around): O(n log n).
pub(crate) fn autocovariance(chain: &[f64]) -> Vec<f64> {
    let n = chain.len();
    if n == 0 {
        return Vec::new();
    }
    let centre = chain.iter().sum::<f64>() / n as f64;
    let size = (2 * n).next_power_of_two();
    let mut re = vec![0.0; size];
    let mut im = vec![0.0; size];
    for (slot, value) in re.iter_mut().zip(chain) {
        *slot = value - centre;
    }
    fft(&mut re, &mut im, false);
    for (r, i) in re.iter_mut().zip(im.iter_mut()) {
        *r = *r * *r + *i * *i;
        *i = 0.0;
    }
    fft(&mut re, &mut im, true);
    // The inverse transform is unnormalised: divide by `size`, then by `n`.
    let scale = 1.0 / (size as f64 * n as f64);
    re.truncate(n);
    re.iter_mut().for_each(|r| *r *= scale);
    re
}

/// In-place iterative radix-2 Cooley–Tukey FFT of `re + i·im` (length a power of two);
/// `inverse` conjugates the twiddles and leaves the result unnormalised.
fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let size = re.len();
    debug_assert!(size.is_power_of_two() && im.len() == size);
    // Bit-reversal permutation.
    let mut j = 0;
    for i in 1..size {
        let mut bit = size >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    // Twiddle table exp(∓2πik/size), computed directly for accuracy.
    let sign = if inverse { 1.0 } else { -1.0 };
    let twiddles: Vec<(f64, f64)> = (0..size / 2)
        .map(|k| {
            let angle = sign * 2.0 * PI * k as f64 / size as f64;
            (angle.cos(), angle.sin())
        })
        .collect();
    let mut length = 2;
    while length <= size {
        let stride = size / length;
        for start in (0..size).step_by(length) {
            for k in 0..length / 2 {
                let (w_re, w_im) = twiddles[k * stride];
                let (a, b) = (start + k, start + k + length / 2);
                let t_re = re[b] * w_re - im[b] * w_im;
                let t_im = re[b] * w_im + im[b] * w_re;
                re[b] = re[a] - t_re;
                im[b] = im[a] - t_im;
                re[a] += t_re;
                im[a] += t_im;
            }
        }
        length *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_direct_sums() {
        let chain: Vec<f64> = (0..37).map(|i| ((i * 7919) % 101) as f64 / 10.0).collect();
        let n = chain.len();
        let centre = chain.iter().sum::<f64>() / n as f64;
        let fast = autocovariance(&chain);
        for (lag, value) in fast.iter().enumerate() {
            let direct = (0..n - lag)
                .map(|i| (chain[i] - centre) * (chain[i + lag] - centre))
                .sum::<f64>()
                / n as f64;
            assert!(
                (value - direct).abs() < 1e-12,
                "lag {lag}: {value} vs {direct}"
            );
        }
    }
}

//! The forward algorithm of a hidden Markov model on the log scale, shared by `hmm_example` and `hmm_drive_0`.

use ppl::core::{log_sum_exp, Real, Result, Vector};

/// `log p(y_1, …, y_N)` of a hidden Markov model without an initial-state term, by the forward
/// recursion on the log scale (as the posteriordb programs write it):
///
/// `g[1,k] = E(1,k)`, `g[t,k] = log Σ_j exp(g[t−1,j] + log θ[j][k] + E(t,k))`,
/// result `log Σ_k exp(g[N,k])`.
///
/// `transition[j][k]` is `P(state k at t | state j at t − 1)`; `emission(t, k)` is the log
/// density of observation `t` (0-based) in state `k`; `n` ≥ 1 is the sequence length.
///
/// # Errors
/// The first error of `emission`.
pub fn forward_log_likelihood<T: Real>(
    transition: &[Vector<T>],
    n: usize,
    emission: impl Fn(usize, usize) -> Result<T>,
) -> Result<T> {
    let states = transition.len();
    let mut previous = (0..states)
        .map(|k| emission(0, k))
        .collect::<Result<Vec<T>>>()?;
    let mut current = Vec::with_capacity(states);
    let mut terms = Vec::with_capacity(states);
    for t in 1..n {
        current.clear();
        for k in 0..states {
            let log_emission = emission(t, k)?;
            terms.clear();
            terms.extend(
                previous
                    .iter()
                    .zip(transition)
                    .map(|(&log_alpha, row)| log_alpha + row[k].ln() + log_emission),
            );
            current.push(log_sum_exp(&terms));
        }
        std::mem::swap(&mut previous, &mut current);
    }
    Ok(log_sum_exp(&previous))
}

//! Timing of short calls for the bench examples: block means of many calls, with the clock read once per batch of calls.

use std::time::Instant;

/// The mean time per call (ns) of `f` in each of `blocks` blocks, each block running at least
/// 20 ms. The clock is read once per batch of calls, a batch lasting at least 20 µs, so that
/// reading it (tens of ns) does not count towards sub-microsecond calls.
pub fn block_means_ns(mut f: impl FnMut(), blocks: usize) -> Vec<f64> {
    let mut batch = 1u64;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        if start.elapsed().as_micros() >= 20 {
            break;
        }
        batch *= 2;
    }
    (0..blocks)
        .map(|_| {
            let mut calls = 0u64;
            let start = Instant::now();
            while start.elapsed().as_millis() < 20 {
                for _ in 0..batch {
                    f();
                }
                calls += batch;
            }
            start.elapsed().as_nanos() as f64 / calls as f64
        })
        .collect()
}

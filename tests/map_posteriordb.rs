//! MAP (L-BFGS) on posteriordb posteriors from Stan's random inits: every init reaches the same mode.

mod models;

use ppl::infer::optimize::{map, MapOptions};

/// `sblrc-blr`: the betas' posterior sds are about 0.001 while the gradient at a random init is
/// 10³–10⁶, so an unscaled first L-BFGS step jumps to `sigma = 0` or `∞` (before the first
/// step was scaled, 4 of these 24 runs converged).
#[test]
fn blr_reaches_the_same_mode_from_every_random_init() {
    let model = models::blr::load();
    for jacobian in [false, true] {
        let fits: Vec<_> = (0..12)
            .map(|seed| {
                map(
                    &model,
                    &MapOptions {
                        seed,
                        jacobian,
                        ..MapOptions::default()
                    },
                )
                .unwrap()
            })
            .collect();
        let best = &fits[0];
        for (seed, fit) in fits.iter().enumerate() {
            assert!(
                fit.converged(),
                "seed {seed} (jacobian {jacobian}): {}",
                fit.termination
            );
            assert!(
                (fit.log_density - best.log_density).abs() < 1e-8,
                "seed {seed}: log density {} vs {}",
                fit.log_density,
                best.log_density
            );
            for (a, b) in fit.constrained.iter().zip(&best.constrained) {
                assert!((a - b).abs() < 1e-5, "seed {seed}: {a} vs {b}");
            }
        }
    }
}

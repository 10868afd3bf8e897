//! ADVI where it should not be trusted or cannot finish: the centred eight-schools funnel (PSIS k-hat > 0.7 and a warning), non-convergence at max_iterations, non-finite steps rejected, and option checks.

use ppl_core::dist::normal_lpdf;
use ppl_core::{gradient_chunked, Real, DEFAULT_LANES};
use ppl_infer::advi::{fit, AdviAlgorithm, AdviOptions, AdviStatus};
use ppl_infer::optimize::Init;

const Y: [f64; 8] = [28.0, 8.0, -3.0, 7.0, -1.0, 1.0, 18.0, 12.0];
const SIGMA: [f64; 8] = [15.0, 10.0, 16.0, 11.0, 9.0, 11.0, 10.0, 18.0];

/// Eight schools, centred: `mu ~ normal(0, 5)`, `tau ~ half-Cauchy(0, 5)`,
/// `theta ~ normal(mu, tau)`, `y ~ normal(theta, sigma)`; `u = (mu, log tau, theta[1..8])`,
/// `tau = exp(u[2])` with log-Jacobian `u[2]`.
struct EightSchoolsCentred;

fn eight_schools<T: Real>(u: &[T]) -> ppl_core::Result<T> {
    let mu = u[0];
    let log_tau = u[1];
    let tau = log_tau.exp();
    let theta = &u[2..];
    // half-Cauchy(0, 5): log(2 / (5π)) − log1p((tau / 5)²).
    let half_cauchy = -(tau / 5.0).square().ln_1p() + (2.0 / (5.0 * std::f64::consts::PI)).ln();
    Ok(normal_lpdf::<T>(mu, 0.0, 5.0)?
        + half_cauchy
        + log_tau
        + normal_lpdf::<T>(theta, mu, tau)?
        + normal_lpdf::<T>(&Y[..], theta, &SIGMA[..])?)
}

impl ppl_core::LogDensity for EightSchoolsCentred {
    fn dim(&self) -> usize {
        10
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        eight_schools(u)
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        gradient_chunked::<DEFAULT_LANES, _>(eight_schools, u, gradient)
    }
    fn param_names(&self) -> Vec<String> {
        let mut names = vec!["mu".to_string(), "tau".to_string()];
        names.extend((1..=8).map(|j| format!("theta[{j}]")));
        names
    }
    fn constrain(&self, u: &[f64]) -> ppl_core::Result<Vec<f64>> {
        let mut values = u.to_vec();
        values[1] = u[1].exp();
        Ok(values)
    }
}

fn options(algorithm: AdviAlgorithm, seed: u64) -> AdviOptions {
    AdviOptions {
        algorithm,
        seed,
        ..AdviOptions::default()
    }
}

/// Mean-field ADVI on the funnel converges by Stan's rule but misses the funnel's neck: the
/// PSIS diagnostic (Yao et al. 2018) flags it.
#[test]
fn funnel_has_khat_above_0_7_and_a_warning() {
    for seed in [0, 1] {
        let fit = fit(
            &EightSchoolsCentred,
            &options(AdviAlgorithm::MeanField, seed),
        )
        .unwrap();
        assert!(fit.converged(), "seed {seed}: {fit}");
        assert!(fit.khat() > 0.7, "seed {seed}: khat {}", fit.khat());
        assert!(fit.khat_warning());
        assert!(
            fit.warnings
                .iter()
                .any(|w| w.starts_with("Pareto k-hat is") && w.contains("> 0.7")),
            "{:?}",
            fit.warnings
        );
        assert!(fit.to_string().contains("Warning: Pareto k-hat"));
        // Draws on the constrained scale: tau is positive.
        assert!(fit.draws.pooled("tau").unwrap().iter().all(|t| *t > 0.0));
    }
}

/// Seed 3: Stan's search picks eta = 100, the first steps send log tau so far down that tau
/// underflows to 0 and the gradient fails; those steps are rejected (back to the last good
/// approximation, step halved) and the fit still converges.
#[test]
fn failed_gradients_are_rejected_and_the_step_shrinks() {
    let fit = fit(&EightSchoolsCentred, &options(AdviAlgorithm::MeanField, 3)).unwrap();
    assert_eq!(fit.eta, 100.0);
    assert!(fit.rejected_steps > 0);
    assert!(fit.converged(), "{fit}");
}

/// Stan's buffer at max_iterations = 200 holds two relative changes, the first being 1: the
/// rule cannot fire, and the result says so.
#[test]
fn non_convergence_is_reported_plainly() {
    let options = AdviOptions {
        max_iterations: 200,
        ..options(AdviAlgorithm::FullRank, 0)
    };
    let fit = fit(&EightSchoolsCentred, &options).unwrap();
    assert_eq!(fit.status, AdviStatus::MaxIterations);
    assert!(!fit.converged());
    assert_eq!(fit.iterations, 200);
    assert_eq!(fit.elbo_trace.len(), 2);
    assert_eq!(
        fit.warnings[0],
        "ADVI did not converge: the maximum number of iterations (200) was reached before the \
         relative ELBO change fell below tol_rel_obj = 0.01; the approximation may be poor"
    );
    assert!(fit
        .to_string()
        .contains("DID NOT CONVERGE: stopped at max_iterations = 200"));
}

/// A density whose gradient fails almost everywhere: every step is rejected and the fit stops
/// as failed, without panicking.
struct GradientFailsAwayFromZero;

impl ppl_core::LogDensity for GradientFailsAwayFromZero {
    fn dim(&self) -> usize {
        5
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        Ok(-0.5 * u.iter().map(|x| x * x).sum::<f64>())
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        if u.iter().any(|x| x.abs() > 0.5) {
            return ppl_core::dist::normal_lpdf::<f64>(0.0, 0.0, -1.0);
        }
        for (g, x) in gradient.iter_mut().zip(u) {
            *g = -x;
        }
        self.log_density(u)
    }
}

#[test]
fn persistent_failures_end_the_fit_as_failed() {
    let options = AdviOptions {
        adapt_engaged: false,
        init: Init::Unconstrained(vec![0.0; 5]),
        ..AdviOptions::default()
    };
    let fit = fit(&GradientFailsAwayFromZero, &options).unwrap();
    let AdviStatus::Failed(reason) = &fit.status else {
        panic!("expected a failure, got {:?}", fit.status);
    };
    assert!(
        reason.starts_with("50 consecutive steps were rejected (last: normal: scale is -1"),
        "{reason}"
    );
    assert!(fit.rejected_steps >= 50);
    assert!(fit.mean.iter().all(|m| m.is_finite()));
    assert!(fit.warnings[0].starts_with("ADVI failed: 50 consecutive steps"));
}

#[test]
fn options_are_checked_with_stan_style_messages() {
    let check = |options: AdviOptions| fit(&EightSchoolsCentred, &options).unwrap_err().to_string();
    let defaults = AdviOptions::default;
    assert_eq!(
        check(AdviOptions {
            tol_rel_obj: -1.0,
            ..defaults()
        }),
        "advi: tol_rel_obj is -1, but must be positive"
    );
    assert_eq!(
        check(AdviOptions {
            eta: f64::INFINITY,
            ..defaults()
        }),
        "advi: eta is inf, but must be finite"
    );
    assert_eq!(
        check(AdviOptions {
            grad_samples: 0,
            ..defaults()
        }),
        "advi: grad_samples is 0, but must be at least 1"
    );
    assert_eq!(
        check(AdviOptions {
            output_samples: 1,
            ..defaults()
        }),
        "advi: output_samples is 1, but must be at least 2"
    );
    assert_eq!(
        check(AdviOptions {
            init: Init::Unconstrained(vec![0.0; 3]),
            ..defaults()
        }),
        "advi: init has size 3, but must have size 10"
    );
    assert_eq!(
        check(AdviOptions {
            init: Init::Random { radius: -1.0 },
            ..defaults()
        }),
        "advi: init radius is -1, but must be non-negative and finite"
    );
}

//! MAP with and without the Jacobian on a transformed parameter, the Laplace approximation (Hessian, covariance, draws, PSIS), and multi-start MAP finding two modes.

use ppl_infer::optimize::{
    laplace, map, multistart_map, Init, LaplaceOptions, MapOptions, MapTermination,
    MultistartOptions,
};

/// `sigma ~ gamma(3, 2)` (shape, rate) with `sigma = exp(u)`: the density of sigma peaks at
/// `(a − 1) / b = 1`, the density of u (Jacobian included) at `a / b = 1.5`, where its second
/// derivative is `−b e^u = −a = −3`.
struct GammaScale;

const SHAPE: f64 = 3.0;
const RATE: f64 = 2.0;

impl GammaScale {
    fn value_gradient(u: &[f64], gradient: &mut [f64], jacobian: bool) -> f64 {
        let log_jacobian = if jacobian { u[0] } else { 0.0 };
        gradient[0] = (SHAPE - 1.0) - RATE * u[0].exp() + if jacobian { 1.0 } else { 0.0 };
        (SHAPE - 1.0) * u[0] - RATE * u[0].exp() + log_jacobian
    }
}

impl ppl_core::LogDensity for GammaScale {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        Ok(Self::value_gradient(u, &mut [0.0], true))
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        Ok(Self::value_gradient(u, gradient, true))
    }
    fn log_density_gradient_no_jacobian(
        &self,
        u: &[f64],
        gradient: &mut [f64],
    ) -> ppl_core::Result<f64> {
        Ok(Self::value_gradient(u, gradient, false))
    }
    fn param_names(&self) -> Vec<String> {
        vec!["sigma".to_string(), "log_sigma".to_string()]
    }
    fn constrain(&self, u: &[f64]) -> ppl_core::Result<Vec<f64>> {
        Ok(vec![u[0].exp(), u[0]])
    }
}

#[test]
fn the_jacobian_moves_the_mode_as_in_stan() {
    let without = map(&GammaScale, &MapOptions::default()).unwrap();
    assert!(without.converged());
    assert!(
        (without.constrained[0] - 1.0).abs() < 1e-8,
        "{:?}",
        without.constrained
    );
    let with = map(
        &GammaScale,
        &MapOptions {
            jacobian: true,
            ..MapOptions::default()
        },
    )
    .unwrap();
    assert!((with.constrained[0] - 1.5).abs() < 1e-8);
    assert_eq!(with.constrained[1], with.unconstrained[0]);
    assert!(with.jacobian && !without.jacobian);
}

#[test]
fn laplace_uses_the_exact_curvature_at_the_mode() {
    let mode = map(
        &GammaScale,
        &MapOptions {
            jacobian: true,
            ..MapOptions::default()
        },
    )
    .unwrap();
    let fit = laplace(&GammaScale, &mode, &LaplaceOptions::default()).unwrap();
    assert!((fit.hessian[0] - -3.0).abs() < 1e-6, "{}", fit.hessian[0]);
    assert!((fit.covariance[0] - 1.0 / 3.0).abs() < 1e-6);
    assert_eq!(fit.draws.names, ["sigma", "log_sigma"]);
    assert_eq!(fit.draws.n_draws(), 1000);
    // log_sigma draws are N(log 1.5, 1/3): the mean within 4 MCSE, sigma = exp(log_sigma).
    let log_sigma = fit.draws.pooled("log_sigma").unwrap();
    let mean = log_sigma.iter().sum::<f64>() / 1000.0;
    let mcse = (1.0f64 / 3.0).sqrt() / 1000f64.sqrt();
    assert!((mean - 1.5f64.ln()).abs() < 4.0 * mcse, "{mean}");
    let sigma = fit.draws.pooled("sigma").unwrap();
    assert!(sigma
        .iter()
        .zip(&log_sigma)
        .all(|(s, l)| (s - l.exp()).abs() < 1e-12));
    // log g is the normalised normal density of the draw.
    let z = (log_sigma[0] - 1.5f64.ln()) * 3f64.sqrt();
    let log_g = -0.5 * z * z - 0.5 * (2.0 * std::f64::consts::PI / 3.0).ln();
    assert!((fit.log_g[0] - log_g).abs() < 1e-6);
    assert!(fit.khat() < 0.7, "{}", fit.khat());
    assert!(fit.warnings.is_empty(), "{:?}", fit.warnings);
    assert_eq!(fit.psis_resample(200, 0).n_draws(), 200);
}

#[test]
fn laplace_warns_when_the_mode_has_no_jacobian() {
    let mode = map(&GammaScale, &MapOptions::default()).unwrap();
    let fit = laplace(&GammaScale, &mode, &LaplaceOptions::default()).unwrap();
    assert!(fit.warnings[0].starts_with("the mode was found without the Jacobian"));
}

/// `0.7 N(−1.5, 0.5²) + 0.3 N(1.5, 0.5²)`: two modes, the left one higher.
struct Bimodal;

impl ppl_core::LogDensity for Bimodal {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        self.log_density_gradient(u, &mut [0.0])
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        let component = |weight: f64, mean: f64| {
            let z = (u[0] - mean) / 0.5;
            (weight.ln() - 0.5 * z * z, -z / 0.5)
        };
        let (left, left_slope) = component(0.7, -1.5);
        let (right, right_slope) = component(0.3, 1.5);
        let top = left.max(right);
        let (wl, wr) = ((left - top).exp(), (right - top).exp());
        gradient[0] = (wl * left_slope + wr * right_slope) / (wl + wr);
        Ok(top + (wl + wr).ln())
    }
}

#[test]
fn multistart_finds_both_modes() {
    let fit = multistart_map(&Bimodal, &MultistartOptions::default()).unwrap();
    assert_eq!(fit.runs.len(), 10);
    assert_eq!(fit.n_converged(), 10);
    assert_eq!(fit.modes.len(), 2, "{:?}", fit.modes);
    // Each mode is slightly pulled towards the other component.
    assert!((fit.modes[0].fit.unconstrained[0] - -1.5).abs() < 1e-3);
    assert!((fit.modes[1].fit.unconstrained[0] - 1.5).abs() < 1e-3);
    assert!(fit.modes[0].fit.log_density > fit.modes[1].fit.log_density);
    let members: usize = fit.modes.iter().map(|m| m.members.len()).sum();
    assert_eq!(members, 10);
    let ensemble = fit.ensemble_draws();
    assert_eq!(ensemble.n_draws(), 10);
    assert_eq!(ensemble.names, ["x[1]"]);
    // Seeded: the same modes again.
    let again = multistart_map(&Bimodal, &MultistartOptions::default()).unwrap();
    assert_eq!(again.modes, fit.modes);
}

#[test]
fn laplace_refuses_a_point_that_is_not_a_maximum() {
    let mut fit = map(
        &Bimodal,
        &MapOptions {
            init: Init::Unconstrained(vec![-1.0]),
            ..MapOptions::default()
        },
    )
    .unwrap();
    // The density's minimum between the modes.
    let mut low = -0.5;
    let mut high = 0.5;
    for _ in 0..100 {
        let middle = 0.5 * (low + high);
        let mut gradient = [0.0];
        ppl_core::LogDensity::log_density_gradient(&Bimodal, &[middle], &mut gradient).unwrap();
        if gradient[0] > 0.0 {
            high = middle;
        } else {
            low = middle;
        }
    }
    fit.unconstrained = vec![low];
    let message = laplace(&Bimodal, &fit, &LaplaceOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        message.starts_with("laplace: the negative Hessian at the mode is not positive definite"),
        "{message}"
    );
}

#[test]
fn options_are_checked() {
    let fit = map(&GammaScale, &MapOptions::default()).unwrap();
    let message = laplace(
        &GammaScale,
        &fit,
        &LaplaceOptions {
            draws: 0,
            ..LaplaceOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(message, "laplace: draws is 0, but must be at least 1");
    let message = multistart_map(
        &Bimodal,
        &MultistartOptions {
            starts: 0,
            ..MultistartOptions::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        message,
        "multistart_map: starts is 0, but must be at least 1"
    );
}

/// A 2-D Gaussian, means (1, −2), sds (1, 2), correlation 0.9: the Laplace approximation is
/// exact, so the covariance matches to finite-difference accuracy and the draws' covariance to
/// Monte Carlo error.
struct CorrelatedGaussian;

const RHO: f64 = 0.9;

impl ppl_core::LogDensity for CorrelatedGaussian {
    fn dim(&self) -> usize {
        2
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        self.log_density_gradient(u, &mut [0.0; 2])
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        let z = [u[0] - 1.0, (u[1] + 2.0) / 2.0];
        let one_minus_rho2 = 1.0 - RHO * RHO;
        gradient[0] = -(z[0] - RHO * z[1]) / one_minus_rho2;
        gradient[1] = -(z[1] - RHO * z[0]) / one_minus_rho2 / 2.0;
        Ok(-0.5 * (z[0] * z[0] - 2.0 * RHO * z[0] * z[1] + z[1] * z[1]) / one_minus_rho2)
    }
}

#[test]
fn laplace_is_exact_for_a_correlated_gaussian() {
    let mode = map(&CorrelatedGaussian, &MapOptions::default()).unwrap();
    assert!((mode.unconstrained[0] - 1.0).abs() < 1e-7);
    assert!((mode.unconstrained[1] + 2.0).abs() < 1e-7);
    let fit = laplace(&CorrelatedGaussian, &mode, &LaplaceOptions::default()).unwrap();
    let truth = [1.0, 1.8, 1.8, 4.0];
    for (got, want) in fit.covariance.iter().zip(truth) {
        assert!((got - want).abs() < 1e-6, "{got} vs {want}");
    }
    let x = fit.draws.pooled("x[1]").unwrap();
    let y = fit.draws.pooled("x[2]").unwrap();
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov = x
        .iter()
        .zip(&y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (n - 1.0);
    // sd of a sample covariance of a bivariate normal: √((σ_xy² + σ_x² σ_y²) / n).
    let cov_se = ((1.8f64 * 1.8 + 4.0) / n).sqrt();
    assert!((cov - 1.8).abs() < 4.0 * cov_se, "{cov}");
    assert!((mx - 1.0).abs() < 4.0 / n.sqrt());
    assert!((my + 2.0).abs() < 4.0 * 2.0 / n.sqrt());
}

/// `N(0.9, 0.1²)` whose log density fails for `u ≥ 1`: from −1 the first L-BFGS trial step
/// (along the gradient, 190) lands where the model fails.
struct FailsAboveOne;

impl ppl_core::LogDensity for FailsAboveOne {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        self.log_density_gradient(u, &mut [0.0])
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        if u[0] >= 1.0 {
            return ppl_core::dist::normal_lpdf::<f64>(0.0, 0.0, -1.0);
        }
        gradient[0] = -(u[0] - 0.9) / 0.01;
        Ok(-0.5 * (u[0] - 0.9).powi(2) / 0.01)
    }
}

#[test]
fn a_failed_line_search_restarts_with_a_shorter_step() {
    let options = MapOptions {
        init: Init::Unconstrained(vec![-1.0]),
        ..MapOptions::default()
    };
    let fit = map(&FailsAboveOne, &options).unwrap();
    assert!(fit.converged(), "{}", fit.termination);
    assert!((fit.unconstrained[0] - 0.9).abs() < 1e-8);
}

/// `log p(u) = u`, failing everywhere except at 0: every line search fails.
struct FailsAwayFromZero;

impl ppl_core::LogDensity for FailsAwayFromZero {
    fn dim(&self) -> usize {
        1
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        self.log_density_gradient(u, &mut [0.0])
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        if u[0] != 0.0 {
            return ppl_core::dist::normal_lpdf::<f64>(0.0, 0.0, -1.0);
        }
        gradient[0] = 1.0;
        Ok(u[0])
    }
}

#[test]
fn persistent_line_search_failures_are_reported_not_raised() {
    let options = MapOptions {
        init: Init::Unconstrained(vec![0.0]),
        ..MapOptions::default()
    };
    let fit = map(&FailsAwayFromZero, &options).unwrap();
    assert!(!fit.converged());
    let MapTermination::Stopped(reason) = &fit.termination else {
        panic!("{:?}", fit.termination);
    };
    assert!(reason.starts_with("Line search terminated"), "{reason}");
    assert!(reason.contains("normal: scale is -1"), "{reason}");
    assert_eq!(fit.unconstrained, vec![0.0]);
}

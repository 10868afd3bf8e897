//! NUTS on a `Model` (the trait `model!` generates; gradient by forward-mode dual numbers through the blanket `LogDensity` impl): a normal with unknown mean and scale against quadrature.

mod nuts_support;

use nuts_support::{assert_mean_within_5_mcse, map_series};
use ppl_core::dist::normal_lpdf;
use ppl_core::{Dual, Model, Real, SparseDual, SPARSE_CAPACITY};
use ppl_infer::nuts::{sample, NutsOptions};

/// `y ~ normal(mu, sigma)`, `mu ~ normal(0, 10)`, `sigma ~ exponential(1)`, with
/// `sigma = exp(u₂)` (log-Jacobian `u₂`), written once generically as `model!` would.
struct NormalUnknownScale {
    y: Vec<f64>,
}

impl NormalUnknownScale {
    fn log_density<T: Real>(&self, u: &[T], jacobian: bool) -> ppl_core::Result<T> {
        let mu = u[0];
        let sigma = u[1].exp();
        let mut lp: T = normal_lpdf(&self.y, mu, sigma)?;
        lp = lp + normal_lpdf::<T>(mu, 0.0, 10.0)? - sigma;
        if jacobian {
            lp += u[1];
        }
        Ok(lp)
    }
}

impl Model for NormalUnknownScale {
    fn dim(&self) -> usize {
        2
    }

    fn log_density_f64(&self, u: &[f64], jacobian: bool) -> ppl_core::Result<f64> {
        self.log_density(u, jacobian)
    }

    fn log_density_dual<const N: usize>(
        &self,
        u: &[Dual<N>],
        jacobian: bool,
    ) -> ppl_core::Result<Dual<N>> {
        self.log_density(u, jacobian)
    }

    fn log_density_sparse(
        &self,
        u: &[SparseDual<SPARSE_CAPACITY>],
        jacobian: bool,
    ) -> ppl_core::Result<SparseDual<SPARSE_CAPACITY>> {
        self.log_density(u, jacobian)
    }

    fn param_names(&self) -> Vec<String> {
        vec!["mu".into(), "sigma".into()]
    }

    fn constrain(&self, u: &[f64]) -> ppl_core::Result<Vec<f64>> {
        Ok(vec![u[0], u[1].exp()])
    }

    fn unconstrain(&self, constrained: &[f64]) -> ppl_core::Result<Vec<f64>> {
        Ok(vec![constrained[0], constrained[1].ln()])
    }
}

#[test]
fn normal_with_unknown_scale_matches_quadrature() {
    let model = NormalUnknownScale {
        y: vec![2.1, -0.3, 1.7, 3.2, 0.8, 1.1, 2.6, -0.5, 1.9, 1.4],
    };
    let options = NutsOptions {
        seed: 2024,
        progress: false,
        ..NutsOptions::default()
    };
    let fit = sample(&model, &options).unwrap();
    assert_eq!(fit.draws.names, vec!["mu".to_string(), "sigma".to_string()]);
    assert_eq!(fit.divergences, 0);
    // Posterior means and variances by quadrature on a 1601 × 2401 grid over
    // mu ∈ [−3, 5], sigma ∈ (0, 6] (numpy 2.4 / scipy.stats 1.17 norm.logpdf, expon.logpdf).
    let (mu_mean, mu_variance) = (1.3976558945507938, 0.16733947744382366);
    let (sigma_mean, sigma_variance) = (1.2565068171804845, 0.09830026322041964);
    let mu = fit.draws.column("mu").unwrap();
    let sigma = fit.draws.column("sigma").unwrap();
    assert_mean_within_5_mcse("mean of mu", &mu, mu_mean);
    assert_mean_within_5_mcse("mean of sigma", &sigma, sigma_mean);
    let mu_squares = map_series(&mu, |v| (v - mu_mean).powi(2));
    let sigma_squares = map_series(&sigma, |v| (v - sigma_mean).powi(2));
    assert_mean_within_5_mcse("variance of mu", &mu_squares, mu_variance);
    assert_mean_within_5_mcse("variance of sigma", &sigma_squares, sigma_variance);
}

//! MAP by L-BFGS on the bench logistic regression (N = 2000, D = 20) against scipy, with the termination reported.

use ppl_infer::optimize::{map, Init, MapOptions, MapTermination};

/// The bench data, `tests/data/bench/logistic_regression.json` (a byte-identical copy of
/// `bench/data/logistic_regression.json`), read without a JSON crate: the numbers of one key.
fn numbers(text: &str, key: &str) -> Vec<f64> {
    let start = text.find(&format!("\"{key}\"")).expect("key") + key.len() + 2;
    let rest = text[start..]
        .trim_start()
        .trim_start_matches(':')
        .trim_start();
    let end = if rest.starts_with('[') {
        let mut depth = 0;
        rest.char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '[' => 1,
                    ']' => -1,
                    _ => 0,
                };
                depth == 0
            })
            .expect("closing bracket")
            .0
    } else {
        rest.find([',', '}']).expect("end of number")
    };
    rest[..end]
        .split(|c: char| c == '[' || c == ']' || c == ',' || c.is_whitespace())
        .filter(|token| !token.is_empty())
        .map(|token| token.parse().expect("number"))
        .collect()
}

/// `alpha ~ normal(0, 5)`, `beta ~ normal(0, 2.5)`, `y ~ bernoulli_logit(alpha + x * beta)`,
/// with its analytic gradient; `u = (alpha, beta[1..D])`.
struct LogisticRegression {
    x: Vec<f64>,
    y: Vec<f64>,
    n: usize,
    d: usize,
}

impl LogisticRegression {
    fn load() -> Self {
        let text = include_str!("data/bench/logistic_regression.json");
        let n = numbers(text, "N")[0] as usize;
        let d = numbers(text, "D")[0] as usize;
        let x = numbers(text, "x");
        let y = numbers(text, "y");
        assert_eq!((x.len(), y.len()), (n * d, n));
        Self { x, y, n, d }
    }
}

impl ppl_core::LogDensity for LogisticRegression {
    fn dim(&self) -> usize {
        self.d + 1
    }
    fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> {
        let mut gradient = vec![0.0; self.dim()];
        self.log_density_gradient(u, &mut gradient)
    }
    fn log_density_gradient(&self, u: &[f64], gradient: &mut [f64]) -> ppl_core::Result<f64> {
        let (alpha, beta) = (u[0], &u[1..]);
        let mut lp = -0.5 * (alpha / 5.0).powi(2)
            - 0.5 * beta.iter().map(|b| (b / 2.5).powi(2)).sum::<f64>();
        gradient[0] = -alpha / 25.0;
        for (g, b) in gradient[1..].iter_mut().zip(beta) {
            *g = -b / 6.25;
        }
        for i in 0..self.n {
            let row = &self.x[i * self.d..(i + 1) * self.d];
            let eta = alpha + row.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
            // y η − log(1 + e^η), stably.
            let log1p_exp = if eta > 0.0 {
                eta + (-eta).exp().ln_1p()
            } else {
                eta.exp().ln_1p()
            };
            lp += self.y[i] * eta - log1p_exp;
            let residual = self.y[i] - 1.0 / (1.0 + (-eta).exp());
            gradient[0] += residual;
            for (g, x) in gradient[1..].iter_mut().zip(row) {
                *g += residual * x;
            }
        }
        Ok(lp)
    }
    fn param_names(&self) -> Vec<String> {
        let mut names = vec!["alpha".to_string()];
        names.extend((1..=self.d).map(|j| format!("beta[{j}]")));
        names
    }
}

/// The posterior mode from scipy 1.17.1 (numpy 2.4.6):
/// ```python
/// X = np.array(d['x']); y = np.array(d['y'])            # the same JSON file
/// def f(t):   # negative log posterior (constants dropped) and its gradient
///     a, b = t[0], t[1:]; eta = a + X @ b; p = 1 / (1 + np.exp(-eta))
///     lp = -0.5*(a/5)**2 - 0.5*np.sum((b/2.5)**2) + np.sum(y*eta - np.logaddexp(0, eta))
///     return -lp, -np.concatenate([[np.sum(y-p) - a/25], X.T @ (y-p) - b/6.25])
/// r = scipy.optimize.minimize(f, np.zeros(21), jac=True, hess=hess, method='trust-exact',
///                             options={'gtol': 1e-13})    # hess: the analytic Hessian
/// # max |gradient| at r.x: 1.7e-10
/// ```
const SCIPY_MODE: [f64; 21] = [
    0.5050376406463134,
    0.4213602056927423,
    -1.0190425774926255,
    0.9153583381455666,
    1.0232230374228608,
    -0.7356270740756562,
    1.85308599727183,
    -0.6299798734257889,
    -1.7939574663004212,
    -1.2495041357060919,
    1.0595755570495689,
    0.3205626434145509,
    0.3746235383640924,
    -0.8609984414520272,
    2.8273775053765946,
    0.011570915121781905,
    -0.49180866970270504,
    1.5403828571959992,
    1.6259946000042171,
    -0.9927267385016941,
    0.6441825865001867,
];

#[test]
fn map_matches_scipy_to_1e_6() {
    let model = LogisticRegression::load();
    for seed in 0..3 {
        let fit = map(
            &model,
            &MapOptions {
                seed,
                ..MapOptions::default()
            },
        )
        .unwrap();
        assert_eq!(fit.termination, MapTermination::Converged, "seed {seed}");
        assert!(fit.converged());
        assert!(
            fit.iterations > 5 && fit.iterations < 2000,
            "{}",
            fit.iterations
        );
        assert!(fit.evaluations as u64 > fit.iterations);
        for (j, (got, want)) in fit.unconstrained.iter().zip(SCIPY_MODE).enumerate() {
            assert!(
                (got - want).abs() < 1e-6,
                "seed {seed}, {}: {got} vs {want}",
                fit.names[j]
            );
        }
        assert_eq!(fit.constrained, fit.unconstrained);
        assert_eq!(fit.names[0], "alpha");
        assert_eq!(fit.names[20], "beta[20]");
        // Stopped by tol_obj (log density change < 1e-12) with a gradient norm of ~6e-6:
        // 3e-8 from scipy's mode in every coordinate.
        assert!(fit.gradient_norm < 1e-4, "{}", fit.gradient_norm);
        // scipy's -r.fun, the log posterior at the mode without constants.
        assert!((fit.log_density - -439.16455171227796).abs() < 1e-8);
    }
}

#[test]
fn max_iterations_is_reported_as_non_convergence() {
    let model = LogisticRegression::load();
    let options = MapOptions {
        max_iterations: 3,
        init: Init::Unconstrained(vec![0.0; 21]),
        ..MapOptions::default()
    };
    let fit = map(&model, &options).unwrap();
    assert_eq!(fit.termination, MapTermination::MaxIterations);
    assert!(!fit.converged());
    assert_eq!(fit.iterations, 3);
    assert_eq!(
        fit.termination.to_string(),
        "did not converge: maximum iterations reached"
    );
}

#[test]
fn options_are_checked() {
    let model = LogisticRegression::load();
    let message = |options: MapOptions| map(&model, &options).unwrap_err().to_string();
    assert_eq!(
        message(MapOptions {
            tol_grad: -1.0,
            ..MapOptions::default()
        }),
        "map: tol_grad is -1, but must be positive and finite"
    );
    assert_eq!(
        message(MapOptions {
            max_iterations: 0,
            ..MapOptions::default()
        }),
        "map: max_iterations is 0, but must be at least 1"
    );
    assert_eq!(
        message(MapOptions {
            init: Init::Unconstrained(vec![0.0; 2]),
            ..MapOptions::default()
        }),
        "map: init has size 2, but must have size 21"
    );
}

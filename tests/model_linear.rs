//! A model with only unconstrained parameters: vector arithmetic, loops, derived quantities, JSON data, checks of the generated `Model`.

use ppl::core::{finite_difference_gradient, LogDensity, Matrix, Model};

ppl::model! {
    /// Linear regression with known noise scale.
    pub struct Linear {
        N: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(lower = 0.0)]
        sigma: f64,
    }
    alpha ~ normal(0.0, 10.0);
    beta[2] ~ std_normal();
    derived mu = alpha + beta[0] * x + beta[1] * x;
    y ~ normal(mu, sigma);
}

fn main_data() -> Linear {
    Linear::new(3, vec![0.0, 1.0, 2.0], vec![0.5, 1.5, 2.0], 1.5).unwrap()
}

#[test]
fn layout_and_names() {
    let model = main_data();
    assert_eq!(Model::dim(&model), 3);
    assert_eq!(
        Model::param_names(&model),
        vec!["alpha", "beta[1]", "beta[2]", "mu[1]", "mu[2]", "mu[3]"]
    );
}

#[test]
fn log_density_matches_hand_computation() {
    let model = main_data();
    let u = [0.3, -0.2, 0.7];
    let lp = model.log_density_f64(&u, true).unwrap();
    let (alpha, b0, b1) = (u[0], u[1], u[2]);
    let mut expected = -0.5 * (alpha / 10.0).powi(2) - 0.5 * b0 * b0 - 0.5 * b1 * b1;
    for (x, y) in [0.0, 1.0, 2.0].iter().zip([0.5, 1.5, 2.0]) {
        let mu = alpha + (b0 + b1) * x;
        expected += -0.5 * ((y - mu) / 1.5f64).powi(2);
    }
    // As Stan's `~`, the statements drop `−ln σ`: the scales (literal 10, data field 1.5) are
    // data.
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

#[test]
fn gradient_matches_finite_differences() {
    let model = main_data();
    let u = [0.3, -0.2, 0.7];
    let mut gradient = vec![0.0; 3];
    model.log_density_gradient(&u, &mut gradient).unwrap();
    let expected =
        finite_difference_gradient(|v| model.log_density_f64(v, true), &u, 1e-6).unwrap();
    for (g, e) in gradient.iter().zip(&expected) {
        assert!((g - e).abs() < 1e-6 * e.abs().max(1.0), "{g} vs {e}");
    }
}

#[test]
fn constrain_reports_derived_and_round_trips() {
    let model = main_data();
    let u = [0.3, -0.2, 0.7];
    let constrained = Model::constrain(&model, &u).unwrap();
    assert_eq!(constrained.len(), 6);
    assert!((constrained[4] - (0.3 + 0.5)).abs() < 1e-15);
    let back = Model::unconstrain(&model, &constrained).unwrap();
    assert_eq!(back, u.to_vec());
}

#[test]
fn json_and_validation() {
    let model = Linear::from_json(r#"{"N": 2, "x": [1, 2], "y": [0.5, 1.0], "sigma": 2}"#).unwrap();
    assert_eq!(Model::dim(&model), 3);
    let err =
        Linear::from_json(r#"{"N": 3, "x": [1, 2], "y": [0.5, 1.0], "sigma": 2}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Linear: data x has length 2, but must have length 3 (N)"
    );
    let err = Linear::new(1, vec![1.0], vec![1.0], -1.0).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Linear: data sigma is -1, but must be >= 0"
    );
    let err = Linear::from_json(r#"{"N": 1, "x": [1], "y": [1]}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Linear: data sigma is missing from the JSON data"
    );
}

ppl::model! {
    /// `~` over `alpha + X * beta` with a data matrix: generated as the GLM densities.
    pub struct MatrixGlms {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
        #[data(size = N)]
        counts: Vec<i64>,
    }
    alpha ~ normal(0.0, 2.0);
    beta[K] ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ exponential(1.0);
    y ~ normal(alpha + X * beta, sigma);
    successes ~ bernoulli_logit(X * beta + alpha);
    counts ~ poisson_log((X * beta));
}

ppl::model! {
    /// The same model with `X` rebound first, so that `X * beta` is an ordinary product.
    pub struct MatrixProducts {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
        #[data(size = N)]
        counts: Vec<i64>,
    }
    alpha ~ normal(0.0, 2.0);
    beta[K] ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ exponential(1.0);
    let X = X;
    y ~ normal(alpha + X * beta, sigma);
    successes ~ bernoulli_logit(X * beta + alpha);
    counts ~ poisson_log((X * beta));
}

ppl::model! {
    /// The same model over a transformed-data matrix (standardised predictors, say): also
    /// generated as the GLM densities.
    pub struct TransformedMatrixGlms {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
        #[data(size = N)]
        counts: Vec<i64>,
    }
    data Xt: Matrix<f64> = X.clone();
    alpha ~ normal(0.0, 2.0);
    beta[K] ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ exponential(1.0);
    y ~ normal(alpha + Xt * beta, sigma);
    successes ~ bernoulli_logit(Xt * beta + alpha);
    counts ~ poisson_log((Xt * beta));
}

#[test]
fn glm_shaped_statements_match_the_plain_densities() {
    let rows = vec![
        vec![0.5, -1.0, 0.2],
        vec![1.5, 0.3, -0.7],
        vec![-0.4, 0.8, 1.1],
        vec![0.0, -0.2, 0.6],
    ];
    let x = Matrix::from_rows(&rows).unwrap();
    let y = vec![0.3, 1.2, -0.5, 0.8];
    let successes = vec![1, 0, 1, 1];
    let counts = vec![0, 3, 1, 2];
    let glm = MatrixGlms::new(
        4,
        3,
        x.clone(),
        y.clone(),
        successes.clone(),
        counts.clone(),
    )
    .unwrap();
    let transformed = TransformedMatrixGlms::new(
        4,
        3,
        x.clone(),
        y.clone(),
        successes.clone(),
        counts.clone(),
    )
    .unwrap();
    let plain = MatrixProducts::new(4, 3, x, y, successes, counts).unwrap();
    // GLM densities make sparse tangents the faster gradient (`GradientMode::Auto`).
    assert!(glm.prefers_sparse_gradient());
    assert!(transformed.prefers_sparse_gradient());
    assert!(!plain.prefers_sparse_gradient());
    let u = [0.2, -0.4, 0.9, 0.1, -0.3];
    let lp_plain = plain.log_density_f64(&u, true).unwrap();
    for lp_glm in [
        glm.log_density_f64(&u, true).unwrap(),
        transformed.log_density_f64(&u, true).unwrap(),
    ] {
        // The GLM lupmf/lupdf drop the same data-only terms as the plain densities.
        assert!((lp_glm - lp_plain).abs() < 1e-12, "{lp_glm} vs {lp_plain}");
    }
    for mode in [ppl::GradientMode::Dense, ppl::GradientMode::Sparse] {
        let plain = plain.clone().with_gradient_mode(mode);
        let mut g_plain = vec![0.0; 5];
        plain.log_density_gradient(&u, &mut g_plain).unwrap();
        let (mut g_glm, mut g_transformed) = (vec![0.0; 5], vec![0.0; 5]);
        let glm = glm.clone().with_gradient_mode(mode);
        glm.log_density_gradient(&u, &mut g_glm).unwrap();
        let transformed = transformed.clone().with_gradient_mode(mode);
        transformed
            .log_density_gradient(&u, &mut g_transformed)
            .unwrap();
        for ((a, t), b) in g_glm.iter().zip(&g_transformed).zip(&g_plain) {
            assert_eq!(a, t, "{mode:?}");
            assert!(
                (a - b).abs() < 1e-12 * b.abs().max(1.0),
                "{mode:?}: {a} vs {b}"
            );
        }
    }
}

ppl::model! {
    /// A GLM-shaped normal likelihood with a data scale.
    pub struct GlmDataScale {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(lower = 0.0)]
        s: f64,
    }
    alpha ~ normal(0.0, 2.0);
    beta[K] ~ normal(0.0, 1.0);
    y ~ normal(alpha + X * beta, s);
}

ppl::model! {
    /// The same with `X` rebound, so that the plain `normal` density is used.
    pub struct ProductDataScale {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(lower = 0.0)]
        s: f64,
    }
    alpha ~ normal(0.0, 2.0);
    beta[K] ~ normal(0.0, 1.0);
    let X = X;
    y ~ normal(alpha + X * beta, s);
}

#[test]
fn glm_and_plain_normal_drop_the_same_data_scale_terms() {
    let x = Matrix::from_rows(&[vec![0.5, -1.0], vec![1.5, 0.3], vec![-0.4, 0.8]]).unwrap();
    let y = vec![0.3, 1.2, -0.5];
    let glm = GlmDataScale::new(3, 2, x.clone(), y.clone(), 1.7).unwrap();
    let plain = ProductDataScale::new(3, 2, x, y.clone(), 1.7).unwrap();
    let u = [0.2, -0.4, 0.9];
    let lp_glm = glm.log_density_f64(&u, true).unwrap();
    let lp_plain = plain.log_density_f64(&u, true).unwrap();
    // Both drop `−N ln s` (and the priors' `ln` of their literal scales), as Stan's `~`.
    let eta = |n: usize, row: [f64; 2]| u[0] + row[0] * u[1] + row[1] * u[2] - y[n];
    let rows = [[0.5, -1.0], [1.5, 0.3], [-0.4, 0.8]];
    let expected = -0.5 * (u[0] / 2.0f64).powi(2)
        - 0.5 * (u[1] * u[1] + u[2] * u[2])
        - (0..3)
            .map(|n| 0.5 * (eta(n, rows[n]) / 1.7).powi(2))
            .sum::<f64>();
    assert!((lp_glm - expected).abs() < 1e-12, "{lp_glm} vs {expected}");
    assert!(
        (lp_plain - expected).abs() < 1e-12,
        "{lp_plain} vs {expected}"
    );
}

//! Models from the Stan User's Guide written with `model!` as a Stan user would, each checked against a log-density and gradient computed independently in `f64`.

mod common;

use common::hand::{assert_close, check_against_hand};

use ppl::core::{Matrix, Model, Vector};
use ppl::Real;

ppl::model! {
    /// UG 1.1 linear regression on a design matrix, flat priors (Stan:
    /// `y ~ normal(x * beta + alpha, sigma)`).
    pub struct MultipleRegression {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        x: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    alpha: real;
    beta: vector[K];
    sigma: real<lower = 0>;
    y ~ normal(x * beta + alpha, sigma);
}

ppl::model! {
    /// UG 1.13 multilevel logistic regression, varying intercepts with Stan's affine
    /// (non-centring) transform: vectorised over a gathered index.
    pub struct VaryingInterceptLogit {
        N: usize,
        J: usize,
        #[data(size = N, upper = J)]
        jj: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        y: Vec<i64>,
    }
    mu_alpha ~ normal(0.0, 1.0);
    sigma_alpha: real<lower = 0.0> ~ normal(0.0, 1.0);
    alpha: vector<offset = mu_alpha, multiplier = sigma_alpha>[J] ~ normal(mu_alpha, sigma_alpha);
    beta ~ normal(0.0, 2.5);
    y ~ bernoulli_logit(alpha.gather(jj)? + beta * x);
}

ppl::model! {
    /// The same model with Stan's loop over observations.
    pub struct VaryingInterceptLogitLoop {
        N: usize,
        J: usize,
        #[data(size = N, upper = J)]
        jj: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 0, upper = 1)]
        y: Vec<i64>,
    }
    mu_alpha ~ normal(0.0, 1.0);
    sigma_alpha: real<lower = 0.0> ~ normal(0.0, 1.0);
    alpha: vector<offset = mu_alpha, multiplier = sigma_alpha>[J] ~ normal(mu_alpha, sigma_alpha);
    beta ~ normal(0.0, 2.5);
    for n in 0..N {
        y[n] ~ bernoulli_logit(alpha[jj[n]] + beta * x[n]);
    }
}

ppl::model! {
    /// UG 1.5 Poisson regression with an exposure offset:
    /// `y ~ poisson_log(log(exposure) + alpha + X * beta)`.
    pub struct PoissonExposure {
        N: usize,
        K: usize,
        #[data(size = (N, K))]
        X: Matrix<f64>,
        #[data(size = N, lower = 0.0)]
        exposure: Vec<f64>,
        #[data(size = N, lower = 0)]
        y: Vec<i64>,
    }
    data log_exposure: Vec<f64> = exposure.iter().map(|e| e.ln()).collect();
    alpha ~ normal(0.0, 5.0);
    beta: vector[K] ~ normal(0.0, 1.0);
    y ~ poisson_log(log_exposure + alpha + X * beta);
}

ppl::model! {
    /// UG 7.2 change point model (coal mining disasters), the switch point marginalised
    /// out with `log_sum_exp`.
    pub struct ChangePoint {
        #[data(lower = 0.0)]
        r_e: f64,
        #[data(lower = 0.0)]
        r_l: f64,
        T: usize,
        #[data(size = T, lower = 0)]
        D: Vec<i64>,
    }
    e: real<lower = 0.0> ~ exponential(r_e);
    l: real<lower = 0.0> ~ exponential(r_l);
    let log_unif = -(T as f64).ln();
    let mut lp = vec![T::constant(log_unif); T];
    for s in 0..T {
        for t in 0..T {
            lp[s] += poisson_lpmf(D[t], if t < s { e } else { l })?;
        }
    }
    target += log_sum_exp(&lp);
}

ppl::model! {
    /// UG 5.6 zero-inflated Poisson, flat priors.
    pub struct ZeroInflatedPoisson {
        N: usize,
        #[data(size = N, lower = 0)]
        y: Vec<i64>,
    }
    theta: real<lower = 0.0, upper = 1.0>;
    lambda: real<lower = 0.0>;
    for n in 0..N {
        if y[n] == 0 {
            target += log_sum_exp2(
                bernoulli_lpmf(1, theta)?,
                bernoulli_lpmf(0, theta)? + poisson_lpmf(y[n], lambda)?,
            );
        } else {
            target += bernoulli_lpmf(0, theta)? + poisson_lpmf(y[n], lambda)?;
        }
    }
}

ppl::model! {
    /// UG 3.1 AR(1), vectorised over the lagged series, with a stationary prior on `beta`.
    pub struct Ar1 {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    alpha ~ normal(0.0, 2.0);
    beta: real<lower = -1.0, upper = 1.0>;
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    data y_lagged: Vec<f64> = y[..N - 1].to_vec();
    y[1..N] ~ normal(alpha + beta * y_lagged, sigma);
}

ppl::model! {
    /// The same AR(1) with a loop over t.
    pub struct Ar1Loop {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    alpha ~ normal(0.0, 2.0);
    beta: real<lower = -1.0, upper = 1.0>;
    sigma: real<lower = 0.0> ~ cauchy(0.0, 2.5);
    for t in 1..N {
        y[t] ~ normal(alpha + beta * y[t - 1], sigma);
    }
}

ppl::model! {
    /// UG 6.1 regression with a measurement-error covariate.
    pub struct MeasurementError {
        N: usize,
        #[data(size = N)]
        x_meas: Vec<f64>,
        #[data(lower = 0.0)]
        tau: f64,
        #[data(size = N)]
        y: Vec<f64>,
    }
    x: vector[N];
    mu_x: real;
    sigma_x: real<lower = 0.0>;
    alpha: real;
    beta: real;
    sigma: real<lower = 0.0>;
    x ~ normal(mu_x, sigma_x);
    x_meas ~ normal(x, tau);
    y ~ normal(alpha + beta * x, sigma);
    alpha ~ normal(0.0, 10.0);
    beta ~ normal(0.0, 10.0);
    sigma ~ cauchy(0.0, 5.0);
    mu_x ~ normal(0.0, 10.0);
    sigma_x ~ cauchy(0.0, 5.0);
}

ppl::model! {
    /// Dirichlet–multinomial: a simplex parameter with a Dirichlet prior.
    pub struct DirichletMultinomial {
        K: usize,
        #[data(size = K, lower = 0.0)]
        alpha: Vec<f64>,
        #[data(size = K, lower = 0)]
        y: Vec<i64>,
    }
    theta: simplex[K] ~ dirichlet(alpha);
    y ~ multinomial(theta);
}

/// Stan's `ordered_logistic_lpmf(k | eta, c)` for one outcome `k` (0-based here), written as a
/// user function generic over the scalar. (ppl now has `ordered_logistic`; a user function
/// must not take a built-in density's name, which the model body's imports would hide.)
fn ordered_logistic_by_hand_lpmf<T: Real>(k: usize, eta: T, cutpoints: &Vector<T>) -> T {
    let last = cutpoints.len();
    if k == 0 {
        (eta - cutpoints[0]).log1m_inv_logit()
    } else if k == last {
        (eta - cutpoints[last - 1]).inv_logit().ln()
    } else {
        ((eta - cutpoints[k - 1]).inv_logit() - (eta - cutpoints[k]).inv_logit()).ln()
    }
}

ppl::model! {
    /// UG 1.8 ordered logistic regression with an `ordered` cutpoint parameter and a
    /// user-defined Rust log-mass.
    pub struct OrderedLogistic {
        N: usize,
        #[data(lower = 2)]
        K: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, upper = K)]
        y: Vec<usize>,
    }
    beta ~ normal(0.0, 5.0);
    c: ordered[K - 1];
    for n in 0..N {
        target += ordered_logistic_by_hand_lpmf(y[n], beta * x[n], c);
    }
}

// ---------------------------------------------------------------------------------------------
// Independent references: each model's log density written out in `f64`, and its gradient
// either by hand or by Richardson-extrapolated central differences of that hand formula.

fn inv_logit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `ln n!` by summation (exact enough for the small counts used here).
fn ln_factorial(n: i64) -> f64 {
    (2..=n).map(|k| (k as f64).ln()).sum()
}

fn log_sum_exp_f64(values: &[f64]) -> f64 {
    let max = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

// ---------------------------------------------------------------------------------------------
// Linear regression.

const REGRESSION_X: [[f64; 2]; 5] = [
    [1.0, 0.5],
    [-0.3, 1.2],
    [0.8, -1.1],
    [2.0, 0.1],
    [-1.5, -0.4],
];
const REGRESSION_Y: [f64; 5] = [1.1, 0.4, -0.7, 2.3, -1.9];

fn regression_x() -> Matrix<f64> {
    Matrix::from_rows(&REGRESSION_X.map(|row| row.to_vec())).unwrap()
}

/// `u = (alpha, beta[1], beta[2], ln sigma)`: flat priors, `−N ln σ` kept (σ is a parameter),
/// log-Jacobian `ln σ`.
fn regression_by_hand(u: &[f64]) -> (f64, f64) {
    let sigma = u[3].exp();
    let lp: f64 = (0..5)
        .map(|n| {
            let mu = u[0] + REGRESSION_X[n][0] * u[1] + REGRESSION_X[n][1] * u[2];
            -0.5 * ((REGRESSION_Y[n] - mu) / sigma).powi(2) - sigma.ln()
        })
        .sum();
    (lp + u[3], u[3])
}

fn regression_gradient_by_hand(u: &[f64]) -> Vec<f64> {
    let sigma = u[3].exp();
    let mut gradient = vec![0.0; 4];
    for n in 0..5 {
        let mu = u[0] + REGRESSION_X[n][0] * u[1] + REGRESSION_X[n][1] * u[2];
        let scaled = (REGRESSION_Y[n] - mu) / (sigma * sigma);
        gradient[0] += scaled;
        gradient[1] += scaled * REGRESSION_X[n][0];
        gradient[2] += scaled * REGRESSION_X[n][1];
        // d/d(ln σ) of −½ r²/σ² − ln σ
        gradient[3] += (REGRESSION_Y[n] - mu).powi(2) / (sigma * sigma) - 1.0;
    }
    gradient[3] += 1.0;
    gradient
}

#[test]
fn multiple_regression_matches_hand_computation() {
    let model = MultipleRegression::new(5, 2, regression_x(), REGRESSION_Y.to_vec()).unwrap();
    assert_eq!(Model::dim(&model), 4);
    assert_eq!(
        model.param_names(),
        vec!["alpha", "beta[1]", "beta[2]", "sigma"]
    );
    // `X * beta + alpha` on a data matrix is generated as `normal_id_glm`.
    assert!(model.prefers_sparse_gradient());
    for u in [[0.3, 0.8, -0.4, -0.2], [-1.0, 0.1, 0.6, 0.5]] {
        check_against_hand(
            |mode| model.clone().with_gradient_mode(mode),
            &u,
            regression_by_hand,
            Some(&regression_gradient_by_hand(&u)),
            1e-10,
        );
        assert_eq!(
            model.constrain(&u).unwrap(),
            vec![u[0], u[1], u[2], u[3].exp()]
        );
    }
    let round_trip = model.unconstrain(&[0.3, 0.8, -0.4, 0.25]).unwrap();
    assert_close(round_trip[3], 0.25f64.ln(), 1e-15, "unconstrained sigma");
    assert!(model.unconstrain(&[0.3, 0.8, -0.4, -1.0]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Varying intercepts, logistic.

const LOGIT_GROUP: [usize; 6] = [1, 2, 3, 1, 2, 3];
const LOGIT_X: [f64; 6] = [0.5, -1.0, 1.5, 0.2, -0.3, 2.0];
const LOGIT_Y: [i64; 6] = [1, 0, 1, 1, 0, 0];

/// `u = (mu_alpha, ln sigma_alpha, alpha_raw[1..3], beta)`, `alpha_j = mu + sigma u_j` (Stan's
/// offset/multiplier), log-Jacobian `ln σ` (lower bound) `+ J ln σ` (multiplier).
fn varying_intercept_by_hand(u: &[f64]) -> (f64, f64) {
    let (mu, sigma, beta) = (u[0], u[1].exp(), u[5]);
    let alpha: Vec<f64> = u[2..5].iter().map(|raw| mu + sigma * raw).collect();
    let mut lp = -0.5 * mu * mu - 0.5 * sigma * sigma - 0.5 * (beta / 2.5).powi(2);
    // alpha ~ normal(mu, sigma) keeps −J ln σ: σ is a parameter.
    lp += alpha
        .iter()
        .map(|a| -0.5 * ((a - mu) / sigma).powi(2) - sigma.ln())
        .sum::<f64>();
    for n in 0..6 {
        let eta = alpha[LOGIT_GROUP[n] - 1] + beta * LOGIT_X[n];
        lp += LOGIT_Y[n] as f64 * eta - eta.exp().ln_1p();
    }
    let log_jacobian = u[1] + 3.0 * sigma.ln();
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn varying_intercept_logit_matches_hand_computation() {
    let vectorised = VaryingInterceptLogit::new(
        6,
        3,
        LOGIT_GROUP.to_vec(),
        LOGIT_X.to_vec(),
        LOGIT_Y.to_vec(),
    )
    .unwrap();
    let looped = VaryingInterceptLogitLoop::new(
        6,
        3,
        LOGIT_GROUP.to_vec(),
        LOGIT_X.to_vec(),
        LOGIT_Y.to_vec(),
    )
    .unwrap();
    assert_eq!(Model::dim(&vectorised), 6);
    let u = [0.2, -0.5, 0.3, -0.6, 1.1, 0.7];
    check_against_hand(
        |mode| vectorised.clone().with_gradient_mode(mode),
        &u,
        varying_intercept_by_hand,
        None,
        1e-10,
    );
    check_against_hand(
        |mode| looped.clone().with_gradient_mode(mode),
        &u,
        varying_intercept_by_hand,
        None,
        1e-10,
    );
    // The output is the constrained alpha, as in Stan.
    let sigma = u[1].exp();
    let constrained = vectorised.constrain(&u).unwrap();
    let expected = [
        u[0],
        sigma,
        u[0] + sigma * u[2],
        u[0] + sigma * u[3],
        u[0] + sigma * u[4],
        u[5],
    ];
    for (c, e) in constrained.iter().zip(expected) {
        assert_close(*c, e, 1e-15, "constrained");
    }
    let back = vectorised.unconstrain(&constrained).unwrap();
    for (b, e) in back.iter().zip(u) {
        assert_close(*b, e, 1e-14, "unconstrained");
    }
}

// ---------------------------------------------------------------------------------------------
// Poisson regression with an exposure offset.

const EXPOSURE: [f64; 5] = [1.0, 2.5, 0.5, 4.0, 1.5];
const COUNTS: [i64; 5] = [2, 5, 0, 9, 3];

/// `u = (alpha, beta[1], beta[2])`; `~` drops `−ln y!`.
fn poisson_exposure_by_hand(u: &[f64]) -> (f64, f64) {
    let mut lp = -0.5 * (u[0] / 5.0).powi(2) - 0.5 * (u[1] * u[1] + u[2] * u[2]);
    for n in 0..5 {
        let eta = EXPOSURE[n].ln() + u[0] + REGRESSION_X[n][0] * u[1] + REGRESSION_X[n][1] * u[2];
        lp += COUNTS[n] as f64 * eta - eta.exp();
    }
    (lp, 0.0)
}

fn poisson_exposure_gradient_by_hand(u: &[f64]) -> Vec<f64> {
    let mut gradient = vec![-u[0] / 25.0, -u[1], -u[2]];
    for n in 0..5 {
        let eta = EXPOSURE[n].ln() + u[0] + REGRESSION_X[n][0] * u[1] + REGRESSION_X[n][1] * u[2];
        let residual = COUNTS[n] as f64 - eta.exp();
        gradient[0] += residual;
        gradient[1] += residual * REGRESSION_X[n][0];
        gradient[2] += residual * REGRESSION_X[n][1];
    }
    gradient
}

#[test]
fn poisson_with_exposure_matches_hand_computation() {
    let model =
        PoissonExposure::new(5, 2, regression_x(), EXPOSURE.to_vec(), COUNTS.to_vec()).unwrap();
    let u = [0.1, 0.3, -0.2];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        poisson_exposure_by_hand,
        Some(&poisson_exposure_gradient_by_hand(&u)),
        1e-10,
    );
    let err = PoissonExposure::new(
        5,
        2,
        regression_x(),
        vec![1.0, -2.5, 0.5, 4.0, 1.5],
        COUNTS.to_vec(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PoissonExposure: data exposure[2] is -2.5, but must be >= 0"
    );
}

// ---------------------------------------------------------------------------------------------
// Change point.

const DISASTERS: [i64; 6] = [4, 5, 4, 1, 0, 1];

/// `u = (ln e, ln l)`; the exponential priors with data rates drop `ln r`; the marginal over
/// the switch point keeps every term (`poisson_lpmf`).
fn change_point_by_hand(u: &[f64]) -> (f64, f64) {
    let (r_e, r_l) = (0.8, 1.2);
    let (early, late) = (u[0].exp(), u[1].exp());
    let t_len = DISASTERS.len();
    let lp: Vec<f64> = (0..t_len)
        .map(|s| {
            -(t_len as f64).ln()
                + (0..t_len)
                    .map(|t| {
                        let rate = if t < s { early } else { late };
                        DISASTERS[t] as f64 * rate.ln() - rate - ln_factorial(DISASTERS[t])
                    })
                    .sum::<f64>()
        })
        .collect();
    let log_jacobian = u[0] + u[1];
    (
        -r_e * early - r_l * late + log_sum_exp_f64(&lp) + log_jacobian,
        log_jacobian,
    )
}

#[test]
fn change_point_matches_hand_computation() {
    let model = ChangePoint::new(0.8, 1.2, 6, DISASTERS.to_vec()).unwrap();
    assert_eq!(model.param_names(), vec!["e", "l"]);
    for u in [[1.0, -0.3], [0.2, 0.4]] {
        check_against_hand(
            |mode| model.clone().with_gradient_mode(mode),
            &u,
            change_point_by_hand,
            None,
            1e-10,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Zero-inflated Poisson.

const ZIP_Y: [i64; 7] = [0, 0, 3, 1, 0, 2, 5];

/// `u = (logit theta, ln lambda)`, flat priors; log-Jacobian `ln θ + ln(1 − θ) + ln λ`.
fn zero_inflated_by_hand(u: &[f64]) -> (f64, f64) {
    let (theta, lambda) = (inv_logit(u[0]), u[1].exp());
    let lp: f64 = ZIP_Y
        .iter()
        .map(|&y| {
            if y == 0 {
                (theta + (1.0 - theta) * (-lambda).exp()).ln()
            } else {
                (1.0 - theta).ln() + y as f64 * lambda.ln() - lambda - ln_factorial(y)
            }
        })
        .sum();
    let log_jacobian = theta.ln() + (1.0 - theta).ln() + u[1];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn zero_inflated_poisson_matches_hand_computation() {
    let model = ZeroInflatedPoisson::new(7, ZIP_Y.to_vec()).unwrap();
    let u = [0.2, 0.4];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        zero_inflated_by_hand,
        None,
        1e-10,
    );
    assert_eq!(
        model.constrain(&u).unwrap(),
        vec![inv_logit(0.2), 0.4f64.exp()]
    );
}

// ---------------------------------------------------------------------------------------------
// AR(1).

const SERIES: [f64; 6] = [0.5, 0.9, 0.3, -0.2, 0.4, 1.0];

/// `u = (alpha, beta_u, ln sigma)` with `beta = −1 + 2 inv_logit(beta_u)`: log-Jacobian
/// `ln 2 + ln z + ln(1 − z) + ln σ`; `cauchy(0, 2.5)` with data arguments drops `−ln(π 2.5)`.
fn ar1_by_hand(u: &[f64]) -> (f64, f64) {
    let z = inv_logit(u[1]);
    let (alpha, beta, sigma) = (u[0], -1.0 + 2.0 * z, u[2].exp());
    let mut lp = -0.5 * (alpha / 2.0).powi(2) - (1.0 + (sigma / 2.5).powi(2)).ln();
    for t in 1..SERIES.len() {
        lp += -0.5 * ((SERIES[t] - alpha - beta * SERIES[t - 1]) / sigma).powi(2) - sigma.ln();
    }
    let log_jacobian = 2f64.ln() + z.ln() + (1.0 - z).ln() + u[2];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn ar1_vectorised_and_looped_match_hand_computation() {
    let vectorised = Ar1::new(6, SERIES.to_vec()).unwrap();
    let looped = Ar1Loop::new(6, SERIES.to_vec()).unwrap();
    let u = [0.1, 0.6, -0.4];
    check_against_hand(
        |mode| vectorised.clone().with_gradient_mode(mode),
        &u,
        ar1_by_hand,
        None,
        1e-10,
    );
    check_against_hand(
        |mode| looped.clone().with_gradient_mode(mode),
        &u,
        ar1_by_hand,
        None,
        1e-10,
    );
    let constrained = vectorised.constrain(&u).unwrap();
    assert_close(constrained[1], 2.0 * inv_logit(0.6) - 1.0, 1e-15, "beta");
    // The bounds are open: beta = 1 cannot be unconstrained.
    assert!(vectorised.unconstrain(&[0.1, 1.0, 0.5]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Measurement error.

const X_MEAS: [f64; 4] = [0.2, 1.1, -0.5, 2.0];
const Y_MEAS: [f64; 4] = [0.9, 2.1, -0.2, 3.5];

/// `u = (x[1..4], mu_x, ln sigma_x, alpha, beta, ln sigma)`; data `tau = 0.3` drops `−N ln τ`;
/// the literal-argument priors drop their constants; log-Jacobian `ln σ_x + ln σ`.
fn measurement_error_by_hand(u: &[f64]) -> (f64, f64) {
    let tau = 0.3;
    let x = &u[..4];
    let (mu_x, sigma_x, alpha, beta, sigma) = (u[4], u[5].exp(), u[6], u[7], u[8].exp());
    let mut lp = 0.0;
    for n in 0..4 {
        lp += -0.5 * ((x[n] - mu_x) / sigma_x).powi(2) - sigma_x.ln();
        lp += -0.5 * ((X_MEAS[n] - x[n]) / tau).powi(2);
        lp += -0.5 * ((Y_MEAS[n] - alpha - beta * x[n]) / sigma).powi(2) - sigma.ln();
    }
    let half_cauchy = |s: f64| -(1.0 + (s / 5.0).powi(2)).ln();
    lp += -0.5 * (alpha / 10.0).powi(2) - 0.5 * (beta / 10.0).powi(2) - 0.5 * (mu_x / 10.0).powi(2);
    lp += half_cauchy(sigma) + half_cauchy(sigma_x);
    let log_jacobian = u[5] + u[8];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn measurement_error_matches_hand_computation() {
    let model = MeasurementError::new(4, X_MEAS.to_vec(), 0.3, Y_MEAS.to_vec()).unwrap();
    assert_eq!(Model::dim(&model), 9);
    assert_eq!(
        model.param_names(),
        vec!["x[1]", "x[2]", "x[3]", "x[4]", "mu_x", "sigma_x", "alpha", "beta", "sigma"]
    );
    let u = [0.1, 1.0, -0.4, 1.8, 0.5, 0.2, 0.3, 1.2, -0.7];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        measurement_error_by_hand,
        None,
        1e-10,
    );
}

// ---------------------------------------------------------------------------------------------
// Dirichlet–multinomial.

const CONCENTRATION: [f64; 3] = [1.5, 2.0, 0.7];
const CATEGORY_COUNTS: [i64; 3] = [3, 7, 1];

/// Stan 2.35's centred stick-breaking transform of `u ∈ ℝ^{K−1}` and its log-Jacobian, written
/// from the Reference Manual's formula.
fn stick_breaking(u: &[f64]) -> (Vec<f64>, f64) {
    let k_len = u.len() + 1;
    let mut stick = 1.0;
    let mut log_jacobian = 0.0;
    let mut simplex = Vec::with_capacity(k_len);
    for (k, u_k) in u.iter().enumerate() {
        let z = inv_logit(u_k - ((k_len - k - 1) as f64).ln());
        simplex.push(stick * z);
        log_jacobian += f64::ln(stick) + z.ln() + (1.0 - z).ln();
        stick -= stick * z;
    }
    simplex.push(stick);
    (simplex, log_jacobian)
}

/// `~ dirichlet(alpha)` with data alpha drops the normaliser, `~ multinomial` its coefficient.
fn dirichlet_multinomial_by_hand(u: &[f64]) -> (f64, f64) {
    let (theta, log_jacobian) = stick_breaking(u);
    let lp: f64 = (0..3)
        .map(|k| (CONCENTRATION[k] - 1.0 + CATEGORY_COUNTS[k] as f64) * theta[k].ln())
        .sum();
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn dirichlet_multinomial_matches_hand_computation() {
    let model =
        DirichletMultinomial::new(3, CONCENTRATION.to_vec(), CATEGORY_COUNTS.to_vec()).unwrap();
    assert_eq!(Model::dim(&model), 2);
    assert_eq!(
        model.param_names(),
        vec!["theta[1]", "theta[2]", "theta[3]"]
    );
    let u = [0.3, -0.5];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        dirichlet_multinomial_by_hand,
        None,
        1e-10,
    );
    let constrained = model.constrain(&u).unwrap();
    let (expected, _) = stick_breaking(&u);
    for (c, e) in constrained.iter().zip(&expected) {
        assert_close(*c, *e, 1e-15, "simplex");
    }
    assert_close(constrained.iter().sum(), 1.0, 1e-15, "simplex sum");
    // u = 0 is the uniform simplex.
    for value in model.constrain(&[0.0, 0.0]).unwrap() {
        assert_close(value, 1.0 / 3.0, 1e-15, "uniform simplex");
    }
}

// ---------------------------------------------------------------------------------------------
// Ordered logistic.

const ORDINAL_X: [f64; 6] = [0.5, -1.2, 2.0, 0.3, -0.4, 1.1];
const ORDINAL_Y: [usize; 6] = [1, 2, 4, 3, 2, 4];

/// `u = (beta, c_u[1..3])` with `c[1] = c_u[1]`, `c[k] = c[k−1] + exp(c_u[k])` (Stan's ordered
/// transform): log-Jacobian `c_u[2] + c_u[3]`.
fn ordered_logistic_by_hand(u: &[f64]) -> (f64, f64) {
    let beta = u[0];
    let mut cutpoints = vec![u[1]];
    for raw in &u[2..] {
        cutpoints.push(cutpoints[cutpoints.len() - 1] + raw.exp());
    }
    let mut lp = -0.5 * (beta / 5.0).powi(2);
    for n in 0..6 {
        let eta = beta * ORDINAL_X[n];
        // P(y ≤ k) = inv_logit(c_k − η); P(y = k) = P(y ≤ k) − P(y ≤ k − 1).
        let cumulative = |k: usize| match k {
            0 => 0.0,
            4 => 1.0,
            k => inv_logit(cutpoints[k - 1] - eta),
        };
        let y = ORDINAL_Y[n];
        lp += (cumulative(y) - cumulative(y - 1)).ln();
    }
    let log_jacobian = u[2] + u[3];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn ordered_logistic_with_user_function_matches_hand_computation() {
    let model = OrderedLogistic::new(6, 4, ORDINAL_X.to_vec(), ORDINAL_Y.to_vec()).unwrap();
    assert_eq!(Model::dim(&model), 4);
    let u = [0.6, -0.5, 0.2, -0.1];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        ordered_logistic_by_hand,
        None,
        1e-10,
    );
    let constrained = model.constrain(&u).unwrap();
    let expected = [
        0.6,
        -0.5,
        -0.5 + 0.2f64.exp(),
        -0.5 + 0.2f64.exp() + (-0.1f64).exp(),
    ];
    for (c, e) in constrained.iter().zip(expected) {
        assert_close(*c, e, 1e-15, "cutpoints");
    }
    // Unordered cutpoints are not in the support.
    assert!(model.unconstrain(&[0.6, 1.0, 0.5, 2.0]).is_err());
}

// ---------------------------------------------------------------------------------------------
// Stan spellings that `model!` rewrites: integer literals in `~` arguments, `lpdf(y | …)`,
// two-argument `log_sum_exp`, densities as operands.

ppl::model! {
    /// Integer literals where Stan promotes them to `real`; `binomial`'s trials stay integers.
    pub struct IntegerLiterals {
        #[data(lower = 0, upper = 10)]
        k: i64,
        #[data(size = 3)]
        y: Vec<f64>,
    }
    theta ~ beta(1, 1);
    k ~ binomial(10, theta);
    mu ~ normal(-1, 2);
    sigma: real<lower = 0> ~ cauchy(0, 5);
    y ~ normal(mu, sigma);
    nu ~ uniform(-2, 10);
}

/// `u = (logit theta, mu, ln sigma, nu_u)`. The literals are data, so `~` drops what depends on
/// them alone: `ln B(1, 1)`, `ln C(10, k)`, `−ln 2`, `−ln(5π)`, `−ln 12`. `nu` takes its bounds
/// from `uniform(-2, 10)`: `nu = −2 + 12 inv_logit(nu_u)`, log-Jacobian `ln 12 + ln z + ln(1 − z)`.
fn integer_literals_by_hand(u: &[f64]) -> (f64, f64) {
    let (k, y) = (4.0, [0.3, -1.2, 0.8]);
    let (theta, mu, sigma) = (inv_logit(u[0]), u[1], u[2].exp());
    let mut lp = k * theta.ln() + (10.0 - k) * (1.0 - theta).ln();
    lp += -0.5 * ((mu + 1.0) / 2.0).powi(2) - (1.0 + (sigma / 5.0).powi(2)).ln();
    lp += y
        .iter()
        .map(|v| -0.5 * ((v - mu) / sigma).powi(2) - sigma.ln())
        .sum::<f64>();
    let z = inv_logit(u[3]);
    let log_jacobian =
        theta.ln() + (1.0 - theta).ln() + u[2] + 12f64.ln() + z.ln() + (1.0 - z).ln();
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn integer_literals_are_reals_in_sampling_statements() {
    let model = IntegerLiterals::new(4, vec![0.3, -1.2, 0.8]).unwrap();
    assert_eq!(model.param_names(), vec!["theta", "mu", "sigma", "nu"]);
    let u = [0.4, -0.7, 0.3, -0.5];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        integer_literals_by_hand,
        None,
        1e-10,
    );
    assert_close(
        model.constrain(&u).unwrap()[3],
        -2.0 + 12.0 * inv_logit(-0.5),
        1e-15,
        "nu",
    );
}

ppl::model! {
    /// UG 5.3 two-component normal mixture written with Stan's spellings: `lpdf(y | …)` and
    /// `log_sum_exp(a, b)`.
    pub struct NormalMixture {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu: ordered[2] ~ normal(0, 5);
    sigma: real<lower = 0> ~ lognormal(0, 1);
    lambda: real<lower = 0, upper = 1> ~ beta(2, 2);
    for n in 0..N {
        target += log_sum_exp(
            lambda.ln() + normal_lpdf(y[n] | mu[0], sigma)?,
            (1.0 - lambda).ln() + normal_lpdf(y[n] | mu[1], sigma)?,
        );
    }
}

ppl::model! {
    /// The equal-weight mixture: `target += log_sum_exp(f(…), g(…))` with two densities alone.
    pub struct EqualMixture {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu: ordered[2] ~ normal(0, 5);
    sigma: real<lower = 0> ~ lognormal(0, 1);
    for n in 0..N {
        target += log_sum_exp(
            normal_lpdf(y[n] | mu[0], sigma)?,
            normal_lpdf(y[n] | mu[1], sigma)?,
        );
    }
}

const MIXTURE_Y: [f64; 5] = [-1.3, -0.8, 2.1, 2.9, 0.4];

/// `u = (mu[1], ln(mu[2] − mu[1]), ln sigma[, logit lambda])`; weights `lambda` or ½ each.
fn mixture_by_hand(u: &[f64], weighted: bool) -> (f64, f64) {
    let mu = [u[0], u[0] + u[1].exp()];
    let sigma = u[2].exp();
    let lambda = if weighted { inv_logit(u[3]) } else { 0.5 };
    let normal = |y: f64, m: f64| -0.5 * ((y - m) / sigma).powi(2) - sigma.ln() - LN_SQRT_2PI;
    // normal(0, 5) on each mu, lognormal(0, 1) on sigma: `−ln σ − ½ ln² σ` (σ is the variate).
    let mut lp = -0.5 * (mu[0] / 5.0).powi(2) - 0.5 * (mu[1] / 5.0).powi(2);
    lp += -sigma.ln() - 0.5 * sigma.ln().powi(2);
    let mut log_jacobian = u[1] + u[2];
    if weighted {
        lp += lambda.ln() + (1.0 - lambda).ln();
        log_jacobian += lambda.ln() + (1.0 - lambda).ln();
    }
    for y in MIXTURE_Y {
        let terms = [
            lambda.ln() + normal(y, mu[0]),
            (1.0 - lambda).ln() + normal(y, mu[1]),
        ];
        lp += log_sum_exp_f64(&terms);
    }
    if !weighted {
        // `log_sum_exp(f, g)` without weights is the mixture plus ln 2 per observation.
        lp += MIXTURE_Y.len() as f64 * 2f64.ln();
    }
    (lp + log_jacobian, log_jacobian)
}

const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

#[test]
fn mixtures_written_with_stan_spellings_match_hand_computation() {
    let weighted = NormalMixture::new(5, MIXTURE_Y.to_vec()).unwrap();
    let equal = EqualMixture::new(5, MIXTURE_Y.to_vec()).unwrap();
    check_against_hand(
        |mode| weighted.clone().with_gradient_mode(mode),
        &[-0.9, 1.1, -0.2, 0.3],
        |u| mixture_by_hand(u, true),
        None,
        1e-10,
    );
    check_against_hand(
        |mode| equal.clone().with_gradient_mode(mode),
        &[-0.9, 1.1, -0.2],
        |u| mixture_by_hand(u, false),
        None,
        1e-10,
    );
}

// ---------------------------------------------------------------------------------------------
// Multivariate normal with an unknown covariance: `cov_matrix` and `cholesky_factor_cov`.

ppl::model! {
    /// UG 1.15 multivariate outcomes with a covariance parameter (flat prior).
    pub struct CovarianceModel {
        N: usize,
        #[data(size = (N, 2))]
        y: Vec<Vec<f64>>,
    }
    mu: vector[2] ~ normal(0, 10);
    Sigma: cov_matrix[2];
    for n in 0..N {
        y[n] ~ multi_normal(mu, Sigma);
    }
}

ppl::model! {
    /// The same likelihood through a Cholesky factor parameter (flat prior).
    pub struct CholeskyCovarianceModel {
        N: usize,
        #[data(size = (N, 2))]
        y: Vec<Vec<f64>>,
    }
    mu: vector[2] ~ normal(0, 10);
    L: cholesky_factor_cov[2];
    for n in 0..N {
        y[n] ~ multi_normal_cholesky(mu, L);
    }
}

const BIVARIATE_Y: [[f64; 2]; 4] = [[0.5, 1.1], [-0.3, 0.2], [1.4, 2.0], [0.1, -0.6]];

/// `u = (mu[1], mu[2], ln L11, L21, ln L22)` (Stan's row-by-row lower triangle), `Σ = L Lᵀ`.
/// The likelihood keeps `−½ ln det Σ = −ln L11 − ln L22` (Σ is a parameter) and drops
/// `−ln 2π`. Log-Jacobian: `2 ln 2 + 3 ln L11 + 2 ln L22` for `cov_matrix[2]` (Stan's
/// `K ln 2 + Σ (K − i + 2) u_ii`), `ln L11 + ln L22` for `cholesky_factor_cov[2]`.
fn bivariate_by_hand(u: &[f64], covariance: bool) -> (f64, f64) {
    let (l11, l21, l22) = (u[2].exp(), u[3], u[4].exp());
    let mut lp = -0.5 * ((u[0] / 10.0).powi(2) + (u[1] / 10.0).powi(2));
    for y in BIVARIATE_Y {
        let z1 = (y[0] - u[0]) / l11;
        let z2 = (y[1] - u[1] - l21 * z1) / l22;
        lp += -0.5 * (z1 * z1 + z2 * z2) - u[2] - u[4];
    }
    let log_jacobian = if covariance {
        2.0 * 2f64.ln() + 3.0 * u[2] + 2.0 * u[4]
    } else {
        u[2] + u[4]
    };
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn covariance_parameters_match_hand_computation() {
    let y: Vec<Vec<f64>> = BIVARIATE_Y.iter().map(|row| row.to_vec()).collect();
    let covariance = CovarianceModel::new(4, y.clone()).unwrap();
    let cholesky = CholeskyCovarianceModel::new(4, y).unwrap();
    assert_eq!(Model::dim(&covariance), 5);
    assert_eq!(Model::dim(&cholesky), 5);
    assert_eq!(
        covariance.param_names(),
        vec![
            "mu[1]",
            "mu[2]",
            "Sigma[1,1]",
            "Sigma[2,1]",
            "Sigma[1,2]",
            "Sigma[2,2]"
        ]
    );
    let u = [0.2, 0.4, -0.3, 0.5, 0.1];
    check_against_hand(
        |mode| covariance.clone().with_gradient_mode(mode),
        &u,
        |v| bivariate_by_hand(v, true),
        None,
        1e-10,
    );
    check_against_hand(
        |mode| cholesky.clone().with_gradient_mode(mode),
        &u,
        |v| bivariate_by_hand(v, false),
        None,
        1e-10,
    );
    // Outputs column-major: Σ = L Lᵀ and L itself.
    let (l11, l21, l22) = (u[2].exp(), u[3], u[4].exp());
    let sigma = [l11 * l11, l21 * l11, l21 * l11, l21 * l21 + l22 * l22];
    let constrained = covariance.constrain(&u).unwrap();
    for (c, e) in constrained[2..].iter().zip(sigma) {
        assert_close(*c, e, 1e-15, "Sigma");
    }
    let factor = cholesky.constrain(&u).unwrap();
    for (c, e) in factor[2..].iter().zip([l11, l21, 0.0, l22]) {
        assert_close(*c, e, 1e-15, "L");
    }
    for (model_u, expected) in [
        (covariance.unconstrain(&constrained).unwrap(), u),
        (cholesky.unconstrain(&factor).unwrap(), u),
    ] {
        for (a, b) in model_u.iter().zip(expected) {
            assert_close(*a, b, 1e-14, "round trip");
        }
    }
    // A matrix that is not positive definite has no unconstrained value.
    assert!(covariance
        .unconstrain(&[0.0, 0.0, 1.0, 2.0, 2.0, 1.0])
        .is_err());
}

ppl::model! {
    /// Density calls in arithmetic in `f64` contexts: transformed data and a `let` annotated
    /// `f64` (they get `::<f64>`, not the model's scalar).
    pub struct DataDensities {
        #[data(size = 2)]
        y: Vec<f64>,
    }
    data log_odds: f64 = normal_lpdf(1.0, 0.0, 1.0)? - normal_lpdf(0.0, 0.0, 1.0)?;
    mu ~ normal(0, 1);
    let shift: f64 = -normal_lpdf(y[0] | 0.0, 2.0)?;
    target += log_odds * mu + shift;
}

#[test]
fn density_arithmetic_in_f64_contexts_stays_f64() {
    let model = DataDensities::new(vec![1.5, 0.0]).unwrap();
    let shift = 0.5 * (1.5f64 / 2.0).powi(2) + 2f64.ln() + LN_SQRT_2PI;
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &[0.7],
        |u| (-0.5 * u[0] * u[0] - 0.5 * u[0] + shift, 0.0),
        Some(&[-0.7 - 0.5]),
        1e-10,
    );
}

// ---------------------------------------------------------------------------------------------
// Varying intercepts and slopes with an LKJ prior, through user-defined matrix functions.

/// Stan's `diag_pre_multiply(v, m)`, `diag(v) m`, generic over the scalar.
fn diag_pre_multiply<T: Real>(scale: &Vector<T>, factor: &Matrix<T>) -> Matrix<T> {
    let mut scaled = factor.clone();
    for i in 0..factor.rows() {
        for j in 0..factor.cols() {
            scaled[(i, j)] = scale[i] * factor[(i, j)];
        }
    }
    scaled
}

/// Column `j` of `mu + factor z` (Stan's `mu + L_Sigma * z[:, j]`): group `j`'s coefficients.
fn group_coefficients<T: Real>(
    mu: &Vector<T>,
    factor: &Matrix<T>,
    z: &Matrix<T>,
    j: usize,
) -> Vec<T> {
    (0..mu.len())
        .map(|i| {
            let mut value = mu[i];
            for k in 0..factor.cols() {
                value += factor[(i, k)] * z[(k, j)];
            }
            value
        })
        .collect()
}

ppl::model! {
    /// UG 1.13 multivariate hierarchical prior, non-centred: `beta_j = mu + diag(tau) L z_j`.
    pub struct VaryingSlopes {
        N: usize,
        J: usize,
        #[data(size = N, upper = J)]
        jj: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu: vector[2] ~ normal(0, 5);
    tau: vector<lower = 0>[2] ~ cauchy(0, 2.5);
    L_Omega: cholesky_factor_corr[2] ~ lkj_corr_cholesky(2);
    z: matrix[2, J] ~ std_normal();
    sigma: real<lower = 0> ~ exponential(1);
    let L_Sigma = diag_pre_multiply(tau, L_Omega);
    for n in 0..N {
        let beta = group_coefficients(mu, &L_Sigma, z, jj[n]);
        y[n] ~ normal(beta[0] + beta[1] * x[n], sigma);
    }
}

const SLOPES_GROUP: [usize; 5] = [1, 2, 3, 2, 1];
const SLOPES_X: [f64; 5] = [0.3, -1.1, 0.8, 1.7, -0.4];
const SLOPES_Y: [f64; 5] = [1.2, -0.5, 2.2, 1.9, 0.1];

/// `u = (mu[1..2], ln tau[1..2], u_L, z (2 × 3, column-major), ln sigma)`. `L_Omega` has
/// `L21 = tanh u_L`, `L22 = √(1 − L21²)`; `lkj_corr_cholesky(2)` with data `eta` keeps
/// `(K − 2 + 2η − 2) ln L22 = 2 ln L22`; log-Jacobian `Σ ln τ + ln(1 − L21²) + ln σ`.
fn varying_slopes_by_hand(u: &[f64]) -> (f64, f64) {
    let mu = [u[0], u[1]];
    let tau = [u[2].exp(), u[3].exp()];
    let l21 = u[4].tanh();
    let l22 = (1.0 - l21 * l21).sqrt();
    let z = &u[5..11];
    let sigma = u[11].exp();
    let mut lp = -0.5 * ((mu[0] / 5.0).powi(2) + (mu[1] / 5.0).powi(2));
    lp -= tau
        .iter()
        .map(|t| (1.0 + (t / 2.5).powi(2)).ln())
        .sum::<f64>();
    lp += 2.0 * l22.ln();
    lp -= 0.5 * z.iter().map(|v| v * v).sum::<f64>();
    lp -= sigma;
    for n in 0..5 {
        let j = SLOPES_GROUP[n] - 1;
        let (z1, z2) = (z[2 * j], z[2 * j + 1]);
        let intercept = mu[0] + tau[0] * z1;
        let slope = mu[1] + tau[1] * (l21 * z1 + l22 * z2);
        lp += -0.5 * ((SLOPES_Y[n] - intercept - slope * SLOPES_X[n]) / sigma).powi(2) - sigma.ln();
    }
    let log_jacobian = u[2] + u[3] + (1.0 - l21 * l21).ln() + u[11];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn varying_slopes_with_lkj_prior_match_hand_computation() {
    let model = VaryingSlopes::new(
        5,
        3,
        SLOPES_GROUP.to_vec(),
        SLOPES_X.to_vec(),
        SLOPES_Y.to_vec(),
    )
    .unwrap();
    assert_eq!(Model::dim(&model), 12);
    let u = [
        0.4, -0.2, -0.3, 0.1, 0.6, 0.5, -0.7, 1.1, 0.2, -0.4, 0.9, -0.5,
    ];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        varying_slopes_by_hand,
        None,
        1e-10,
    );
    // L_Omega is reported column-major: L11, L21, L12 = 0, L22.
    let constrained = model.constrain(&u).unwrap();
    let l21 = 0.6f64.tanh();
    for (c, e) in constrained[4..8]
        .iter()
        .zip([1.0, l21, 0.0, (1.0 - l21 * l21).sqrt()])
    {
        assert_close(*c, e, 1e-15, "L_Omega");
    }
}

// ---------------------------------------------------------------------------------------------
// Multi-logit regression.

ppl::model! {
    /// UG 1.6 multi-logit regression, identified by a zero last category: outcomes are Stan's
    /// 1-based categories as `i64` data (not index data).
    pub struct MultiLogit {
        N: usize,
        #[data(lower = 2)]
        K: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 1, upper = K)]
        y: Vec<i64>,
    }
    alpha: vector[K - 1] ~ normal(0, 5);
    beta: vector[K - 1] ~ normal(0, 5);
    for n in 0..N {
        let eta = Vector::from_fn(K, |k| {
            if k + 1 < K {
                alpha[k] + beta[k] * x[n]
            } else {
                T::constant(0.0)
            }
        });
        y[n] ~ categorical_logit(eta);
    }
}

const MULTI_X: [f64; 5] = [0.2, -1.0, 1.3, 0.5, -0.6];
const MULTI_Y: [i64; 5] = [1, 3, 2, 2, 3];

/// `u = (alpha[1..2], beta[1..2])`; `categorical_logit` keeps `η_y − ln Σ_k e^{η_k}`.
fn multi_logit_by_hand(u: &[f64]) -> (f64, f64) {
    let mut lp = -0.5 * u.iter().map(|v| (v / 5.0).powi(2)).sum::<f64>();
    for n in 0..5 {
        let eta = [u[0] + u[2] * MULTI_X[n], u[1] + u[3] * MULTI_X[n], 0.0];
        lp += eta[(MULTI_Y[n] - 1) as usize] - log_sum_exp_f64(&eta);
    }
    (lp, 0.0)
}

#[test]
fn multi_logit_matches_hand_computation() {
    let model = MultiLogit::new(5, 3, MULTI_X.to_vec(), MULTI_Y.to_vec()).unwrap();
    assert_eq!(
        model.param_names(),
        vec!["alpha[1]", "alpha[2]", "beta[1]", "beta[2]"]
    );
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &[0.3, -0.4, 0.8, -1.2],
        multi_logit_by_hand,
        None,
        1e-10,
    );
    let err = MultiLogit::new(5, 3, MULTI_X.to_vec(), vec![1, 4, 2, 2, 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "MultiLogit: data y[2] is 4, but must be <= 3"
    );
}

//! Ordinal and overdispersed-count models with `model!` (`ordered_logistic`, `ordered_probit`, `beta_binomial`), each checked against a log density and gradient computed independently in `f64`.

mod common;

use common::hand::{check_against_hand, richardson_gradient};

use ppl::core::{Matrix, Model};

ppl::model! {
    /// Stan User's Guide 1.8, ordered logistic regression on a design matrix:
    /// `y ~ ordered_logistic(x * beta, c)` with an `ordered` cutpoint vector.
    pub struct OrderedLogitRegression {
        N: usize,
        D: usize,
        #[data(lower = 2)]
        K: usize,
        #[data(size = (N, D))]
        x: Matrix<f64>,
        #[data(size = N, lower = 1, upper = K)]
        y: Vec<i64>,
    }
    beta: vector[D] ~ normal(0, 2);
    c: ordered[K - 1];
    y ~ ordered_logistic(x * beta, c);
}

ppl::model! {
    /// Varying intercepts in an ordered logistic regression: the location is a gathered affine
    /// expression, which `model!` passes lazily (`ppl::core::Affine`).
    pub struct OrderedLogitVaryingIntercepts {
        N: usize,
        J: usize,
        #[data(lower = 2)]
        K: usize,
        #[data(size = N, upper = J)]
        jj: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 1, upper = K)]
        y: Vec<i64>,
    }
    alpha: vector[J] ~ normal(0, 1);
    beta ~ normal(0, 2);
    c: ordered[K - 1];
    y ~ ordered_logistic(alpha.gather(jj)? + beta * x, c);
}

ppl::model! {
    /// Ordered probit regression on one predictor, with Stan's loop over observations.
    pub struct OrderedProbitLoop {
        N: usize,
        #[data(lower = 2)]
        K: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, lower = 1, upper = K)]
        y: Vec<i64>,
    }
    beta ~ normal(0, 2);
    c: ordered[K - 1];
    for n in 0..N {
        y[n] ~ ordered_probit(beta * x[n], c);
    }
}

ppl::model! {
    /// Overdispersed binomial counts: a beta-binomial with mean `mu` and concentration
    /// `kappa` (shapes `mu kappa`, `(1 − mu) kappa`).
    pub struct BetaBinomialCounts {
        N: usize,
        #[data(size = N, lower = 0)]
        trials: Vec<i64>,
        #[data(size = N, lower = 0)]
        y: Vec<i64>,
    }
    mu: real<lower = 0, upper = 1>;
    kappa: real<lower = 0> ~ exponential(0.1);
    y ~ beta_binomial(trials, mu * kappa, (1.0 - mu) * kappa);
}

// ---------------------------------------------------------------------------------------------
// Independent references in `f64`.

fn inv_logit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `ln B(a, b)` from `ln Γ` (Lanczos, g = 7, n = 9: relative error below 1e-14 for the
/// moderate arguments used here).
fn ln_beta(a: f64, b: f64) -> f64 {
    ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b)
}

fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const COEFFICIENTS: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = COEFFICIENTS[0];
    for (i, c) in COEFFICIENTS.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// Stan's `ordered` transform: `c_1 = u_1`, `c_k = c_{k−1} + exp(u_k)`, log-Jacobian `Σ_{k≥2} u_k`.
fn ordered(u: &[f64]) -> (Vec<f64>, f64) {
    let mut c = vec![u[0]];
    for &step in &u[1..] {
        c.push(c[c.len() - 1] + step.exp());
    }
    (c, u[1..].iter().sum())
}

/// `P(y = k)` for a latent `η + ε` with cdf `cdf` and cutpoints `c` (`k` 1-based).
fn category_probability(cdf: impl Fn(f64) -> f64, k: i64, eta: f64, c: &[f64]) -> f64 {
    let k = k as usize;
    let upper = if k <= c.len() {
        cdf(c[k - 1] - eta)
    } else {
        1.0
    };
    let lower = if k >= 2 { cdf(c[k - 2] - eta) } else { 0.0 };
    upper - lower
}

/// `Φ(x) = ½ erfc(−x/√2)`; accurate to about 1e-15 for the `|x| < 3` used here.
fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// `erfc(z)`: `1 − erf(z)` by the Maclaurin series for `|z| < 2.5`, Lentz's continued fraction
/// beyond.
fn erfc(z: f64) -> f64 {
    if z < 0.0 {
        return 2.0 - erfc(-z);
    }
    if z < 2.5 {
        // erf(z) = 2/√π Σ (−1)^n z^{2n+1} / (n! (2n + 1))
        let mut term = z;
        let mut sum = z;
        for n in 1..200 {
            term *= -z * z / n as f64;
            let next = term / (2 * n + 1) as f64;
            sum += next;
            if next.abs() < 1e-18 * sum.abs() {
                break;
            }
        }
        return 1.0 - 2.0 / std::f64::consts::PI.sqrt() * sum;
    }
    // erfc(z) = e^{−z²}/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …))))
    let mut fraction = z;
    for k in (1..120).rev() {
        fraction = z + (k as f64 / 2.0) / fraction;
    }
    (-z * z).exp() / std::f64::consts::PI.sqrt() / fraction
}

// ---------------------------------------------------------------------------------------------
// Ordered logistic regression.

const X: [[f64; 2]; 6] = [
    [0.5, -1.0],
    [1.2, 0.3],
    [-0.7, 0.8],
    [2.0, -0.4],
    [-1.5, -1.1],
    [0.1, 1.6],
];
const Y: [i64; 6] = [2, 4, 1, 4, 1, 3];

/// `u = (beta[1..2], c unconstrained [1..3])`: `−½ Σ (β/2)²` (the `~` drops constants) plus
/// `Σ ln P(y_n | x_n β, c)` plus the `ordered` log-Jacobian.
fn ordered_logit_by_hand(u: &[f64]) -> (f64, f64) {
    let (c, log_jacobian) = ordered(&u[2..]);
    let mut lp = -0.5 * ((u[0] / 2.0).powi(2) + (u[1] / 2.0).powi(2));
    for (row, &k) in X.iter().zip(&Y) {
        let eta = row[0] * u[0] + row[1] * u[1];
        lp += category_probability(inv_logit, k, eta, &c).ln();
    }
    (lp + log_jacobian, log_jacobian)
}

/// The gradient by hand: with `P = F(b) − F(a)`, `a = c_{k−1} − η`, `b = c_k − η`,
/// `∂ ln P/∂c_k = f(b)/P`, `∂ ln P/∂c_{k−1} = −f(a)/P`, `∂ ln P/∂η = (f(a) − f(b))/P`,
/// `f = F(1 − F)`; chained through `η = x β` and `c_j = u_1 + Σ_{2≤i≤j} e^{u_i}`.
fn ordered_logit_gradient(u: &[f64]) -> Vec<f64> {
    let (c, _) = ordered(&u[2..]);
    let density = |t: f64| inv_logit(t) * (1.0 - inv_logit(t));
    let mut d_beta = [-u[0] / 4.0, -u[1] / 4.0];
    let mut d_c = [0.0; 3];
    for (row, &k) in X.iter().zip(&Y) {
        let eta = row[0] * u[0] + row[1] * u[1];
        let k = k as usize;
        let p = category_probability(inv_logit, k as i64, eta, &c);
        let f_lower = if k >= 2 { density(c[k - 2] - eta) } else { 0.0 };
        let f_upper = if k <= 3 { density(c[k - 1] - eta) } else { 0.0 };
        let d_eta = (f_lower - f_upper) / p;
        d_beta[0] += d_eta * row[0];
        d_beta[1] += d_eta * row[1];
        if k >= 2 {
            d_c[k - 2] -= f_lower / p;
        }
        if k <= 3 {
            d_c[k - 1] += f_upper / p;
        }
    }
    // ∂c_j/∂u_1 = 1; ∂c_j/∂u_i = e^{u_i} for 2 ≤ i ≤ j; plus the Jacobian's 1 for i ≥ 2.
    let d_u1 = d_c.iter().sum::<f64>();
    let d_u2 = (d_c[1] + d_c[2]) * u[3].exp() + 1.0;
    let d_u3 = d_c[2] * u[4].exp() + 1.0;
    vec![d_beta[0], d_beta[1], d_u1, d_u2, d_u3]
}

#[test]
fn ordered_logistic_regression_matches_hand_computation() {
    let x = Matrix::from_row_major(6, 2, X.concat()).unwrap();
    let model = OrderedLogitRegression::new(6, 2, 4, x, Y.to_vec()).unwrap();
    assert_eq!(
        model.param_names(),
        vec!["beta[1]", "beta[2]", "c[1]", "c[2]", "c[3]"]
    );
    let u = [0.4, -0.9, -1.0, 0.2, -0.3];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        ordered_logit_by_hand,
        Some(&ordered_logit_gradient(&u)),
        1e-10,
    );
    let x = Matrix::from_row_major(6, 2, X.concat()).unwrap();
    let err = OrderedLogitRegression::new(6, 2, 4, x, vec![2, 4, 1, 5, 1, 3]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "OrderedLogitRegression: data y[4] is 5, but must be <= 4"
    );
}

// ---------------------------------------------------------------------------------------------
// Varying intercepts (a lazy affine location).

const GROUP: [usize; 6] = [1, 2, 1, 3, 2, 3];
const GROUP_X: [f64; 6] = [0.4, -1.1, 1.5, 0.2, -0.6, 0.9];

/// `u = (alpha[1..3], beta, c unconstrained [1..3])`.
fn varying_intercepts_by_hand(u: &[f64]) -> (f64, f64) {
    let (c, log_jacobian) = ordered(&u[4..]);
    let mut lp = -0.5 * u[..3].iter().map(|a| a * a).sum::<f64>() - 0.5 * (u[3] / 2.0).powi(2);
    for n in 0..6 {
        let eta = u[GROUP[n] - 1] + u[3] * GROUP_X[n];
        lp += category_probability(inv_logit, Y[n], eta, &c).ln();
    }
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn ordered_logistic_with_affine_location_matches_hand_computation() {
    let model =
        OrderedLogitVaryingIntercepts::new(6, 3, 4, GROUP.to_vec(), GROUP_X.to_vec(), Y.to_vec())
            .unwrap();
    let u = [0.3, -0.5, 0.8, 0.6, -1.1, 0.4, -0.2];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        varying_intercepts_by_hand,
        Some(&richardson_gradient(
            |v| varying_intercepts_by_hand(v).0,
            &u,
        )),
        1e-10,
    );
}

// ---------------------------------------------------------------------------------------------
// Ordered probit with a loop.

const PROBIT_X: [f64; 5] = [0.3, -1.2, 0.8, 1.9, -0.4];
const PROBIT_Y: [i64; 5] = [2, 1, 3, 3, 1];

/// `u = (beta, c unconstrained [1..2])`.
fn ordered_probit_by_hand(u: &[f64]) -> (f64, f64) {
    let (c, log_jacobian) = ordered(&u[1..]);
    let mut lp = -0.5 * (u[0] / 2.0).powi(2);
    for (&x, &k) in PROBIT_X.iter().zip(&PROBIT_Y) {
        lp += category_probability(std_normal_cdf, k, u[0] * x, &c).ln();
    }
    (lp + log_jacobian, log_jacobian)
}

/// As [`ordered_logit_gradient`] with the normal density `φ`.
fn ordered_probit_gradient(u: &[f64]) -> Vec<f64> {
    let (c, _) = ordered(&u[1..]);
    let density = |t: f64| (-0.5 * t * t).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mut d_beta = -u[0] / 4.0;
    let mut d_c = [0.0; 2];
    for (&x, &k) in PROBIT_X.iter().zip(&PROBIT_Y) {
        let eta = u[0] * x;
        let k = k as usize;
        let p = category_probability(std_normal_cdf, k as i64, eta, &c);
        let f_lower = if k >= 2 { density(c[k - 2] - eta) } else { 0.0 };
        let f_upper = if k <= 2 { density(c[k - 1] - eta) } else { 0.0 };
        d_beta += (f_lower - f_upper) / p * x;
        if k >= 2 {
            d_c[k - 2] -= f_lower / p;
        }
        if k <= 2 {
            d_c[k - 1] += f_upper / p;
        }
    }
    vec![d_beta, d_c[0] + d_c[1], d_c[1] * u[2].exp() + 1.0]
}

#[test]
fn ordered_probit_loop_matches_hand_computation() {
    let model = OrderedProbitLoop::new(5, 3, PROBIT_X.to_vec(), PROBIT_Y.to_vec()).unwrap();
    assert_eq!(model.param_names(), vec!["beta", "c[1]", "c[2]"]);
    let u = [0.7, -0.4, 0.1];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        ordered_probit_by_hand,
        Some(&ordered_probit_gradient(&u)),
        1e-10,
    );
}

// ---------------------------------------------------------------------------------------------
// Beta-binomial counts.

const TRIALS: [i64; 5] = [10, 25, 3, 40, 12];
const SUCCESSES: [i64; 5] = [4, 20, 0, 13, 12];

/// `u = (logit mu, ln kappa)`: `−0.1 κ` (exponential prior, constants dropped),
/// `Σ ln B(y + a, N − y + b) − ln B(a, b)` (the `~` drops `ln C(N, y)`), and the log-Jacobians
/// `ln μ(1 − μ)` and `ln κ`.
fn beta_binomial_by_hand(u: &[f64]) -> (f64, f64) {
    let mu = inv_logit(u[0]);
    let kappa = u[1].exp();
    let (a, b) = (mu * kappa, (1.0 - mu) * kappa);
    let log_jacobian = (mu * (1.0 - mu)).ln() + u[1];
    let mut lp = -0.1 * kappa;
    for (&trials, &y) in TRIALS.iter().zip(&SUCCESSES) {
        lp += ln_beta(y as f64 + a, (trials - y) as f64 + b) - ln_beta(a, b);
    }
    (lp + log_jacobian, log_jacobian)
}

/// `ψ(x + j) − ψ(x) = Σ_{i<j} 1/(x + i)`.
fn digamma_difference(x: f64, count: i64) -> f64 {
    (0..count).map(|i| 1.0 / (x + i as f64)).sum()
}

/// `∂/∂a = Σ ψ(y + a) − ψ(a) − ψ(N + a + b) + ψ(a + b)`, likewise `∂/∂b`, chained through
/// `a = μκ`, `b = (1 − μ)κ`, `μ = logit⁻¹(u_1)`, `κ = e^{u_2}`.
fn beta_binomial_gradient(u: &[f64]) -> Vec<f64> {
    let mu = inv_logit(u[0]);
    let kappa = u[1].exp();
    let (a, b) = (mu * kappa, (1.0 - mu) * kappa);
    let (mut d_a, mut d_b) = (0.0, 0.0);
    for (&trials, &y) in TRIALS.iter().zip(&SUCCESSES) {
        let total = digamma_difference(a + b, trials);
        d_a += digamma_difference(a, y) - total;
        d_b += digamma_difference(b, trials - y) - total;
    }
    let d_mu = (d_a - d_b) * kappa;
    let d_kappa = d_a * mu + d_b * (1.0 - mu) - 0.1;
    vec![
        d_mu * mu * (1.0 - mu) + (1.0 - 2.0 * mu),
        d_kappa * kappa + 1.0,
    ]
}

#[test]
fn beta_binomial_counts_match_hand_computation() {
    let model = BetaBinomialCounts::new(5, TRIALS.to_vec(), SUCCESSES.to_vec()).unwrap();
    assert_eq!(model.param_names(), vec!["mu", "kappa"]);
    let u = [0.3, 1.4];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        beta_binomial_by_hand,
        Some(&beta_binomial_gradient(&u)),
        1e-10,
    );
    // As in Stan, a count above its trials is not an argument error: the log density is −∞.
    let model = BetaBinomialCounts::new(2, vec![3, 4], vec![1, 5]).unwrap();
    assert_eq!(model.log_density_f64(&u, true).unwrap(), f64::NEG_INFINITY);
}

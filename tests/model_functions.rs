//! Stan's vector and log-scale functions in `model!` bodies (`log_softmax`, `softmax`, `dot_self`, `head`/`segment`/`tail`, `mean`/`sd`, `log_diff_exp`, `log1m_exp`, `log_inv_logit_diff`), each model checked against a log density and gradient computed by hand in `f64`.

mod common;

use common::hand::{assert_close, check_against_hand};

use ppl::core::Model;

ppl::model! {
    /// Softmax (multi-logit) regression on one covariate, written with `log_softmax`
    /// (Stan: `target += log_softmax(alpha + beta * x[n])[y[n]]`), a `dot_self` prior and
    /// derived quantities from `softmax`, `cumulative_sum` and `dot_product`.
    pub struct SoftmaxRegression {
        N: usize,
        K: usize,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N, upper = K)]
        y: Vec<usize>,
    }
    alpha: vector[K] ~ normal(0.0, 5.0);
    beta: vector[K];
    target += -0.5 * dot_self(beta) / 25.0;
    for n in 0..N {
        let eta = alpha + beta * x[n];
        target += log_softmax(&eta)[y[n]];
    }
    derived p_first = softmax(&(alpha + beta * x[0]));
    derived alpha_cumulative = cumulative_sum(alpha);
    derived alpha_dot_beta = dot_product(alpha, beta)?;
}

ppl::model! {
    /// AR(2) vectorised over lagged slices of the data (Stan:
    /// `y[3:N] ~ normal(alpha + beta[1] * y[2:(N - 1)] + beta[2] * y[1:(N - 2)], sigma)`), with
    /// priors centred and scaled by the data's `mean` and `sd`.
    pub struct Ar2 {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    data y_mean: f64 = ppl::core::mean(y);
    data y_sd: f64 = ppl::core::sd(y);
    alpha ~ normal(y_mean, 10.0);
    beta: vector[2] ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ normal(0.0, y_sd);
    y[2..N] ~ normal(alpha + beta[0] * &y.segment(1, N - 2)? + beta[1] * &y.head(N - 2)?, sigma);
}

ppl::model! {
    /// The same AR(2) with the outcome as `tail` and the likelihood added with `target +=`.
    pub struct Ar2Tail {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    data y_mean: f64 = ppl::core::mean(y);
    data y_sd: f64 = ppl::core::sd(y);
    alpha ~ normal(y_mean, 10.0);
    beta: vector[2] ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ normal(0.0, y_sd);
    let location = alpha + beta[0] * &y.segment(1, N - 2)? + beta[1] * &y.head(N - 2)?;
    target += normal_lupdf(&y.tail(N - 2)?, &location, sigma)?;
}

ppl::model! {
    /// Exponential survival times, exact, interval-censored (`log_diff_exp`) and
    /// left-censored (`log1m_exp`), plus an ordinal outcome with three categories whose
    /// middle category uses `log_inv_logit_diff` (Stan's `ordered_logistic` by hand).
    pub struct CensoredAndOrdinal {
        #[data(lower = 0.0)]
        y: Vec<f64>,
        #[data(lower = 0.0)]
        lower: Vec<f64>,
        #[data(size = lower.len(), lower = 0.0)]
        upper: Vec<f64>,
        #[data(lower = 0.0)]
        censor_time: f64,
        n_left: usize,
        #[data(upper = 3)]
        category: Vec<usize>,
    }
    lambda: real<lower = 0.0> ~ exponential(1.0);
    y ~ exponential(lambda);
    for i in 0..lower.len() {
        target += log_diff_exp(-lambda * lower[i], -lambda * upper[i]);
    }
    target += n_left as f64 * (-lambda * censor_time).log1m_exp();
    mu: real;
    cut: ordered[2];
    for n in 0..category.len() {
        let term = if category[n] == 0 {
            (mu - cut[0]).log1m_inv_logit()
        } else if category[n] == 1 {
            log_inv_logit_diff(mu - cut[0], mu - cut[1])
        } else {
            (mu - cut[1]).log_inv_logit()
        };
        target += term;
    }
}

// ---------------------------------------------------------------------------------------------
// Hand computations (the harness is tests/common/hand.rs).

fn log_sum_exp_f64(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    max + values.iter().map(|v| (v - max).exp()).sum::<f64>().ln()
}

fn inv_logit(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

// ---------------------------------------------------------------------------------------------
// Softmax regression.

const SOFTMAX_X: [f64; 5] = [0.5, -1.2, 2.0, 0.1, -0.4];
/// 1-based categories, as given to the constructor.
const SOFTMAX_Y: [usize; 5] = [1, 3, 3, 2, 1];

/// `u = (alpha[1..3], beta[1..3])`, no constraints; the prior's data scale drops `−ln 5`.
fn softmax_by_hand(u: &[f64]) -> (f64, f64) {
    let (alpha, beta) = u.split_at(3);
    let mut lp: f64 = alpha
        .iter()
        .chain(beta)
        .map(|v| -0.5 * (v / 5.0).powi(2))
        .sum();
    for (x, y) in SOFTMAX_X.iter().zip(SOFTMAX_Y) {
        let eta: Vec<f64> = (0..3).map(|k| alpha[k] + beta[k] * x).collect();
        lp += eta[y - 1] - log_sum_exp_f64(&eta);
    }
    (lp, 0.0)
}

#[test]
fn softmax_regression_matches_hand_computation() {
    let model = SoftmaxRegression::new(5, 3, SOFTMAX_X.to_vec(), SOFTMAX_Y.to_vec()).unwrap();
    let u = [0.3, -0.8, 1.1, 0.6, -0.2, 0.9];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        softmax_by_hand,
        None,
        1e-9,
    );
    // Derived: softmax at x[0], the cumulative sums of alpha and alpha · beta.
    let values = model.constrain(&u).unwrap();
    assert_eq!(values.len(), 6 + 3 + 3 + 1);
    let eta: Vec<f64> = (0..3).map(|k| u[k] + u[3 + k] * SOFTMAX_X[0]).collect();
    let normaliser = log_sum_exp_f64(&eta);
    for k in 0..3 {
        assert_close(values[6 + k], (eta[k] - normaliser).exp(), 1e-15, "p_first");
    }
    assert_close(values[9], 0.3, 1e-15, "alpha_cumulative[1]");
    assert_close(values[11], 0.3 - 0.8 + 1.1, 1e-15, "alpha_cumulative[3]");
    assert_close(
        values[12],
        0.3 * 0.6 + 0.8 * 0.2 + 1.1 * 0.9,
        1e-15,
        "alpha_dot_beta",
    );
    assert_eq!(model.param_names()[6], "p_first[1]");
}

// ---------------------------------------------------------------------------------------------
// AR(2) with lagged slices.

const SERIES: [f64; 7] = [0.5, 0.9, 0.3, -0.2, 0.4, 1.0, 0.7];

/// `u = (alpha, beta[1], beta[2], ln sigma)`; log-Jacobian `ln sigma`. The priors' data
/// arguments (the literals and the transformed data `y_mean`, `y_sd`) drop their constants.
/// `mean` and `sd` (n − 1) are computed here independently.
fn ar2_by_hand(u: &[f64]) -> (f64, f64) {
    let n = SERIES.len() as f64;
    let y_mean = SERIES.iter().sum::<f64>() / n;
    let y_sd = (SERIES.iter().map(|v| (v - y_mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let (alpha, beta1, beta2, sigma) = (u[0], u[1], u[2], u[3].exp());
    let mut lp = -0.5 * ((alpha - y_mean) / 10.0).powi(2)
        - 0.5 * (beta1.powi(2) + beta2.powi(2))
        - 0.5 * (sigma / y_sd).powi(2);
    for t in 2..SERIES.len() {
        let location = alpha + beta1 * SERIES[t - 1] + beta2 * SERIES[t - 2];
        lp += -0.5 * ((SERIES[t] - location) / sigma).powi(2) - sigma.ln();
    }
    (lp + u[3], u[3])
}

#[test]
fn ar2_with_head_segment_and_tail_matches_hand_computation() {
    let vectorised = Ar2::new(7, SERIES.to_vec()).unwrap();
    let with_tail = Ar2Tail::new(7, SERIES.to_vec()).unwrap();
    // mean and sd of the series (numpy.mean, numpy.std(ddof=1), numpy 2.4.6).
    assert_close(vectorised.y_mean, 0.514_285_714_285_714_2, 1e-15, "y_mean");
    assert_close(vectorised.y_sd, 0.405_908_739_450_020_65, 1e-15, "y_sd");
    let u = [0.1, 0.4, -0.3, -0.5];
    check_against_hand(
        |mode| vectorised.clone().with_gradient_mode(mode),
        &u,
        ar2_by_hand,
        None,
        1e-9,
    );
    check_against_hand(
        |mode| with_tail.clone().with_gradient_mode(mode),
        &u,
        ar2_by_hand,
        None,
        1e-9,
    );
}

ppl::model! {
    /// A window of the data chosen by a data offset (Stan: `segment(y, start + 1, 3)`).
    pub struct Window {
        start: usize,
        y: Vec<f64>,
    }
    mu ~ normal(0.0, 1.0);
    target += normal_lupdf(&y.segment(start, 3)?, mu, 1.0)?;
}

#[test]
fn a_slice_out_of_range_is_an_error_not_a_panic() {
    let inside = Window::new(1, vec![0.5, 0.9, 0.3, -0.2]).unwrap();
    let expected = -0.5 * (0.25f64.powi(2) + 0.65f64.powi(2) + 0.05f64.powi(2) + 0.45f64.powi(2));
    assert_close(
        inside.log_density_f64(&[0.25], true).unwrap(),
        expected,
        1e-15,
        "window",
    );
    let outside = Window::new(2, vec![0.5, 0.9, 0.3, -0.2]).unwrap();
    assert_eq!(
        outside
            .log_density_f64(&[0.25], true)
            .unwrap_err()
            .to_string(),
        "segment: start + len is 5, but must be at most the vector's length 4"
    );
}

// ---------------------------------------------------------------------------------------------
// Censored exponential and an ordinal outcome.

const TIMES: [f64; 3] = [0.4, 1.3, 2.2];
const LOWER: [f64; 2] = [0.5, 2.0];
/// The first interval is narrow (width 1e-3): the arguments `−λ·0.5`, `−λ·0.501` of
/// `log_diff_exp` are themselves rounded, so a narrower one would test their rounding (a
/// relative error of `1e-16 · 0.5 / width` in their difference) rather than the function.
const UPPER: [f64; 2] = [0.501, 3.5];
const CENSOR_TIME: f64 = 0.25;
const N_LEFT: usize = 2;
/// 1-based categories, as given to the constructor.
const CATEGORY: [usize; 5] = [1, 2, 2, 3, 1];

/// `u = (ln lambda, mu, cut_raw[1], cut_raw[2])` with `cut = (c1, c1 + e^{c2_raw})`;
/// log-Jacobian `ln lambda + cut_raw[2]`. The probabilities are formed directly, without the
/// library's log-scale helpers (the narrow interval through `expm1`).
fn censored_by_hand(u: &[f64]) -> (f64, f64) {
    let lambda = u[0].exp();
    let mu = u[1];
    let cut = [u[2], u[2] + u[3].exp()];
    let mut lp = -lambda;
    for t in TIMES {
        lp += lambda.ln() - lambda * t;
    }
    for (l, h) in LOWER.iter().zip(UPPER) {
        // ln(e^−λl − e^−λh) = −λl + ln(1 − e^−λ(h−l)), with expm1 for the narrow interval.
        lp += -lambda * l + (-(-lambda * (h - l)).exp_m1()).ln();
    }
    lp += N_LEFT as f64 * (1.0 - (-lambda * CENSOR_TIME).exp()).ln();
    for c in CATEGORY {
        let probability = match c {
            1 => 1.0 - inv_logit(mu - cut[0]),
            2 => inv_logit(mu - cut[0]) - inv_logit(mu - cut[1]),
            _ => inv_logit(mu - cut[1]),
        };
        lp += probability.ln();
    }
    let log_jacobian = u[0] + u[3];
    (lp + log_jacobian, log_jacobian)
}

#[test]
fn censored_and_ordinal_model_matches_hand_computation() {
    let model = CensoredAndOrdinal::new(
        TIMES.to_vec(),
        LOWER.to_vec(),
        UPPER.to_vec(),
        CENSOR_TIME,
        N_LEFT,
        CATEGORY.to_vec(),
    )
    .unwrap();
    let u = [0.2, 0.3, -0.5, 0.1];
    check_against_hand(
        |mode| model.clone().with_gradient_mode(mode),
        &u,
        censored_by_hand,
        None,
        1e-9,
    );
}

ppl::model! {
    /// Owned data vectors computed in the body meet parameters on either side of an operator:
    /// Stan's `log(exposure) + alpha` and `beta * y[1:(N - 1)]`.
    pub struct OwnedDataVectors {
        N: usize,
        #[data(size = N)]
        exposure: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    alpha ~ normal(0.0, 1.0);
    beta ~ normal(0.0, 1.0);
    y ~ normal(exposure.ln() + alpha, 1.0);
    y[1..N] ~ normal(beta * y.head(N - 1)?, 1.0);
}

#[test]
fn owned_data_vectors_combine_with_parameters() {
    let exposure = vec![1.0, 2.0, 4.0];
    let y = vec![0.5, 1.0, 1.5];
    let model = OwnedDataVectors::new(3, exposure.clone(), y.clone()).unwrap();
    let (alpha, beta) = (0.3, -0.2);
    let by_hand = -0.5 * alpha * alpha - 0.5 * beta * beta
        + (0..3)
            .map(|i| -0.5 * (y[i] - exposure[i].ln() - alpha).powi(2))
            .sum::<f64>()
        + (1..3)
            .map(|i| -0.5 * (y[i] - beta * y[i - 1]).powi(2))
            .sum::<f64>();
    let value = ppl::core::LogDensity::log_density(&model, &[alpha, beta]).unwrap();
    assert!((value - by_hand).abs() < 1e-12, "{value} vs {by_hand}");
}

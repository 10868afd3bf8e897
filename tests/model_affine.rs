//! `model!`'s lazy affine arguments: `a.gather(g)? + b.gather(g)? * x` and `mu + tau * eta` in a `~` statement become `ppl::core::Affine`, with the same log density, gradient and predictive draws as the eager vector.

use ppl::core::{finite_difference_gradient, LogDensity, Matrix, Model, Predictive};
use ppl::GradientMode;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

ppl::model! {
    /// Varying intercepts and slopes, non-centred, with three families over the gathered
    /// predictor, each written in a shape that `model!` passes as an `Affine`.
    pub struct VaryingSlopes {
        N: usize,
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N)]
        z: Vec<f64>,
        #[data(size = N, lower = 0)]
        counts: Vec<i64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
    }
    mu_a ~ normal(0.0, 5.0);
    mu_b ~ normal(0.0, 5.0);
    sigma_a: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_b: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_y: real<lower = 0.0> ~ normal(0.0, 2.5);
    a_raw: vector[G] ~ normal(0.0, 1.0);
    b_raw: vector[G] ~ normal(0.0, 1.0);
    let a = mu_a + sigma_a * a_raw;
    let b = mu_b + sigma_b * b_raw;
    y ~ normal(a.gather(group)? + b.gather(group)? * x, sigma_y);
    counts ~ poisson_log(x * b.gather(group)? + a.gather(group)?);
    successes ~ bernoulli_logit((a.gather(&group[..])? + (b.gather(&group[..])? * &(0.5 * x))));
    // A prior, and a parameter vector as `x`.
    w: vector[N] ~ normal(a.gather(group)? + x * b.gather(group)?, 2.0);
    z ~ cauchy(b.gather(group)? * w + a.gather(group)?, 1.5);
    // Varying intercepts with a common slope (`mu_b`, a `real` parameter).
    z ~ logistic(x * mu_b + a.gather(group)?, 1.5);
    // Varying intercepts alone.
    v: vector[N] ~ normal(a.gather(group)?, 3.0);
}

ppl::model! {
    /// [`VaryingSlopes`] with each location bound by `let` first, so that no argument is
    /// rewritten.
    pub struct VaryingSlopesEager {
        N: usize,
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N)]
        z: Vec<f64>,
        #[data(size = N, lower = 0)]
        counts: Vec<i64>,
        #[data(size = N, lower = 0, upper = 1)]
        successes: Vec<i64>,
    }
    mu_a ~ normal(0.0, 5.0);
    mu_b ~ normal(0.0, 5.0);
    sigma_a: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_b: real<lower = 0.0> ~ normal(0.0, 2.5);
    sigma_y: real<lower = 0.0> ~ normal(0.0, 2.5);
    a_raw: vector[G] ~ normal(0.0, 1.0);
    b_raw: vector[G] ~ normal(0.0, 1.0);
    let a = mu_a + sigma_a * a_raw;
    let b = mu_b + sigma_b * b_raw;
    let location = a.gather(group)? + b.gather(group)? * x;
    y ~ normal(location, sigma_y);
    let log_rate = x * b.gather(group)? + a.gather(group)?;
    counts ~ poisson_log(log_rate);
    let log_odds = a.gather(&group[..])? + (b.gather(&group[..])? * &(0.5 * x));
    successes ~ bernoulli_logit(log_odds);
    let prior_location = a.gather(group)? + x * b.gather(group)?;
    w: vector[N] ~ normal(prior_location, 2.0);
    let z_location = b.gather(group)? * w + a.gather(group)?;
    z ~ cauchy(z_location, 1.5);
    let common_slope = x * mu_b + a.gather(group)?;
    z ~ logistic(common_slope, 1.5);
    let intercepts = a.gather(group)?;
    v: vector[N] ~ normal(intercepts, 3.0);
}

ppl::model! {
    /// Non-centred effects `mu + tau * eta` (in a likelihood and in a prior) and a regression
    /// `beta * x + mu` on a data vector, each passed as an `Affine`.
    pub struct NonCentred {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
        #[data(size = J)]
        x: Vec<f64>,
    }
    mu ~ normal(0.0, 5.0);
    tau: real<lower = 0.0> ~ cauchy(0.0, 5.0);
    eta: vector[J] ~ std_normal();
    beta ~ normal(0.0, 1.0);
    zeta: vector[J] ~ normal(eta * tau + mu, 2.0);
    y ~ normal(mu + tau * eta, sigma);
    y ~ student_t(4.0, beta * x + mu, sigma);
}

ppl::model! {
    /// [`NonCentred`] with the locations bound by `let` first.
    pub struct NonCentredEager {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
        #[data(size = J)]
        x: Vec<f64>,
    }
    mu ~ normal(0.0, 5.0);
    tau: real<lower = 0.0> ~ cauchy(0.0, 5.0);
    eta: vector[J] ~ std_normal();
    beta ~ normal(0.0, 1.0);
    let prior_location = eta * tau + mu;
    zeta: vector[J] ~ normal(prior_location, 2.0);
    let theta = mu + tau * eta;
    y ~ normal(theta, sigma);
    let location = beta * x + mu;
    y ~ student_t(4.0, location, sigma);
}

ppl::model! {
    /// Gathered index data without an upper bound: the index is checked when the density runs.
    pub struct Unbounded {
        N: usize,
        G: usize,
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    intercepts: vector[G] ~ normal(0.0, 1.0);
    slopes: vector[G] ~ normal(0.0, 1.0);
    y ~ normal(intercepts.gather(group)? + slopes.gather(group)? * x, 1.0);
}

ppl::model! {
    /// Affine-looking arguments whose offset is not of the parameters' type (data, or a local
    /// that mentions no parameter): compiled as written, not as an `Affine`.
    pub struct DataOffsets {
        N: usize,
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = G)]
        offsets: Vec<f64>,
    }
    b: vector[G] ~ normal(0.0, 1.0);
    let zeros = Vector::new(vec![T::constant(0.0); G]);
    y ~ normal(offsets.gather(group)? + offsets.gather(group)? * x, 1.0);
    y ~ normal(&offsets.gather(group)? + b.gather(group)? * x, 1.0);
    y ~ normal(zeros.gather(group)? + b.gather(group)? * x, 1.0);
}

ppl::model! {
    /// `design * b.gather(group)?` with a data matrix (rebound, so not a GLM) is a
    /// matrix-vector product, which must not become an element-wise `Affine`.
    pub struct MatrixFactor {
        N: usize,
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = (N, N))]
        design: Matrix<f64>,
        #[data(size = N)]
        y: Vec<f64>,
    }
    a: vector[G] ~ normal(0.0, 1.0);
    b: vector[G] ~ normal(0.0, 1.0);
    let design = design;
    y ~ normal(a.gather(group)? + design * b.gather(group)?, 1.0);
}

const GROUP: [usize; 7] = [1, 3, 2, 3, 1, 2, 3];
const X: [f64; 7] = [0.3, -1.2, 2.0, 0.7, -0.4, 1.1, 0.0];
const Y: [f64; 7] = [0.5, -0.9, 2.2, 1.3, -0.1, 0.4, 0.8];
const Z: [f64; 7] = [1.1, -0.2, 0.9, 2.4, -1.3, 0.0, 0.6];
const COUNTS: [i64; 7] = [0, 3, 1, 2, 0, 5, 1];
const SUCCESSES: [i64; 7] = [0, 1, 1, 0, 1, 0, 1];
/// `mu_a, mu_b, ln sigma_a, ln sigma_b, ln sigma_y, a_raw[3], b_raw[3], w[7], v[7]`.
const VARYING_SLOPES_U: [f64; 25] = [
    0.2, -0.5, -0.3, 0.1, -0.2, 0.9, 0.4, -0.3, 0.1, -0.7, 1.2, 0.3, -1.4, 0.8, 0.0, 2.1, -0.6,
    0.45, 1.1, -0.8, 0.25, 2.2, -1.7, 0.6, 0.05,
];

fn varying_slopes() -> (VaryingSlopes, VaryingSlopesEager) {
    let (group, x, y, z) = (GROUP.to_vec(), X.to_vec(), Y.to_vec(), Z.to_vec());
    let (counts, successes) = (COUNTS.to_vec(), SUCCESSES.to_vec());
    let lazy = VaryingSlopes::new(
        7,
        3,
        group.clone(),
        x.clone(),
        y.clone(),
        z.clone(),
        counts.clone(),
        successes.clone(),
    )
    .unwrap();
    let eager = VaryingSlopesEager::new(7, 3, group, x, y, z, counts, successes).unwrap();
    (lazy, eager)
}

fn non_centred() -> (NonCentred, NonCentredEager) {
    let (y, sigma, x) = (
        vec![28.0, 8.0, -3.0, 7.0],
        vec![15.0, 10.0, 16.0, 11.0],
        vec![0.5, -1.0, 1.5, 0.0],
    );
    (
        NonCentred::new(4, y.clone(), sigma.clone(), x.clone()).unwrap(),
        NonCentredEager::new(4, y, sigma, x).unwrap(),
    )
}

/// The rewritten and the eager model agree: log density exactly (with and without the
/// Jacobian), gradient to 1e-12 in `mode`.
fn assert_same_density(lazy: &impl Model, eager: &impl Model, u: &[f64], mode: GradientMode) {
    for jacobian in [true, false] {
        assert_eq!(
            lazy.log_density_f64(u, jacobian).unwrap(),
            eager.log_density_f64(u, jacobian).unwrap(),
            "jacobian {jacobian}"
        );
    }
    let (mut g_lazy, mut g_eager) = (vec![0.0; u.len()], vec![0.0; u.len()]);
    let lp_lazy = lazy.log_density_gradient(u, &mut g_lazy).unwrap();
    let lp_eager = eager.log_density_gradient(u, &mut g_eager).unwrap();
    assert!(
        (lp_lazy - lp_eager).abs() < 1e-12 * lp_eager.abs().max(1.0),
        "{mode:?}: {lp_lazy} vs {lp_eager}"
    );
    for (k, (a, b)) in g_lazy.iter().zip(&g_eager).enumerate() {
        assert!(
            (a - b).abs() < 1e-12 * b.abs().max(1.0),
            "{mode:?}: gradient[{k}] {a} vs {b}"
        );
    }
}

/// The gradient matches central finite differences of the `f64` log density.
fn assert_gradient_matches_finite_differences(model: &impl Model, u: &[f64]) {
    let mut gradient = vec![0.0; u.len()];
    model.log_density_gradient(u, &mut gradient).unwrap();
    let expected = finite_difference_gradient(|v| model.log_density_f64(v, true), u, 1e-6).unwrap();
    for (k, (g, e)) in gradient.iter().zip(&expected).enumerate() {
        assert!(
            (g - e).abs() < 1e-6 * e.abs().max(1.0),
            "gradient[{k}] {g} vs {e}"
        );
    }
}

#[test]
fn gathered_arguments_match_the_eager_vectors() {
    let (lazy, eager) = varying_slopes();
    // Affine arguments leave intermediates that depend on few parameters.
    assert!(lazy.prefers_sparse_gradient());
    assert!(!eager.prefers_sparse_gradient());
    for mode in [GradientMode::Dense, GradientMode::Sparse] {
        assert_same_density(
            &lazy.clone().with_gradient_mode(mode),
            &eager.clone().with_gradient_mode(mode),
            &VARYING_SLOPES_U,
            mode,
        );
    }
    assert_gradient_matches_finite_differences(&lazy, &VARYING_SLOPES_U);
}

#[test]
fn non_centred_arguments_match_the_eager_vectors() {
    let (lazy, eager) = non_centred();
    // `mu + tau * eta` gives no sparse hint: dense lanes stay faster at small dimensions.
    assert!(!lazy.prefers_sparse_gradient());
    // mu, ln tau, eta[4], beta, zeta[4]
    let u = [1.5, 0.8, 0.3, -1.1, 0.6, 0.05, -0.4, 0.7, -0.2, 1.9, -0.6];
    for mode in [GradientMode::Dense, GradientMode::Sparse] {
        assert_same_density(
            &lazy.clone().with_gradient_mode(mode),
            &eager.clone().with_gradient_mode(mode),
            &u,
            mode,
        );
    }
    assert_gradient_matches_finite_differences(&lazy, &u);
}

#[test]
fn an_index_beyond_the_vector_is_a_typed_error() {
    let model = Unbounded::new(2, 2, vec![1, 3], vec![0.5, 1.0], vec![0.0, 1.0]).unwrap();
    let u = [0.1, -0.2, 0.3, 0.4];
    let expected = "affine: index[2] is 3, but must be between 1 and 2, the length of offset";
    let error = model.log_density_f64(&u, true).unwrap_err();
    assert!(
        matches!(error, ppl::Error::InvalidArgument { .. }),
        "{error:?}"
    );
    assert_eq!(error.to_string(), expected);
    let mut gradient = [0.0; 4];
    let error = model.log_density_gradient(&u, &mut gradient).unwrap_err();
    assert_eq!(error.to_string(), expected);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let error = model.simulate_observed(&u, &mut rng).unwrap_err();
    assert_eq!(error.to_string(), expected);
    // Indices within the vectors evaluate.
    let model = Unbounded::new(2, 2, vec![1, 2], vec![0.5, 1.0], vec![0.0, 1.0]).unwrap();
    assert!(model.log_density_f64(&u, true).is_ok());
}

#[test]
fn offsets_without_parameters_are_left_as_written() {
    let offsets = vec![0.5, -1.0, 2.0];
    let model = DataOffsets::new(
        7,
        3,
        GROUP.to_vec(),
        X.to_vec(),
        Y.to_vec(),
        offsets.clone(),
    )
    .unwrap();
    assert!(!model.prefers_sparse_gradient());
    let b = [0.4, -0.3, 1.1];
    // normal_lupdf with unit scale: −½ z² per observation; normal(0, 1) priors on b.
    let mut expected: f64 = b.iter().map(|b_k| -0.5 * b_k * b_k).sum();
    for i in 0..7 {
        let k = GROUP[i] - 1;
        for location in [
            offsets[k] + offsets[k] * X[i],
            offsets[k] + b[k] * X[i],
            b[k] * X[i],
        ] {
            expected -= 0.5 * (Y[i] - location).powi(2);
        }
    }
    let lp = model.log_density_f64(&b, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    assert_gradient_matches_finite_differences(&model, &b);
}

#[test]
fn predictive_draws_match_the_eager_vectors() {
    let (lazy, eager) = varying_slopes();
    let u = VARYING_SLOPES_U;
    let (means, variances) = lazy.observed_moments(&u).unwrap();
    let (eager_means, eager_variances) = eager.observed_moments(&u).unwrap();
    // Bit for bit (the Cauchy outcomes' moments are NaN).
    let bits = |values: &[f64]| values.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
    assert_eq!(bits(&means), bits(&eager_means));
    assert_eq!(bits(&variances), bits(&eager_variances));
    // E(y_i) = a_k + b_k x_i with a = mu_a + sigma_a a_raw, b = mu_b + sigma_b b_raw.
    for i in 0..7 {
        let k = GROUP[i] - 1;
        let a_k = u[0] + u[2].exp() * u[5 + k];
        let b_k = u[1] + u[3].exp() * u[8 + k];
        assert!((means[i] - (a_k + b_k * X[i])).abs() < 1e-14, "y[{i}]");
    }
    let (mut rng_lazy, mut rng_eager) =
        (ChaCha8Rng::seed_from_u64(9), ChaCha8Rng::seed_from_u64(9));
    for _ in 0..20 {
        assert_eq!(
            lazy.simulate_observed(&u, &mut rng_lazy).unwrap(),
            eager.simulate_observed(&u, &mut rng_eager).unwrap()
        );
        assert_eq!(
            lazy.simulate_prior(&mut rng_lazy).unwrap(),
            eager.simulate_prior(&mut rng_eager).unwrap()
        );
    }
    // A rewritten prior (`zeta ~ normal(eta * tau + mu, 2.0)`) draws as the eager one.
    let (lazy, eager) = non_centred();
    let (mut rng_lazy, mut rng_eager) =
        (ChaCha8Rng::seed_from_u64(4), ChaCha8Rng::seed_from_u64(4));
    for _ in 0..20 {
        assert_eq!(
            lazy.simulate_prior(&mut rng_lazy).unwrap(),
            eager.simulate_prior(&mut rng_eager).unwrap()
        );
    }
}

#[test]
fn a_data_matrix_factor_stays_a_matrix_product() {
    let rows = vec![
        vec![0.5, -1.0, 0.2],
        vec![1.5, 0.3, -0.7],
        vec![-0.4, 0.8, 1.1],
    ];
    let (group, y) = ([1, 2, 2], [0.3, 1.2, -0.5]);
    let model = MatrixFactor::new(
        3,
        2,
        group.to_vec(),
        Matrix::from_rows(&rows).unwrap(),
        y.to_vec(),
    )
    .unwrap();
    assert!(!model.prefers_sparse_gradient());
    let u = [0.4, -0.3, 1.1, 0.6];
    let (a, b) = (&u[0..2], &u[2..4]);
    let mut expected: f64 = u.iter().map(|v| -0.5 * v * v).sum();
    for i in 0..3 {
        let product: f64 = (0..3).map(|j| rows[i][j] * b[group[j] - 1]).sum();
        expected -= 0.5 * (y[i] - (a[group[i] - 1] + product)).powi(2);
    }
    let lp = model.log_density_f64(&u, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

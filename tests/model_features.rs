//! Statement kinds of `model!` on models with unconstrained parameters only: index and integer data, matrices, transformed data, loops, `if`, `while`, `target +=`, derived quantities, user functions.

use ppl::core::{finite_difference_gradient, GradientMode, LogDensity, Matrix, Model};
use ppl::Real;

/// A user-defined function generic over the scalar.
fn shift<T: Real>(x: T) -> T {
    x + 1.0
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

ppl::model! {
    /// Varying intercepts with a design matrix and a centred covariate.
    pub struct Features {
        N: usize,
        G: usize,
        #[data(size = N, upper = G)]
        group: Vec<usize>,
        #[data(size = N)]
        x: Vec<f64>,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = (N, 2))]
        design: Matrix<f64>,
        #[data(lower = 0)]
        trials: i64,
        flag: bool,
    }
    data x_mean: f64 = mean(x);
    data x_centred: Vec<f64> = x.iter().map(|v| v - x_mean).collect();
    mu ~ normal(0.0, 5.0);
    a_raw[G] ~ std_normal();
    beta: vector[2] ~ normal(0.0, 1.0);
    m: matrix[2, 2];
    m ~ normal(0.0, 2.0);
    let a = mu + a_raw;
    derived a_scaled = 2.0 * &a;
    derived shifted_mu = shift(mu);
    let eta = a.gather(group)? + design * beta + mu * x_centred;
    y ~ normal(eta, 1.0);
    if flag {
        target += -0.5 * mu * mu;
    } else {
        target += normal_lpdf(mu, 0.0, 1.0);
    }
    for n in 0..N {
        y[n] ~ normal(a[group[n]], 10.0);
    }
    let mut k = 0;
    while k < trials {
        target += -0.01 * mu * mu;
        k += 1;
    }
}

fn model(flag: bool) -> Features {
    let design = Matrix::from_rows(&[
        vec![1.0, 0.0],
        vec![0.0, 1.0],
        vec![1.0, 1.0],
        vec![0.5, 0.5],
    ])
    .unwrap();
    Features::new(
        4,
        2,
        vec![1, 2, 2, 1],
        vec![0.5, 1.0, 1.5, 2.0],
        vec![0.3, 1.2, 1.9, 2.8],
        design,
        3,
        flag,
    )
    .unwrap()
}

const U: [f64; 9] = [0.4, -0.3, 0.8, 0.2, -0.6, 0.1, -0.2, 0.3, 0.5];

/// The same log-density written out by hand.
fn by_hand(u: &[f64], flag: bool) -> f64 {
    let (mu, a_raw, beta, m) = (u[0], &u[1..3], &u[3..5], &u[5..9]);
    let ln_sqrt_2pi = (2.0 * std::f64::consts::PI).sqrt().ln();
    let group = [0, 1, 1, 0];
    let x = [0.5, 1.0, 1.5, 2.0];
    let y = [0.3, 1.2, 1.9, 2.8];
    let design = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.5, 0.5]];
    let x_mean = 1.25;
    // `~` with data (here literal) scales drops `−ln σ`, as Stan's `~` does.
    let mut lp = -0.5 * (mu / 5.0).powi(2);
    lp -= 0.5 * a_raw.iter().map(|v| v * v).sum::<f64>();
    lp -= 0.5 * beta.iter().map(|v| v * v).sum::<f64>();
    lp -= m.iter().map(|v| 0.5 * (v / 2.0).powi(2)).sum::<f64>();
    let a: Vec<f64> = a_raw.iter().map(|r| mu + r).collect();
    for n in 0..4 {
        let eta =
            a[group[n]] + design[n][0] * beta[0] + design[n][1] * beta[1] + mu * (x[n] - x_mean);
        lp -= 0.5 * (y[n] - eta).powi(2);
        lp -= 0.5 * ((y[n] - a[group[n]]) / 10.0).powi(2);
    }
    lp -= if flag {
        0.5 * mu * mu
    } else {
        0.5 * mu * mu + ln_sqrt_2pi
    };
    lp - 3.0 * 0.01 * mu * mu
}

#[test]
fn log_density_matches_hand_computation() {
    for flag in [true, false] {
        let lp = model(flag).log_density_f64(&U, true).unwrap();
        let expected = by_hand(&U, flag);
        assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    }
}

#[test]
fn gradient_matches_finite_differences() {
    // d = 9 resolves `Auto` to dense chunks; the sparse mode must give the same gradient.
    assert_eq!(model(false).gradient_mode().resolve(9), GradientMode::Dense);
    for mode in [
        GradientMode::Auto,
        GradientMode::Dense,
        GradientMode::Sparse,
    ] {
        let model = model(false).with_gradient_mode(mode);
        assert_eq!(Model::gradient_mode(&model), mode);
        let mut gradient = vec![0.0; 9];
        let lp = model.log_density_gradient(&U, &mut gradient).unwrap();
        assert_eq!(lp, model.log_density_f64(&U, true).unwrap());
        let expected =
            finite_difference_gradient(|v| model.log_density_f64(v, true), &U, 1e-6).unwrap();
        for (i, (g, e)) in gradient.iter().zip(&expected).enumerate() {
            assert!(
                (g - e).abs() < 1e-6 * e.abs().max(1.0),
                "{mode:?} [{i}] {g} vs {e}"
            );
        }
    }
}

#[test]
fn names_outputs_and_round_trip() {
    let model = model(true);
    assert_eq!(
        Model::param_names(&model),
        vec![
            "mu",
            "a_raw[1]",
            "a_raw[2]",
            "beta[1]",
            "beta[2]",
            "m[1,1]",
            "m[2,1]",
            "m[1,2]",
            "m[2,2]",
            "a_scaled[1]",
            "a_scaled[2]",
            "shifted_mu"
        ]
    );
    let out = Model::constrain(&model, &U).unwrap();
    // Parameters as given (identity transforms, matrix column-major), then derived quantities.
    assert_eq!(&out[..9], &U[..]);
    assert_eq!(out[9], 2.0 * (0.4 - 0.3));
    assert_eq!(out[10], 2.0 * (0.4 + 0.8));
    assert_eq!(out[11], 1.4);
    assert_eq!(Model::unconstrain(&model, &out).unwrap(), U.to_vec());
    assert_eq!(Model::unconstrain(&model, &out[..9]).unwrap(), U.to_vec());
}

#[test]
fn index_data_are_one_based_in_and_zero_based_stored() {
    let model = model(true);
    assert_eq!(model.group, vec![0, 1, 1, 0]);
    let json = r#"{"N": 1, "G": 2, "group": [0], "x": [1], "y": [1],
                   "design": [[1, 2]], "trials": 0, "flag": false}"#;
    assert_eq!(
        Features::from_json(json).unwrap_err().to_string(),
        "Features: data group[1] is 0, but must be >= 1"
    );
    let json = r#"{"N": 1, "G": 2, "group": [1], "x": [1], "y": [1],
                   "design": [[1, 2, 3]], "trials": 0, "flag": 0}"#;
    assert_eq!(
        Features::from_json(json).unwrap_err().to_string(),
        "Features: data design has 3 columns, but must have 2 columns (2)"
    );
    let json = r#"{"N": 1, "G": 2, "group": [1], "x": [1], "y": [1],
                   "design": [[1, 2]], "trials": -1, "flag": 0}"#;
    assert_eq!(
        Features::from_json(json).unwrap_err().to_string(),
        "Features: data trials is -1, but must be >= 0"
    );
    let json = r#"{"N": 1, "G": 2, "group": [1], "x": [1], "y": ["a"],
                   "design": [[1, 2]], "trials": 1, "flag": 0}"#;
    assert_eq!(
        Features::from_json(json).unwrap_err().to_string(),
        r#"Features: data y[1] is "a", but must be a number"#
    );
    let model = Features::from_json(
        r#"{"N": 1, "G": 2, "group": [2], "x": [1], "y": [1], "design": [[1, 2]],
            "trials": 1, "flag": true}"#,
    )
    .unwrap();
    assert_eq!(Model::dim(&model), 9);
    let err = model.log_density_f64(&[0.0; 3], true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Features: unconstrained parameters has size 3, but must have size 9"
    );
}

ppl::model! {
    /// Stan's `a[group]` multi-indexing as `a.gather(group)?` on a local vector.
    pub struct Gather {
        G: usize,
        group: Vec<usize>,
        #[data(size = group.len())]
        y: Vec<f64>,
    }
    mu_a ~ normal(0.0, 5.0);
    sigma_a: real;
    a_raw[G] ~ std_normal();
    let a = mu_a + sigma_a * a_raw;
    y ~ normal(a.gather(group)?, 1.0);
}

#[test]
fn gather_follows_index_data() {
    let model = Gather::new(2, vec![2, 1, 2], vec![0.5, -0.5, 1.0]).unwrap();
    let u = [0.5, 2.0, 0.1, -0.2];
    let a = [0.5 + 2.0 * 0.1, 0.5 + 2.0 * -0.2];
    let expected = -0.5 * (0.5f64 / 5.0).powi(2)
        - 0.5 * (0.01 + 0.04)
        - 0.5 * ((0.5 - a[1]).powi(2) + (-0.5 - a[0]).powi(2) + (1.0 - a[1]).powi(2));
    let lp = model.log_density_f64(&u, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

ppl::model! {
    /// A data field named `T` (as in posteriordb's garch11) next to the scalar type `T`.
    pub struct TimeSeries {
        T: usize,
        #[data(size = T)]
        y: Vec<f64>,
    }
    mu ~ normal(0.0, 1.0);
    let mut level = T::constant(0.0);
    for t in 0..T {
        level = level + mu;
        y[t] ~ normal(level, 1.0);
    }
}

#[test]
fn data_named_t_coexists_with_the_scalar_type() {
    let model = TimeSeries::new(2, vec![1.0, 2.0]).unwrap();
    let lp = model.log_density_f64(&[0.5], true).unwrap();
    let expected = -0.5 * 0.25 - 0.5 * (0.25 + 1.0);
    assert!((lp - expected).abs() < 1e-14, "{lp} vs {expected}");
}

ppl::model! {
    /// `target += density(…)?` with the scalar type left to inference, as Stan users write it.
    pub struct TargetWithTry {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu ~ normal(0.0, 1.0);
    sigma: real<lower = 0.0> ~ exponential(1.0);
    target += normal_lpdf(y, mu, sigma)?;
    target += normal_lpdf(y[0], mu, 2.0)?;
}

#[test]
fn target_takes_a_density_call_with_question_mark() {
    let model = TargetWithTry::new(2, vec![0.3, -0.4]).unwrap();
    let u = [0.2, 0.1];
    let (mu, sigma) = (u[0], u[1].exp());
    let ln_sqrt_2pi = 0.5 * (2.0 * std::f64::consts::PI).ln();
    let expected = -0.5 * mu * mu - sigma
        + u[1]
        + [0.3, -0.4]
            .iter()
            .map(|y: &f64| -0.5 * ((y - mu) / sigma).powi(2) - sigma.ln() - ln_sqrt_2pi)
            .sum::<f64>()
        - 0.5 * ((0.3 - mu) / 2.0f64).powi(2)
        - 2f64.ln()
        - ln_sqrt_2pi;
    let lp = model.log_density_f64(&u, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    // A density error inside `?` is the log density's error.
    let bad = TargetWithTry::new(1, vec![f64::NAN]).unwrap();
    let error = bad.log_density_f64(&u, true).unwrap_err();
    assert!(error.to_string().contains("normal"), "{error}");
}

ppl::model! {
    /// Data scales in `~` statements: a data vector, its elements, a scalar data field, and a
    /// data name that a statement rebinds to a parameter-dependent value.
    pub struct DataScales {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
        #[data(size = N)]
        s: Vec<f64>,
        scale: f64,
        spread: f64,
    }
    mu ~ normal(0.0, 1.0);
    tau: real<lower = 0.0> ~ exponential(1.0);
    y ~ normal(mu, s);
    for n in 0..N {
        y[n] ~ normal(mu, s[n]);
    }
    y ~ normal(mu, scale);
    let spread = spread * tau;
    y ~ normal(mu, spread);
}

#[test]
fn sample_statements_drop_terms_of_data_alone() {
    let (y, s, scale, spread) = ([0.3, -0.4], [0.5, 2.0], 1.5, 3.0);
    let model = DataScales::new(2, y.to_vec(), s.to_vec(), scale, spread).unwrap();
    let u = [0.2, 0.1];
    let (mu, tau) = (u[0], u[1].exp());
    let squares = |sigma: &dyn Fn(usize) -> f64| -> f64 {
        (0..2)
            .map(|n| -0.5 * ((y[n] - mu) / sigma(n)).powi(2))
            .sum()
    };
    // Data scales (the vector `s`, its elements `s[n]`, the field `scale`, the literals) drop
    // `−ln σ`, as Stan's `~` does. `spread` is rebound to a parameter-dependent value, so its
    // statement keeps `−ln σ` (`−2 ln(spread·τ)`).
    let expected = -0.5 * mu * mu - tau
        + u[1]
        + 2.0 * squares(&|n| s[n])
        + squares(&|_| scale)
        + squares(&|_| spread * tau)
        - 2.0 * (spread * tau).ln();
    let lp = model.log_density_f64(&u, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
    // The gradient reports the same value.
    let mut gradient = [0.0; 2];
    let lp_from_gradient = model.log_density_gradient(&u, &mut gradient).unwrap();
    assert!((lp_from_gradient - expected).abs() < 1e-12);
}

ppl::model! {
    /// `theta ~ dirichlet(alpha)` with data concentrations.
    pub struct DirichletSample {
        K: usize,
        #[data(size = K)]
        alpha: Vec<f64>,
    }
    theta: simplex[K] ~ dirichlet(alpha);
}

ppl::model! {
    /// The same density with every term kept.
    pub struct DirichletTarget {
        K: usize,
        #[data(size = K)]
        alpha: Vec<f64>,
    }
    theta: simplex[K];
    target += dirichlet_lpdf::<T>(theta, alpha)?;
}

#[test]
fn dirichlet_sample_statement_drops_the_normaliser_of_data_concentrations() {
    use ppl::core::special::lgamma as ln_gamma;
    let alpha = vec![1.5, 2.0, 0.7];
    let sampled = DirichletSample::new(3, alpha.clone()).unwrap();
    let kept = DirichletTarget::new(3, alpha.clone()).unwrap();
    let normaliser = ln_gamma(4.2) - alpha.iter().map(|&a| ln_gamma(a)).sum::<f64>();
    for u in [[0.3, -0.2], [-1.0, 0.5]] {
        let lp_sampled = sampled.log_density_f64(&u, true).unwrap();
        let lp_kept = kept.log_density_f64(&u, true).unwrap();
        assert!(
            (lp_kept - lp_sampled - normaliser).abs() < 1e-12,
            "{lp_kept} - {lp_sampled} vs {normaliser}"
        );
    }
}

/// A data name shadowed by an `if let` pattern.
fn scaled<T: Real>(tau: T) -> Option<T> {
    Some(tau * 2.0)
}

ppl::model! {
    /// `spread` is a data field, shadowed inside the `if let` by a parameter-dependent value:
    /// it must not be passed as `Data` there.
    pub struct IfLetShadow {
        #[data(size = 2)]
        y: Vec<f64>,
        spread: f64,
    }
    mu ~ normal(0.0, 1.0);
    tau: real<lower = 0.0> ~ exponential(1.0);
    if let Some(spread) = scaled(tau) {
        y ~ normal(mu, spread);
    }
}

#[test]
fn if_let_patterns_shadow_data_names() {
    let y = [0.3, -0.4];
    let model = IfLetShadow::new(y.to_vec(), 3.0).unwrap();
    let u = [0.2, 0.1];
    let (mu, tau) = (u[0], u[1].exp());
    let spread = 2.0 * tau;
    let expected = -0.5 * mu * mu - tau
        + u[1]
        + y.iter()
            .map(|v| -0.5 * ((v - mu) / spread).powi(2) - spread.ln())
            .sum::<f64>();
    let lp = model.log_density_f64(&u, true).unwrap();
    assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
}

ppl::model! {
    /// Data matrices in `~` statements: a Cholesky factor and a covariance that are data fields,
    /// a factor that is transformed data, and an observed correlation factor.
    pub struct DataMatrices {
        #[data(size = 2)]
        y: Vec<f64>,
        #[data(size = (2, 2))]
        L: Matrix<f64>,
        #[data(size = (2, 2))]
        Sigma: Matrix<f64>,
        #[data(size = (2, 2))]
        Omega: Matrix<f64>,
    }
    data L_sigma: Matrix<f64> = ppl::core::linalg::cholesky_decompose(Sigma)?;
    mu: vector[2] ~ normal(0.0, 1.0);
    y ~ multi_normal_cholesky(mu, L);
    y ~ multi_normal(mu, Sigma);
    y ~ multi_normal_cholesky(mu, L_sigma);
    Omega ~ lkj_corr_cholesky(2.0);
}

ppl::model! {
    /// The same statements with every matrix rebound first: not known to be data (a `~` left
    /// side cannot be rebound: the full lkj density is added instead).
    pub struct ReboundMatrices {
        #[data(size = 2)]
        y: Vec<f64>,
        #[data(size = (2, 2))]
        L: Matrix<f64>,
        #[data(size = (2, 2))]
        Sigma: Matrix<f64>,
        #[data(size = (2, 2))]
        Omega: Matrix<f64>,
    }
    data L_sigma: Matrix<f64> = ppl::core::linalg::cholesky_decompose(Sigma)?;
    mu: vector[2] ~ normal(0.0, 1.0);
    let L = L;
    let Sigma = Sigma;
    let L_sigma = L_sigma;
    y ~ multi_normal_cholesky(mu, L);
    y ~ multi_normal(mu, Sigma);
    y ~ multi_normal_cholesky(mu, L_sigma);
    target += lkj_corr_cholesky_lpdf::<T>(Omega, 2.0)?;
}

#[test]
fn sample_statements_drop_log_determinants_of_data_matrices() {
    let y = [0.4, -0.7];
    let l = Matrix::from_rows(&[vec![1.5, 0.0], vec![0.3, 0.8]]).unwrap();
    let sigma = Matrix::from_rows(&[vec![2.0, 0.6], vec![0.6, 1.0]]).unwrap();
    let omega_22: f64 = 0.8;
    let omega = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.6, omega_22]]).unwrap();
    let marked = DataMatrices::new(y.to_vec(), l.clone(), sigma.clone(), omega.clone()).unwrap();
    let rebound = ReboundMatrices::new(y.to_vec(), l, sigma, omega).unwrap();
    for u in [[0.2, -0.1], [-1.0, 0.5]] {
        let residual = [y[0] - u[0], y[1] - u[1]];
        // −½ |L⁻¹ r|² by forward substitution, −½ rᵀ Σ⁻¹ r with the 2 × 2 inverse written out.
        let z = [
            residual[0] / 1.5,
            (residual[1] - 0.3 * residual[0] / 1.5) / 0.8,
        ];
        let cholesky_quadratic = -0.5 * (z[0] * z[0] + z[1] * z[1]);
        let determinant = 2.0 * 1.0 - 0.6 * 0.6;
        let sigma_quadratic = -0.5
            * (1.0 * residual[0] * residual[0] - 2.0 * 0.6 * residual[0] * residual[1]
                + 2.0 * residual[1] * residual[1])
            / determinant;
        // Data matrices: only the quadratic forms (and the prior) remain; lkj with a data
        // factor and a data eta is constant and goes entirely.
        let expected =
            -0.5 * (u[0] * u[0] + u[1] * u[1]) + cholesky_quadratic + 2.0 * sigma_quadratic;
        let lp = marked.log_density_f64(&u, true).unwrap();
        assert!((lp - expected).abs() < 1e-12, "{lp} vs {expected}");
        let mut gradient = [0.0; 2];
        let lp_from_gradient = marked.log_density_gradient(&u, &mut gradient).unwrap();
        assert!((lp_from_gradient - expected).abs() < 1e-12);
        // Rebound matrices keep −Σ ln L_kk and −½ ln det Σ (twice: through Σ and its factor);
        // the full lkj density is ln c_2(2) + (K − 2 + 2η − 2) ln Ω_22, with
        // c_2(2) = 3/4 (the density ¾ (1 − r²) of the correlation r).
        let kept =
            -(1.5f64.ln() + 0.8f64.ln()) - determinant.ln() + 0.75f64.ln() + 2.0 * omega_22.ln();
        let lp_rebound = rebound.log_density_f64(&u, true).unwrap();
        assert!(
            (lp_rebound - (expected + kept)).abs() < 1e-12,
            "{lp_rebound} vs {}",
            expected + kept
        );
        let mut gradient_rebound = [0.0; 2];
        rebound
            .log_density_gradient(&u, &mut gradient_rebound)
            .unwrap();
        for (a, b) in gradient.iter().zip(&gradient_rebound) {
            assert!(
                (a - b).abs() < 1e-12,
                "{gradient:?} vs {gradient_rebound:?}"
            );
        }
    }
}

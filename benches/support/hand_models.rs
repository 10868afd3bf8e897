//! Hand-written log-densities of the five performance-suite models (eight_schools_noncentered, logistic_regression, hierarchical_regression, poisson_glm, correlated_gaussian_100), in three forms each: vectorised ppl-core primitives, element-by-element scalar code, and an analytic gradient.
//!
//! Shared by the criterion bench `benches/gradient.rs` and the `bench_gradient` example, so
//! that the AD cost ratios in `docs/performance.md` come from one definition of each model.

#![allow(dead_code)]

use ppl::core::linalg::cholesky_decompose;
use ppl::core::{dist, special, Affine, Data, Dual, GroupIndex, Matrix, Real, SparseDual};
use serde_json::Value;

fn read_json(name: &str) -> Value {
    let path = format!(
        "{}/tests/data/bench/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn f64_vec(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect()
}

fn i64_vec(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("integer"))
        .collect()
}

fn matrix(v: &Value) -> Matrix<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().expect("rows").iter().map(f64_vec).collect();
    Matrix::from_rows(&rows).expect("rectangular matrix")
}

/// A benchmark model: plain and generic log-densities plus an analytic gradient.
pub trait HandModel: Sync {
    /// Model name as in `tests/data/bench/models.md`.
    fn name(&self) -> &'static str;
    /// Unconstrained dimension.
    fn dim(&self) -> usize;
    /// Log-density with ppl-core's vectorised primitives (what `model!` generates).
    fn vectorised<T: Real>(&self, u: &[T]) -> T;
    /// Log-density written element by element with scalar operations only.
    fn elementwise<T: Real>(&self, u: &[T]) -> T;
    /// Log-density and its analytic gradient, written by hand in `f64`.
    fn analytic(&self, u: &[f64], gradient: &mut [f64]) -> f64;
}

/// `Σ a_i b_i` with four independent partial sums (so the loop pipelines and vectorises, as
/// ppl-core's own `f64` triangular solves do).
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (a_chunks, b_chunks) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..4 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

/// `-ln(1 + (x / scale)²)`: the Cauchy(0, scale) log-density up to a constant.
fn cauchy_kernel<T: Real>(x: T, scale: f64) -> T {
    -((x / scale).square()).ln_1p()
}

// ---------------------------------------------------------------- eight schools
pub struct EightSchools {
    y: Vec<f64>,
    sigma: Vec<f64>,
}

impl EightSchools {
    pub fn load() -> Self {
        let data = read_json("eight_schools_noncentered");
        EightSchools {
            y: f64_vec(&data["y"]),
            sigma: f64_vec(&data["sigma"]),
        }
    }
}

impl HandModel for EightSchools {
    fn name(&self) -> &'static str {
        "eight_schools_noncentered"
    }
    fn dim(&self) -> usize {
        2 + self.y.len()
    }
    fn vectorised<T: Real>(&self, u: &[T]) -> T {
        let (mu, log_tau, theta_tilde) = (u[0], u[1], &u[2..]);
        let tau = log_tau.exp();
        // theta = mu + tau * theta_tilde, never materialised (see `Affine`).
        let theta = Affine::new(mu, tau, theta_tilde).unwrap();
        // Data scales are marked `Data`, so `~`'s unnormalised densities drop `ln σ`, as Stan
        // (and the analytic gradient) do.
        let lp: T = dist::normal_lupdf::<T>(mu, 0.0, Data(5.0)).unwrap()
            + cauchy_kernel(tau, 5.0)
            + log_tau
            + dist::normal_lupdf::<T>(theta_tilde, 0.0, Data(1.0)).unwrap()
            + dist::normal_lupdf::<T>(&self.y, &theta, Data(&self.sigma)).unwrap();
        lp
    }
    fn elementwise<T: Real>(&self, u: &[T]) -> T {
        let (mu, log_tau) = (u[0], u[1]);
        let tau = log_tau.exp();
        let mut lp = T::accumulator();
        lp += -(mu / 5.0).square() * 0.5 + cauchy_kernel(tau, 5.0) + log_tau;
        for (j, &t) in u[2..].iter().enumerate() {
            lp -= t.square() * 0.5;
            let z = (mu + tau * t - self.y[j]) / self.sigma[j];
            lp -= z.square() * 0.5;
        }
        lp
    }
    fn analytic(&self, u: &[f64], g: &mut [f64]) -> f64 {
        let (mu, log_tau) = (u[0], u[1]);
        let tau = log_tau.exp();
        let r = tau / 5.0;
        let mut lp = -0.5 * (mu / 5.0).powi(2) - r.mul_add(r, 0.0).ln_1p() + log_tau;
        g[0] = -mu / 25.0;
        // d/dlog_tau of -ln(1 + tau²/25) = -2 r² / (1 + r²); plus 1 from the Jacobian.
        g[1] = 1.0 - 2.0 * r * r / (1.0 + r * r);
        for j in 0..self.y.len() {
            let t = u[2 + j];
            let inv_sigma = 1.0 / self.sigma[j];
            let z = (mu + tau * t - self.y[j]) * inv_sigma;
            lp -= 0.5 * (t * t + z * z);
            let dz = -z * inv_sigma;
            g[0] += dz;
            g[1] += dz * tau * t;
            g[2 + j] = -t + dz * tau;
        }
        lp
    }
}

// ---------------------------------------------------------------- logistic regression
pub struct LogisticRegression {
    x: Matrix<f64>,
    y: Vec<i64>,
}

impl LogisticRegression {
    pub fn load() -> Self {
        let data = read_json("logistic_regression");
        LogisticRegression {
            x: matrix(&data["x"]),
            y: i64_vec(&data["y"]),
        }
    }
}

impl HandModel for LogisticRegression {
    fn name(&self) -> &'static str {
        "logistic_regression"
    }
    fn dim(&self) -> usize {
        1 + self.x.cols()
    }
    fn vectorised<T: Real>(&self, u: &[T]) -> T {
        let (alpha, beta) = (u[0], &u[1..]);
        // What `model!` generates for `y ~ bernoulli_logit(alpha + x * beta)`: the GLM density,
        // with eta = alpha + x·beta and the coefficient gradient xᵀg computed in f64.
        // The priors' literal arguments are `Data`, as `model!` marks them, so `ln σ` is
        // dropped, as in the other two forms.
        dist::bernoulli_logit_glm_lupmf::<T>(&self.y, &self.x, alpha, beta).unwrap()
            + dist::normal_lupdf::<T>(alpha, Data(0.0), Data(5.0)).unwrap()
            + dist::normal_lupdf::<T>(beta, Data(0.0), Data(2.5)).unwrap()
    }
    fn elementwise<T: Real>(&self, u: &[T]) -> T {
        let (alpha, beta) = (u[0], &u[1..]);
        let mut lp = T::accumulator();
        lp += -(alpha / 5.0).square() * 0.5;
        for b in beta {
            lp -= (*b / 2.5).square() * 0.5;
        }
        for i in 0..self.x.rows() {
            let mut eta = alpha;
            for (x_ij, b) in self.x.row(i).iter().zip(beta) {
                eta += *b * *x_ij;
            }
            lp += eta * self.y[i] as f64 - eta.log1p_exp();
        }
        lp
    }
    fn analytic(&self, u: &[f64], g: &mut [f64]) -> f64 {
        let (alpha, beta) = (u[0], &u[1..]);
        let mut lp = -0.5 * (alpha / 5.0).powi(2);
        g[0] = -alpha / 25.0;
        for (j, b) in beta.iter().enumerate() {
            lp -= 0.5 * (b / 2.5).powi(2);
            g[1 + j] = -b / 6.25;
        }
        for i in 0..self.x.rows() {
            let row = self.x.row(i);
            let eta = alpha + row.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
            let y = self.y[i] as f64;
            lp += y * eta - special::log1p_exp(eta);
            let d_eta = y - special::inv_logit(eta);
            g[0] += d_eta;
            for (j, x) in row.iter().enumerate() {
                g[1 + j] += d_eta * x;
            }
        }
        lp
    }
}

// ---------------------------------------------------------------- hierarchical regression
pub struct HierarchicalRegression {
    n_groups: usize,
    group: Vec<usize>,
    /// `group`, checked once, for the lazy `a[group] + b[group] .* x`.
    group_index: GroupIndex,
    x: Vec<f64>,
    y: Vec<f64>,
}

impl HierarchicalRegression {
    pub fn load() -> Self {
        let data = read_json("hierarchical_regression");
        let n_groups = data["G"].as_u64().expect("G") as usize;
        let group: Vec<usize> = i64_vec(&data["group"])
            .iter()
            .map(|&g| g as usize - 1)
            .collect();
        HierarchicalRegression {
            n_groups,
            group_index: GroupIndex::new(group.clone(), n_groups).expect("group in 1..=G"),
            group,
            x: f64_vec(&data["x"]),
            y: f64_vec(&data["y"]),
        }
    }

    /// Unpacks `[mu_a, mu_b, log σ_a, log σ_b, log σ_y, a_raw, b_raw]`: returns the
    /// constrained scales, the log-Jacobian and the priors.
    fn priors<T: Real>(&self, u: &[T]) -> (T, T, T, T, T, T) {
        let g = self.n_groups;
        let (sigma_a, sigma_b, sigma_y) = (u[2].exp(), u[3].exp(), u[4].exp());
        // `lp` receives many terms: an accumulator, as `model!`'s `target`.
        let mut lp = T::accumulator();
        lp += u[2] + u[3] + u[4];
        for location in &u[..2] {
            lp -= (*location / 5.0).square() * 0.5;
        }
        for s in [sigma_a, sigma_b, sigma_y] {
            lp -= (s / 2.5).square() * 0.5;
        }
        // a_raw, b_raw ~ normal(0, 1): one vectorised density, as `model!` writes it.
        lp += dist::normal_lupdf::<T>(&u[5..5 + 2 * g], 0.0, 1.0).unwrap();
        (lp, u[0], u[1], sigma_a, sigma_b, sigma_y)
    }
}

impl HandModel for HierarchicalRegression {
    fn name(&self) -> &'static str {
        "hierarchical_regression"
    }
    fn dim(&self) -> usize {
        5 + 2 * self.n_groups
    }
    fn vectorised<T: Real>(&self, u: &[T]) -> T {
        let g = self.n_groups;
        let (mut lp, mu_a, mu_b, sigma_a, sigma_b, sigma_y) = self.priors(u);
        // a = mu_a + sigma_a a_raw, b = mu_b + sigma_b b_raw and
        // mu = a[group] + b[group] .* x, none of them materialised (see `Affine`).
        let a = Affine::new(mu_a, sigma_a, &u[5..5 + g]).unwrap();
        let b = Affine::new(mu_b, sigma_b, &u[5 + g..5 + 2 * g]).unwrap();
        let mu = Affine::gathered(&a, &b, &self.group_index, &self.x).unwrap();
        lp += dist::normal_lupdf::<T>(&self.y, &mu, sigma_y).unwrap();
        lp
    }
    fn elementwise<T: Real>(&self, u: &[T]) -> T {
        let g = self.n_groups;
        let (mut lp, mu_a, mu_b, sigma_a, sigma_b, sigma_y) = self.priors(u);
        let inv_sigma_y = T::constant(1.0) / sigma_y;
        lp -= sigma_y.ln() * self.y.len() as f64;
        for i in 0..self.y.len() {
            let k = self.group[i];
            let mu = mu_a + sigma_a * u[5 + k] + (mu_b + sigma_b * u[5 + g + k]) * self.x[i];
            lp -= ((mu - self.y[i]) * inv_sigma_y).square() * 0.5;
        }
        lp
    }
    fn analytic(&self, u: &[f64], grad: &mut [f64]) -> f64 {
        let g = self.n_groups;
        let (sigma_a, sigma_b, sigma_y) = (u[2].exp(), u[3].exp(), u[4].exp());
        let mut lp = u[2] + u[3] + u[4];
        grad.iter_mut().for_each(|v| *v = 0.0);
        for (g, location) in grad.iter_mut().zip(&u[..2]) {
            lp -= 0.5 * (location / 5.0).powi(2);
            *g = -location / 25.0;
        }
        for (k, s) in [sigma_a, sigma_b, sigma_y].into_iter().enumerate() {
            lp -= 0.5 * (s / 2.5).powi(2);
            grad[2 + k] = 1.0 - s * s / 6.25;
        }
        for k in 5..5 + 2 * g {
            lp -= 0.5 * u[k] * u[k];
            grad[k] = -u[k];
        }
        let inv_sigma_y = 1.0 / sigma_y;
        let n = self.y.len() as f64;
        lp -= n * u[4];
        grad[4] -= n;
        let mut sum_z2 = 0.0;
        for i in 0..self.y.len() {
            let k = self.group[i];
            let a_raw = u[5 + k];
            let b_raw = u[5 + g + k];
            let mu = u[0] + sigma_a * a_raw + (u[1] + sigma_b * b_raw) * self.x[i];
            let z = (self.y[i] - mu) * inv_sigma_y;
            sum_z2 += z * z;
            let d_mu = z * inv_sigma_y;
            grad[0] += d_mu;
            grad[1] += d_mu * self.x[i];
            grad[2] += d_mu * sigma_a * a_raw;
            grad[3] += d_mu * sigma_b * b_raw * self.x[i];
            grad[5 + k] += d_mu * sigma_a;
            grad[5 + g + k] += d_mu * sigma_b * self.x[i];
        }
        lp -= 0.5 * sum_z2;
        grad[4] += sum_z2;
        lp
    }
}

// ---------------------------------------------------------------- poisson GLM
pub struct PoissonGlm {
    x: Matrix<f64>,
    y: Vec<i64>,
}

impl PoissonGlm {
    pub fn load() -> Self {
        let data = read_json("poisson_glm");
        PoissonGlm {
            x: matrix(&data["x"]),
            y: i64_vec(&data["y"]),
        }
    }
}

impl HandModel for PoissonGlm {
    fn name(&self) -> &'static str {
        "poisson_glm"
    }
    fn dim(&self) -> usize {
        1 + self.x.cols()
    }
    fn vectorised<T: Real>(&self, u: &[T]) -> T {
        let (alpha, beta) = (u[0], &u[1..]);
        // What `model!` generates for `y ~ poisson_log(alpha + x * beta)`: the GLM density,
        // with eta = alpha + x·beta and the coefficient gradient xᵀg computed in f64. The
        // priors' literal arguments are `Data`, as `model!` marks them.
        dist::poisson_log_glm_lupmf::<T>(&self.y, &self.x, alpha, beta).unwrap()
            + dist::normal_lupdf::<T>(alpha, Data(0.0), Data(5.0)).unwrap()
            + dist::normal_lupdf::<T>(beta, Data(0.0), Data(1.0)).unwrap()
    }
    fn elementwise<T: Real>(&self, u: &[T]) -> T {
        let (alpha, beta) = (u[0], &u[1..]);
        let mut lp = T::accumulator();
        lp -= (alpha / 5.0).square() * 0.5;
        for b in beta {
            lp -= b.square() * 0.5;
        }
        for i in 0..self.x.rows() {
            let mut eta = alpha;
            for (x_ij, b) in self.x.row(i).iter().zip(beta) {
                eta += *b * *x_ij;
            }
            lp += eta * self.y[i] as f64 - eta.exp();
        }
        lp
    }
    fn analytic(&self, u: &[f64], g: &mut [f64]) -> f64 {
        let (alpha, beta) = (u[0], &u[1..]);
        let mut lp = -0.5 * (alpha / 5.0).powi(2);
        g[0] = -alpha / 25.0;
        for (j, b) in beta.iter().enumerate() {
            lp -= 0.5 * b * b;
            g[1 + j] = -b;
        }
        for i in 0..self.x.rows() {
            let row = self.x.row(i);
            let eta = alpha + row.iter().zip(beta).map(|(x, b)| x * b).sum::<f64>();
            let y = self.y[i] as f64;
            let rate = eta.exp();
            lp += y * eta - rate;
            let d_eta = y - rate;
            g[0] += d_eta;
            for (j, x) in row.iter().enumerate() {
                g[1 + j] += d_eta * x;
            }
        }
        lp
    }
}

// ---------------------------------------------------------------- correlated Gaussian
pub struct CorrelatedGaussian {
    /// `L = cholesky_decompose(Sigma)`, the model's transformed data.
    cholesky: Matrix<f64>,
    /// The zero mean, transformed data as in the `model!` version.
    zero: Vec<f64>,
    /// `Σ⁻¹ = L⁻ᵀ L⁻¹`, row-major, for the analytic gradient `−Σ⁻¹ x`.
    precision: Vec<f64>,
}

impl CorrelatedGaussian {
    pub fn load() -> Self {
        let data = read_json("correlated_gaussian_100");
        let sigma = matrix(&data["Sigma"]);
        let d = sigma.rows();
        let cholesky = cholesky_decompose(&sigma).expect("Sigma positive definite");
        // L⁻¹ row by row (lower triangular): L L⁻¹ = I by forward substitution per column.
        let mut inv_cholesky = vec![0.0; d * d];
        for col in 0..d {
            for i in col..d {
                let row = cholesky.row(i);
                let mut r = if i == col { 1.0 } else { 0.0 };
                for k in col..i {
                    r -= row[k] * inv_cholesky[k * d + col];
                }
                inv_cholesky[i * d + col] = r / row[i];
            }
        }
        // Σ⁻¹_ij = Σ_k L⁻¹_ki L⁻¹_kj, k ≥ max(i, j).
        let mut precision = vec![0.0; d * d];
        for i in 0..d {
            for j in 0..=i {
                let p: f64 = (i..d)
                    .map(|k| inv_cholesky[k * d + i] * inv_cholesky[k * d + j])
                    .sum();
                precision[i * d + j] = p;
                precision[j * d + i] = p;
            }
        }
        CorrelatedGaussian {
            cholesky,
            zero: vec![0.0; d],
            precision,
        }
    }
}

impl HandModel for CorrelatedGaussian {
    fn name(&self) -> &'static str {
        "correlated_gaussian_100"
    }
    fn dim(&self) -> usize {
        self.zero.len()
    }
    fn vectorised<T: Real>(&self, u: &[T]) -> T {
        // What `model!` generates for `x ~ multi_normal_cholesky(zero, L)` with data `L`: two
        // triangular solves in f64, the partials `−L⁻ᵀ L⁻¹ x` applied once. `L` is marked
        // `Data`, as `model!` marks it, so the unnormalised density drops `−Σ ln L_ii`, as
        // Stan's `~` does.
        dist::multi_normal_cholesky_lupdf::<T>(u, &self.zero, Data(&self.cholesky)).unwrap()
    }
    fn elementwise<T: Real>(&self, u: &[T]) -> T {
        // z = L⁻¹ x by forward substitution, lp = −½ |z|² (data `L`: no `−Σ ln L_ii`).
        let d = self.dim();
        let mut z: Vec<T> = Vec::with_capacity(d);
        let mut lp = T::accumulator();
        for (i, &x_i) in u.iter().enumerate() {
            let row = self.cholesky.row(i);
            let mut residual = T::accumulator();
            residual += x_i;
            for (z_j, l_ij) in z.iter().zip(&row[..i]) {
                residual -= *z_j * *l_ij;
            }
            let z_i = residual / row[i];
            lp -= z_i.square() * 0.5;
            z.push(z_i);
        }
        lp
    }
    fn analytic(&self, u: &[f64], g: &mut [f64]) -> f64 {
        // g = −Σ⁻¹ x, lp = ½ xᵀ g (data `L`: no `−Σ ln L_ii`).
        let d = u.len();
        let mut quadratic = 0.0;
        for (i, (g_i, x_i)) in g.iter_mut().zip(u).enumerate() {
            let p_x = dot(&self.precision[i * d..(i + 1) * d], u);
            *g_i = -p_x;
            quadratic += x_i * p_x;
        }
        -0.5 * quadratic
    }
}

/// Gradient by chunked forward-mode AD of the vectorised form.
pub fn dual_gradient<M: HandModel, const N: usize>(model: &M, u: &[f64], g: &mut [f64]) -> f64 {
    ppl::core::gradient_chunked::<N, _>(|x: &[Dual<N>]| Ok(model.vectorised(x)), u, g).unwrap()
}

/// Gradient by one pass of sparse forward-mode AD (`K` inline entries) of the vectorised form.
pub fn sparse_gradient<M: HandModel, const K: usize>(model: &M, u: &[f64], g: &mut [f64]) -> f64 {
    ppl::core::gradient_sparse::<K, _>(|x: &[SparseDual<K>]| Ok(model.vectorised(x)), u, g).unwrap()
}

/// Gradient by one pass of sparse forward-mode AD of the element-by-element form.
pub fn sparse_gradient_elementwise<M: HandModel, const K: usize>(
    model: &M,
    u: &[f64],
    g: &mut [f64],
) -> f64 {
    ppl::core::gradient_sparse::<K, _>(|x: &[SparseDual<K>]| Ok(model.elementwise(x)), u, g)
        .unwrap()
}

/// Gradient by chunked forward-mode AD of the element-by-element form.
pub fn dual_gradient_elementwise<M: HandModel, const N: usize>(
    model: &M,
    u: &[f64],
    g: &mut [f64],
) -> f64 {
    ppl::core::gradient_chunked::<N, _>(|x: &[Dual<N>]| Ok(model.elementwise(x)), u, g).unwrap()
}

/// A deterministic test point in `(-1, 1)^d`.
pub fn test_point(d: usize) -> Vec<f64> {
    (0..d)
        .map(|i| ((i as f64 * 0.618_033_988_75).fract() - 0.5) * 1.6)
        .collect()
}

//! Dense linear algebra generic over the scalar: Cholesky factorisation, triangular solves, log-determinants, products and Gaussian-process covariance matrices.
//!
//! Every function works for `f64` (data) and for dual numbers (parameters). Inner products are
//! evaluated by one helper that computes the value in `f64` and adds each operand's tangent
//! scaled by the other operand's value, so an entry whose tangent is empty (data, or a dual
//! outside the current gradient chunk) costs the same as `f64` arithmetic: a Cholesky
//! factorisation of a data matrix does no dual work even when `T` is a dual type.
//!
//! Matrices are [`Matrix<T>`] (row-major). Triangular functions read only the relevant
//! triangle, as Stan's do. [`VectorOperand`] is the vector argument type of the multivariate
//! densities (one vector, or an array of vectors). See `docs/distributions/multivariate.md`.

use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::{add_scaled_from, Operand, Real};

/// A vector argument of a multivariate density: one vector (`&[T]`, `&Vec<T>`, `&[T; K]`) or
/// several vectors sharing the other arguments (`&[Vec<T>]`, `&Vec<Vec<T>>`), as Stan's
/// `vector` and `array[] vector` arguments.
///
/// Data (`f64`) and parameters (duals) mix freely across arguments.
pub trait VectorOperand {
    /// The scalar type of the elements.
    type Scalar: Real;
    /// Whether the argument is known to be data: `true` only for [`crate::Data`] (see
    /// [`crate::Operand::IS_DATA`]).
    const IS_DATA: bool = false;
    /// `None` for one vector, `Some(n)` for an array of `n` vectors.
    fn count(&self) -> Option<usize>;
    /// Vector `i` (a single vector ignores `i`).
    fn vector(&self, i: usize) -> &[Self::Scalar];
}

impl<T: Real> VectorOperand for &[T] {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        None
    }
    fn vector(&self, _i: usize) -> &[T] {
        self
    }
}

impl<T: Real> VectorOperand for &Vec<T> {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        None
    }
    fn vector(&self, _i: usize) -> &[T] {
        self
    }
}

impl<T: Real, const K: usize> VectorOperand for &[T; K] {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        None
    }
    fn vector(&self, _i: usize) -> &[T] {
        &self[..]
    }
}

impl<T: Real> VectorOperand for &crate::vector::Vector<T> {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        None
    }
    fn vector(&self, _i: usize) -> &[T] {
        self.as_slice()
    }
}

impl<T: Real> VectorOperand for &[crate::vector::Vector<T>] {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        Some(self.len())
    }
    fn vector(&self, i: usize) -> &[T] {
        self[i].as_slice()
    }
}

impl<T: Real> VectorOperand for &Vec<crate::vector::Vector<T>> {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        Some(self.len())
    }
    fn vector(&self, i: usize) -> &[T] {
        self[i].as_slice()
    }
}

impl<T: Real> VectorOperand for &[Vec<T>] {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        Some(self.len())
    }
    fn vector(&self, i: usize) -> &[T] {
        &self[i]
    }
}

impl<T: Real> VectorOperand for &Vec<Vec<T>> {
    type Scalar = T;
    fn count(&self) -> Option<usize> {
        Some(self.len())
    }
    fn vector(&self, i: usize) -> &[T] {
        &self[i]
    }
}

/// Stan's tolerance for symmetry (absolute difference between `a_ij` and `a_ji`).
pub(crate) const SYMMETRY_TOLERANCE: f64 = 1e-8;

/// `Σ_k a_k b_k`, value in `f64`, tangent `Σ_k b_k·ta_k + a_k·tb_k`, skipping empty tangents.
#[inline]
pub(crate) fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    let value: f64 = a.iter().zip(b).map(|(x, y)| x.value() * y.value()).sum();
    let mut out = T::accumulator();
    for (x, y) in a.iter().zip(b) {
        out.add_scaled(x, y.value());
        out.add_scaled(y, x.value());
    }
    out + value
}

/// Whether every entry has an empty tangent (data, or inactive duals).
pub(crate) fn all_constant<T: Real>(values: &[T]) -> bool {
    values.iter().all(|x| !x.has_tangent())
}

/// `Ok(n)` if `m` is `n × n`, else a size error naming `function` and `argument`.
pub(crate) fn check_square<T: Copy>(
    function: &'static str,
    argument: &'static str,
    m: &Matrix<T>,
) -> Result<usize> {
    if m.rows() != m.cols() {
        return Err(Error::size_mismatch(
            function,
            format!("{argument} columns"),
            m.cols(),
            m.rows(),
        ));
    }
    Ok(m.rows())
}

/// Checks that a square matrix is symmetric within Stan's absolute tolerance `1e-8`.
pub(crate) fn check_symmetric<T: Real>(
    function: &'static str,
    argument: &'static str,
    m: &Matrix<T>,
) -> Result<()> {
    let n = check_square(function, argument, m)?;
    for i in 0..n {
        for j in 0..i {
            let (lower, upper) = (m[(i, j)].value(), m[(j, i)].value());
            if lower.is_nan() || upper.is_nan() || (lower - upper).abs() > SYMMETRY_TOLERANCE {
                return Err(Error::invalid(
                    function,
                    format!("{argument}[{},{}]", j + 1, i + 1),
                    format!("{upper} (while {argument}[{},{}] is {lower})", i + 1, j + 1),
                    "symmetric",
                ));
            }
        }
    }
    Ok(())
}

/// The generic Cholesky–Banachiewicz factorisation (row by row), reading only the lower
/// triangle of `a`. `Err((pivot, value))` for the first pivot that is not positive.
pub(crate) fn cholesky_lower<T: Real>(
    a: &Matrix<T>,
) -> std::result::Result<Matrix<T>, (usize, f64)> {
    let n = a.rows();
    let mut factor = vec![T::constant(0.0); n * n];
    for i in 0..n {
        for j in 0..=i {
            let (before, row_i) = factor.split_at(i * n);
            let row_i = &row_i[..j];
            let partial_sum = if j == i {
                dot(row_i, row_i)
            } else {
                dot(row_i, &before[j * n..j * n + j])
            };
            let residual = a[(i, j)] - partial_sum;
            let entry = if j == i {
                let pivot = residual.value();
                if !(pivot > 0.0 && pivot.is_finite()) {
                    return Err((i + 1, pivot));
                }
                residual.sqrt()
            } else {
                residual / factor[j * n + j]
            };
            factor[i * n + j] = entry;
        }
    }
    Ok(Matrix::from_row_major(n, n, factor).unwrap_or_default())
}

/// The lower-triangular Cholesky factor `L` of a symmetric positive-definite matrix,
/// `A = L Lᵀ` (Stan's `cholesky_decompose`).
///
/// Reads the lower triangle after checking symmetry (absolute tolerance `1e-8`, as Stan). The
/// factorisation is the row-wise Cholesky–Banachiewicz recursion
/// `L_ij = (A_ij − Σ_{k<j} L_ik L_jk) / L_jj`, `L_ii = √(A_ii − Σ_{k<i} L_ik²)`; derivatives
/// flow through every entry, and entries of `A` without tangent cost `f64` work only.
/// Cost `n³/3` multiply-adds.
///
/// # Errors
/// [`Error::SizeMismatch`] if `a` is not square; [`Error::InvalidArgument`] if it is not
/// symmetric (`cholesky_decompose: matrix[1,2] is 0.5 (while matrix[2,1] is 0.3), but must be
/// symmetric`) or not positive definite, naming the failing pivot:
/// `cholesky_decompose: pivot[2] is -3, but must be positive (the matrix must be positive definite)`.
///
/// # Reference
/// Golub & Van Loan, *Matrix Computations*, 4th ed., §4.2; Stan Functions Reference,
/// "Linear algebra functions and solvers".
///
/// ```
/// use ppl_core::{linalg::cholesky_decompose, Matrix};
/// let a = Matrix::from_rows(&[vec![4.0, 2.0], vec![2.0, 5.0]])?;
/// let l = cholesky_decompose(&a)?;
/// assert_eq!(l.as_slice(), &[2.0, 0.0, 1.0, 2.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn cholesky_decompose<T: Real>(a: &Matrix<T>) -> Result<Matrix<T>> {
    const FUNCTION: &str = "cholesky_decompose";
    check_symmetric(FUNCTION, "matrix", a)?;
    cholesky_lower(a).map_err(|(pivot, value)| {
        Error::invalid(
            FUNCTION,
            format!("pivot[{pivot}]"),
            value,
            "positive (the matrix must be positive definite)",
        )
    })
}

fn check_triangular_system<T: Copy, B>(
    function: &'static str,
    factor: &Matrix<T>,
    rhs: &[B],
) -> Result<usize> {
    let n = check_square(function, "triangular factor", factor)?;
    if rhs.len() != n {
        return Err(Error::size_mismatch(
            function,
            "right-hand side",
            rhs.len(),
            n,
        ));
    }
    Ok(n)
}

/// Solves `L x = b` for lower-triangular `L` by forward substitution (Stan's
/// `mdivide_left_tri_low`), reading only the lower triangle of `l`.
///
/// `x_i = (b_i − Σ_{k<i} L_ik x_k) / L_ii`. A zero diagonal gives infinities, as in Stan.
///
/// # Errors
/// [`Error::SizeMismatch`] if `l` is not square or `b` does not have `l.rows()` elements.
///
/// ```
/// use ppl_core::{linalg::forward_substitution, Matrix};
/// let l = Matrix::from_rows(&[vec![2.0, 0.0], vec![1.0, 4.0]])?;
/// assert_eq!(forward_substitution(&l, &[2.0, 9.0])?, vec![1.0, 2.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn forward_substitution<T: Real>(l: &Matrix<T>, b: &[T]) -> Result<Vec<T>> {
    let n = check_triangular_system("forward_substitution", l, b)?;
    let mut x: Vec<T> = Vec::with_capacity(n);
    for i in 0..n {
        let partial_sum = dot(&l.row(i)[..i], &x);
        x.push((b[i] - partial_sum) / l[(i, i)]);
    }
    Ok(x)
}

/// Solves `U x = b` for upper-triangular `U` by back substitution (Stan's
/// `mdivide_left_tri` with an upper factor), reading only the upper triangle of `u`.
///
/// `x_i = (b_i − Σ_{k>i} U_ik x_k) / U_ii`.
///
/// # Errors
/// [`Error::SizeMismatch`] if `u` is not square or `b` does not have `u.rows()` elements.
///
/// ```
/// use ppl_core::{linalg::back_substitution, Matrix};
/// let u = Matrix::from_rows(&[vec![2.0, 1.0], vec![0.0, 4.0]])?;
/// assert_eq!(back_substitution(&u, &[4.0, 8.0])?, vec![1.0, 2.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn back_substitution<T: Real>(u: &Matrix<T>, b: &[T]) -> Result<Vec<T>> {
    let n = check_triangular_system("back_substitution", u, b)?;
    let mut x = vec![T::constant(0.0); n];
    for i in (0..n).rev() {
        let partial_sum = dot(&u.row(i)[i + 1..], &x[i + 1..]);
        x[i] = (b[i] - partial_sum) / u[(i, i)];
    }
    Ok(x)
}

/// Solves `Lᵀ x = b` for lower-triangular `L` without forming the transpose (the second half
/// of a Cholesky solve `A⁻¹ b = L⁻ᵀ L⁻¹ b`), reading only the lower triangle of `l`.
///
/// `x_i = (b_i − Σ_{k>i} L_ki x_k) / L_ii`.
///
/// # Errors
/// [`Error::SizeMismatch`] if `l` is not square or `b` does not have `l.rows()` elements.
///
/// ```
/// use ppl_core::{linalg::back_substitution_transpose, Matrix};
/// let l = Matrix::from_rows(&[vec![2.0, 0.0], vec![1.0, 4.0]])?;
/// assert_eq!(back_substitution_transpose(&l, &[4.0, 8.0])?, vec![1.0, 2.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn back_substitution_transpose<T: Real>(l: &Matrix<T>, b: &[T]) -> Result<Vec<T>> {
    let n = check_triangular_system("back_substitution_transpose", l, b)?;
    let mut x = vec![T::constant(0.0); n];
    for i in (0..n).rev() {
        // Σ_{k>i} L_ki x_k, column i of L below the diagonal.
        let mut partial_sum = T::accumulator();
        let mut value = 0.0;
        for k in i + 1..n {
            let l_ki = &l[(k, i)];
            value += l_ki.value() * x[k].value();
            partial_sum.add_scaled(l_ki, x[k].value());
            partial_sum.add_scaled(&x[k], l_ki.value());
        }
        partial_sum += value;
        x[i] = (b[i] - partial_sum) / l[(i, i)];
    }
    Ok(x)
}

/// `Σ_k a_k b_k` in `f64` with four independent partial sums, so that the additions overlap
/// instead of waiting for each other (a single running sum is bound by the latency of one
/// addition per term). The rounding differs from a left-to-right sum in the last bits.
#[inline]
fn dot_f64(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut sums = [0.0; 4];
    let (a_chunks, b_chunks) = (a.chunks_exact(4), b.chunks_exact(4));
    let (a_rest, b_rest) = (a_chunks.remainder(), b_chunks.remainder());
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..4 {
            sums[lane] += x[lane] * y[lane];
        }
    }
    let mut total = (sums[0] + sums[1]) + (sums[2] + sums[3]);
    for (x, y) in a_rest.iter().zip(b_rest) {
        total += x * y;
    }
    total
}

/// [`forward_substitution`] for data: `L x = b` in `f64`, each row's sum with
/// [`dot_f64`]. What the multivariate normal densities use for their `f64` factor.
///
/// # Errors
/// As [`forward_substitution`].
pub(crate) fn forward_substitution_f64(l: &Matrix<f64>, b: &[f64]) -> Result<Vec<f64>> {
    let n = check_triangular_system("forward_substitution", l, b)?;
    let mut x: Vec<f64> = Vec::with_capacity(n);
    for i in 0..n {
        let partial_sum = dot_f64(&l.row(i)[..i], &x);
        x.push((b[i] - partial_sum) / l[(i, i)]);
    }
    Ok(x)
}

/// [`back_substitution_transpose`] for data: `Lᵀ x = b` in `f64`, reading `L` by rows
/// (once `x_i` is known, `L_ik x_i` is subtracted from every earlier right-hand side `k < i`:
/// contiguous memory, independent updates) instead of down its columns.
///
/// # Errors
/// As [`back_substitution_transpose`].
pub(crate) fn back_substitution_transpose_f64(l: &Matrix<f64>, b: &[f64]) -> Result<Vec<f64>> {
    let n = check_triangular_system("back_substitution_transpose", l, b)?;
    let mut rhs = b.to_vec();
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = rhs[i] / l[(i, i)];
        let x_i = x[i];
        for (r, l_ik) in rhs[..i].iter_mut().zip(&l.row(i)[..i]) {
            *r -= l_ik * x_i;
        }
    }
    Ok(x)
}

/// `ln det A = 2 Σ_i ln L_ii` from the Cholesky factor `L` of `A`.
///
/// Reads only the diagonal of `l`; diagonal entries must be positive (a Cholesky factor's
/// are), otherwise the result is NaN or `−∞`.
///
/// ```
/// use ppl_core::{linalg::log_determinant_from_cholesky, Matrix};
/// let l = Matrix::from_rows(&[vec![2.0, 0.0], vec![1.0, 3.0]])?;
/// assert!((log_determinant_from_cholesky(&l) - 36f64.ln()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn log_determinant_from_cholesky<T: Real>(l: &Matrix<T>) -> T {
    let n = l.rows().min(l.cols());
    let mut out = T::accumulator();
    let mut value = 0.0;
    for i in 0..n {
        let l_ii = &l[(i, i)];
        value += 2.0 * l_ii.value().ln();
        out.add_scaled(l_ii, 2.0 / l_ii.value());
    }
    out + value
}

/// The matrix–vector product `A v` (Stan's `multiply`), `(A v)_i = Σ_j A_ij v_j`.
///
/// # Errors
/// [`Error::SizeMismatch`] if `v.len() != a.cols()`.
///
/// ```
/// use ppl_core::{linalg::matrix_vector_product, Matrix};
/// let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
/// assert_eq!(matrix_vector_product(&a, &[1.0, -1.0])?, vec![-1.0, -1.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn matrix_vector_product<T: Real>(a: &Matrix<T>, v: &[T]) -> Result<Vec<T>> {
    if v.len() != a.cols() {
        return Err(Error::size_mismatch(
            "matrix_vector_product",
            "vector",
            v.len(),
            a.cols(),
        ));
    }
    Ok((0..a.rows()).map(|i| dot(a.row(i), v)).collect())
}

/// The matrix product `A B` (Stan's `multiply`), `(A B)_ij = Σ_k A_ik B_kj`.
///
/// # Errors
/// [`Error::SizeMismatch`] if `b.rows() != a.cols()`.
///
/// ```
/// use ppl_core::{linalg::matrix_product, Matrix};
/// let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]])?;
/// let b = Matrix::from_rows(&[vec![0.0, 1.0], vec![1.0, 0.0]])?;
/// assert_eq!(matrix_product(&a, &b)?.as_slice(), &[2.0, 1.0, 4.0, 3.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn matrix_product<T: Real>(a: &Matrix<T>, b: &Matrix<T>) -> Result<Matrix<T>> {
    if b.rows() != a.cols() {
        return Err(Error::size_mismatch(
            "matrix_product",
            "right matrix rows",
            b.rows(),
            a.cols(),
        ));
    }
    let b_columns = b.transpose();
    let mut data = Vec::with_capacity(a.rows() * b.cols());
    for i in 0..a.rows() {
        for j in 0..b.cols() {
            data.push(dot(a.row(i), b_columns.row(j)));
        }
    }
    Matrix::from_row_major(a.rows(), b.cols(), data)
}

/// `L Lᵀ` for a lower-triangular `L` (`n × m`), reading only its lower triangle (Stan's
/// `multiply_lower_tri_self_transpose`); the result is `n × n`, symmetric by construction.
///
/// `(L Lᵀ)_ij = Σ_{k ≤ min(i, j)} L_ik L_jk`. This rebuilds a covariance or correlation
/// matrix from its Cholesky factor.
///
/// ```
/// use ppl_core::{linalg::multiply_lower_tri_self_transpose, Matrix};
/// let l = Matrix::from_rows(&[vec![2.0, 9.0], vec![1.0, 3.0]])?; // 9 is ignored
/// assert_eq!(multiply_lower_tri_self_transpose(&l).as_slice(), &[4.0, 2.0, 2.0, 10.0]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn multiply_lower_tri_self_transpose<T: Real>(l: &Matrix<T>) -> Matrix<T> {
    let (n, m) = (l.rows(), l.cols());
    let mut out = Matrix::filled(n, n, T::constant(0.0));
    for i in 0..n {
        for j in 0..=i {
            let len = (j + 1).min(m);
            let entry = dot(&l.row(i)[..len], &l.row(j)[..len]);
            out[(i, j)] = entry;
            out[(j, i)] = entry;
        }
    }
    out
}

/// `A + diag(d)`: adds a scalar (broadcast) or a vector to the diagonal of a square matrix
/// (Stan's `add_diag`), typically a jitter `1e-9` before a Cholesky factorisation.
///
/// `d` may be data (`f64`) or a parameter of the same dual type as `A`.
///
/// # Errors
/// [`Error::SizeMismatch`] if `a` is not square or a vector `d` does not have `a.rows()`
/// elements.
///
/// ```
/// use ppl_core::{linalg::add_diag, Matrix};
/// let a = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]])?;
/// assert_eq!(add_diag(&a, 0.5)?.as_slice(), &[1.5, 2.0, 2.0, 1.5]);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn add_diag<T: Real, D: Operand>(a: &Matrix<T>, d: D) -> Result<Matrix<T>> {
    const FUNCTION: &str = "add_diag";
    let n = check_square(FUNCTION, "matrix", a)?;
    if let Some(len) = d.size() {
        if len != n {
            return Err(Error::size_mismatch(FUNCTION, "diagonal", len, n));
        }
    }
    let mut out = a.clone();
    for i in 0..n {
        let d_i = d.at(i);
        let mut entry = out[(i, i)] + d_i.value();
        add_scaled_from(&mut entry, d_i, 1.0);
        out[(i, i)] = entry;
    }
    Ok(out)
}

/// The exponentiated-quadratic (squared-exponential) covariance matrix of one-dimensional
/// inputs (Stan's `gp_exp_quad_cov`):
///
/// `K_ij = α² exp(−(x_i − x_j)² / (2ρ²))`,
///
/// with marginal standard deviation `alpha` and length-scale `rho`. Each entry is computed in
/// `f64` with its partials `∂K/∂α = 2K/α`, `∂K/∂ρ = K (x_i − x_j)² / ρ³` applied once. Add a
/// jitter with [`add_diag`] before factorising.
///
/// # Errors
/// `x` NaN, `alpha` or `rho` not positive and finite:
/// `gp_exp_quad_cov: length_scale is 0, but must be positive and finite`.
///
/// # Reference
/// Rasmussen & Williams, *Gaussian Processes for Machine Learning* (2006), eq. 2.16; Stan
/// Functions Reference, "Gaussian process covariance functions".
///
/// ```
/// use ppl_core::linalg::gp_exp_quad_cov;
/// let k = gp_exp_quad_cov(&[0.0, 1.0], 2.0, 1.0)?;
/// assert_eq!(k[(0, 0)], 4.0);
/// assert!((k[(0, 1)] - 4.0 * (-0.5f64).exp()).abs() < 1e-15);
/// # Ok::<(), ppl_core::Error>(())
/// ```
pub fn gp_exp_quad_cov<T: Real>(x: &[f64], alpha: T, rho: T) -> Result<Matrix<T>> {
    const FUNCTION: &str = "gp_exp_quad_cov";
    if let Some(i) = x.iter().position(|v| v.is_nan()) {
        return Err(Error::invalid(
            FUNCTION,
            format!("x[{}]", i + 1),
            x[i],
            "not NaN",
        ));
    }
    for (name, value) in [("magnitude", alpha.value()), ("length_scale", rho.value())] {
        if !(value > 0.0 && value.is_finite()) {
            return Err(Error::invalid(FUNCTION, name, value, "positive and finite"));
        }
    }
    let n = x.len();
    let (alpha_value, rho_value) = (alpha.value(), rho.value());
    let variance = alpha_value * alpha_value;
    let inv_two_rho_squared = 0.5 / (rho_value * rho_value);
    let inv_rho_cubed = 1.0 / (rho_value * rho_value * rho_value);
    let mut out = Matrix::filled(n, n, T::constant(0.0));
    let diagonal = T::from_partials(variance, &[(&alpha, 2.0 * alpha_value)]);
    for i in 0..n {
        out[(i, i)] = diagonal;
        for j in 0..i {
            let squared_distance = (x[i] - x[j]) * (x[i] - x[j]);
            let k = variance * (-squared_distance * inv_two_rho_squared).exp();
            let entry = T::from_partials(
                k,
                &[
                    (&alpha, 2.0 * k / alpha_value),
                    (&rho, k * squared_distance * inv_rho_cubed),
                ],
            );
            out[(i, j)] = entry;
            out[(j, i)] = entry;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::testing::{assert_close, assert_gradient_matches};
    use crate::Dual;
    use proptest::prelude::*;

    /// The `f64` triangular solves agree with the generic ones to rounding, at sizes that
    /// exercise the four partial sums and their remainder, and keep the size checks.
    #[test]
    fn f64_triangular_solves_match_the_generic_ones() {
        for n in [1, 3, 4, 7, 33] {
            let l = Matrix::from_row_major(
                n,
                n,
                (0..n * n)
                    .map(|k| {
                        let (i, j) = (k / n, k % n);
                        match i.cmp(&j) {
                            std::cmp::Ordering::Less => 99.0, // never read
                            std::cmp::Ordering::Equal => 1.5 + (i as f64 * 0.37).sin(),
                            std::cmp::Ordering::Greater => ((i * 7 + j * 3) as f64 * 0.61).cos(),
                        }
                    })
                    .collect(),
            )
            .unwrap();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 1.3).sin() * 2.0).collect();
            let pairs = [
                (
                    forward_substitution_f64(&l, &b).unwrap(),
                    forward_substitution(&l, &b).unwrap(),
                ),
                (
                    back_substitution_transpose_f64(&l, &b).unwrap(),
                    back_substitution_transpose(&l, &b).unwrap(),
                ),
            ];
            for (fast, generic) in pairs {
                for (f, g) in fast.iter().zip(&generic) {
                    assert_close(*f, *g, 1e-12);
                }
            }
        }
        let l = Matrix::from_row_major(2, 2, vec![1.0, 0.0, 0.5, 2.0]).unwrap();
        assert!(forward_substitution_f64(&l, &[1.0]).is_err());
        assert!(back_substitution_transpose_f64(&l, &[1.0, 2.0, 3.0]).is_err());
    }

    fn textbook_matrix() -> Matrix<f64> {
        // The classic example with an integer factor.
        Matrix::from_rows(&[
            vec![4.0, 12.0, -16.0],
            vec![12.0, 37.0, -43.0],
            vec![-16.0, -43.0, 98.0],
        ])
        .unwrap()
    }

    /// A symmetric positive-definite 3 × 3 matrix from 6 free parameters: `B Bᵀ + I` with `B`
    /// lower triangular.
    fn spd_from<T: Real>(p: &[T]) -> Matrix<T> {
        let zero = T::constant(0.0);
        let b = Matrix::from_row_major(
            3,
            3,
            vec![p[0], zero, zero, p[1], p[2], zero, p[3], p[4], p[5]],
        )
        .unwrap();
        add_diag(&multiply_lower_tri_self_transpose(&b), 1.0).unwrap()
    }

    #[test]
    fn cholesky_of_textbook_matrix() {
        let l = cholesky_decompose(&textbook_matrix()).unwrap();
        assert_eq!(
            l.as_slice(),
            &[2.0, 0.0, 0.0, 6.0, 1.0, 0.0, -8.0, 5.0, 3.0]
        );
        assert_close(log_determinant_from_cholesky(&l), 2.0 * 6f64.ln(), 1e-15);
        let rebuilt = multiply_lower_tri_self_transpose(&l);
        assert_eq!(rebuilt, textbook_matrix());
        // Data inside dual matrices stays inactive: no tangent work.
        let dual_l = cholesky_decompose(&textbook_matrix().map(Dual::<4>::new_constant)).unwrap();
        assert!(dual_l.as_slice().iter().all(|x| !x.is_active()));
        assert_eq!(dual_l.map(|x| x.value()), l);
    }

    #[test]
    fn solves_invert_products() {
        let l = cholesky_decompose(&textbook_matrix()).unwrap();
        let x = [1.0, -2.0, 0.5];
        let b = matrix_vector_product(&l, &x).unwrap();
        let solved = forward_substitution(&l, &b).unwrap();
        for (s, e) in solved.iter().zip(&x) {
            assert_close(*s, *e, 1e-14);
        }
        let lt = l.transpose();
        let b = matrix_vector_product(&lt, &x).unwrap();
        for solved in [
            back_substitution(&lt, &b).unwrap(),
            back_substitution_transpose(&l, &b).unwrap(),
        ] {
            for (s, e) in solved.iter().zip(&x) {
                assert_close(*s, *e, 1e-14);
            }
        }
        // A⁻¹ b through the factor, against the hand solution of A x = (1, 2, 3).
        // Exact solution of A x = (1, 2, 3): x = (343/12, −23/3, 4/3) (checked by substitution:
        // 4·343/12 − 12·23/3 − 16·4/3 = 1, and likewise for rows 2 and 3).
        let z = forward_substitution(&l, &[1.0, 2.0, 3.0]).unwrap();
        let w = back_substitution_transpose(&l, &z).unwrap();
        assert_close(w[0], 343.0 / 12.0, 1e-13);
        assert_close(w[1], -23.0 / 3.0, 1e-13);
        assert_close(w[2], 4.0 / 3.0, 1e-13);
    }

    #[test]
    fn products_match_hand_values() {
        let a = Matrix::from_rows(&[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]]).unwrap();
        let b = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0, 1.0], vec![1.0, 1.0]]).unwrap();
        assert_eq!(
            matrix_product(&a, &b).unwrap().as_slice(),
            &[4.0, 5.0, 10.0, 11.0]
        );
        assert_eq!(
            matrix_vector_product(&a, &[1.0, 1.0, 1.0]).unwrap(),
            vec![6.0, 15.0]
        );
        assert_eq!(
            matrix_product(&a, &a).unwrap_err().to_string(),
            "matrix_product: right matrix rows has size 2, but must have size 3"
        );
        assert_eq!(
            add_diag(&a, 1.0).unwrap_err().to_string(),
            "add_diag: matrix columns has size 3, but must have size 2"
        );
        let square = Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0, 4.0]]).unwrap();
        assert_eq!(
            add_diag(&square, &vec![1.0, -1.0]).unwrap().as_slice(),
            &[2.0, 2.0, 3.0, 3.0]
        );
    }

    #[test]
    fn gp_exp_quad_cov_hand_values() {
        let k = gp_exp_quad_cov(&[0.0, 1.0, 3.0], 1.5, 2.0).unwrap();
        // K_13 = 2.25 exp(−9/8), K_12 = 2.25 exp(−1/8), K_23 = 2.25 exp(−4/8).
        assert_close(k[(0, 2)], 2.25 * (-9.0f64 / 8.0).exp(), 1e-15);
        assert_close(k[(0, 1)], 2.25 * (-1.0f64 / 8.0).exp(), 1e-15);
        assert_close(k[(2, 1)], 2.25 * (-0.5f64).exp(), 1e-15);
        assert_eq!(k[(1, 1)], 2.25);
        assert_eq!(
            gp_exp_quad_cov(&[0.0], 1.0, 0.0).unwrap_err().to_string(),
            "gp_exp_quad_cov: length_scale is 0, but must be positive and finite"
        );
        assert_eq!(
            gp_exp_quad_cov(&[0.0, f64::NAN], 1.0, 1.0)
                .unwrap_err()
                .to_string(),
            "gp_exp_quad_cov: x[2] is NaN, but must be not NaN"
        );
    }

    #[test]
    fn errors_name_the_failure() {
        let not_symmetric = Matrix::from_rows(&[vec![1.0, 0.5], vec![0.3, 1.0]]).unwrap();
        assert_eq!(
            cholesky_decompose(&not_symmetric).unwrap_err().to_string(),
            "cholesky_decompose: matrix[1,2] is 0.5 (while matrix[2,1] is 0.3), but must be symmetric"
        );
        let indefinite = Matrix::from_rows(&[vec![1.0, 2.0], vec![2.0, 1.0]]).unwrap();
        assert_eq!(
            cholesky_decompose(&indefinite).unwrap_err().to_string(),
            "cholesky_decompose: pivot[2] is -3, but must be positive (the matrix must be positive definite)"
        );
        let rectangular = Matrix::from_rows(&[vec![1.0, 2.0]]).unwrap();
        assert_eq!(
            cholesky_decompose(&rectangular).unwrap_err().to_string(),
            "cholesky_decompose: matrix columns has size 2, but must have size 1"
        );
        let l = Matrix::<f64>::identity(2);
        assert_eq!(
            forward_substitution(&l, &[1.0]).unwrap_err().to_string(),
            "forward_substitution: right-hand side has size 1, but must have size 2"
        );
    }

    proptest! {
        #[test]
        fn gradients_match_finite_differences(
            p in proptest::collection::vec(-1.5..1.5f64, 6),
            b in proptest::collection::vec(-2.0..2.0f64, 3),
            alpha in 0.3..3.0f64, rho in 0.3..3.0f64,
        ) {
            let mut x: Vec<f64> = p.clone();
            x.extend_from_slice(&b);
            // log det through the Cholesky factor.
            assert_gradient_matches(
                |q| Ok(log_determinant_from_cholesky(&cholesky_decompose(&spd_from(q))?)),
                &p,
            );
            // Quadratic form bᵀ A⁻¹ b through both triangular solves, matrix and vector active.
            assert_gradient_matches(
                |q| {
                    let l = cholesky_decompose(&spd_from(&q[..6]))?;
                    let z = forward_substitution(&l, &q[6..9])?;
                    let w = back_substitution_transpose(&l, &z)?;
                    Ok(dot(&w, &q[6..9]))
                },
                &x,
            );
            // Upper solve and products.
            assert_gradient_matches(
                |q| {
                    let u = cholesky_decompose(&spd_from(&q[..6]))?.transpose();
                    let solved = back_substitution(&u, &q[6..9])?;
                    let product = matrix_product(&u, &spd_from(&q[..6]))?;
                    let v = matrix_vector_product(&product, &solved)?;
                    Ok(v.iter().copied().sum::<Dual<4>>())
                },
                &x,
            );
            // GP covariance: sum of all entries weighted by position.
            assert_gradient_matches(
                |q| {
                    let k = gp_exp_quad_cov(&[0.0, 0.7, -1.2, 2.0], q[0], q[1])?;
                    Ok(k.as_slice().iter().enumerate().map(|(i, v)| *v * (i as f64 + 1.0)).sum())
                },
                &[alpha, rho],
            );
        }
    }
}

//! `Matrix<T>`: a small dense row-major matrix over any scalar, for data matrices, covariance factors and matrix-valued parameters.

use std::ops::{Index, IndexMut};

use crate::error::{Error, Result};
use crate::real::Real;

/// A dense `rows × cols` matrix stored row-major. `T` is `f64` for data, or a [`Real`] scalar
/// for parameters (Cholesky factors, covariance matrices).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Matrix<T> {
    rows: usize,
    cols: usize,
    data: Vec<T>,
}

impl<T: Copy> Matrix<T> {
    /// A matrix from row-major data.
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<T>) -> Result<Self> {
        if data.len() != rows * cols {
            return Err(Error::size_mismatch(
                "matrix",
                "data",
                data.len(),
                rows * cols,
            ));
        }
        Ok(Matrix { rows, cols, data })
    }

    /// A matrix from a list of rows (Stan JSON stores matrices this way).
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if the rows have different lengths.
    pub fn from_rows(rows: &[Vec<T>]) -> Result<Self> {
        let cols = rows.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(Error::size_mismatch(
                    "matrix",
                    format!("row {}", i + 1),
                    row.len(),
                    cols,
                ));
            }
            data.extend_from_slice(row);
        }
        Ok(Matrix {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// A `rows × cols` matrix filled with `value`.
    pub fn filled(rows: usize, cols: usize, value: T) -> Self {
        Matrix {
            rows,
            cols,
            data: vec![value; rows * cols],
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Row `i` as a slice.
    pub fn row(&self, i: usize) -> &[T] {
        &self.data[i * self.cols..(i + 1) * self.cols]
    }

    /// The row-major data.
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// Element `(i, j)`, or `None` out of range.
    pub fn get(&self, i: usize, j: usize) -> Option<&T> {
        (i < self.rows && j < self.cols).then(|| &self.data[i * self.cols + j])
    }

    /// The transpose.
    pub fn transpose(&self) -> Self {
        let mut data = Vec::with_capacity(self.data.len());
        for j in 0..self.cols {
            for i in 0..self.rows {
                data.push(self.data[i * self.cols + j]);
            }
        }
        Matrix {
            rows: self.cols,
            cols: self.rows,
            data,
        }
    }

    /// Applies `f` to every element.
    pub fn map<U: Copy>(&self, f: impl Fn(T) -> U) -> Matrix<U> {
        Matrix {
            rows: self.rows,
            cols: self.cols,
            data: self.data.iter().map(|&x| f(x)).collect(),
        }
    }
}

impl<T: Real> Matrix<T> {
    /// The `n × n` identity.
    pub fn identity(n: usize) -> Self {
        let mut m = Matrix::filled(n, n, T::constant(0.0));
        for i in 0..n {
            m[(i, i)] = T::constant(1.0);
        }
        m
    }
}

impl Matrix<f64> {
    /// `self · v` for a data matrix and a vector of any scalar: each output element is
    /// `Σ_j x_ij v_j`, with the data entering as `f64` (never promoted to duals).
    ///
    /// # Errors
    /// [`Error::SizeMismatch`] if `v.len() != cols`.
    pub fn mul_vec<T: Real>(&self, v: &[T]) -> Result<Vec<T>> {
        if v.len() != self.cols {
            return Err(Error::size_mismatch(
                "matrix multiply",
                "vector",
                v.len(),
                self.cols,
            ));
        }
        Ok((0..self.rows)
            .map(|i| {
                let row = self.row(i);
                let value: f64 = row.iter().zip(v).map(|(x, b)| x * b.value()).sum();
                let mut out = T::constant(value);
                for (x, b) in row.iter().zip(v) {
                    out.add_scaled(b, *x);
                }
                out
            })
            .collect())
    }
}

/// A matrix argument of a multivariate density (`multi_normal`'s covariance,
/// `multi_normal_cholesky`'s factor, `lkj_corr_cholesky`'s variate): `&Matrix<T>` for any
/// scalar, or [`crate::Data`]`(&Matrix<f64>)` for a matrix known to be data, whose terms alone
/// the unnormalised densities (`_lupdf`) then drop (see [`crate::Operand::IS_DATA`]).
pub trait MatrixOperand {
    /// The scalar type of the entries.
    type Scalar: Real;
    /// Whether the argument is known to be data: `true` only for [`crate::Data`].
    const IS_DATA: bool = false;
    /// The matrix.
    fn matrix(&self) -> &Matrix<Self::Scalar>;
}

impl<T: Real> MatrixOperand for &Matrix<T> {
    type Scalar = T;
    #[inline]
    fn matrix(&self) -> &Matrix<T> {
        self
    }
}

impl<T> Index<(usize, usize)> for Matrix<T> {
    type Output = T;
    fn index(&self, (i, j): (usize, usize)) -> &T {
        &self.data[i * self.cols + j]
    }
}

impl<T> IndexMut<(usize, usize)> for Matrix<T> {
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut T {
        &mut self.data[i * self.cols + j]
    }
}

//! Argument checks shared by the densities: each failure names the function, the argument (with an index for vectors), the value and the rule.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::real::Operand;

/// Checks the elements `value_at(0..n)` of an argument of size `size` (`None` for a scalar,
/// checked once) with `ok`; the first failure becomes
/// `"{function}: {name} is {value}, but must be {requirement}"` (`name[i]`, 1-based, for
/// vectors). Shared by the real and the integer checks.
#[inline]
fn check_elements<V: Copy + std::fmt::Display>(
    function: &'static str,
    name: &'static str,
    size: Option<usize>,
    value_at: impl Fn(usize) -> V,
    requirement: impl Into<Cow<'static, str>>,
    ok: impl Fn(V) -> bool,
) -> Result<()> {
    for i in 0..size.unwrap_or(1) {
        let v = value_at(i);
        if !ok(v) {
            let label = match size {
                None => name.to_string(),
                Some(_) => format!("{name}[{}]", i + 1),
            };
            return Err(Error::invalid(function, label, v, requirement));
        }
    }
    Ok(())
}

/// Checks every element of `arg` with `ok`; the first failure becomes
/// `"{function}: {name} is {value}, but must be {requirement}"` (`name[i]`, 1-based, for vectors).
#[inline]
pub(crate) fn check_all<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
    requirement: impl Into<Cow<'static, str>>,
    ok: impl Fn(f64) -> bool,
) -> Result<()> {
    check_elements(
        function,
        name,
        arg.size(),
        |i| arg.value_at(i),
        requirement,
        ok,
    )
}

/// `x` is finite.
pub(crate) fn check_finite<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "finite", f64::is_finite)
}

/// `x` is not NaN (infinite values allowed, e.g. a variate whose density is then 0).
pub(crate) fn check_not_nan<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "not NaN", |v| !v.is_nan())
}

/// `x > 0` and finite.
pub(crate) fn check_positive_finite<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "positive and finite", |v| {
        v > 0.0 && v.is_finite()
    })
}

/// `x ≥ 0` and finite.
pub(crate) fn check_nonnegative<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "non-negative and finite", |v| {
        v >= 0.0 && v.is_finite()
    })
}

/// `0 ≤ x ≤ 1`.
pub(crate) fn check_probability<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "in [0, 1]", |v| {
        (0.0..=1.0).contains(&v)
    })
}

/// The value a density precomputes for a broadcast argument before its loop: a scalar's
/// value, or a vector's first element, and NaN for an empty vector (then the loop never runs and
/// the value is unused), so that no empty argument is indexed.
#[inline]
pub(crate) fn leading_value<A: Operand>(arg: &A) -> f64 {
    if arg.size() == Some(0) {
        f64::NAN
    } else {
        arg.value_at(0)
    }
}

/// The common length of the vectorised arguments (see [`crate::broadcast_len`]).
#[inline]
pub(crate) fn common_len(
    function: &'static str,
    sizes: &[(&'static str, Option<usize>)],
) -> Result<usize> {
    crate::real::broadcast_len(function, sizes)
}

/// A density's argument checks and common length, for a density whose loop a lazy argument
/// may drive ([`Operand::prefers_visit`], a gathered or non-centred [`crate::Affine`]).
///
/// `checks(with_driver)` runs the density's checks in Stan's order, the driving argument's
/// only if `with_driver`. When `driver_in_loop`, that argument is left out here: the loop checks
/// each value as it forms it (and runs `checks(true)` if one fails), so the values are never
/// formed twice. If another check fails, or the sizes differ, or the common length is 0 (the
/// loop then checks nothing, and a scalar driver must still be valid), `checks(true)` runs in
/// full, so that the error reported is the first one in Stan's order, as if every check had
/// come first.
#[inline]
pub(crate) fn checked_len(
    function: &'static str,
    sizes: &[(&'static str, Option<usize>)],
    driver_in_loop: bool,
    checks: impl Fn(bool) -> Result<()>,
) -> Result<usize> {
    let len = common_len(function, sizes);
    let driver_in_loop = driver_in_loop && matches!(len, Ok(n) if n > 0);
    if checks(!driver_in_loop).is_err() || len.is_err() {
        checks(true)?;
    }
    len
}

/// The checks of a location–scale family over `(y, mu, sigma)`, in Stan's order: `y` by the
/// family's own check, `mu` finite, `sigma` positive and finite.
pub(crate) struct LocationScaleChecks<'a, Y, M, S> {
    function: &'static str,
    variate_check: fn(&'static str, &'static str, &Y) -> Result<()>,
    y: &'a Y,
    mu: &'a M,
    sigma: &'a S,
}

impl<'a, Y: Operand, M: Operand, S: Operand> LocationScaleChecks<'a, Y, M, S> {
    /// The checks of `function`'s arguments, `variate_check` being its check of `y`.
    #[inline]
    pub(crate) fn new(
        function: &'static str,
        variate_check: fn(&'static str, &'static str, &Y) -> Result<()>,
        y: &'a Y,
        mu: &'a M,
        sigma: &'a S,
    ) -> Self {
        LocationScaleChecks {
            function,
            variate_check,
            y,
            mu,
            sigma,
        }
    }

    /// Runs the checks, the location's only if `with_location`.
    #[inline]
    pub(crate) fn run(&self, with_location: bool) -> Result<()> {
        (self.variate_check)(self.function, "random variable", self.y)?;
        if with_location {
            check_finite(self.function, "location", self.mu)?;
        }
        check_positive_finite(self.function, "scale", self.sigma)
    }

    /// The common length, after the checks: by [`checked_len`], leaving out a location that
    /// drives the density's loop (the loop checks it, and runs `self.run(true)` if a value
    /// fails).
    #[inline]
    pub(crate) fn len(&self) -> Result<usize> {
        checked_len(
            self.function,
            &[
                ("random variable", self.y.size()),
                ("location", self.mu.size()),
                ("scale", self.sigma.size()),
            ],
            self.mu.prefers_visit(),
            |with_location| self.run(with_location),
        )
    }
}

/// `x ≥ 0` (`+∞` allowed: Stan's `check_nonnegative`, used for variates whose density is 0 at
/// `+∞`, e.g. `exponential`). NaN fails.
pub(crate) fn check_not_negative<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_all(function, name, arg, "non-negative", |v| v >= 0.0)
}

/// Every element of an integer operand (a discrete variate or binomial trials) satisfies `ok`;
/// the first failure becomes `"{function}: {name} is {value}, but must be {requirement}"`, with
/// `name[i]` (1-based) for vectors, as [`check_all`].
pub(crate) fn check_int_all<I: crate::real::IntOperand>(
    function: &'static str,
    name: &'static str,
    arg: &I,
    requirement: impl Into<Cow<'static, str>>,
    ok: impl Fn(i64) -> bool,
) -> Result<()> {
    check_elements(function, name, arg.size(), |i| arg.at(i), requirement, ok)
}

/// Stan's simplex tolerance: `|Σ θ_k − 1| ≤ 1e-8`.
pub(crate) const SIMPLEX_TOLERANCE: f64 = 1e-8;

/// `arg` is a simplex: every element in `[0, 1]` (`"{name}[k] is -0.1, but must be in [0, 1]"`)
/// and the sum within [`SIMPLEX_TOLERANCE`] of 1 (`"sum of {name} is 1.1, but must be 1 (within
/// 1e-8)"`). A scalar is a simplex of size 1.
pub(crate) fn check_simplex<A: Operand>(
    function: &'static str,
    name: &'static str,
    arg: &A,
) -> Result<()> {
    check_probability(function, name, arg)?;
    let sum: f64 = (0..arg.size().unwrap_or(1)).map(|k| arg.value_at(k)).sum();
    if (sum - 1.0).abs() > SIMPLEX_TOLERANCE {
        return Err(Error::invalid(
            function,
            format!("sum of {name}"),
            sum,
            "1 (within 1e-8)",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::dist;

    /// Empty vector arguments (no observations) give a log density of 0, as in Stan, and never
    /// index an empty argument, also where a density precomputes a broadcast argument's value.
    #[test]
    fn empty_vector_arguments_give_zero_not_a_panic() {
        let e: &[f64] = &[];
        let ei: &[i64] = &[];
        let results: [(&str, crate::Result<f64>); 15] = [
            ("normal", dist::normal_lpdf(e, 0.0, e)),
            ("normal_lupdf", dist::normal_lupdf(e, e, e)),
            ("beta", dist::beta_lpdf(e, e, e)),
            ("gamma", dist::gamma_lpdf(e, e, e)),
            ("inv_gamma", dist::inv_gamma_lpdf(e, e, e)),
            ("chi_square", dist::chi_square_lpdf(e, e)),
            ("student_t", dist::student_t_lpdf(e, e, 0.0, 1.0)),
            ("von_mises", dist::von_mises_lpdf(e, 0.0, e)),
            ("bernoulli", dist::bernoulli_lpmf(ei, e)),
            ("binomial", dist::binomial_lpmf(ei, ei, e)),
            ("geometric", dist::geometric_lpmf(ei, e)),
            ("poisson", dist::poisson_lpmf(ei, e)),
            ("poisson_log", dist::poisson_log_lpmf(ei, e)),
            ("neg_binomial_2", dist::neg_binomial_2_lpmf(ei, e, e)),
            (
                "neg_binomial_2_log",
                dist::neg_binomial_2_log_lpmf(ei, e, e),
            ),
        ];
        for (family, result) in results {
            assert_eq!(result.unwrap(), 0.0, "{family}");
        }
    }
}

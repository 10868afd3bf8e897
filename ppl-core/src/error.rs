//! The error type of ppl-core: every bad input becomes a typed value that names the function, the argument and the rule.

use std::borrow::Cow;

use thiserror::Error;

/// Result alias used throughout ppl-core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in ppl-core.
///
/// Messages follow one pattern: `"<function>: <argument> is <value>, but must be <requirement>"`,
/// for example `normal: scale is -1, but must be positive`.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument has a value outside its domain.
    #[error("{function}: {argument} is {value}, but must be {requirement}")]
    InvalidArgument {
        /// The function that checked the argument (`"normal"`, `"lower_upper"`).
        function: &'static str,
        /// The argument's name, with an index for an element of a vector (`"scale"`, `"y[3]"`).
        argument: String,
        /// The offending value, formatted.
        value: String,
        /// What the value must be (`"positive"`, `"finite"`, `"in [0, 1]"`).
        requirement: Cow<'static, str>,
    },
    /// Two arguments that must have matching sizes do not.
    #[error("{function}: {argument} has size {actual}, but must have size {expected}")]
    SizeMismatch {
        /// The function that checked the sizes.
        function: &'static str,
        /// The argument whose size is wrong.
        argument: String,
        /// The size it has.
        actual: usize,
        /// The size it must have.
        expected: usize,
    },
    /// A model's data failed validation (size or declared constraint).
    #[error("{model}: data {field} {message}")]
    Data {
        /// The model's name.
        model: &'static str,
        /// The data field.
        field: String,
        /// What is wrong, e.g. `"is -1, but must be >= 0"`.
        message: String,
    },
    /// A value that must be finite is not (a log-density, a gradient, a draw).
    #[error("{context}: {what} is {value}, but must be finite")]
    NonFinite {
        /// Where it happened (`"log_density"`).
        context: &'static str,
        /// Which quantity (`"gradient[3]"`, `"term mu ~ normal"`).
        what: String,
        /// The value, formatted.
        value: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(
        function: &'static str,
        argument: impl Into<String>,
        value: impl std::fmt::Display,
        requirement: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidArgument {
            function,
            argument: argument.into(),
            value: value.to_string(),
            requirement: requirement.into(),
        }
    }

    /// Shorthand for [`Error::SizeMismatch`].
    pub fn size_mismatch(
        function: &'static str,
        argument: impl Into<String>,
        actual: usize,
        expected: usize,
    ) -> Self {
        Error::SizeMismatch {
            function,
            argument: argument.into(),
            actual,
            expected,
        }
    }
}

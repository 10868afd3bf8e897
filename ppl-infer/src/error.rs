//! The error type of ppl-infer: bad options, failed initialisation, I/O, and bad inputs to the diagnostics and uncertainty tools.

use thiserror::Error;

/// Result alias used throughout ppl-infer.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in ppl-infer.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the model or a density (ppl-core).
    #[error(transparent)]
    Core(#[from] ppl_core::Error),
    /// An option or argument is outside its domain:
    /// `"nuts: max_depth is 0, but must be at least 1"`.
    #[error("{function}: {argument} is {value}, but must be {requirement}")]
    InvalidArgument {
        /// The function or engine (`"nuts"`, `"ece"`).
        function: &'static str,
        /// The option or argument (`"max_depth"`, `"probabilities[3]"`).
        argument: String,
        /// The offending value, formatted.
        value: String,
        /// What it must be.
        requirement: String,
    },
    /// Sizes that must match do not.
    #[error("{function}: {argument} has size {actual}, but must have size {expected}")]
    SizeMismatch {
        /// The function.
        function: &'static str,
        /// The argument whose size is wrong.
        argument: String,
        /// The size it has.
        actual: usize,
        /// The size it must have.
        expected: usize,
    },
    /// No finite starting point was found.
    #[error(
        "chain {chain}: initialisation failed after {attempts} attempt{plural}; last attempt: {reason}",
        plural = if *attempts == 1 { "" } else { "s" }
    )]
    Initialisation {
        /// The chain (1-based).
        chain: usize,
        /// Attempts made.
        attempts: usize,
        /// What was non-finite at the last attempt (the term or gradient element).
        reason: String,
    },
    /// An optimiser failed.
    #[error("{function}: {reason}")]
    Optimisation {
        /// The engine (`"map"`, `"laplace"`).
        function: &'static str,
        /// What went wrong.
        reason: String,
    },
    /// A parameter name that the draws do not have.
    #[error("no parameter named {0:?} in the draws")]
    UnknownParameter(String),
    /// Writing output failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being written (`"stan csv output.csv"`).
        context: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Plotting failed.
    #[error("plot {path}: {reason}")]
    Plot {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

impl Error {
    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid(
        function: &'static str,
        argument: impl Into<String>,
        value: impl std::fmt::Display,
        requirement: impl Into<String>,
    ) -> Self {
        Error::InvalidArgument {
            function,
            argument: argument.into(),
            value: value.to_string(),
            requirement: requirement.into(),
        }
    }
}

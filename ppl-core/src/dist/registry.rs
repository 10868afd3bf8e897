//! The table of distribution families that `model!` understands: name, arguments, support, and the functions that evaluate it.

/// What values a family's variate takes; the `model!` macro picks a parameter's default
/// transform from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SupportKind {
    /// The real line (identity transform).
    Real,
    /// `(0, ∞)` (log transform, `lower = 0`).
    Positive,
    /// `(0, 1)` (logit transform).
    UnitInterval,
    /// `(lower, upper)` given by two of the family's arguments (by position).
    BetweenArgs {
        /// Position of the lower bound among the arguments.
        lower: usize,
        /// Position of the upper bound among the arguments.
        upper: usize,
    },
    /// A real vector (identity transform per element).
    RealVector,
    /// The probability simplex (stick-breaking transform).
    Simplex,
    /// Cholesky factors of correlation matrices.
    CholeskyCorr,
    /// `{0, 1}` (observed only).
    Binary,
    /// Non-negative integers (observed only).
    NonNegativeInt,
    /// Categories `1..=K` (observed only).
    Category,
    /// Vectors of non-negative counts (observed only).
    CountVector,
}

impl SupportKind {
    /// Whether the variate is a scalar (vectorised element-wise), so that every argument is a
    /// plain [`crate::Operand`] or [`crate::IntOperand`].
    pub fn is_univariate(self) -> bool {
        matches!(
            self,
            SupportKind::Real
                | SupportKind::Positive
                | SupportKind::UnitInterval
                | SupportKind::BetweenArgs { .. }
                | SupportKind::Binary
                | SupportKind::NonNegativeInt
        )
    }

    /// Whether the variate is discrete, so that it can only be observed (data).
    pub fn is_discrete(self) -> bool {
        matches!(
            self,
            SupportKind::Binary
                | SupportKind::NonNegativeInt
                | SupportKind::Category
                | SupportKind::CountVector
        )
    }
}

/// One family in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyInfo {
    /// The name used in `model!` (`"normal"`).
    pub name: &'static str,
    /// Argument names in order (`["location", "scale"]`).
    pub args: &'static [&'static str],
    /// The support of the variate.
    pub support: SupportKind,
    /// The normalised log-density function in [`crate::dist`] (`"normal_lpdf"`).
    pub log_density: &'static str,
    /// The log-density up to constants (`"normal_lupdf"`), used by `~` statements.
    pub log_density_propto: &'static str,
}

impl FamilyInfo {
    /// Whether the arguments after the variate may be passed as [`crate::Data`]: they are
    /// [`crate::Operand`]s or [`crate::IntOperand`]s (the univariate families, and
    /// `lkj_corr_cholesky`'s scalar `eta`) or [`crate::linalg::VectorOperand`]s (`dirichlet`'s
    /// concentrations), not probability vectors. `model!` marks data arguments of these
    /// families; it also marks the data matrix arguments of every family that takes one
    /// ([`crate::MatrixOperand`]: `multi_normal`'s covariance, `multi_normal_cholesky`'s factor,
    /// `lkj_corr_cholesky`'s variate).
    pub fn accepts_data_arguments(&self) -> bool {
        self.support.is_univariate()
            || matches!(
                self.support,
                SupportKind::CholeskyCorr | SupportKind::Simplex
            )
    }
}

macro_rules! families {
    ($($name:literal [$($arg:literal),*] $support:expr, $suffix:literal;)*) => {
        /// Every family, in the order of `docs/distributions.md`.
        pub const FAMILIES: &[FamilyInfo] = &[$(
            FamilyInfo {
                name: $name,
                args: &[$($arg),*],
                support: $support,
                log_density: concat!($name, "_l", $suffix),
                log_density_propto: concat!($name, "_lu", $suffix),
            },
        )*];
    };
}

use SupportKind::*;

families! {
    // continuous, univariate
    "normal" ["location", "scale"] Real, "pdf";
    "std_normal" [] Real, "pdf";
    "half_normal" ["scale"] Positive, "pdf";
    "cauchy" ["location", "scale"] Real, "pdf";
    "half_cauchy" ["scale"] Positive, "pdf";
    "student_t" ["nu", "location", "scale"] Real, "pdf";
    "half_student_t" ["nu", "scale"] Positive, "pdf";
    "lognormal" ["location", "scale"] Positive, "pdf";
    "exponential" ["rate"] Positive, "pdf";
    "gamma" ["shape", "rate"] Positive, "pdf";
    "inv_gamma" ["shape", "scale"] Positive, "pdf";
    "beta" ["alpha", "beta"] UnitInterval, "pdf";
    "uniform" ["lower", "upper"] BetweenArgs { lower: 0, upper: 1 }, "pdf";
    "double_exponential" ["location", "scale"] Real, "pdf";
    "logistic" ["location", "scale"] Real, "pdf";
    "weibull" ["shape", "scale"] Positive, "pdf";
    "chi_square" ["nu"] Positive, "pdf";
    "von_mises" ["location", "concentration"] Real, "pdf";
    // discrete
    "bernoulli" ["probability"] Binary, "pmf";
    "bernoulli_logit" ["log_odds"] Binary, "pmf";
    "binomial" ["trials", "probability"] NonNegativeInt, "pmf";
    "binomial_logit" ["trials", "log_odds"] NonNegativeInt, "pmf";
    "beta_binomial" ["trials", "alpha", "beta"] NonNegativeInt, "pmf";
    "poisson" ["rate"] NonNegativeInt, "pmf";
    "poisson_log" ["log_rate"] NonNegativeInt, "pmf";
    "neg_binomial_2" ["mean", "dispersion"] NonNegativeInt, "pmf";
    "neg_binomial_2_log" ["log_mean", "dispersion"] NonNegativeInt, "pmf";
    "geometric" ["probability"] NonNegativeInt, "pmf";
    "categorical" ["probabilities"] Category, "pmf";
    "categorical_logit" ["log_odds"] Category, "pmf";
    "ordered_logistic" ["location", "cutpoints"] Category, "pmf";
    "ordered_probit" ["location", "cutpoints"] Category, "pmf";
    // multivariate
    "multi_normal" ["mean", "covariance"] RealVector, "pdf";
    "multi_normal_cholesky" ["mean", "cholesky_factor"] RealVector, "pdf";
    "dirichlet" ["concentration"] Simplex, "pdf";
    "multinomial" ["probabilities"] CountVector, "pmf";
    "lkj_corr_cholesky" ["eta"] CholeskyCorr, "pdf";
    // generalised linear models (observed only)
    "normal_id_glm" ["x", "alpha", "beta", "scale"] Real, "pdf";
    "bernoulli_logit_glm" ["x", "alpha", "beta"] Binary, "pmf";
    "poisson_log_glm" ["x", "alpha", "beta"] NonNegativeInt, "pmf";
}

/// Looks up a family by its `model!` name.
///
/// ```
/// let normal = ppl_core::dist::family("normal").unwrap();
/// assert_eq!(normal.args, &["location", "scale"]);
/// assert_eq!(normal.log_density_propto, "normal_lupdf");
/// assert!(ppl_core::dist::family("norml").is_none());
/// ```
pub fn family(name: &str) -> Option<&'static FamilyInfo> {
    FAMILIES.iter().find(|f| f.name == name)
}

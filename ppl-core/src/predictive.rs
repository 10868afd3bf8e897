//! Prior and posterior predictive simulation: the `Predictive` trait that `model!` implements, and the runtime that draws a `~` statement's left side from its family.
//!
//! `model!` replays the model body in `f64` with a [`PredictiveState`]: every `~` statement
//! hands its family name, its arguments (as [`SiteArg`]s) and the flat position of its left
//! side to [`PredictiveState::site`], which draws from the family's
//! [`Distribution`](crate::dist::Distribution) struct (or records its conditional moments)
//! instead of adding to the target. The user-facing documentation is the section
//! "Predictive sampling" of `docs/writing-models.md`.

use rand::RngCore;

use crate::dist::{
    Bernoulli, BernoulliLogit, Beta, Binomial, BinomialLogit, Categorical, CategoricalLogit,
    Cauchy, ChiSquare, Dirichlet, Distribution, DoubleExponential, Exponential, Gamma, Geometric,
    HalfCauchy, HalfNormal, HalfStudentT, InvGamma, LkjCorrCholesky, Logistic, Lognormal,
    MultiNormal, MultiNormalCholesky, NegBinomial2, NegBinomial2Log, Normal, Poisson, PoissonLog,
    StudentT, Uniform, VonMises, Weibull,
};
use crate::error::{Error, Result};
use crate::matrix::Matrix;
use crate::real::{Operand, Real};
use crate::vector::Vector;
use crate::Model;

/// Predictive simulation of a model's observed variables (the data on the left of `~`),
/// implemented by `model!` for every model.
///
/// - Posterior predictive: for each posterior draw `θ` (unconstrained), `simulate_observed`
///   draws `ỹ ~ p(y | θ, x)`; `observed_moments` gives `E(y | θ, x)` and `Var(y | θ, x)`.
/// - Prior predictive: `simulate_prior` draws `θ ~ p(θ)` from the `~` statements on the
///   parameters, then `ỹ ~ p(y | θ, x)`.
///
/// Observed elements are reported flat, in the order of [`Predictive::observed_names`]
/// (Stan style: `y[1]`, `y[2]`, …; data fields in declaration order); integer outcomes are
/// reported as `f64` values. Elements of an observed field that no `~` statement reaches
/// (e.g. missing values skipped by an `if`) are `NaN`. `target +=` statements are skipped in
/// predictive mode.
pub trait Predictive: Model {
    /// Flat names of the observed elements (`y[1]`, …), in the order of the simulated vectors.
    fn observed_names(&self) -> Vec<String>;

    /// One draw of the observed variables given the parameters `unconstrained`.
    ///
    /// # Errors
    /// A size mismatch for `unconstrained`; the family's argument errors (e.g. a non-positive
    /// scale); an unsupported `~` statement on data (see `docs/writing-models.md`).
    fn simulate_observed(&self, unconstrained: &[f64], rng: &mut dyn RngCore) -> Result<Vec<f64>>;

    /// The conditional means and variances `(E(y | θ), Var(y | θ))` of the observed elements;
    /// `NaN` where the moment does not exist (a Cauchy's mean).
    ///
    /// # Errors
    /// As [`Predictive::simulate_observed`].
    fn observed_moments(&self, unconstrained: &[f64]) -> Result<(Vec<f64>, Vec<f64>)>;

    /// One prior predictive draw: the parameters (unconstrained, drawn from their priors in
    /// declaration order) and the observed variables given them.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming a parameter (element) that has no `~` statement (a
    /// flat, improper prior) or more than one; the errors of
    /// [`Predictive::simulate_observed`].
    fn simulate_prior(&self, rng: &mut dyn RngCore) -> Result<(Vec<f64>, Vec<f64>)>;
}

/// A `~` argument converted to `f64` values for predictive simulation.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub enum SiteArg {
    /// A real scalar.
    Real(f64),
    /// A real vector.
    Reals(Vec<f64>),
    /// An integer scalar.
    Int(i64),
    /// An integer vector.
    Ints(Vec<i64>),
    /// A real matrix.
    Matrix(Matrix<f64>),
    /// An array of real vectors.
    Arrays(Vec<Vec<f64>>),
}

/// Converts the argument of a `~` statement (as `model!` passes it to the density) to a
/// [`SiteArg`].
#[doc(hidden)]
pub trait IntoSiteArg {
    /// The converted argument.
    fn into_site_arg(self) -> SiteArg;
}

impl<T: Real> IntoSiteArg for T {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Real(self.value())
    }
}

impl IntoSiteArg for i64 {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Int(self)
    }
}

fn values<T: Real>(slice: &[T]) -> Vec<f64> {
    slice.iter().map(Real::value).collect()
}

impl<T: Real> IntoSiteArg for &[T] {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Reals(values(self))
    }
}

impl<T: Real> IntoSiteArg for &Vec<T> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Reals(values(self))
    }
}

impl<A, B, X> IntoSiteArg for &crate::affine::Affine<'_, A, B, X>
where
    A: crate::real::Operand,
    B: crate::real::Operand<Scalar = A::Scalar>,
    X: crate::real::Operand,
{
    fn into_site_arg(self) -> SiteArg {
        use crate::real::Operand;
        match self.size() {
            None => SiteArg::Real(self.value_at(0)),
            Some(n) => SiteArg::Reals((0..n).map(|i| self.value_at(i)).collect()),
        }
    }
}

impl<T: Real> IntoSiteArg for &Vector<T> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Reals(values(self.as_slice()))
    }
}

impl<T: Real> IntoSiteArg for &Matrix<T> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Matrix(self.map(|v| v.value()))
    }
}

impl<T: Real> IntoSiteArg for &Vec<Vector<T>> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Arrays(self.iter().map(|v| values(v.as_slice())).collect())
    }
}

impl<T: Real> IntoSiteArg for &Vec<Vec<T>> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Arrays(self.iter().map(|v| values(v)).collect())
    }
}

impl<T: Real> IntoSiteArg for &Vec<Matrix<T>> {
    fn into_site_arg(self) -> SiteArg {
        // Not an argument of any family with a predictive struct; reported as unsupported.
        SiteArg::Arrays(Vec::new())
    }
}

impl IntoSiteArg for &Vec<i64> {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Ints(self.clone())
    }
}

impl IntoSiteArg for &[i64] {
    fn into_site_arg(self) -> SiteArg {
        SiteArg::Ints(self.to_vec())
    }
}

/// The index expression of an indexed left side (`y[n]`, `theta[a..b]`): its flat range
/// within a variable of `total` elements.
#[doc(hidden)]
pub trait SiteIndex {
    /// `(offset, length)`.
    fn site_range(&self, total: usize) -> (usize, usize);
}

impl SiteIndex for usize {
    fn site_range(&self, _total: usize) -> (usize, usize) {
        (*self, 1)
    }
}

impl SiteIndex for &usize {
    fn site_range(&self, _total: usize) -> (usize, usize) {
        (**self, 1)
    }
}

impl SiteIndex for std::ops::Range<usize> {
    fn site_range(&self, _total: usize) -> (usize, usize) {
        (self.start, self.end.saturating_sub(self.start))
    }
}

impl SiteIndex for std::ops::RangeInclusive<usize> {
    fn site_range(&self, _total: usize) -> (usize, usize) {
        (
            *self.start(),
            (*self.end() + 1).saturating_sub(*self.start()),
        )
    }
}

impl SiteIndex for std::ops::RangeFrom<usize> {
    fn site_range(&self, total: usize) -> (usize, usize) {
        (self.start, total.saturating_sub(self.start))
    }
}

impl SiteIndex for std::ops::RangeTo<usize> {
    fn site_range(&self, _total: usize) -> (usize, usize) {
        (0, self.end)
    }
}

impl SiteIndex for std::ops::RangeFull {
    fn site_range(&self, total: usize) -> (usize, usize) {
        (0, total)
    }
}

/// What the left side of a `~` statement is.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SiteTarget {
    /// The observed data field with this index (among the observed fields).
    Observed(usize),
    /// The parameter with this index (declaration order).
    Param(usize),
}

/// The constraint of a parameter that a prior draw must respect (truncation by rejection;
/// sorting for ordered vectors).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default)]
pub struct SiteBounds {
    /// Lower bound.
    pub lower: Option<f64>,
    /// Upper bound.
    pub upper: Option<f64>,
    /// Whether the parameter is `ordered`/`positive_ordered` (draws are sorted).
    pub ordered: bool,
}

enum Mode {
    Draw,
    Moments,
    Prior { param: usize },
}

/// Draws rejected before a truncated prior draw gives up.
const MAX_REJECTIONS: usize = 10_000;

/// The state of one predictive replay of a model body (used by `model!`-generated code).
#[doc(hidden)]
pub struct PredictiveState<'a> {
    mode: Mode,
    rng: Option<&'a mut dyn RngCore>,
    /// Observed values (or means), one flat vector per observed field.
    pub values: Vec<Vec<f64>>,
    /// Variances in moments mode.
    pub variances: Vec<Vec<f64>>,
    /// Prior mode: the drawn constrained values of the parameter and which are set.
    pub param_values: Vec<f64>,
    covered: Vec<bool>,
}

impl<'a> PredictiveState<'a> {
    /// Draws observed fields of the given flat sizes.
    pub fn draw(sizes: &[usize], rng: &'a mut dyn RngCore) -> Self {
        Self::with(Mode::Draw, sizes, Some(rng), 0)
    }

    /// Records the conditional moments of observed fields of the given flat sizes.
    pub fn moments(sizes: &[usize]) -> Self {
        Self::with(Mode::Moments, sizes, None, 0)
    }

    /// Draws parameter `param` (of `len` constrained values) from its prior.
    pub fn prior(param: usize, len: usize, rng: &'a mut dyn RngCore) -> Self {
        Self::with(Mode::Prior { param }, &[], Some(rng), len)
    }

    fn with(mode: Mode, sizes: &[usize], rng: Option<&'a mut dyn RngCore>, len: usize) -> Self {
        PredictiveState {
            mode,
            rng,
            values: sizes.iter().map(|&n| vec![f64::NAN; n]).collect(),
            variances: sizes.iter().map(|&n| vec![f64::NAN; n]).collect(),
            param_values: vec![f64::NAN; len],
            covered: vec![false; len],
        }
    }

    /// Whether a `~` statement on `target` does anything in this mode.
    pub fn wants(&self, target: SiteTarget) -> bool {
        match (&self.mode, target) {
            (Mode::Draw | Mode::Moments, SiteTarget::Observed(_)) => true,
            (Mode::Prior { param }, SiteTarget::Param(index)) => *param == index,
            _ => false,
        }
    }

    /// Whether observed data are simulated (draws or moments).
    pub fn is_observed_mode(&self) -> bool {
        matches!(self.mode, Mode::Draw | Mode::Moments)
    }

    /// Handles one `~` statement: its left side `target` covers the flat elements
    /// `offset..offset + len`; `family` and `args` are the right side.
    ///
    /// # Errors
    /// The family's argument errors; a size mismatch between the left side and a vector
    /// argument; a family without predictive support.
    #[allow(clippy::too_many_arguments)]
    pub fn site(
        &mut self,
        target: SiteTarget,
        name: &str,
        offset: usize,
        len: usize,
        family: &'static str,
        args: &[SiteArg],
        bounds: SiteBounds,
    ) -> Result<()> {
        match (&self.mode, target) {
            (Mode::Draw, SiteTarget::Observed(field)) => {
                let rng = self.rng.as_deref_mut().expect("draw mode has an rng");
                let draws = sample_family(family, args, len, rng)?;
                write_range(&mut self.values[field], name, offset, &draws)
            }
            (Mode::Moments, SiteTarget::Observed(field)) => {
                let (means, variances) = family_moments(family, args, len)?;
                write_range(&mut self.values[field], name, offset, &means)?;
                write_range(&mut self.variances[field], name, offset, &variances)
            }
            (Mode::Prior { param }, SiteTarget::Param(index)) if *param == index => {
                let rng = self.rng.as_deref_mut().expect("prior mode has an rng");
                let draws = sample_bounded(family, args, len, bounds, rng)?;
                let end = offset + len;
                if end > self.param_values.len() {
                    return Err(Error::size_mismatch(
                        "simulate_prior",
                        name.to_string(),
                        end,
                        self.param_values.len(),
                    ));
                }
                for (i, covered) in self.covered[offset..end].iter_mut().enumerate() {
                    if *covered {
                        return Err(Error::invalid(
                            "simulate_prior",
                            format!("parameter {name}"),
                            format!("element {} under more than one ~ statement", offset + i + 1),
                            "drawn by exactly one ~ statement",
                        ));
                    }
                    *covered = true;
                }
                self.param_values[offset..end].copy_from_slice(&draws);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Prior mode: the drawn constrained values of the parameter, whose flat element names
    /// are `names`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the first element that no `~` statement drew (a
    /// flat prior).
    pub fn finish_prior(self, names: &[String]) -> Result<Vec<f64>> {
        if let Some(i) = self.covered.iter().position(|c| !c) {
            let name = names.get(i).cloned().unwrap_or_default();
            return Err(Error::invalid(
                "simulate_prior",
                format!("parameter {name}"),
                "without a ~ statement (a flat, improper prior)",
                "drawn from a proper prior",
            ));
        }
        Ok(self.param_values)
    }
}

/// An error for a `~` statement whose left side predictive simulation cannot locate.
#[doc(hidden)]
pub fn unsupported_site(what: &str) -> Error {
    Error::invalid(
        "predictive",
        what.to_string(),
        "a ~ statement on data of this form",
        "a data field or an element y[i] of a data vector",
    )
}

fn write_range(out: &mut [f64], name: &str, offset: usize, values: &[f64]) -> Result<()> {
    let end = offset + values.len();
    if end > out.len() {
        return Err(Error::size_mismatch(
            "predictive",
            name.to_string(),
            end,
            out.len(),
        ));
    }
    out[offset..end].copy_from_slice(values);
    Ok(())
}

/// Draws for a parameter, redrawing each element (a multivariate draw as a whole) until it
/// satisfies `bounds`: a bounded parameter's prior is truncated to its bounds, as in Stan.
fn sample_bounded(
    family: &'static str,
    args: &[SiteArg],
    len: usize,
    bounds: SiteBounds,
    rng: &mut dyn RngCore,
) -> Result<Vec<f64>> {
    let inside = |v: f64| bounds.lower.is_none_or(|l| v > l) && bounds.upper.is_none_or(|u| v < u);
    let rejected = || {
        Error::invalid(
            "simulate_prior",
            format!("{family} prior"),
            format!("outside the parameter's bounds in {MAX_REJECTIONS} draws"),
            "a prior with mass inside the bounds",
        )
    };
    let mut draws = if is_multivariate(family) {
        let joint = multivariate(family, args, len)?;
        let mut tries = 0;
        loop {
            let draw = joint.draw(rng);
            if draw.iter().all(|&v| inside(v)) {
                check_joint_len(family, draw.len(), len)?;
                break draw;
            }
            tries += 1;
            if tries >= MAX_REJECTIONS {
                return Err(rejected());
            }
        }
    } else {
        let (_, eta) = layout(family, args, len)?;
        let mut draws = Vec::with_capacity(len);
        for i in 0..len {
            let element = univariate_at(family, args, eta.as_deref(), i)?;
            let mut tries = 0;
            let draw = loop {
                let draw = element.draw(rng);
                if inside(draw) {
                    break draw;
                }
                tries += 1;
                if tries >= MAX_REJECTIONS {
                    return Err(rejected());
                }
            };
            draws.push(draw);
        }
        draws
    };
    if bounds.ordered {
        draws.sort_by(f64::total_cmp);
    }
    Ok(draws)
}

/// A real argument viewed as a vectorised [`Operand`].
enum RealView<'a> {
    Scalar(f64),
    Slice(&'a [f64]),
}

impl Operand for RealView<'_> {
    type Scalar = f64;
    type Partials<'s>
        = crate::real::DirectPartials<'s, Self>
    where
        Self: 's;
    fn partials(&self) -> crate::real::DirectPartials<'_, Self> {
        crate::real::DirectPartials::new(self)
    }
    fn size(&self) -> Option<usize> {
        match self {
            RealView::Scalar(_) => None,
            RealView::Slice(s) => Some(s.len()),
        }
    }
    fn at(&self, i: usize) -> &f64 {
        match self {
            RealView::Scalar(v) => v,
            RealView::Slice(s) => &s[i],
        }
    }
}

/// An integer argument: scalar or vector.
enum IntView<'a> {
    Scalar(i64),
    Slice(&'a [i64]),
}

impl IntView<'_> {
    fn at(&self, i: usize) -> i64 {
        match self {
            IntView::Scalar(v) => *v,
            IntView::Slice(s) => s[i],
        }
    }
}

fn arg<'a>(family: &'static str, args: &'a [SiteArg], k: usize) -> Result<&'a SiteArg> {
    args.get(k)
        .ok_or_else(|| Error::size_mismatch(family, "arguments", args.len(), k + 1))
}

fn real_arg<'a>(family: &'static str, args: &'a [SiteArg], k: usize) -> Result<RealView<'a>> {
    Ok(match arg(family, args, k)? {
        SiteArg::Real(v) => RealView::Scalar(*v),
        SiteArg::Reals(v) => RealView::Slice(v),
        #[allow(clippy::cast_precision_loss)]
        SiteArg::Int(v) => RealView::Scalar(*v as f64),
        other => return Err(bad_arg(family, k, other)),
    })
}

fn int_arg<'a>(family: &'static str, args: &'a [SiteArg], k: usize) -> Result<IntView<'a>> {
    Ok(match arg(family, args, k)? {
        SiteArg::Int(v) => IntView::Scalar(*v),
        SiteArg::Ints(v) => IntView::Slice(v),
        other => return Err(bad_arg(family, k, other)),
    })
}

fn vector_arg<'a>(family: &'static str, args: &'a [SiteArg], k: usize) -> Result<&'a [f64]> {
    match arg(family, args, k)? {
        SiteArg::Reals(v) => Ok(v),
        other => Err(bad_arg(family, k, other)),
    }
}

fn matrix_arg<'a>(family: &'static str, args: &'a [SiteArg], k: usize) -> Result<&'a Matrix<f64>> {
    match arg(family, args, k)? {
        SiteArg::Matrix(m) => Ok(m),
        other => Err(bad_arg(family, k, other)),
    }
}

fn bad_arg(family: &'static str, k: usize, value: &SiteArg) -> Error {
    let kind = match value {
        SiteArg::Real(_) => "a real scalar",
        SiteArg::Reals(_) => "a real vector",
        SiteArg::Int(_) => "an integer",
        SiteArg::Ints(_) => "an integer vector",
        SiteArg::Matrix(_) => "a matrix",
        SiteArg::Arrays(_) => "an array",
    };
    Error::invalid(
        family,
        format!("argument {}", k + 1),
        kind,
        "of a type that predictive simulation supports for this family",
    )
}

/// A univariate family at fixed arguments, its draws as `f64`.
trait Univariate {
    fn draw(&self, rng: &mut dyn RngCore) -> f64;
    fn moments(&self) -> (f64, f64);
}

/// A draw's value as `f64` (integer outcomes included).
trait AsF64 {
    fn as_f64(&self) -> f64;
}

impl AsF64 for f64 {
    fn as_f64(&self) -> f64 {
        *self
    }
}

impl AsF64 for i64 {
    #[allow(clippy::cast_precision_loss)]
    fn as_f64(&self) -> f64 {
        *self as f64
    }
}

impl<D> Univariate for D
where
    D: Distribution<Moment = f64>,
    D::Value: AsF64,
{
    fn draw(&self, rng: &mut dyn RngCore) -> f64 {
        self.sample(rng).as_f64()
    }
    fn moments(&self) -> (f64, f64) {
        (
            self.mean().unwrap_or(f64::NAN),
            self.variance().unwrap_or(f64::NAN),
        )
    }
}

/// The family at element `i` of a vectorised statement; `eta` is a GLM's linear predictor.
fn univariate_at(
    family: &'static str,
    args: &[SiteArg],
    eta: Option<&[f64]>,
    i: usize,
) -> Result<Box<dyn Univariate>> {
    let real = |k: usize| -> Result<f64> { Ok(*real_arg(family, args, k)?.at(i)) };
    let int = |k: usize| -> Result<i64> { Ok(int_arg(family, args, k)?.at(i)) };
    Ok(match family {
        "normal" => Box::new(Normal::new(real(0)?, real(1)?)?),
        "std_normal" => Box::new(Normal::new(0.0, 1.0)?),
        "half_normal" => Box::new(HalfNormal::new(real(0)?)?),
        "cauchy" => Box::new(Cauchy::new(real(0)?, real(1)?)?),
        "half_cauchy" => Box::new(HalfCauchy::new(real(0)?)?),
        "student_t" => Box::new(StudentT::new(real(0)?, real(1)?, real(2)?)?),
        "half_student_t" => Box::new(HalfStudentT::new(real(0)?, real(1)?)?),
        "lognormal" => Box::new(Lognormal::new(real(0)?, real(1)?)?),
        "exponential" => Box::new(Exponential::new(real(0)?)?),
        "gamma" => Box::new(Gamma::new(real(0)?, real(1)?)?),
        "inv_gamma" => Box::new(InvGamma::new(real(0)?, real(1)?)?),
        "beta" => Box::new(Beta::new(real(0)?, real(1)?)?),
        "uniform" => Box::new(Uniform::new(real(0)?, real(1)?)?),
        "double_exponential" => Box::new(DoubleExponential::new(real(0)?, real(1)?)?),
        "logistic" => Box::new(Logistic::new(real(0)?, real(1)?)?),
        "weibull" => Box::new(Weibull::new(real(0)?, real(1)?)?),
        "chi_square" => Box::new(ChiSquare::new(real(0)?)?),
        "von_mises" => Box::new(VonMises::new(real(0)?, real(1)?)?),
        "bernoulli" => Box::new(Bernoulli::new(real(0)?)?),
        "bernoulli_logit" => Box::new(BernoulliLogit::new(real(0)?)?),
        "binomial" => Box::new(Binomial::new(int(0)?, real(1)?)?),
        "binomial_logit" => Box::new(BinomialLogit::new(int(0)?, real(1)?)?),
        "poisson" => Box::new(Poisson::new(real(0)?)?),
        "poisson_log" => Box::new(PoissonLog::new(real(0)?)?),
        "neg_binomial_2" => Box::new(NegBinomial2::new(real(0)?, real(1)?)?),
        "neg_binomial_2_log" => Box::new(NegBinomial2Log::new(real(0)?, real(1)?)?),
        "geometric" => Box::new(Geometric::new(real(0)?)?),
        "categorical" => Box::new(Categorical::new(vector_arg(family, args, 0)?.to_vec())?),
        "categorical_logit" => Box::new(CategoricalLogit::new(
            vector_arg(family, args, 0)?.to_vec(),
        )?),
        "normal_id_glm" => {
            let eta = eta.map_or(0.0, |eta| eta[i]);
            Box::new(Normal::new(eta, real(3)?)?)
        }
        "bernoulli_logit_glm" => Box::new(BernoulliLogit::new(eta.map_or(0.0, |eta| eta[i]))?),
        "poisson_log_glm" => Box::new(PoissonLog::new(eta.map_or(0.0, |eta| eta[i]))?),
        _ => return Err(unsupported_family(family)),
    })
}

fn unsupported_family(family: &'static str) -> Error {
    Error::invalid(
        "predictive",
        "family",
        family,
        "a family with predictive simulation (not multinomial)",
    )
}

/// The common length of a univariate statement with a left side of `len` elements, and a
/// GLM's linear predictor.
fn layout(family: &'static str, args: &[SiteArg], len: usize) -> Result<(usize, Option<Vec<f64>>)> {
    if family.ends_with("_glm") {
        let x = matrix_arg(family, args, 0)?;
        let alpha = real_arg(family, args, 1)?;
        let beta = real_arg(family, args, 2)?;
        let eta = linear_predictor(family, x, &alpha, &beta)?;
        return Ok((eta.len(), Some(eta)));
    }
    let mut sizes: Vec<(&'static str, Option<usize>)> = vec![("random variable", Some(len))];
    let vector_args = matches!(family, "categorical" | "categorical_logit");
    if !vector_args {
        for (k, value) in args.iter().enumerate() {
            let size = match value {
                SiteArg::Real(_) | SiteArg::Int(_) => None,
                SiteArg::Reals(v) => Some(v.len()),
                SiteArg::Ints(v) => Some(v.len()),
                other => return Err(bad_arg(family, k, other)),
            };
            sizes.push((ARG_LABELS[k.min(ARG_LABELS.len() - 1)], size));
        }
    }
    Ok((crate::real::broadcast_len(family, &sizes)?, None))
}

/// A GLM's linear predictor `η = α + X β` (the densities' own helper is private to `dist`;
/// their argument checks apply when the model's density is evaluated).
fn linear_predictor(
    family: &'static str,
    x: &Matrix<f64>,
    alpha: &RealView<'_>,
    beta: &RealView<'_>,
) -> Result<Vec<f64>> {
    let (rows, cols) = (x.rows(), x.cols());
    if let Some(n) = alpha.size().filter(|&n| n != rows) {
        return Err(Error::size_mismatch(family, "alpha", n, rows));
    }
    let beta_size = beta.size().unwrap_or(1);
    if beta_size != cols {
        return Err(Error::size_mismatch(family, "beta", beta_size, cols));
    }
    Ok((0..rows)
        .map(|i| {
            let dot: f64 = (0..cols).map(|j| x[(i, j)] * beta.at(j)).sum();
            alpha.at(i) + dot
        })
        .collect())
}

const ARG_LABELS: [&str; 4] = ["argument 1", "argument 2", "argument 3", "argument 4"];

/// Whether the family's variate is a vector drawn jointly.
fn is_multivariate(family: &str) -> bool {
    matches!(
        family,
        "multi_normal"
            | "multi_normal_cholesky"
            | "dirichlet"
            | "lkj_corr_cholesky"
            | "multinomial"
    )
}

/// A multivariate family at fixed arguments, for a left side of `len` elements.
fn multivariate(
    family: &'static str,
    args: &[SiteArg],
    len: usize,
) -> Result<Box<dyn Multivariate>> {
    Ok(match family {
        "multi_normal" => Box::new(MultiNormal::new(
            vector_arg(family, args, 0)?.to_vec(),
            matrix_arg(family, args, 1)?.clone(),
        )?),
        "multi_normal_cholesky" => Box::new(MultiNormalCholesky::new(
            vector_arg(family, args, 0)?.to_vec(),
            matrix_arg(family, args, 1)?.clone(),
        )?),
        "dirichlet" => Box::new(Dirichlet::new(vector_arg(family, args, 0)?.to_vec())?),
        "lkj_corr_cholesky" => {
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss
            )]
            let dimension = (len as f64).sqrt().round() as usize;
            Box::new(ColumnMajor {
                distribution: LkjCorrCholesky::new(dimension, *real_arg(family, args, 0)?.at(0))?,
                dimension,
            })
        }
        _ => return Err(unsupported_family(family)),
    })
}

/// A multivariate family, draws as `f64` vectors.
trait Multivariate {
    fn draw(&self, rng: &mut dyn RngCore) -> Vec<f64>;
    fn moments(&self, len: usize) -> (Vec<f64>, Vec<f64>);
}

impl<D> Multivariate for D
where
    D: Distribution<Moment = Vec<f64>, Value = Vec<f64>>,
{
    fn draw(&self, rng: &mut dyn RngCore) -> Vec<f64> {
        self.sample(rng)
    }
    fn moments(&self, len: usize) -> (Vec<f64>, Vec<f64>) {
        (
            self.mean().unwrap_or_else(|| vec![f64::NAN; len]),
            self.variance().unwrap_or_else(|| vec![f64::NAN; len]),
        )
    }
}

/// A square-matrix family whose draws are row-major, reported column-major (the layout of
/// matrix parameters and of `param_names`).
struct ColumnMajor<D> {
    distribution: D,
    dimension: usize,
}

impl<D: Multivariate> ColumnMajor<D> {
    fn transpose(&self, row_major: Vec<f64>) -> Vec<f64> {
        let k = self.dimension;
        if row_major.len() != k * k {
            return row_major;
        }
        (0..k * k).map(|c| row_major[(c % k) * k + c / k]).collect()
    }
}

impl<D: Multivariate> Multivariate for ColumnMajor<D> {
    fn draw(&self, rng: &mut dyn RngCore) -> Vec<f64> {
        self.transpose(self.distribution.draw(rng))
    }
    fn moments(&self, len: usize) -> (Vec<f64>, Vec<f64>) {
        let (means, variances) = self.distribution.moments(len);
        (self.transpose(means), self.transpose(variances))
    }
}

fn check_joint_len(family: &'static str, actual: usize, len: usize) -> Result<()> {
    if actual == len {
        Ok(())
    } else {
        Err(Error::size_mismatch(family, "random variable", len, actual))
    }
}

/// Draws the `len` elements of a `~` statement's left side from `family(args)`, broadcasting
/// scalar arguments as the density does.
///
/// # Errors
/// The family's argument errors; a size mismatch; an unsupported family.
fn sample_family(
    family: &'static str,
    args: &[SiteArg],
    len: usize,
    rng: &mut dyn RngCore,
) -> Result<Vec<f64>> {
    if is_multivariate(family) {
        let draw = multivariate(family, args, len)?.draw(rng);
        check_joint_len(family, draw.len(), len)?;
        return Ok(draw);
    }
    let (n, eta) = layout(family, args, len)?;
    check_joint_len(family, n.max(len), len)?;
    (0..len)
        .map(|i| Ok(univariate_at(family, args, eta.as_deref(), i)?.draw(rng)))
        .collect()
}

/// The conditional means and variances of the `len` elements of a `~` statement's left side.
///
/// # Errors
/// As [`sample_family`].
fn family_moments(
    family: &'static str,
    args: &[SiteArg],
    len: usize,
) -> Result<(Vec<f64>, Vec<f64>)> {
    if is_multivariate(family) {
        let (means, variances) = multivariate(family, args, len)?.moments(len);
        check_joint_len(family, means.len(), len)?;
        return Ok((means, variances));
    }
    let (n, eta) = layout(family, args, len)?;
    check_joint_len(family, n.max(len), len)?;
    let mut means = Vec::with_capacity(len);
    let mut variances = Vec::with_capacity(len);
    for i in 0..len {
        let (mean, variance) = univariate_at(family, args, eta.as_deref(), i)?.moments();
        means.push(mean);
        variances.push(variance);
    }
    Ok((means, variances))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn vectorised_normal_broadcasts_and_reports_moments() {
        let args = [SiteArg::Reals(vec![1.0, 2.0, 3.0]), SiteArg::Real(2.0)];
        let (means, variances) = family_moments("normal", &args, 3).unwrap();
        assert_eq!(means, vec![1.0, 2.0, 3.0]);
        assert_eq!(variances, vec![4.0, 4.0, 4.0]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            sample_family("normal", &args, 3, &mut rng).unwrap().len(),
            3
        );
        let error = sample_family("normal", &args, 4, &mut rng).unwrap_err();
        assert_eq!(
            error.to_string(),
            "normal: argument 1 has size 3, but must have size 4"
        );
    }

    #[test]
    fn glm_moments_use_the_linear_predictor() {
        let x = Matrix::from_rows(&[vec![1.0, 0.0], vec![0.0, 2.0]]).unwrap();
        let args = [
            SiteArg::Matrix(x),
            SiteArg::Real(0.5),
            SiteArg::Reals(vec![1.0, -1.0]),
            SiteArg::Real(3.0),
        ];
        let (means, variances) = family_moments("normal_id_glm", &args, 2).unwrap();
        assert_eq!(means, vec![1.5, -1.5]);
        assert_eq!(variances, vec![9.0, 9.0]);
    }
}

//! The argmin adapter: the negative log density (with or without the Jacobian) as a cost with its gradient, one model evaluation per point.

use argmin::core::{CostFunction, Gradient};
use ppl_core::LogDensity;
use std::cell::{Cell, RefCell};

/// One evaluation of the log density and its gradient at a point.
#[derive(Debug, Clone)]
struct Evaluation {
    point: Vec<f64>,
    log_density: f64,
    gradient: Vec<f64>,
}

/// `−log p(u)` for argmin (which minimises), evaluated through the model's gradient and cached so
/// that argmin's separate cost and gradient calls at one point cost one model evaluation.
pub(crate) struct NegativeLogDensity<'a, M: ?Sized> {
    model: &'a M,
    jacobian: bool,
    last: RefCell<Option<Evaluation>>,
    evaluations: &'a Cell<usize>,
}

impl<'a, M: LogDensity + ?Sized> NegativeLogDensity<'a, M> {
    /// The problem for `model`; every model evaluation increments `evaluations` (shared, so
    /// that the count survives argmin keeping the problem after a failed line search).
    pub(crate) fn new(model: &'a M, jacobian: bool, evaluations: &'a Cell<usize>) -> Self {
        Self {
            model,
            jacobian,
            last: RefCell::new(None),
            evaluations,
        }
    }

    /// `log p(u)` and its gradient (Jacobian per the setting); an error if either is not finite.
    pub(crate) fn evaluate(&self, point: &[f64]) -> Result<(f64, Vec<f64>), String> {
        if let Some(last) = self.last.borrow().as_ref() {
            if last.point == point {
                return Ok((last.log_density, last.gradient.clone()));
            }
        }
        let mut gradient = vec![0.0; self.model.dim()];
        self.evaluations.set(self.evaluations.get() + 1);
        let log_density = if self.jacobian {
            self.model.log_density_gradient(point, &mut gradient)
        } else {
            self.model
                .log_density_gradient_no_jacobian(point, &mut gradient)
        }
        .map_err(|error| error.to_string())?;
        if !log_density.is_finite() {
            return Err(format!("log density is {log_density}"));
        }
        if let Some(i) = gradient.iter().position(|g| !g.is_finite()) {
            return Err(format!("gradient[{}] is {}", i + 1, gradient[i]));
        }
        *self.last.borrow_mut() = Some(Evaluation {
            point: point.to_vec(),
            log_density,
            gradient: gradient.clone(),
        });
        Ok((log_density, gradient))
    }
}

impl<M: LogDensity + ?Sized> CostFunction for NegativeLogDensity<'_, M> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, point: &Self::Param) -> Result<f64, argmin::core::Error> {
        self.evaluate(point)
            .map(|(log_density, _)| -log_density)
            .map_err(argmin::core::Error::msg)
    }
}

impl<M: LogDensity + ?Sized> Gradient for NegativeLogDensity<'_, M> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, point: &Self::Param) -> Result<Vec<f64>, argmin::core::Error> {
        self.evaluate(point)
            .map(|(_, gradient)| gradient.iter().map(|g| -g).collect())
            .map_err(argmin::core::Error::msg)
    }
}

/// [`NegativeLogDensity`] in scaled coordinates `u = origin + scale · v`, so that L-BFGS's first
/// step (steepest descent with step multiplier 1, before any curvature is known) has length
/// about 1 in `u` rather than `|∇ log p|`: the usual initial-step scaling of quasi-Newton
/// methods (Nocedal & Wright 2006, §6.1), which Stan gets from its small initial step
/// `init_alpha`. Quasi-Newton steps after the first are invariant to the scale.
pub(crate) struct ScaledProblem<'a, M: ?Sized> {
    inner: NegativeLogDensity<'a, M>,
    origin: Vec<f64>,
    scale: f64,
}

impl<'a, M: LogDensity + ?Sized> ScaledProblem<'a, M> {
    /// Coordinates centred at `origin` (where `v = 0`) with `scale = 1 / √max(1, |∇ log p(origin)|)`.
    pub(crate) fn new(inner: NegativeLogDensity<'a, M>, origin: Vec<f64>) -> Result<Self, String> {
        let (_, gradient) = inner.evaluate(&origin)?;
        let norm = gradient.iter().map(|g| g * g).sum::<f64>().sqrt();
        Ok(Self {
            inner,
            origin,
            scale: 1.0 / norm.max(1.0).sqrt(),
        })
    }

    /// `u = origin + scale · v`.
    pub(crate) fn to_unconstrained(&self, v: &[f64]) -> Vec<f64> {
        self.origin
            .iter()
            .zip(v)
            .map(|(o, v)| o + self.scale * v)
            .collect()
    }

    /// The factor between gradient norms: `|∇_v| = scale · |∇_u|`.
    pub(crate) fn scale(&self) -> f64 {
        self.scale
    }
}

impl<M: LogDensity + ?Sized> CostFunction for ScaledProblem<'_, M> {
    type Param = Vec<f64>;
    type Output = f64;

    fn cost(&self, v: &Self::Param) -> Result<f64, argmin::core::Error> {
        self.inner.cost(&self.to_unconstrained(v))
    }
}

impl<M: LogDensity + ?Sized> Gradient for ScaledProblem<'_, M> {
    type Param = Vec<f64>;
    type Gradient = Vec<f64>;

    fn gradient(&self, v: &Self::Param) -> Result<Vec<f64>, argmin::core::Error> {
        let gradient = self.inner.gradient(&self.to_unconstrained(v))?;
        Ok(gradient.iter().map(|g| g * self.scale).collect())
    }
}

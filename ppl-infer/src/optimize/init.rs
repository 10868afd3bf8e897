//! Starting points on the unconstrained scale shared by MAP, multi-start MAP and ADVI: Stan's random inits uniform(−2, 2) or a given point.

use crate::error::{Error, Result};
use ppl_core::LogDensity;
use rand::Rng;

/// Attempts Stan makes to find a random starting point with a finite log density and gradient.
pub(crate) const MAX_INIT_ATTEMPTS: usize = 100;

/// Where an optimiser or ADVI starts, on the unconstrained scale.
///
/// Stan's default is [`Init::Random`] with radius 2: every unconstrained coordinate is drawn
/// uniform(−2, 2), redrawn (up to 100 attempts) until the log density and its gradient are finite.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// Each coordinate uniform(−radius, radius) (Stan's `init=2`); radius 0 is Stan's
    /// `init=0`: the origin, tried once.
    Random {
        /// Half-width of the uniform box; non-negative and finite.
        radius: f64,
    },
    /// A given point on the unconstrained scale (length `dim()`, finite values).
    Unconstrained(Vec<f64>),
}

impl Default for Init {
    fn default() -> Self {
        Init::Random { radius: 2.0 }
    }
}

impl Init {
    /// Checks the radius or the given point against a model of dimension `dim`.
    pub(crate) fn validate(&self, function: &'static str, dim: usize) -> Result<()> {
        match self {
            Init::Random { radius } => {
                if !(radius.is_finite() && *radius >= 0.0) {
                    return Err(Error::invalid(
                        function,
                        "init radius",
                        radius,
                        "non-negative and finite",
                    ));
                }
                // The box (−radius, radius) must have a finite width to be drawn from.
                if !(2.0 * radius).is_finite() {
                    return Err(Error::invalid(
                        function,
                        "init radius",
                        format!("{radius:e}"),
                        format!("at most {:e} (half the largest f64)", f64::MAX / 2.0),
                    ));
                }
            }
            Init::Unconstrained(point) => {
                if point.len() != dim {
                    return Err(Error::SizeMismatch {
                        function,
                        argument: "init".to_string(),
                        actual: point.len(),
                        expected: dim,
                    });
                }
                if let Some((i, value)) = point.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                    return Err(Error::invalid(
                        function,
                        format!("init[{}]", i + 1),
                        value,
                        "finite",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Why the log density or its gradient is unusable at `point`, or `None` if both are finite.
pub(crate) fn non_finite_reason<M: LogDensity + ?Sized>(
    model: &M,
    point: &[f64],
    gradient: &mut [f64],
) -> Option<String> {
    match model.log_density_gradient(point, gradient) {
        Err(error) => Some(error.to_string()),
        Ok(value) if !value.is_finite() => Some(format!("log density is {value}")),
        Ok(_) => gradient
            .iter()
            .position(|g| !g.is_finite())
            .map(|i| format!("gradient[{}] is {}", i + 1, gradient[i])),
    }
}

/// The starting point: the given one (checked) or Stan's random init, redrawn until finite.
///
/// # Errors
/// [`Error::Initialisation`] (chain 1) when no finite point is found.
pub(crate) fn initial_point<M: LogDensity + ?Sized, R: Rng>(
    model: &M,
    init: &Init,
    rng: &mut R,
) -> Result<Vec<f64>> {
    let dim = model.dim();
    let mut gradient = vec![0.0; dim];
    match init {
        Init::Unconstrained(point) => match non_finite_reason(model, point, &mut gradient) {
            None => Ok(point.clone()),
            Some(reason) => Err(Error::Initialisation {
                chain: 1,
                attempts: 1,
                reason,
            }),
        },
        // Stan's `init=0`: every coordinate at 0, one attempt (every attempt would be the same
        // point), as NUTS does.
        Init::Random { radius } if *radius == 0.0 => {
            let origin = vec![0.0; dim];
            match non_finite_reason(model, &origin, &mut gradient) {
                None => Ok(origin),
                Some(reason) => Err(Error::Initialisation {
                    chain: 1,
                    attempts: 1,
                    reason,
                }),
            }
        }
        Init::Random { radius } => {
            let mut last_reason = String::new();
            for _ in 0..MAX_INIT_ATTEMPTS {
                let point: Vec<f64> = (0..dim)
                    .map(|_| rng.random_range(-*radius..*radius))
                    .collect();
                match non_finite_reason(model, &point, &mut gradient) {
                    None => return Ok(point),
                    Some(reason) => last_reason = reason,
                }
            }
            Err(Error::Initialisation {
                chain: 1,
                attempts: MAX_INIT_ATTEMPTS,
                reason: last_reason,
            })
        }
    }
}

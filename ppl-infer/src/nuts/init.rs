//! Chain initialisation: a starting point with finite log density and gradient, drawn uniformly on the unconstrained scale or given by the user.

use ppl_core::LogDensity;
use rand::Rng;

use super::options::Init;
use crate::error::{Error, Result};

/// Attempts at a random starting point before giving up (Stan's `MAX_INIT_TRIES`).
pub(crate) const MAX_INIT_ATTEMPTS: usize = 100;

/// A starting point and the gradient evaluations spent finding it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StartingPoint {
    pub(crate) position: Vec<f64>,
    pub(crate) n_gradient_evals: u64,
}

/// Why `position` is not a usable starting point, or `None` if it is: the model's error
/// message if it returned `Err`, else the first non-finite quantity (`"log density is NaN"`,
/// `"gradient[3] (sigma) is inf"`, the name given when `param_names` has one per coordinate).
pub(crate) fn check_start<M: LogDensity + ?Sized>(model: &M, position: &[f64]) -> Option<String> {
    let mut gradient = vec![0.0; position.len()];
    let log_density = match model.log_density_gradient(position, &mut gradient) {
        Ok(value) => value,
        Err(error) => return Some(error.to_string()),
    };
    if !log_density.is_finite() {
        return Some(format!("log density is {log_density}"));
    }
    let bad = gradient.iter().position(|g| !g.is_finite())?;
    let names = model.param_names();
    let label = match names.get(bad) {
        Some(name) if names.len() == position.len() => format!(" ({name})"),
        _ => String::new(),
    };
    Some(format!("gradient[{}]{label} is {}", bad + 1, gradient[bad]))
}

/// The starting point of chain `chain` (1-based, for messages).
///
/// # Errors
/// [`Error::Initialisation`] naming the problem at the last attempt, or the model's error if it
/// cannot unconstrain given values; [`Error::SizeMismatch`] if given values are fewer than the
/// model's unconstrained dimension.
pub(crate) fn starting_point<M: LogDensity + ?Sized, R: Rng + ?Sized>(
    model: &M,
    init: &Init,
    chain: usize,
    rng: &mut R,
) -> Result<StartingPoint> {
    let dim = model.dim();
    match init {
        Init::Values(values) => {
            if values.len() < dim {
                return Err(Error::SizeMismatch {
                    function: "nuts",
                    argument: "init".to_string(),
                    actual: values.len(),
                    expected: dim,
                });
            }
            // Stan: "Error transforming variable ...", then initialisation fails.
            let position = model
                .unconstrain(values)
                .map_err(|error| Error::Initialisation {
                    chain,
                    attempts: 1,
                    reason: format!(
                        "the given init values cannot be transformed to the unconstrained \
                         scale: {error}"
                    ),
                })?;
            match check_start(model, &position) {
                None => Ok(StartingPoint {
                    position,
                    n_gradient_evals: 1,
                }),
                Some(reason) => Err(Error::Initialisation {
                    chain,
                    attempts: 1,
                    reason,
                }),
            }
        }
        Init::Random { radius } => {
            // Stan's `init=0` is a single attempt: every attempt would be the same point.
            let max_attempts = if *radius == 0.0 { 1 } else { MAX_INIT_ATTEMPTS };
            let mut last_reason = String::new();
            for attempt in 1..=max_attempts {
                let position: Vec<f64> = (0..dim)
                    .map(|_| radius * (2.0 * rng.random::<f64>() - 1.0))
                    .collect();
                match check_start(model, &position) {
                    None => {
                        return Ok(StartingPoint {
                            position,
                            n_gradient_evals: attempt as u64,
                        })
                    }
                    Some(reason) => last_reason = reason,
                }
            }
            Err(Error::Initialisation {
                chain,
                attempts: max_attempts,
                reason: last_reason,
            })
        }
    }
}

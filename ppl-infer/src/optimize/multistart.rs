//! Multi-start MAP: L-BFGS from several seeded random inits, the results clustered into distinct modes (also the "deep ensemble" baseline).

use super::init::{initial_point, Init};
use super::map::{map_from, MapFit, MapOptions};
use crate::draws::{Chain, Draws};
use crate::error::{Error, Result};
use ppl_core::LogDensity;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Options of [`multistart_map`].
#[derive(Debug, Clone, PartialEq)]
pub struct MultistartOptions {
    /// Number of starts (default 10).
    pub starts: usize,
    /// Half-width of the uniform random inits on the unconstrained scale (default 2, Stan's).
    pub radius: f64,
    /// Options of every run; their `init` and `seed` are ignored (each start has its own).
    pub map: MapOptions,
    /// Seed; start `s` uses stream `s` of ChaCha8 seeded with it.
    pub seed: u64,
    /// Two modes are the same when every unconstrained coordinate differs by at most this
    /// (default 1e-3)...
    pub position_tolerance: f64,
    /// ...and their log densities differ by at most this (default 1e-6).
    pub log_density_tolerance: f64,
}

impl Default for MultistartOptions {
    fn default() -> Self {
        Self {
            starts: 10,
            radius: 2.0,
            map: MapOptions::default(),
            seed: 0,
            position_tolerance: 1e-3,
            log_density_tolerance: 1e-6,
        }
    }
}

impl MultistartOptions {
    /// Checks every option.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`], e.g. `"multistart_map: starts is 0, but must be at least 1"`.
    pub fn validate(&self) -> Result<()> {
        const FUNCTION: &str = "multistart_map";
        if self.starts == 0 {
            return Err(Error::invalid(FUNCTION, "starts", 0, "at least 1"));
        }
        for (name, value) in [
            ("radius", self.radius),
            ("position_tolerance", self.position_tolerance),
            ("log_density_tolerance", self.log_density_tolerance),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(Error::invalid(FUNCTION, name, value, "positive and finite"));
            }
        }
        Init::Random {
            radius: self.radius,
        }
        .validate(FUNCTION, 0)?;
        self.map.validate()
    }
}

/// One distinct mode and the runs that reached it.
#[derive(Debug, Clone, PartialEq)]
pub struct Mode {
    /// The run with the highest log density among its members.
    pub fit: MapFit,
    /// Indices into [`MultistartFit::runs`] of the converged runs that reached it.
    pub members: Vec<usize>,
}

/// The result of [`multistart_map`].
#[derive(Debug)]
pub struct MultistartFit {
    /// Every run in start order: the fit, or why it failed.
    pub runs: Vec<std::result::Result<MapFit, Error>>,
    /// Distinct modes among the converged runs, highest log density first.
    pub modes: Vec<Mode>,
}

impl MultistartFit {
    /// Number of runs that converged.
    pub fn n_converged(&self) -> usize {
        self.converged().count()
    }

    fn converged(&self) -> impl Iterator<Item = &MapFit> {
        self.runs
            .iter()
            .filter_map(|run| run.as_ref().ok())
            .filter(|fit| fit.converged())
    }

    /// The converged runs' modes (constrained, derived quantities included) as one chain of
    /// draws, a row per run: the "deep ensemble" of point estimates.
    pub fn ensemble_draws(&self) -> Draws {
        let names = self
            .converged()
            .next()
            .map(|fit| fit.names.clone())
            .unwrap_or_default();
        Draws {
            names,
            chains: vec![Chain {
                values: self
                    .converged()
                    .flat_map(|fit| fit.constrained.iter().copied())
                    .collect(),
                step_size: f64::NAN,
                ..Chain::default()
            }],
        }
    }
}

/// Runs [`map`](super::map) from `options.starts` random inits uniform(−radius, radius) (start
/// `s` seeded by stream `s`) and clusters the converged results into distinct modes.
///
/// Runs are visited from the highest log density down; a run joins the first mode whose every
/// coordinate is within `position_tolerance` and whose log density is within
/// `log_density_tolerance`, or founds a new one. More than one mode means a multimodal posterior
/// (or a ridge) that a single MAP, Laplace or ADVI fit misrepresents. Failed runs are kept with
/// their error; unconverged runs are kept but join no mode.
///
/// # Errors
/// Invalid options only; a run's failure is recorded in [`MultistartFit::runs`].
///
/// # Example
/// ```
/// use ppl_infer::optimize::{multistart_map, MultistartOptions};
/// // log p(u) = −(u² − 1)²: modes at −1 and +1.
/// struct DoubleWell;
/// impl ppl_core::LogDensity for DoubleWell {
///     fn dim(&self) -> usize { 1 }
///     fn log_density(&self, u: &[f64]) -> ppl_core::Result<f64> { Ok(-(u[0] * u[0] - 1.0).powi(2)) }
///     fn log_density_gradient(&self, u: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
///         g[0] = -4.0 * u[0] * (u[0] * u[0] - 1.0);
///         self.log_density(u)
///     }
/// }
/// let fit = multistart_map(&DoubleWell, &MultistartOptions::default()).unwrap();
/// assert_eq!(fit.modes.len(), 2);
/// assert!((fit.modes[0].fit.unconstrained[0].abs() - 1.0).abs() < 1e-6);
/// ```
pub fn multistart_map<M: LogDensity + ?Sized>(
    model: &M,
    options: &MultistartOptions,
) -> Result<MultistartFit> {
    options.validate()?;
    let init = Init::Random {
        radius: options.radius,
    };
    let runs: Vec<_> = (0..options.starts)
        .map(|start| {
            let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
            rng.set_stream(start as u64);
            let point = initial_point(model, &init, &mut rng)?;
            map_from(model, &options.map, point)
        })
        .collect();
    let mut order: Vec<usize> = (0..runs.len())
        .filter(|&i| matches!(&runs[i], Ok(fit) if fit.converged()))
        .collect();
    let log_density = |i: usize| {
        runs[i]
            .as_ref()
            .map_or(f64::NEG_INFINITY, |f| f.log_density)
    };
    order.sort_by(|&a, &b| log_density(b).total_cmp(&log_density(a)));
    let mut modes: Vec<Mode> = Vec::new();
    for i in order {
        let Ok(fit) = &runs[i] else { continue };
        let same = modes.iter_mut().find(|mode| {
            (mode.fit.log_density - fit.log_density).abs() <= options.log_density_tolerance
                && mode
                    .fit
                    .unconstrained
                    .iter()
                    .zip(&fit.unconstrained)
                    .all(|(a, b)| (a - b).abs() <= options.position_tolerance)
        });
        match same {
            Some(mode) => mode.members.push(i),
            None => modes.push(Mode {
                fit: fit.clone(),
                members: vec![i],
            }),
        }
    }
    Ok(MultistartFit { runs, modes })
}

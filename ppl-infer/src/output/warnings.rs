//! Sampler and convergence warnings (divergences, tree depth, R-hat, ESS, E-BFMI), each saying what to do about it.

use std::fmt;

use super::summary::Summary;
use crate::diagnostics::ebfmi;
use crate::draws::Draws;

/// R-hat above this means the chains have not mixed (Vehtari et al. 2021).
const RHAT_THRESHOLD: f64 = 1.01;
/// Bulk and tail ESS should exceed this many draws per chain (Vehtari et al. 2021).
const ESS_PER_CHAIN: f64 = 100.0;
/// E-BFMI below this indicates poor energy exploration (Betancourt 2016).
const EBFMI_THRESHOLD: f64 = 0.3;
/// Parameters listed by name in a message before the rest are counted.
const LISTED_PARAMETERS: usize = 10;

/// A problem found in a fit, with the numbers behind it. `Display` explains what it means and
/// what to do, in the words of Stan's warnings (<https://mc-stan.org/misc/warnings>).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Warning {
    /// Transitions that ended with a divergence (post warm-up).
    Divergences {
        /// Divergent transitions.
        count: usize,
        /// All post-warm-up transitions.
        total: usize,
    },
    /// Transitions that stopped at the maximum tree depth.
    TreeDepthSaturation {
        /// Transitions at `max_depth`.
        count: usize,
        /// All post-warm-up transitions.
        total: usize,
        /// The maximum tree depth used.
        max_depth: u32,
    },
    /// Parameters whose rank-normalised split R-hat exceeds 1.01.
    HighRhat {
        /// `(name, R-hat)`.
        parameters: Vec<(String, f64)>,
    },
    /// Parameters whose bulk ESS is below 100 per chain.
    LowEssBulk {
        /// `(name, ESS)`.
        parameters: Vec<(String, f64)>,
        /// The threshold, `100 × chains`.
        threshold: f64,
    },
    /// Parameters whose tail ESS is below 100 per chain.
    LowEssTail {
        /// `(name, ESS)`.
        parameters: Vec<(String, f64)>,
        /// The threshold, `100 × chains`.
        threshold: f64,
    },
    /// Chains whose E-BFMI is below 0.3.
    LowEbfmi {
        /// `(chain, E-BFMI)`, chains numbered from 1.
        chains: Vec<(usize, f64)>,
    },
}

/// Checks a fit the way CmdStan's `diagnose` and cmdstanpy's `diagnose()` do and returns the
/// problems found (empty when all is well):
///
/// - divergent transitions (any);
/// - transitions at `max_depth` (any; an efficiency problem, not a bias);
/// - R-hat above 1.01;
/// - bulk or tail ESS below 100 per chain (`100 × chains`);
/// - E-BFMI below 0.3 in any chain.
///
/// Sampler checks use the post-warm-up [`crate::SamplerStats`] and are skipped for draws
/// without them (ADVI, Laplace). `lp__` and columns whose diagnostics are NaN (constant
/// columns) are not checked for R-hat and ESS.
///
/// ```
/// use ppl_infer::{Chain, Draws, SamplerStats};
/// use ppl_infer::output::{warnings, Summary, Warning};
/// let stats = |divergent| SamplerStats { divergent, tree_depth: 3, energy: 1.0, ..SamplerStats::default() };
/// let chain = Chain {
///     values: (0..200).map(|i| ((i * 73) % 200) as f64).collect(),
///     stats: (0..200).map(|i| stats(i < 4)).collect(),
///     ..Chain::default()
/// };
/// let draws = Draws { names: vec!["mu".into()], chains: vec![chain] };
/// let found = warnings(&draws, &Summary::new(&draws), 10);
/// assert!(found.contains(&Warning::Divergences { count: 4, total: 200 }));
/// ```
pub fn warnings(draws: &Draws, summary: &Summary, max_depth: u32) -> Vec<Warning> {
    let mut found = Vec::new();
    let total: usize = draws.chains.iter().map(|c| c.stats.len()).sum();
    if total > 0 {
        let divergent = draws.divergences();
        if divergent > 0 {
            found.push(Warning::Divergences {
                count: divergent,
                total,
            });
        }
        let saturated = draws
            .chains
            .iter()
            .flat_map(|c| &c.stats)
            .filter(|s| s.tree_depth >= max_depth)
            .count();
        if saturated > 0 {
            found.push(Warning::TreeDepthSaturation {
                count: saturated,
                total,
                max_depth,
            });
        }
    }
    let checked = || summary.iter().filter(|c| c.name != "lp__");
    let high_rhat: Vec<(String, f64)> = checked()
        .filter(|c| c.rhat > RHAT_THRESHOLD)
        .map(|c| (c.name.clone(), c.rhat))
        .collect();
    if !high_rhat.is_empty() {
        found.push(Warning::HighRhat {
            parameters: high_rhat,
        });
    }
    let threshold = ESS_PER_CHAIN * summary.n_chains as f64;
    let low_bulk: Vec<(String, f64)> = checked()
        .filter(|c| c.ess_bulk < threshold)
        .map(|c| (c.name.clone(), c.ess_bulk))
        .collect();
    if !low_bulk.is_empty() {
        found.push(Warning::LowEssBulk {
            parameters: low_bulk,
            threshold,
        });
    }
    let low_tail: Vec<(String, f64)> = checked()
        .filter(|c| c.ess_tail < threshold)
        .map(|c| (c.name.clone(), c.ess_tail))
        .collect();
    if !low_tail.is_empty() {
        found.push(Warning::LowEssTail {
            parameters: low_tail,
            threshold,
        });
    }
    let low_ebfmi: Vec<(usize, f64)> = draws
        .chains
        .iter()
        .enumerate()
        .filter(|(_, c)| !c.stats.is_empty())
        .map(|(k, c)| {
            let energies: Vec<f64> = c.stats.iter().map(|s| s.energy).collect();
            (k + 1, ebfmi(&energies))
        })
        .filter(|&(_, value)| value < EBFMI_THRESHOLD)
        .collect();
    if !low_ebfmi.is_empty() {
        found.push(Warning::LowEbfmi { chains: low_ebfmi });
    }
    found
}

/// `name = value, ...` for the first [`LISTED_PARAMETERS`] entries, then `and N more`.
fn list_parameters(parameters: &[(String, f64)], digits: usize) -> String {
    let mut listed: Vec<String> = parameters
        .iter()
        .take(LISTED_PARAMETERS)
        .map(|(name, value)| format!("{name} ({value:.digits$})"))
        .collect();
    if parameters.len() > LISTED_PARAMETERS {
        listed.push(format!("and {} more", parameters.len() - LISTED_PARAMETERS));
    }
    listed.join(", ")
}

fn percent(count: usize, total: usize) -> f64 {
    100.0 * count as f64 / total as f64
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Divergences { count, total } => write!(
                f,
                "{count} of {total} ({:.1}%) transitions ended with a divergence. Divergences \
                 mean the sampler could not follow the posterior's curvature, and the estimates \
                 may be biased. Increase adapt_delta towards 1 (e.g. 0.95 or 0.99); if \
                 divergences remain, reparameterise the model (e.g. a non-centred \
                 parameterisation of hierarchical effects). \
                 See https://mc-stan.org/misc/warnings#divergent-transitions-after-warmup",
                percent(*count, *total)
            ),
            Warning::TreeDepthSaturation {
                count,
                total,
                max_depth,
            } => write!(
                f,
                "{count} of {total} ({:.1}%) transitions hit the maximum tree depth of \
                 {max_depth}. This limits efficiency, not validity: increase max_depth (e.g. \
                 to {}) or reparameterise to reduce strong posterior correlations. \
                 See https://mc-stan.org/misc/warnings#maximum-treedepth",
                percent(*count, *total),
                max_depth + 2
            ),
            Warning::HighRhat { parameters } => write!(
                f,
                "R-hat is above {RHAT_THRESHOLD} for {} parameter{}: {}. The chains have not \
                 mixed and the estimates are unreliable. Run longer chains (more warm-up and \
                 num_samples), check for multimodality, and consider reparameterising or \
                 stronger priors. See https://mc-stan.org/misc/warnings#r-hat",
                parameters.len(),
                plural(parameters.len()),
                list_parameters(parameters, 3)
            ),
            Warning::LowEssBulk {
                parameters,
                threshold,
            } => write!(
                f,
                "Bulk ESS is below {threshold:.0} (100 per chain) for {} parameter{}: {}. \
                 Posterior means and medians may be unreliable. Run more iterations \
                 (num_samples) or reparameterise. See https://mc-stan.org/misc/warnings#bulk-ess",
                parameters.len(),
                plural(parameters.len()),
                list_parameters(parameters, 0)
            ),
            Warning::LowEssTail {
                parameters,
                threshold,
            } => write!(
                f,
                "Tail ESS is below {threshold:.0} (100 per chain) for {} parameter{}: {}. \
                 Posterior variances and the 5% and 95% quantiles may be unreliable. Run more \
                 iterations (num_samples) or reparameterise. \
                 See https://mc-stan.org/misc/warnings#tail-ess",
                parameters.len(),
                plural(parameters.len()),
                list_parameters(parameters, 0)
            ),
            Warning::LowEbfmi { chains } => {
                let listed: Vec<String> = chains
                    .iter()
                    .map(|(chain, value)| format!("chain {chain} ({value:.2})"))
                    .collect();
                write!(
                    f,
                    "E-BFMI is below {EBFMI_THRESHOLD} in {}. The momentum resampling explores \
                     the energy distribution poorly, so the posterior (often its tails) may not \
                     be fully explored. Reparameterise the model (e.g. non-centred hierarchical \
                     effects, rescaled parameters). \
                     See https://mc-stan.org/misc/warnings#bfmi-low",
                    listed.join(", ")
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draws::{Chain, SamplerStats};

    /// Two chains of a well-mixed column and a stuck column, with chosen sampler statistics.
    fn draws_with_problems() -> Draws {
        let chain = |offset: f64, seed: usize| Chain {
            values: (0..100)
                .flat_map(|i| {
                    let mixed = ((i * 37 + seed * 13) % 100) as f64 / 100.0;
                    let stuck = offset + (i / 50) as f64 + ((i * 7) % 10) as f64 / 100.0;
                    [mixed, stuck]
                })
                .collect(),
            stats: (0..100)
                .map(|i| SamplerStats {
                    divergent: i % 25 == 0,
                    tree_depth: if i % 10 == 0 { 10 } else { 4 },
                    // Slowly drifting energies: E-BFMI far below 0.3.
                    energy: (i as f64 / 10.0).floor(),
                    ..SamplerStats::default()
                })
                .collect(),
            ..Chain::default()
        };
        Draws {
            names: vec!["mixed".into(), "stuck".into()],
            chains: vec![chain(0.0, 1), chain(5.0, 2)],
        }
    }

    #[test]
    fn finds_every_problem() {
        let draws = draws_with_problems();
        let summary = Summary::new(&draws);
        let found = warnings(&draws, &summary, 10);
        assert_eq!(
            found[0],
            Warning::Divergences {
                count: 8,
                total: 200
            }
        );
        assert_eq!(
            found[1],
            Warning::TreeDepthSaturation {
                count: 20,
                total: 200,
                max_depth: 10
            }
        );
        let stuck_rhat = summary.get("stuck").unwrap().rhat;
        assert_eq!(
            found[2],
            Warning::HighRhat {
                parameters: vec![("stuck".into(), stuck_rhat)]
            }
        );
        assert!(
            matches!(&found[3], Warning::LowEssBulk { parameters, threshold }
            if *threshold == 200.0 && parameters.iter().any(|(n, _)| n == "stuck"))
        );
        assert!(matches!(found.last(), Some(Warning::LowEbfmi { chains }) if chains.len() == 2));
        let message = found[0].to_string();
        assert!(message.starts_with("8 of 200 (4.0%) transitions ended with a divergence."));
        assert!(message.contains("adapt_delta"));
        assert!(found[1]
            .to_string()
            .contains("increase max_depth (e.g. to 12)"));
        assert!(found[2].to_string().contains("stuck ("));
    }

    #[test]
    fn draws_without_sampler_statistics_skip_sampler_checks() {
        let mut draws = draws_with_problems();
        for chain in &mut draws.chains {
            chain.stats.clear();
        }
        let found = warnings(&draws, &Summary::new(&draws), 10);
        assert!(found.iter().all(|w| !matches!(
            w,
            Warning::Divergences { .. }
                | Warning::TreeDepthSaturation { .. }
                | Warning::LowEbfmi { .. }
        )));
    }
}

//! One NUTS transition: the recursive trajectory doubling with multinomial sampling and the generalised no-U-turn criterion (Betancourt 2017; Stan's `base_nuts`).

use ppl_core::LogDensity;
use rand::Rng;

use super::hamiltonian::{Hamiltonian, PhasePoint};
use super::metric::dot;

/// A trajectory whose energy error `H − H₀` exceeds this is divergent (Stan's `max_deltaH`).
pub(crate) const MAX_ENERGY_ERROR: f64 = 1000.0;

/// The generalised no-U-turn criterion (Betancourt 2017, §A.4.2): a span of trajectory with
/// summed momentum `ρ` and velocities `p♯₋`, `p♯₊` at its two ends keeps extending while
/// `p♯₋·ρ > 0` and `p♯₊·ρ > 0`. The sum is given in two parts, `ρ = rho_head + rho_tail`, so
/// merged spans need no temporary vector.
pub(crate) fn no_u_turn(
    velocity_minus: &[f64],
    velocity_plus: &[f64],
    rho_head: &[f64],
    rho_tail: &[f64],
) -> bool {
    dot(velocity_plus, rho_head) + dot(velocity_plus, rho_tail) > 0.0
        && dot(velocity_minus, rho_head) + dot(velocity_minus, rho_tail) > 0.0
}

/// `log(eᵃ + eᵇ)`, exact when either is `−∞`.
pub(crate) fn log_sum_exp(a: f64, b: f64) -> f64 {
    let max = a.max(b);
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + ((a - max).exp() + (b - max).exp()).ln()
}

/// The two ends of a span of trajectory (in the order it was built) and its summed momentum.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Span {
    /// `ρ = Σ p` over the span's points.
    pub(crate) rho: Vec<f64>,
    pub(crate) first_momentum: Vec<f64>,
    pub(crate) first_velocity: Vec<f64>,
    pub(crate) last_momentum: Vec<f64>,
    pub(crate) last_velocity: Vec<f64>,
}

impl Span {
    /// The span of the single point `point`.
    pub(crate) fn of_point(point: &PhasePoint) -> Self {
        Span {
            rho: point.momentum.clone(),
            first_momentum: point.momentum.clone(),
            first_velocity: point.velocity.clone(),
            last_momentum: point.momentum.clone(),
            last_velocity: point.velocity.clone(),
        }
    }

    /// The same span seen from its other end.
    pub(crate) fn reversed(mut self) -> Self {
        std::mem::swap(&mut self.first_momentum, &mut self.last_momentum);
        std::mem::swap(&mut self.first_velocity, &mut self.last_velocity);
        self
    }

    /// Whether `self` followed by `next` still satisfies the no-U-turn criterion: across the
    /// whole, and (Stan's extra checks) across `self` plus the first point of `next` and across
    /// the last point of `self` plus `next`, which catch U-turns hidden between sub-trees.
    pub(crate) fn continues_into(&self, next: &Span) -> bool {
        no_u_turn(
            &self.first_velocity,
            &next.last_velocity,
            &self.rho,
            &next.rho,
        ) && no_u_turn(
            &self.first_velocity,
            &next.first_velocity,
            &self.rho,
            &next.first_momentum,
        ) && no_u_turn(
            &self.last_velocity,
            &next.last_velocity,
            &next.rho,
            &self.last_momentum,
        )
    }

    /// `self` followed by `next`.
    pub(crate) fn join(mut self, next: Span) -> Self {
        for (r, s) in self.rho.iter_mut().zip(&next.rho) {
            *r += s;
        }
        self.last_momentum = next.last_momentum;
        self.last_velocity = next.last_velocity;
        self
    }
}

/// What a completed (valid) sub-tree hands back.
#[derive(Debug, Clone)]
pub(crate) struct Subtree {
    /// `log Σ exp(H₀ − H)` over its points: the multinomial weight of the sub-tree.
    pub(crate) log_sum_weight: f64,
    /// A point drawn from the sub-tree with probability proportional to `exp(H₀ − H)`.
    pub(crate) proposal: PhasePoint,
    pub(crate) span: Span,
}

/// Running totals over the whole trajectory, rejected sub-trees included.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    pub(crate) n_leapfrog: u32,
    /// `Σ min(1, exp(H₀ − H))` over every leapfrog step (for `accept_stat`).
    pub(crate) sum_metro_prob: f64,
    /// `Σ 2/(1 + exp(|H₀ − H|))` over every leapfrog step (the symmetric statistic).
    pub(crate) sum_symmetric_prob: f64,
    pub(crate) divergent: bool,
}

/// Builds a sub-tree of `2^depth` leapfrog steps of size `signed_step` from `frontier` (which
/// is moved along to the sub-tree's far end). Returns `None` if the sub-tree diverged or
/// U-turned, in which case the transition stops and the sub-tree is discarded. The proposal is
/// drawn uniformly-in-weight within the sub-tree (multinomial sampling).
pub(crate) fn build_tree<M: LogDensity + ?Sized, R: Rng + ?Sized>(
    hamiltonian: &mut Hamiltonian<'_, M>,
    frontier: &mut PhasePoint,
    depth: u32,
    signed_step: f64,
    initial_energy: f64,
    rng: &mut R,
    tally: &mut Tally,
) -> Option<Subtree> {
    if depth == 0 {
        hamiltonian.leapfrog(frontier, signed_step);
        tally.n_leapfrog += 1;
        let energy = hamiltonian.energy(frontier);
        let log_weight = initial_energy - energy;
        if energy - initial_energy > MAX_ENERGY_ERROR {
            tally.divergent = true;
        }
        // exp(−|ΔH|) is exp(H₀ − H) when that is at most 1 (bit for bit).
        let weight_down = (-log_weight.abs()).exp();
        tally.sum_metro_prob += if log_weight > 0.0 { 1.0 } else { weight_down };
        tally.sum_symmetric_prob += 2.0 * weight_down / (1.0 + weight_down);
        if tally.divergent {
            return None;
        }
        return Some(Subtree {
            log_sum_weight: log_weight,
            proposal: frontier.clone(),
            span: Span::of_point(frontier),
        });
    }
    let initial = build_tree(
        hamiltonian,
        frontier,
        depth - 1,
        signed_step,
        initial_energy,
        rng,
        tally,
    )?;
    let last = build_tree(
        hamiltonian,
        frontier,
        depth - 1,
        signed_step,
        initial_energy,
        rng,
        tally,
    )?;
    let log_sum_weight = log_sum_exp(initial.log_sum_weight, last.log_sum_weight);
    let take_last = last.log_sum_weight > log_sum_weight
        || rng.random::<f64>() < (last.log_sum_weight - log_sum_weight).exp();
    let persists = initial.span.continues_into(&last.span);
    if !persists {
        return None;
    }
    Some(Subtree {
        log_sum_weight,
        proposal: if take_last {
            last.proposal
        } else {
            initial.proposal
        },
        span: initial.span.join(last.span),
    })
}

/// The result of one transition.
#[derive(Debug, Clone)]
pub(crate) struct TransitionResult {
    pub(crate) sample: PhasePoint,
    pub(crate) tree_depth: u32,
    pub(crate) tally: Tally,
    /// `H` at the sample.
    pub(crate) energy: f64,
}

/// One NUTS transition from `start` (momentum already drawn): doubles the trajectory in random
/// directions up to `max_depth` times, sampling progressively with a bias towards the new
/// sub-tree (`min(1, w_new / w_old)`), and stops at a divergence or a U-turn. A start with
/// infinite energy (outside the support) is returned unchanged as a divergent transition.
pub(crate) fn transition<M: LogDensity + ?Sized, R: Rng + ?Sized>(
    hamiltonian: &mut Hamiltonian<'_, M>,
    start: PhasePoint,
    step_size: f64,
    max_depth: u32,
    rng: &mut R,
) -> TransitionResult {
    let mut start = start;
    start.steps_from_start = 0;
    let initial_energy = hamiltonian.energy(&start);
    if !initial_energy.is_finite() {
        // Nowhere to go from a point outside the support: a divergence that stays put.
        return TransitionResult {
            sample: start,
            tree_depth: 0,
            tally: Tally {
                divergent: true,
                ..Tally::default()
            },
            energy: initial_energy,
        };
    }
    let mut forward_end = start.clone();
    let mut backward_end = start.clone();
    // The trajectory's span in time order: first = backward end, last = forward end.
    let mut trajectory = Span::of_point(&start);
    let mut sample = start;
    let mut log_sum_weight = 0.0;
    let mut tally = Tally::default();
    let mut depth = 0;
    while depth < max_depth {
        let forward = rng.random::<f64>() > 0.5;
        let (frontier, signed_step) = if forward {
            (&mut forward_end, step_size)
        } else {
            (&mut backward_end, -step_size)
        };
        let Some(subtree) = build_tree(
            hamiltonian,
            frontier,
            depth,
            signed_step,
            initial_energy,
            rng,
            &mut tally,
        ) else {
            break;
        };
        depth += 1;
        if subtree.log_sum_weight > log_sum_weight
            || rng.random::<f64>() < (subtree.log_sum_weight - log_sum_weight).exp()
        {
            sample = subtree.proposal;
        }
        log_sum_weight = log_sum_exp(log_sum_weight, subtree.log_sum_weight);
        // Seen in the order of building, the old trajectory comes first, then the sub-tree.
        let old = if forward {
            trajectory
        } else {
            trajectory.reversed()
        };
        let persists = old.continues_into(&subtree.span);
        let joined = old.join(subtree.span);
        trajectory = if forward { joined } else { joined.reversed() };
        if !persists {
            break;
        }
    }
    let energy = hamiltonian.energy(&sample);
    TransitionResult {
        sample,
        tree_depth: depth,
        tally,
        energy,
    }
}

#[cfg(test)]
mod tests {
    use super::super::metric::MassMatrix;
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn criterion_detects_u_turn() {
        // Momenta all pointing the same way: keep going.
        let zero = [0.0, 0.0];
        assert!(no_u_turn(&[1.0, 0.0], &[1.0, 0.1], &[2.0, 0.1], &zero));
        // The far end now points back against the summed momentum: stop.
        assert!(!no_u_turn(&[1.0, 0.0], &[-3.0, 0.0], &[0.5, 0.0], &zero));
        // The near end points against it: stop.
        assert!(!no_u_turn(&[-1.0, 0.0], &[1.0, 0.0], &[0.5, 0.0], &zero));
        // Orthogonal counts as a U-turn (strict inequality).
        assert!(!no_u_turn(&[0.0, 1.0], &[1.0, 0.0], &[1.0, 0.0], &zero));
        // ρ given in two parts is their sum: (1, 0) + (−2, 0) points backwards.
        assert!(!no_u_turn(
            &[1.0, 0.0],
            &[1.0, 0.0],
            &[1.0, 0.0],
            &[-2.0, 0.0]
        ));
    }

    fn span(rho: [f64; 1], first: f64, last: f64) -> Span {
        Span {
            rho: rho.to_vec(),
            first_momentum: vec![first],
            first_velocity: vec![first],
            last_momentum: vec![last],
            last_velocity: vec![last],
        }
    }

    #[test]
    fn extra_checks_catch_u_turn_between_subtrees() {
        // Whole: ρ = 1 + 1 = 2 > 0 with end velocities 1 and 0.5, so the plain criterion passes;
        // but across `left` plus the first point of `right` the momentum sums to 1 − 2 < 0.
        let left = span([1.0], 1.0, 1.0);
        let right = span([1.0], -2.0, 0.5);
        assert!(no_u_turn(
            &left.first_velocity,
            &right.last_velocity,
            &left.rho,
            &right.rho
        ));
        assert!(!left.continues_into(&right));
        let smooth = span([1.0], 0.4, 0.6);
        assert!(left.continues_into(&smooth));
        let joined = left.join(smooth);
        assert_eq!(joined.rho, vec![2.0]);
        assert_eq!(
            (joined.first_velocity[0], joined.last_velocity[0]),
            (1.0, 0.6)
        );
        let reversed = joined.reversed();
        assert_eq!(
            (reversed.first_velocity[0], reversed.last_velocity[0]),
            (0.6, 1.0)
        );
    }

    /// `log p(x) = −x²/2` in 1-D, or a flat density, or a standard normal that fails for
    /// `x > 1`.
    struct Toy {
        kind: &'static str,
    }

    impl LogDensity for Toy {
        fn dim(&self) -> usize {
            1
        }

        fn log_density(&self, x: &[f64]) -> ppl_core::Result<f64> {
            let mut gradient = [0.0];
            self.log_density_gradient(x, &mut gradient)
        }

        fn log_density_gradient(&self, x: &[f64], g: &mut [f64]) -> ppl_core::Result<f64> {
            match self.kind {
                "flat" => {
                    g[0] = 0.0;
                    Ok(0.0)
                }
                "wall" if x[0] > 1.0 => Ok(f64::NAN),
                _ => {
                    g[0] = -x[0];
                    Ok(-0.5 * x[0] * x[0])
                }
            }
        }
    }

    fn run(
        kind: &'static str,
        position: f64,
        momentum: f64,
        step: f64,
        depth: u32,
    ) -> TransitionResult {
        let model = Toy { kind };
        let mut hamiltonian = Hamiltonian::new(&model, MassMatrix::unit(false, 1));
        let mut start = PhasePoint::at(vec![position]);
        hamiltonian.update_potential(&mut start);
        start.momentum = vec![momentum];
        start.velocity = vec![momentum];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        transition(&mut hamiltonian, start, step, depth, &mut rng)
    }

    #[test]
    fn flat_density_never_turns_and_stops_at_max_depth() {
        let result = run("flat", 0.0, 1.0, 0.1, 6);
        assert_eq!(result.tree_depth, 6);
        assert_eq!(result.tally.n_leapfrog, 63);
        assert!(!result.tally.divergent);
        // Energy is exactly conserved: every step has acceptance 1.
        assert_eq!(result.tally.sum_metro_prob, 63.0);
    }

    #[test]
    fn harmonic_oscillator_turns_after_about_half_a_period() {
        // With a small step the orbit is a circle of period 2π; the criterion fires once the
        // trajectory spans about half of it, i.e. π/ε ≈ 31 steps for ε = 0.1, within one doubling.
        let result = run("normal", 0.0, 1.0, 0.1, 10);
        assert!(!result.tally.divergent);
        let steps = f64::from(result.tally.n_leapfrog);
        assert!((16.0..=64.0).contains(&steps), "{steps} steps");
        assert!(result.tree_depth < 10);
        assert!(result.tally.sum_metro_prob / steps > 0.99);
        assert!(result.sample.log_density.is_finite());
    }

    #[test]
    fn failing_density_is_a_divergence_and_the_draw_stays_valid() {
        // Moving right from 0.9 with momentum 3 reaches x > 1 on the first step either way.
        let result = run("wall", 0.9, 3.0, 0.5, 10);
        assert!(result.tally.divergent);
        assert!(result.sample.position[0] <= 1.0);
        assert!(result.energy.is_finite());
    }

    #[test]
    fn start_outside_the_support_stays_put_as_a_divergence() {
        let result = run("wall", 2.0, 1.0, 0.1, 10);
        assert!(result.tally.divergent);
        assert_eq!((result.tally.n_leapfrog, result.tree_depth), (0, 0));
        assert_eq!(result.sample.position, vec![2.0]);
    }

    #[test]
    fn draws_know_their_steps_from_the_start_and_the_symmetric_statistic() {
        // Flat density, unit momentum: after k signed steps of 0.1 the position is 0.1·k.
        for start in [0.0, 5.0] {
            let result = run("flat", start, 1.0, 0.1, 6);
            let steps = result.sample.steps_from_start;
            assert!(steps.unsigned_abs() <= 63);
            let expected = start + 0.1 * steps as f64;
            assert!((result.sample.position[0] - expected).abs() < 1e-12);
            // ΔH = 0 at every step: 2/(1 + e⁰) = 1.
            assert_eq!(result.tally.sum_symmetric_prob, 63.0);
        }
        // On the oscillator both statistics are near 1 and the symmetric one never exceeds 1.
        let result = run("normal", 0.0, 1.0, 0.1, 10);
        let steps = f64::from(result.tally.n_leapfrog);
        assert!(result.tally.sum_symmetric_prob <= steps);
        assert!(result.tally.sum_symmetric_prob / steps > 0.99);
        // Outside the support the sampler stays put: 0 steps.
        assert_eq!(run("wall", 2.0, 1.0, 0.1, 10).sample.steps_from_start, 0);
    }

    #[test]
    fn log_sum_exp_is_exact_at_minus_infinity() {
        assert_eq!(
            log_sum_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, 0.5), 0.5);
        assert!((log_sum_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
    }
}

//! One NUTS transition: the recursive trajectory doubling with multinomial sampling and the generalised no-U-turn criterion (Betancourt 2017; Stan's `base_nuts`).

use ppl_core::LogDensity;
use rand::Rng;

use super::hamiltonian::{Hamiltonian, PhasePoint};

/// A trajectory whose energy error `H − H₀` exceeds this is divergent (Stan's `max_deltaH`).
pub(crate) const MAX_ENERGY_ERROR: f64 = 1000.0;

/// The generalised no-U-turn criterion (Betancourt 2017, §A.4.2): a span of trajectory with
/// summed momentum `ρ` and velocities `p♯₋`, `p♯₊` at its two ends keeps extending while
/// `p♯₋·ρ > 0` and `p♯₊·ρ > 0`. The sum is given in two parts, `ρ = rho_head + rho_tail`, so
/// merged spans need no temporary vector: `p♯·ρ = p♯·rho_head + p♯·rho_tail`.
pub(crate) fn no_u_turn(
    velocity_minus: &[f64],
    velocity_plus: &[f64],
    rho_head: &[f64],
    rho_tail: &[f64],
) -> bool {
    // The four dot products in one pass: independent sums run side by side, each adding its
    // terms in index order from −0, exactly as `dot` (`Iterator::sum`) does.
    let [mut plus_head, mut plus_tail, mut minus_head, mut minus_tail] = [-0.0; 4];
    let ends = velocity_minus.iter().zip(velocity_plus);
    for ((minus, plus), (head, tail)) in ends.zip(rho_head.iter().zip(rho_tail)) {
        plus_head += plus * head;
        plus_tail += plus * tail;
        minus_head += minus * head;
        minus_tail += minus * tail;
    }
    plus_head + plus_tail > 0.0 && minus_head + minus_tail > 0.0
}

/// `log(eᵃ + eᵇ) = max + log(1 + e^(min − max))`, exact when either is `−∞`, NaN if either is.
pub(crate) fn log_sum_exp(a: f64, b: f64) -> f64 {
    let (max, min) = if a >= b { (a, b) } else { (b, a) };
    if max == f64::NEG_INFINITY {
        return max;
    }
    max + (1.0 + (min - max).exp()).ln()
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
    /// A span of dimension `dim` with every vector zero: a buffer to be overwritten.
    pub(crate) fn zeros(dim: usize) -> Self {
        Span {
            rho: vec![0.0; dim],
            first_momentum: vec![0.0; dim],
            first_velocity: vec![0.0; dim],
            last_momentum: vec![0.0; dim],
            last_velocity: vec![0.0; dim],
        }
    }

    /// Makes `self` the span of the single point `point`, reusing its buffers.
    pub(crate) fn set_to_point(&mut self, point: &PhasePoint) {
        self.rho.clone_from(&point.momentum);
        self.first_momentum.clone_from(&point.momentum);
        self.first_velocity.clone_from(&point.velocity);
        self.last_momentum.clone_from(&point.momentum);
        self.last_velocity.clone_from(&point.velocity);
    }

    /// Turns the span around: afterwards it is seen from its other end.
    pub(crate) fn reverse(&mut self) {
        std::mem::swap(&mut self.first_momentum, &mut self.last_momentum);
        std::mem::swap(&mut self.first_velocity, &mut self.last_velocity);
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

    /// Extends `self` by `next`, the span that follows it.
    pub(crate) fn extend(&mut self, next: &Span) {
        for (r, s) in self.rho.iter_mut().zip(&next.rho) {
            *r += s;
        }
        self.last_momentum.clone_from(&next.last_momentum);
        self.last_velocity.clone_from(&next.last_velocity);
    }
}

/// A sub-tree: what a completed (valid) sub-tree hands back, in buffers reused from one
/// sub-tree to the next.
#[derive(Debug, Clone)]
pub(crate) struct Subtree {
    /// `log Σ exp(H₀ − H)` over its points: the multinomial weight of the sub-tree.
    pub(crate) log_sum_weight: f64,
    /// A point drawn from the sub-tree with probability proportional to `exp(H₀ − H)`.
    pub(crate) proposal: PhasePoint,
    pub(crate) span: Span,
}

impl Subtree {
    /// A sub-tree buffer of dimension `dim`.
    pub(crate) fn new(dim: usize) -> Self {
        Subtree {
            log_sum_weight: f64::NEG_INFINITY,
            proposal: PhasePoint::at(vec![0.0; dim]),
            span: Span::zeros(dim),
        }
    }
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

/// The buffers a transition works in, kept by the sampler from one transition to the next so
/// that building a trajectory allocates nothing (once the deepest tree so far has been built).
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    /// The trajectory's end forwards in time, from which it grows forwards.
    forward_end: PhasePoint,
    /// The trajectory's end backwards in time.
    backward_end: PhasePoint,
    /// The trajectory's span in time order: first = backward end, last = forward end.
    trajectory: Span,
    /// A stack of sub-trees: a sub-tree of depth `k` is built in `subtrees[0]` with
    /// `subtrees[1..=k]` holding its second halves at each level; grown on demand.
    subtrees: Vec<Subtree>,
}

impl Workspace {
    /// The buffers for a model of dimension `dim`.
    pub(crate) fn new(dim: usize) -> Self {
        Workspace {
            forward_end: PhasePoint::at(vec![0.0; dim]),
            backward_end: PhasePoint::at(vec![0.0; dim]),
            trajectory: Span::zeros(dim),
            subtrees: Vec::new(),
        }
    }
}

/// The first `len` sub-tree buffers of `subtrees`, made if missing.
fn subtree_stack(subtrees: &mut Vec<Subtree>, len: usize, dim: usize) -> &mut [Subtree] {
    if subtrees.len() < len {
        subtrees.resize_with(len, || Subtree::new(dim));
    }
    &mut subtrees[..len]
}

/// What the leapfrog steps of one doubling share: the integrator, the random numbers, the
/// signed step size, the energy at the trajectory's start, and the transition's running totals.
struct Doubling<'t, 'a, M: LogDensity + ?Sized, R: Rng + ?Sized> {
    hamiltonian: &'t mut Hamiltonian<'a, M>,
    rng: &'t mut R,
    /// The step size, negative backwards in time.
    signed_step: f64,
    initial_energy: f64,
    tally: &'t mut Tally,
}

impl<M: LogDensity + ?Sized, R: Rng + ?Sized> Doubling<'_, '_, M, R> {
    /// The sub-tree of depth 0: one leapfrog step moving `frontier`, recorded in `subtree`.
    /// Returns `false` if the step diverged.
    fn leaf(&mut self, frontier: &mut PhasePoint, subtree: &mut Subtree) -> bool {
        self.hamiltonian.leapfrog(frontier, self.signed_step);
        self.tally.n_leapfrog += 1;
        let energy = self.hamiltonian.energy(frontier);
        let log_weight = self.initial_energy - energy;
        if energy - self.initial_energy > MAX_ENERGY_ERROR {
            self.tally.divergent = true;
        }
        // exp(−|ΔH|) is exp(H₀ − H) when that is at most 1 (bit for bit).
        let weight_down = (-log_weight.abs()).exp();
        self.tally.sum_metro_prob += if log_weight > 0.0 { 1.0 } else { weight_down };
        self.tally.sum_symmetric_prob += 2.0 * weight_down / (1.0 + weight_down);
        if self.tally.divergent {
            return false;
        }
        subtree.log_sum_weight = log_weight;
        subtree.proposal.clone_from(frontier);
        subtree.span.set_to_point(frontier);
        true
    }

    /// Builds a sub-tree of `2^depth` leapfrog steps from `frontier` (which is moved along to
    /// the sub-tree's far end) in `subtrees[0]`, its second halves in `subtrees[1..=depth]`.
    /// Returns `false` if the sub-tree diverged or U-turned, in which case the transition stops
    /// and the sub-tree is discarded. The proposal is drawn uniformly-in-weight within the
    /// sub-tree (multinomial sampling).
    fn build(&mut self, frontier: &mut PhasePoint, depth: u32, subtrees: &mut [Subtree]) -> bool {
        if depth == 0 {
            return self.leaf(frontier, &mut subtrees[0]);
        }
        if !self.build(frontier, depth - 1, subtrees) {
            return false;
        }
        let (head, rest) = subtrees.split_at_mut(1);
        if !self.build(frontier, depth - 1, rest) {
            return false;
        }
        let (initial, last) = (&mut head[0], &mut rest[0]);
        let log_sum_weight = log_sum_exp(initial.log_sum_weight, last.log_sum_weight);
        let take_last = last.log_sum_weight > log_sum_weight
            || self.rng.random::<f64>() < (last.log_sum_weight - log_sum_weight).exp();
        if !initial.span.continues_into(&last.span) {
            return false;
        }
        initial.log_sum_weight = log_sum_weight;
        if take_last {
            std::mem::swap(&mut initial.proposal, &mut last.proposal);
        }
        initial.span.extend(&last.span);
        true
    }
}

/// What one transition reports besides the draw.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TransitionResult {
    pub(crate) tree_depth: u32,
    pub(crate) tally: Tally,
    /// `H` at the draw.
    pub(crate) energy: f64,
}

/// One NUTS transition from `point` (momentum already drawn), which it moves to the draw:
/// doubles the trajectory in random directions up to `max_depth` times, sampling
/// progressively with a bias towards the new sub-tree (`min(1, w_new / w_old)`), and stops at
/// a divergence or a U-turn. A start with infinite energy (outside the support) stays put as
/// a divergent transition. `workspace` holds the trajectory's buffers (of `point`'s
/// dimension).
pub(crate) fn transition<M: LogDensity + ?Sized, R: Rng + ?Sized>(
    hamiltonian: &mut Hamiltonian<'_, M>,
    point: &mut PhasePoint,
    workspace: &mut Workspace,
    step_size: f64,
    max_depth: u32,
    rng: &mut R,
) -> TransitionResult {
    point.steps_from_start = 0;
    let initial_energy = hamiltonian.energy(point);
    if !initial_energy.is_finite() {
        // Nowhere to go from a point outside the support: a divergence that stays put.
        return TransitionResult {
            tree_depth: 0,
            tally: Tally {
                divergent: true,
                ..Tally::default()
            },
            energy: initial_energy,
        };
    }
    let Workspace {
        forward_end,
        backward_end,
        trajectory,
        subtrees,
    } = workspace;
    forward_end.clone_from(point);
    backward_end.clone_from(point);
    trajectory.set_to_point(point);
    // From here on `point` is the draw: the start until a sub-tree's proposal replaces it.
    let sample = point;
    let mut log_sum_weight = 0.0;
    let mut tally = Tally::default();
    let mut depth = 0;
    while depth < max_depth {
        let forward = rng.random::<f64>() > 0.5;
        let (frontier, signed_step) = if forward {
            (&mut *forward_end, step_size)
        } else {
            (&mut *backward_end, -step_size)
        };
        let stack = subtree_stack(subtrees, depth as usize + 1, sample.position.len());
        let mut doubling = Doubling {
            hamiltonian: &mut *hamiltonian,
            rng: &mut *rng,
            signed_step,
            initial_energy,
            tally: &mut tally,
        };
        if !doubling.build(frontier, depth, stack) {
            break;
        }
        let subtree = &mut stack[0];
        depth += 1;
        if subtree.log_sum_weight > log_sum_weight
            || rng.random::<f64>() < (subtree.log_sum_weight - log_sum_weight).exp()
        {
            std::mem::swap(sample, &mut subtree.proposal);
        }
        log_sum_weight = log_sum_exp(log_sum_weight, subtree.log_sum_weight);
        // Seen in the order of building, the old trajectory comes first, then the sub-tree.
        if !forward {
            trajectory.reverse();
        }
        let persists = trajectory.continues_into(&subtree.span);
        trajectory.extend(&subtree.span);
        if !forward {
            trajectory.reverse();
        }
        if !persists {
            break;
        }
    }
    TransitionResult {
        tree_depth: depth,
        tally,
        energy: hamiltonian.energy(sample),
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
        let mut joined = left;
        joined.extend(&smooth);
        assert_eq!(joined.rho, vec![2.0]);
        assert_eq!(
            (joined.first_velocity[0], joined.last_velocity[0]),
            (1.0, 0.6)
        );
        joined.reverse();
        assert_eq!(
            (joined.first_velocity[0], joined.last_velocity[0]),
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

    /// A transition of `Toy` from `(position, momentum)`: the result and the draw.
    fn run(
        kind: &'static str,
        position: f64,
        momentum: f64,
        step: f64,
        depth: u32,
    ) -> (TransitionResult, PhasePoint) {
        let model = Toy { kind };
        let mut hamiltonian = Hamiltonian::new(&model, MassMatrix::unit(false, 1));
        let mut start = PhasePoint::at(vec![position]);
        hamiltonian.update_potential(&mut start);
        start.momentum = vec![momentum];
        start.velocity = vec![momentum];
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        let mut workspace = Workspace::new(1);
        let result = transition(
            &mut hamiltonian,
            &mut start,
            &mut workspace,
            step,
            depth,
            &mut rng,
        );
        (result, start)
    }

    #[test]
    fn flat_density_never_turns_and_stops_at_max_depth() {
        let (result, _) = run("flat", 0.0, 1.0, 0.1, 6);
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
        let (result, sample) = run("normal", 0.0, 1.0, 0.1, 10);
        assert!(!result.tally.divergent);
        let steps = f64::from(result.tally.n_leapfrog);
        assert!((16.0..=64.0).contains(&steps), "{steps} steps");
        assert!(result.tree_depth < 10);
        assert!(result.tally.sum_metro_prob / steps > 0.99);
        assert!(sample.log_density.is_finite());
    }

    #[test]
    fn failing_density_is_a_divergence_and_the_draw_stays_valid() {
        // Moving right from 0.9 with momentum 3 reaches x > 1 on the first step either way.
        let (result, sample) = run("wall", 0.9, 3.0, 0.5, 10);
        assert!(result.tally.divergent);
        assert!(sample.position[0] <= 1.0);
        assert!(result.energy.is_finite());
    }

    #[test]
    fn start_outside_the_support_stays_put_as_a_divergence() {
        let (result, sample) = run("wall", 2.0, 1.0, 0.1, 10);
        assert!(result.tally.divergent);
        assert_eq!((result.tally.n_leapfrog, result.tree_depth), (0, 0));
        assert_eq!(sample.position, vec![2.0]);
    }

    #[test]
    fn draws_know_their_steps_from_the_start_and_the_symmetric_statistic() {
        // Flat density, unit momentum: after k signed steps of 0.1 the position is 0.1·k.
        for start in [0.0, 5.0] {
            let (result, sample) = run("flat", start, 1.0, 0.1, 6);
            let steps = sample.steps_from_start;
            assert!(steps.unsigned_abs() <= 63);
            let expected = start + 0.1 * steps as f64;
            assert!((sample.position[0] - expected).abs() < 1e-12);
            // ΔH = 0 at every step: 2/(1 + e⁰) = 1.
            assert_eq!(result.tally.sum_symmetric_prob, 63.0);
        }
        // On the oscillator both statistics are near 1 and the symmetric one never exceeds 1.
        let (result, _) = run("normal", 0.0, 1.0, 0.1, 10);
        let steps = f64::from(result.tally.n_leapfrog);
        assert!(result.tally.sum_symmetric_prob <= steps);
        assert!(result.tally.sum_symmetric_prob / steps > 0.99);
        // Outside the support the sampler stays put: 0 steps.
        assert_eq!(run("wall", 2.0, 1.0, 0.1, 10).1.steps_from_start, 0);
    }

    #[test]
    fn log_sum_exp_is_exact_at_minus_infinity() {
        assert_eq!(
            log_sum_exp(f64::NEG_INFINITY, f64::NEG_INFINITY),
            f64::NEG_INFINITY
        );
        assert_eq!(log_sum_exp(f64::NEG_INFINITY, 0.5), 0.5);
        assert!((log_sum_exp(0.0, 0.0) - 2f64.ln()).abs() < 1e-15);
        // log(e⁻¹ + e²) = 2.048587351573742 (mpmath, 30 digits), in either order.
        assert!((log_sum_exp(-1.0, 2.0) - 2.048_587_351_573_742).abs() < 1e-15);
        assert_eq!(log_sum_exp(-1.0, 2.0), log_sum_exp(2.0, -1.0));
        assert!(log_sum_exp(f64::NAN, 0.5).is_nan() && log_sum_exp(0.5, f64::NAN).is_nan());
    }
}

//! Energy Bayesian fraction of missing information (E-BFMI) of one chain.

/// E-BFMI of one chain from its per-draw Hamiltonian energies (`energy__`):
/// `Σ_{i≥1} (E_i − E_{i−1})² / Σ_i (E_i − Ē)²`. It measures how well the momentum resampling
/// explores the energy distribution; values below 0.3 indicate that the sampler struggles
/// (heavy tails, poor parameterisation) and that the posterior may be under-explored.
/// The same quantity as Stan's diagnose, ArviZ `bfmi` and cmdstanpy.
///
/// NaN for fewer than 2 energies, a non-finite energy, or constant energies.
///
/// Reference: Betancourt (2016), "Diagnosing suboptimal cotangent disintegrations in
/// Hamiltonian Monte Carlo", arXiv:1604.00695.
///
/// ```
/// let energies = [10.0, 12.0, 11.0, 13.0, 12.5];
/// let ebfmi = ppl_infer::diagnostics::ebfmi(&energies);
/// assert!((ebfmi - 9.25 / 5.8).abs() < 1e-12);
/// ```
pub fn ebfmi(energies: &[f64]) -> f64 {
    if energies.len() < 2 || energies.iter().any(|e| !e.is_finite()) {
        return f64::NAN;
    }
    let centre = energies.iter().sum::<f64>() / energies.len() as f64;
    let squared_jumps: f64 = energies.windows(2).map(|w| (w[1] - w[0]).powi(2)).sum();
    let squared_deviations: f64 = energies.iter().map(|e| (e - centre).powi(2)).sum();
    if squared_deviations == 0.0 {
        return f64::NAN;
    }
    squared_jumps / squared_deviations
}

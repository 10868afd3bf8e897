//! PSIS and the generalised Pareto fit against ArviZ's `psislw` / `_gpdfit` (values pasted), and their argument checks.

use ppl_infer::advi::{gpd_fit, psis};

/// The deterministic log ratios of the reference script: `p_i = ((7919 i) mod 1000 + 0.5) / 1000`
/// (a permutation of the grid), `r_i = f(p_i)`.
fn log_ratios(f: impl Fn(f64) -> f64) -> Vec<f64> {
    (0..1000u64)
        .map(|i| f(((i * 7919) % 1000) as f64 / 1000.0 + 0.0005))
        .collect()
}

/// Reference: ArviZ 0.23.4 (numpy 2.4.6),
/// ```python
/// i = np.arange(1000); p = ((i * 7919) % 1000 + 0.5) / 1000
/// lw, k = arviz.psislw(r, reff=1.0)   # r as in each case below
/// print(k, lw[:4], lw.max(), np.argmax(lw))
/// ```
struct Reference {
    khat: f64,
    first_log_weights: [f64; 4],
    max_log_weight: f64,
    argmax: usize,
}

fn check(ratios: &[f64], reference: &Reference) {
    let fit = psis(ratios).unwrap();
    assert_eq!(fit.tail_length, 95);
    assert!(
        (fit.khat - reference.khat).abs() < 1e-10,
        "khat {} vs {}",
        fit.khat,
        reference.khat
    );
    for (got, want) in fit.log_weights.iter().zip(&reference.first_log_weights) {
        assert!((got - want).abs() < 1e-10, "log weight {got} vs {want}");
    }
    let (argmax, max) =
        fit.log_weights
            .iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |(j, m), (i, &w)| if w > m { (i, w) } else { (j, m) },
            );
    assert_eq!(argmax, reference.argmax);
    assert!((max - reference.max_log_weight).abs() < 1e-10);
    let total: f64 = fit.weights().iter().sum();
    assert!((total - 1.0).abs() < 1e-12);
}

#[test]
fn psis_matches_arviz_on_a_pareto_tail_with_k_0_8() {
    // r = 0.8 * -log1p(-p): the weights exp(r) are exactly Pareto with k = 0.8.
    check(
        &log_ratios(|p| 0.8 * -(-p).ln_1p()),
        &Reference {
            khat: 0.7574598327160174,
            first_log_weights: [
                -8.304306457737342,
                -6.291481592538645,
                -6.8461064487151475,
                -7.171303702887009,
            ],
            max_log_weight: -2.3798543898415647,
            argmax: 321,
        },
    );
}

#[test]
fn psis_matches_arviz_on_a_pareto_tail_with_k_0_3() {
    check(
        &log_ratios(|p| 0.3 * -(-p).ln_1p()),
        &Reference {
            khat: 0.3235606438260692,
            first_log_weights: [
                -7.264036500524968,
                -6.509953714236179,
                -6.717211497141646,
                -6.839160467456093,
            ],
            max_log_weight: -4.983915800174816,
            argmax: 321,
        },
    );
}

#[test]
fn psis_matches_arviz_on_a_light_tail() {
    check(
        &log_ratios(|p| (-2.0 * (-p).ln_1p()).sqrt()),
        &Reference {
            khat: 0.2620479389806524,
            first_log_weights: [
                -8.37609536532672,
                -6.16501881404646,
                -6.498140918562006,
                -6.724419646133576,
            ],
            max_log_weight: -4.508772888805562,
            argmax: 321,
        },
    );
}

#[test]
fn gpd_fit_matches_arviz() {
    // arviz.stats.stats._gpdfit(np.arange(1.0, 11.0)), ArviZ 0.23.4.
    let fit = gpd_fit(&(1..=10).map(f64::from).collect::<Vec<_>>()).unwrap();
    assert!((fit.k - -0.14362888725869513).abs() < 1e-12, "{}", fit.k);
    assert!(
        (fit.sigma - 9.128092726263269).abs() < 1e-10,
        "{}",
        fit.sigma
    );
}

#[test]
fn equal_ratios_give_equal_weights_and_a_short_tail_gives_infinite_khat() {
    let fit = psis(&[1.5; 200]).unwrap();
    assert!(fit
        .weights()
        .iter()
        .all(|w| (w - 1.0 / 200.0).abs() < 1e-15));
    // 20 ratios: a tail of 4 is too short to fit, as in loo and ArviZ.
    let short = psis(&(0..20).map(f64::from).collect::<Vec<_>>()).unwrap();
    assert_eq!(short.khat, f64::INFINITY);
}

#[test]
fn minus_infinity_ratios_get_zero_weight() {
    let mut ratios = log_ratios(|p| 0.3 * -(-p).ln_1p());
    ratios[7] = f64::NEG_INFINITY;
    let fit = psis(&ratios).unwrap();
    assert_eq!(fit.weights()[7], 0.0);
}

#[test]
fn argument_checks_name_the_argument() {
    assert_eq!(
        psis(&[0.0]).unwrap_err().to_string(),
        "psis: log_ratios length is 1, but must be at least 2"
    );
    assert_eq!(
        psis(&[0.0, f64::NAN]).unwrap_err().to_string(),
        "psis: log_ratios[2] is NaN, but must be a number below +inf"
    );
    assert_eq!(
        gpd_fit(&[1.0, 2.0, 3.0, 4.0]).unwrap_err().to_string(),
        "gpd_fit: exceedances length is 4, but must be at least 5"
    );
    assert_eq!(
        gpd_fit(&[1.0, 3.0, 2.0, 4.0, 5.0]).unwrap_err().to_string(),
        "gpd_fit: exceedances[3] is 2, but must be at least exceedances[2] = 3 (sorted ascending)"
    );
}

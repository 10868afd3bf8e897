//! Errors of `Model::unconstrain` (init values, user-given points) name the parameter and its element, as Stan's "Error transforming variable sigma" does.

use ppl::core::{LogDensity, Model};

ppl::model! {
    /// One parameter of each transform family whose inverse can fail.
    pub struct Constrained {
        K: usize,
    }
    sigma: real<lower = 0.0> ~ exponential(1.0);
    tau: vector<lower = 0.0, upper = 2.0>[K] ~ uniform(0.0, 2.0);
    weights: matrix<lower = -1.0>[2, 2] ~ normal(0.0, 1.0);
    theta: simplex[K];
    cuts: ordered[K] ~ normal(0.0, 5.0);
}

/// A valid constrained point: sigma, tau (3), weights (2 × 2, column-major), theta (3), cuts (3).
fn valid_point() -> Vec<f64> {
    vec![
        1.5, // sigma
        0.5, 1.0, 1.5, // tau
        0.1, 0.2, 0.3, 0.4, // weights
        0.2, 0.3, 0.5, // theta
        -1.0, 0.0, 2.0, // cuts
    ]
}

fn error_with(position: usize, value: f64) -> String {
    let model = Constrained::new(3).unwrap();
    let mut point = valid_point();
    point[position] = value;
    Model::unconstrain(&model, &point).unwrap_err().to_string()
}

#[test]
fn a_valid_point_round_trips() {
    let model = Constrained::new(3).unwrap();
    let u = Model::unconstrain(&model, &valid_point()).unwrap();
    let back = Model::constrain(&model, &u).unwrap();
    for (b, v) in back.iter().zip(valid_point()) {
        assert!((b - v).abs() < 1e-12, "{b} vs {v}");
    }
}

#[test]
fn every_transform_error_names_the_parameter_and_element() {
    assert_eq!(
        error_with(0, -1.0),
        "lower_bound: sigma is -1, but must be greater than the lower bound 0"
    );
    // Elements are 1-based, as in Stan's messages.
    let tau = error_with(2, 2.5);
    assert_eq!(
        tau,
        "lower_upper_bound: tau[2] is 2.5, but must be strictly between the lower bound 0 and \
         the upper bound 2"
    );
    // Column-major: position 6 is weights[1, 2].
    let weights = error_with(6, -3.0);
    assert_eq!(
        weights,
        "lower_bound: weights[1,2] is -3, but must be greater than the lower bound -1"
    );
    assert_eq!(
        error_with(9, 0.5),
        "simplex: sum of theta is 1.2, but must be 1 (within 1e-8)"
    );
    let cuts = error_with(13, -5.0);
    assert_eq!(
        cuts,
        "ordered: cuts[3] is -5, but must be greater than the previous element 0"
    );
}

#[test]
fn model_methods_are_not_ambiguous_with_both_traits_in_scope() {
    // `Model` and `LogDensity` both have `dim`, `param_names`, `constrain` and `unconstrain`;
    // the generated inherent methods make the plain calls resolve.
    let model = Constrained::new(3).unwrap();
    assert_eq!(model.dim(), 1 + 3 + 4 + 2 + 3);
    assert_eq!(model.dim(), LogDensity::dim(&model));
    assert_eq!(model.param_names()[..2], ["sigma", "tau[1]"]);
    let u = model.unconstrain(&valid_point()).unwrap();
    assert_eq!(
        model.constrain(&u).unwrap(),
        Model::constrain(&model, &u).unwrap()
    );
}

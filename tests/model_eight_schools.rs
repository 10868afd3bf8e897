//! Eight schools, non-centred (posteriordb `eight_schools-eight_schools_noncentered`): the generated log-density, gradient, transforms and names against Stan 2.35's values.
//!
//! Needs `ppl::core::transform::lower_bound_*` and `ppl::core::dist::cauchy_lupdf` (other
//! helpers' work): it compiles once those are merged.

use ppl::core::{finite_difference_gradient, LogDensity, Model};
use serde_json::Value;

ppl::model! {
    /// Eight schools, non-centred: `theta = mu + tau * theta_trans`.
    pub struct EightSchools {
        J: usize,
        #[data(size = J)]
        y: Vec<f64>,
        #[data(size = J, lower = 0.0)]
        sigma: Vec<f64>,
    }
    theta_trans: vector[J];
    mu: real;
    tau: real<lower = 0.0>;
    derived theta = mu + tau * theta_trans;
    theta_trans ~ normal(0.0, 1.0);
    y ~ normal(theta, sigma);
    mu ~ normal(0.0, 5.0);
    tau ~ cauchy(0.0, 5.0);
}

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/posteriordb/eight_schools-eight_schools_noncentered"
);

fn model() -> EightSchools {
    EightSchools::from_json_file(format!("{DIR}/data.json")).unwrap()
}

fn checks() -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/logdensity_checks.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn floats(value: &Value) -> Vec<f64> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect()
}

fn assert_close(actual: f64, expected: f64, relative: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= relative * expected.abs().max(1.0),
        "{what}: {actual} vs Stan {expected}"
    );
}

#[test]
fn names_follow_stan() {
    let model = model();
    let checks = checks();
    let mut expected: Vec<String> = checks["constrained_names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    expected.extend((1..=8).map(|j| format!("theta[{j}]")));
    assert_eq!(Model::dim(&model), 10);
    assert_eq!(Model::param_names(&model), expected);
}

#[test]
fn constrain_matches_stan_and_round_trips() {
    let model = model();
    for point in checks()["points"].as_array().unwrap() {
        let u = floats(&point["unconstrained"]);
        let mut expected = floats(&point["constrained_flat"]);
        expected.extend(floats(&point["transformed_parameters"]["theta"]));
        let constrained = Model::constrain(&model, &u).unwrap();
        assert_eq!(constrained.len(), expected.len());
        for (i, (c, e)) in constrained.iter().zip(&expected).enumerate() {
            assert_close(*c, *e, 1e-12, &format!("output {i}"));
        }
        let back = Model::unconstrain(&model, &constrained).unwrap();
        for (b, original) in back.iter().zip(&u) {
            assert_close(*b, *original, 1e-12, "unconstrain(constrain(u))");
        }
    }
}

#[test]
fn log_density_differences_and_gradients_match_stan() {
    let model = model();
    let checks = checks();
    let points = checks["points"].as_array().unwrap();
    let lp = |u: &[f64], jacobian: bool| model.log_density_f64(u, jacobian).unwrap();
    let u0 = floats(&points[0]["unconstrained"]);
    for point in points {
        let u = floats(&point["unconstrained"]);
        for (jacobian, field) in [(true, "log_prob_jacobian"), (false, "log_prob_no_jacobian")] {
            let stan_0 = points[0][field].as_f64().unwrap();
            let stan_k = point[field].as_f64().unwrap();
            let (ours_0, ours_k) = (lp(&u0, jacobian), lp(&u, jacobian));
            let scale = 1f64.max(stan_0.abs()).max(stan_k.abs());
            assert!(
                ((ours_k - ours_0) - (stan_k - stan_0)).abs() <= 1e-8 * scale,
                "{field} difference: {} vs Stan {}",
                ours_k - ours_0,
                stan_k - stan_0
            );
        }
        let mut gradient = vec![0.0; 10];
        model.log_density_gradient(&u, &mut gradient).unwrap();
        for (i, (g, e)) in gradient
            .iter()
            .zip(floats(&point["grad_log_prob"]))
            .enumerate()
        {
            assert_close(*g, e, 1e-6, &format!("grad_log_prob[{i}]"));
        }
        model
            .log_density_gradient_no_jacobian(&u, &mut gradient)
            .unwrap();
        let expected = floats(&point["grad_log_prob_no_jacobian"]);
        for (i, (g, e)) in gradient.iter().zip(expected).enumerate() {
            assert_close(*g, e, 1e-6, &format!("grad_log_prob_no_jacobian[{i}]"));
        }
    }
}

#[test]
fn dual_gradient_matches_finite_differences() {
    let model = model();
    let u = [0.4, -1.2, 0.3, 0.9, -0.5, 1.1, 0.0, -0.7, 1.3, -0.6];
    let mut gradient = vec![0.0; 10];
    model.log_density_gradient(&u, &mut gradient).unwrap();
    let expected =
        finite_difference_gradient(|v| model.log_density_f64(v, true), &u, 1e-6).unwrap();
    for (i, (g, e)) in gradient.iter().zip(&expected).enumerate() {
        assert_close(*g, *e, 1e-6, &format!("gradient[{i}]"));
    }
}

#[test]
fn data_are_validated() {
    let err = EightSchools::new(3, vec![1.0, 2.0, 3.0], vec![1.0, -2.0, 1.0]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "EightSchools: data sigma[2] is -2, but must be >= 0"
    );
    let err = EightSchools::from_json(r#"{"J": 2, "y": [1, 2], "sigma": [1]}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "EightSchools: data sigma has length 1, but must have length 2 (J)"
    );
    let err = EightSchools::from_json(r#"{"J": -2, "y": [], "sigma": []}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "EightSchools: data J is -2, but must be a non-negative integer"
    );
    let err = EightSchools::from_json_file("/nonexistent/data.json").unwrap_err();
    assert!(err
        .to_string()
        .starts_with("EightSchools: data file /nonexistent/data.json cannot be read:"));
}

//! posteriordb `nes2000-nes`: party identification on ideology, race, age-group dummies, education, gender and income, with flat priors.
#![allow(dead_code)]

/// The posterior's name in posteriordb.
pub const POSTERIOR: &str = "nes2000-nes";
/// Stan's log-density checks, relative to `tests/data`.
pub const CHECKS: &str = "posteriordb/nes2000-nes/logdensity_checks.json";

/// `1.0` where `group[n] == level`, else `0.0` (an age-group dummy).
fn indicator(group: &[i64], level: i64) -> Vec<f64> {
    group
        .iter()
        .map(|&g| if g == level { 1.0 } else { 0.0 })
        .collect()
}

ppl::model! {
    /// `partyid7 ~ normal(beta · (1, real_ideo, race_adj, age 30–44, 45–64, 65+, educ1, gender,
    /// income), sigma)`; age group 1 is the baseline.
    pub struct Nes {
        N: usize,
        #[data(size = N)]
        partyid7: Vec<f64>,
        #[data(size = N)]
        real_ideo: Vec<f64>,
        #[data(size = N)]
        race_adj: Vec<f64>,
        #[data(size = N)]
        educ1: Vec<f64>,
        #[data(size = N)]
        gender: Vec<f64>,
        #[data(size = N)]
        income: Vec<f64>,
        #[data(size = N)]
        age_discrete: Vec<i64>,
    }
    data age30_44: Vec<f64> = indicator(age_discrete, 2);
    data age45_64: Vec<f64> = indicator(age_discrete, 3);
    data age65up: Vec<f64> = indicator(age_discrete, 4);
    beta: vector[9];
    sigma: real<lower = 0.0>;
    let location = Vector::from_fn(N, |n| {
        beta[0]
            + beta[1] * real_ideo[n]
            + beta[2] * race_adj[n]
            + beta[3] * age30_44[n]
            + beta[4] * age45_64[n]
            + beta[5] * age65up[n]
            + beta[6] * educ1[n]
            + beta[7] * gender[n]
            + beta[8] * income[n]
    });
    partyid7 ~ normal(location, sigma);
}

/// The model with the posterior's data.
pub fn load() -> Nes {
    Nes::from_json_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/posteriordb/nes2000-nes/data.json"
    ))
    .expect("nes data")
}

ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    for n in 0..y.len() {
        y_obs[n] ~ normal(mu, 1.0);
    }
}

fn main() {}

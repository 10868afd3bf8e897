ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(tau, 1.0);
    tau ~ normal(0.0, 1.0);
    y ~ normal(mu, 1.0);
}

fn main() {}

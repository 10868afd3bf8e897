ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normall(0.0, 1.0);
    y ~ normal(mu, 1.0);
}

fn main() {}

ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    real<lower = 0.0> sigma;
    y ~ normal(mu, sigma);
}

fn main() {}

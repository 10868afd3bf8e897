ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    mu: real;
    y ~ normal(mu, 1.0);
}

fn main() {}

ppl::model! {
    struct Model { y: Vec<f64> }
    theta: vec[3] ~ normal(0.0, 1.0);
    y ~ normal(theta[0], 1.0);
}

fn main() {}

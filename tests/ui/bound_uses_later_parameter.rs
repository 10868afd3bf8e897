ppl::model! {
    struct Model { y: Vec<f64> }
    beta: real<lower = 0.0, upper = 1.0 - alpha>;
    alpha: real<lower = 0.0, upper = 1.0>;
    y ~ normal(alpha + beta, 1.0);
}

fn main() {}

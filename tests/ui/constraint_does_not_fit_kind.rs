ppl::model! {
    struct Model { K: usize, y: Vec<f64> }
    theta: simplex<lower = 0.0>[K];
    y ~ normal(theta[0], 1.0);
}

fn main() {}

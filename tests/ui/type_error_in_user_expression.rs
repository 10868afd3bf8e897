ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    let shifted = mu + "one";
    y ~ normal(shifted, 1.0);
}

fn main() {}

ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    y ~ normal(mu, 1.0) T[0.0, ];
}

fn main() {}

ppl::model! {
    struct Model { y: Vec<f64> }
    mu ~ normal(0.0, 1.0);
    for n in 0..y.len() {
        derived shifted = mu + y[n];
    }
}

fn main() {}

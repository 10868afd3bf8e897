ppl::model! {
    struct Model { y: Vec<f64> }
    count ~ poisson(3.0);
    y ~ normal(0.0, 1.0);
}

fn main() {}

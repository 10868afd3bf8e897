ppl::model! {
    struct Model { y: Vec<f32> }
    mu ~ normal(0.0, 1.0);
}

fn main() {}

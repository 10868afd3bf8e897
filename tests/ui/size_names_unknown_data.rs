ppl::model! {
    struct Model { N: usize, y: Vec<f64> }
    theta: vector[K] ~ std_normal();
    y ~ normal(theta, 1.0);
}

fn main() {}

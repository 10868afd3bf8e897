ppl::model! {
    pub struct Regression {
        N: usize,
        #[data(size = N)]
        y: Vec<f64>,
    }
    mu ~ normal(0.0, 10.0);
    sigma ~ cauchy(0.0, 5.0);
    y ~ normal(mu, sigma);
}

fn main() {}

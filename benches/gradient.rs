//! Criterion bench: one f64 log-density evaluation, one dense dual-number gradient (by lane count), one sparse dual-number gradient and one analytic gradient for the five performance-suite models.

#[path = "support/hand_models.rs"]
mod hand_models;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hand_models::{
    dual_gradient, sparse_gradient, test_point, CorrelatedGaussian, EightSchools, HandModel,
    HierarchicalRegression, LogisticRegression, PoissonGlm,
};
use std::hint::black_box;

fn bench_model<M: HandModel>(c: &mut Criterion, model: &M) {
    let u = test_point(model.dim());
    let mut g = vec![0.0; model.dim()];
    let mut group = c.benchmark_group(model.name());
    group.bench_function("f64", |b| b.iter(|| model.vectorised::<f64>(black_box(&u))));
    group.bench_function("analytic_gradient", |b| {
        b.iter(|| model.analytic(black_box(&u), &mut g))
    });
    group.bench_with_input(BenchmarkId::new("dual_gradient", 4), &4, |b, _| {
        b.iter(|| dual_gradient::<M, 4>(model, black_box(&u), &mut g))
    });
    group.bench_with_input(BenchmarkId::new("dual_gradient", 8), &8, |b, _| {
        b.iter(|| dual_gradient::<M, 8>(model, black_box(&u), &mut g))
    });
    group.bench_with_input(BenchmarkId::new("dual_gradient", 16), &16, |b, _| {
        b.iter(|| dual_gradient::<M, 16>(model, black_box(&u), &mut g))
    });
    group.bench_with_input(BenchmarkId::new("sparse_gradient", 8), &8, |b, _| {
        b.iter(|| sparse_gradient::<M, 8>(model, black_box(&u), &mut g))
    });
    group.finish();
}

fn gradients(c: &mut Criterion) {
    bench_model(c, &EightSchools::load());
    bench_model(c, &LogisticRegression::load());
    bench_model(c, &HierarchicalRegression::load());
    bench_model(c, &PoissonGlm::load());
    bench_model(c, &CorrelatedGaussian::load());
}

criterion_group!(benches, gradients);
criterion_main!(benches);

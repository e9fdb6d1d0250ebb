//! Benchmarks of Cognate's CPU-bound crypto (filled in below).
use criterion::{Criterion, criterion_group, criterion_main};

fn benches(_c: &mut Criterion) {}

criterion_group!(crypto, benches);
criterion_main!(crypto);

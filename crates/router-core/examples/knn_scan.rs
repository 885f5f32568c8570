//! Times the knn head's scan: the nearest 64 of `n` normalised 256-wide training vectors
//! (the default's encoder width), the part of a knn decision that grows with the data.
//! cargo run --release -p router-core --example knn_scan -- [N]
use router_core::routing::heads::neighbours::{nearest, normalised};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).map_or(30_000, |s| {
        s.parse().expect("N: a number of training vectors")
    });
    let dim = 256;
    // A fixed pseudo-random fill: the scan's cost does not depend on the values.
    let mut state = 0x9e37_79b9_u32;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        state as f32 / u32::MAX as f32 - 0.5
    };
    let points = normalised(&(0..n * dim).map(|_| next()).collect::<Vec<_>>(), dim);
    let query: Vec<f32> = (0..dim).map(|_| next()).collect();
    let rounds = 200;
    let mut times = Vec::with_capacity(rounds);
    let mut check = 0u64;
    for _ in 0..rounds {
        let t = Instant::now();
        let found = nearest(std::hint::black_box(&points), dim, &query, 64, |_| false);
        times.push(t.elapsed().as_secs_f64() * 1e3);
        check += u64::from(found[0].1);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{n} x {dim}: p50 {:.3} ms, p99 {:.3} ms (nearest index checksum {check})",
        times[rounds / 2],
        times[rounds * 99 / 100]
    );
}

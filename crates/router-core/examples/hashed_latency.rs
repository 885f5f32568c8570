//! Times the hashed encoder's two halves on a 2 KB prompt: feature hashing and the table mean.
//! cargo run --release -p router-core --example hashed_latency
use router_core::routing::encoder::HashedEncoder;
use router_core::routing::features::hashed_features;
use std::time::Instant;

fn main() {
    let base = "Which of the following best describes the role of mitochondria in eukaryotic cells? (A) protein synthesis (B) ATP production through oxidative phosphorylation (C) lipid storage (D) DNA replication. Explain your reasoning step by step.\n";
    let text: String = base.repeat(2048 / base.len() + 1)[..2048].to_string();
    let (buckets, dim) = (1u32 << 15, 32usize);
    let enc = HashedEncoder {
        buckets,
        dim,
        table: (0..buckets as usize * dim)
            .map(|i| (i % 97) as f32 * 0.01)
            .collect(),
    };
    let mut feats = Vec::new();
    let mut x = vec![0.0f32; dim];
    let n = 20000;
    for _ in 0..1000 {
        hashed_features(&text, buckets, &mut feats);
    }
    let t = Instant::now();
    for _ in 0..n {
        hashed_features(std::hint::black_box(&text), buckets, &mut feats);
    }
    let hf = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    let t = Instant::now();
    for _ in 0..n {
        enc.encode_features(std::hint::black_box(&feats), &mut x);
    }
    let en = t.elapsed().as_secs_f64() / n as f64 * 1e6;
    println!(
        "features {} : hashing {hf:.1} µs, table mean {en:.1} µs, sum {}",
        feats.len(),
        x[0]
    );
}

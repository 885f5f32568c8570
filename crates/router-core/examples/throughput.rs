//! Where tokenization time goes: pre-tokenization alone vs the whole count.
//! `cargo run --release -p router-core --example throughput -- FILE`
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: throughput FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let bpe = bpe_openai::o200k_base();
    let mb = text.len() as f64 / 1e6;
    let rounds = 50;
    let t = Instant::now();
    let mut pieces = 0;
    for _ in 0..rounds {
        pieces += bpe.split(&text).count();
    }
    let split = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tokens = 0;
    for _ in 0..rounds {
        tokens += bpe.count(text.as_str());
    }
    let count = t.elapsed().as_secs_f64();
    println!(
        "{} pieces, {} tokens; split {:.1} MB/s, count {:.1} MB/s",
        pieces / rounds,
        tokens / rounds,
        mb * rounds as f64 / split,
        mb * rounds as f64 / count
    );
}

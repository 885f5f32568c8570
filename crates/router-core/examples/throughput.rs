//! Where tokenization time goes: pre-tokenization alone vs the whole count.
//! `cargo run --release -p router-core --example throughput -- FILE`
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let path = std::env::args().nth(1).expect("usage: throughput FILE");
    let text = std::fs::read_to_string(path).unwrap();
    let bpe = bpe_openai::o200k_base();
    let fast = router_core::Tokenizer::from_encoding("o200k_base").unwrap();
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
    let t = Instant::now();
    let mut fast_pieces = 0;
    for _ in 0..rounds {
        fast_pieces += router_core::pretokenize::Pieces::new(
            &text,
            router_core::pretokenize::Flavor::O200k,
            bpe,
        )
        .count();
    }
    assert_eq!(fast_pieces, pieces);
    println!(
        "router-core pre-tokenizer {:.1} MB/s",
        mb * rounds as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    for _ in 0..rounds {
        assert_eq!(fast.count(&text).unwrap(), tokens / rounds);
    }
    let fast_count = t.elapsed().as_secs_f64();
    println!(
        "router-core count (whole-token fast path) {:.1} MB/s",
        mb * rounds as f64 / fast_count
    );
    println!(
        "{} pieces, {} tokens; split {:.1} MB/s, count {:.1} MB/s",
        pieces / rounds,
        tokens / rounds,
        mb * rounds as f64 / split,
        mb * rounds as f64 / count
    );
}

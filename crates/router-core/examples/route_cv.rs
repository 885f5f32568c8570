//! Leave-one-source-out APGR of each router on a dataset, for tuning:
//! cargo run --release --example route_cv -- data/router/mmlu-train.jsonl gpt-4-1106-preview mixtral-8x7b-instruct-v0.1
use router_core::routing::{
    cross_validate, featurize, metrics, parse_jsonl, Folds, Inputs, Pairs, RouterKind, TrainConfig,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let text = std::fs::read_to_string(&args[1]).unwrap();
    let data = parse_jsonl(&text, &args[1]).unwrap();
    let (strong, weak) = (args[2].clone(), args[3].clone());
    let s: Vec<f64> = data.iter().map(|e| e.scores[&strong]).collect();
    let w: Vec<f64> = data.iter().map(|e| e.scores[&weak]).collect();
    let o = metrics::oracle(&s, &w).unwrap();
    println!(
        "n {} weak {:.3} strong {:.3} oracle apgr {:.3}",
        data.len(),
        o.weak_mean,
        o.strong_mean,
        o.apgr
    );
    let epochs: usize = std::env::var("EPOCHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8);
    let lr: f32 = std::env::var("LR")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.2);
    for kind in ["random", "classifier", "mf", "sw"] {
        let t = std::time::Instant::now();
        let seed: u64 = std::env::var("SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(42);
        let cfg = TrainConfig {
            router: RouterKind::parse(kind).unwrap(),
            strong: strong.clone(),
            weak: weak.clone(),
            epochs,
            lr,
            seed,
            ..Default::default()
        };
        let inputs = Inputs::Hashed(featurize(&data, cfg.buckets));
        let folds = Folds::by_source(&data);
        let scores =
            cross_validate(&data, &inputs, &cfg, &folds, &Pairs::new(), |_, _, _| {}).unwrap();
        let e = metrics::evaluate(&scores, &s, &w).unwrap();
        println!(
            "{kind:<10} apgr {:.3} cpt50 {:.3} cpt80 {:.3}  ({:.1}s)",
            e.apgr,
            e.cpt50,
            e.cpt80,
            t.elapsed().as_secs_f64()
        );
    }
}

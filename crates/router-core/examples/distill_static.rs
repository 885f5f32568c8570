//! Distils the static encoder (`--encoder static`) from all-MiniLM-L6-v2, once, into the models
//! folder; scripts/fetch-models.sh runs it after fetching the model:
//! cargo run --release -p router-core --example distill_static [-- DIMS]
use router_core::routing::options::{SENTENCE_MODEL, STATIC_MODEL};
use router_core::routing::{distill, models_dir, sentence::SentenceEncoder};

fn main() -> Result<(), String> {
    let dims: usize = std::env::args()
        .nth(1)
        .map(|d| d.parse().map_err(|e| format!("DIMS: {e}")))
        .transpose()?
        .unwrap_or(256);
    let source = models_dir().join(SENTENCE_MODEL);
    let out = models_dir().join(STATIC_MODEL);
    let enc = SentenceEncoder::load(&source)?;
    let started = std::time::Instant::now();
    let s = distill::distill(&enc, dims, None, |done, total| {
        if done % 4096 < 256 || done == total {
            eprintln!(
                "  {done}/{total} tokens ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    })?;
    // Written beside, then renamed: a half-written folder is never taken for a finished one.
    let part = out.with_extension("part");
    let _ = std::fs::remove_dir_all(&part);
    s.save_dir(&part, SENTENCE_MODEL)?;
    let _ = std::fs::remove_dir_all(&out);
    std::fs::rename(&part, &out).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("{}", out.display());
    Ok(())
}

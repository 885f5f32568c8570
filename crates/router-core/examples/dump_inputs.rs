//! Writes every prompt's static-encoder vector and explicit features (raw little-endian f32,
//! row-major) for offline analysis: cargo run --release --example dump_inputs -- OUT FILE...
use router_core::routing::options::STATIC_MODEL;
use router_core::routing::{jobs, prompt_features, static_encoder};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, files) = args.split_first().ok_or("usage: dump_inputs OUT FILE...")?;
    let (data, _) = jobs::load_data(files)?;
    let enc = static_encoder::distilled(STATIC_MODEL)?;
    let width = enc.dim + prompt_features::NAMES.len();
    let mut all = vec![0.0f32; data.len() * width];
    for (ex, row) in data.iter().zip(all.chunks_exact_mut(width)) {
        enc.encode(&ex.prompt, &mut row[..enc.dim])?;
        prompt_features::prompt_features(&ex.prompt, ex.turns, &mut row[enc.dim..]);
    }
    let bytes: Vec<u8> = all.iter().flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(out, bytes).map_err(|e| e.to_string())?;
    println!("{} rows x {width}", data.len());
    Ok(())
}

//! Sentence embeddings of training data, computed once per data file and
//! cached in the models folder (`embeddings/<model>-<hash of the prompts>.f32`):
//! a pretrained encoder on CPU takes minutes over a dataset.

use std::path::PathBuf;

use super::data::Example;
use super::encoder::{sentence_encoder, Encoder};

/// The cache file for these prompts (FNV-1a over every prompt and a separator).
pub fn cache_path(model: &str, prompts: &[Example]) -> PathBuf {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for ex in prompts {
        for b in ex.prompt.bytes().chain([0u8]) {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    super::models_dir()
        .join("embeddings")
        .join(format!("{model}-{h:016x}.f32"))
}

fn read_cache(path: &PathBuf, rows: usize, dim: usize) -> Option<Vec<f32>> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.len() != rows * dim * 4 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect(),
    )
}

/// A cache that cannot be written only costs the next run the embedding time.
fn write_cache(path: &PathBuf, vectors: &[f32]) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let bytes: Vec<u8> = vectors.iter().flat_map(|v| v.to_le_bytes()).collect();
    let _ = std::fs::write(path, bytes);
}

/// Every example's vector from the pretrained encoder `model` (a folder under the models
/// folder), row-major; `per_file` says how many examples each data file holds, so each file is
/// cached on its own and combined runs reuse them.
pub fn sentence_vectors(
    model: &str,
    files: &[String],
    data: &[Example],
    per_file: &[usize],
    progress: bool,
) -> Result<(Encoder, Vec<f32>), String> {
    let encoder = sentence_encoder(model)?;
    let dim = encoder.dim();
    let started = std::time::Instant::now();
    let mut vectors = Vec::with_capacity(data.len() * dim);
    let mut start = 0;
    for (file, &count) in files.iter().zip(per_file) {
        let part = &data[start..start + count];
        start += count;
        let path = cache_path(model, part);
        if let Some(cached) = read_cache(&path, part.len(), dim) {
            vectors.extend(cached);
            continue;
        }
        let texts: Vec<&str> = part.iter().map(|e| e.prompt.as_str()).collect();
        let embedded = encode_all(&encoder, &texts, |done, total| {
            if progress && (done % 1024 < 32 || done == total) {
                eprintln!(
                    "  embedding {file}: {done}/{total} ({:.0} s)",
                    started.elapsed().as_secs_f64()
                );
            }
        })?;
        write_cache(&path, &embedded);
        vectors.extend(embedded);
    }
    Ok((encoder, vectors))
}

#[cfg(feature = "sentence")]
fn encode_all(
    encoder: &Encoder,
    texts: &[&str],
    progress: impl FnMut(usize, usize) + Send,
) -> Result<Vec<f32>, String> {
    match encoder {
        Encoder::Sentence(enc) => enc.encode_all(texts, progress),
        other => Err(format!("{other:?} is not a pretrained sentence encoder")),
    }
}

#[cfg(not(feature = "sentence"))]
fn encode_all(
    _encoder: &Encoder,
    _texts: &[&str],
    _progress: impl FnMut(usize, usize) + Send,
) -> Result<Vec<f32>, String> {
    Err("this build has no sentence encoder".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::heads::toy;

    #[test]
    fn cache_files_are_keyed_by_the_prompts_and_checked_by_size() {
        let data = toy::data();
        let (a, b) = (cache_path("m", &data[..10]), cache_path("m", &data[..11]));
        assert_ne!(a, b);
        assert_eq!(a, cache_path("m", &data[..10]));
        let path = std::env::temp_dir().join(format!("emb-cache-{}.f32", std::process::id()));
        write_cache(&path, &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(read_cache(&path, 2, 2), Some(vec![1.0, 2.0, 3.0, 4.0]));
        assert_eq!(read_cache(&path, 3, 2), None);
        std::fs::remove_file(path).ok();
    }
}

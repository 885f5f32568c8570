//! `static`: a static sentence encoder distilled from a pretrained one
//! (Model2Vec's method, see distill.rs): one vector per vocabulary token, and
//! a prompt's vector is the normalised mean of its tokens' vectors. A decision
//! costs a tokenization and a sum — microseconds, not a transformer pass.
//! The table and the tokenizer.json travel in the router's folder, so a
//! trained router needs no download.

use std::path::Path;

/// Prompts longer than this are read as their first and last halves of it: bounded work, and
/// the end of a long prompt (where the question usually is) still counts.
const MAX_BYTES: usize = 16 * 1024;

/// The file the tokenizer is kept in, beside the table.
pub const TOKENIZER_FILE: &str = "tokenizer.json";

pub struct StaticEncoder {
    tokenizer: tokenizers::Tokenizer,
    /// `vocab x dim`, row-major.
    pub table: Vec<f32>,
    pub dim: usize,
}

impl std::fmt::Debug for StaticEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Static({} x {})",
            self.table.len() / self.dim.max(1),
            self.dim
        )
    }
}

/// The char boundary at or before `i`.
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text the encoder reads: all of it, or its first and last `MAX_BYTES / 2`.
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_BYTES {
        return text.into();
    }
    let head = floor_boundary(text, MAX_BYTES / 2);
    let tail = floor_boundary(text, text.len() - MAX_BYTES / 2);
    format!("{}\n{}", &text[..head], &text[tail..]).into()
}

/// The distilled table's file in a models folder (raw little-endian f32, `vocab x dim`).
const TABLE_FILE: &str = "table.f32";
const CONFIG_FILE: &str = "static.json";

impl StaticEncoder {
    /// Writes a distilled encoder as a folder of the models cache: tokenizer.json, the table and
    /// its shape.
    pub fn save_dir(&self, dir: &Path, source: &str) -> Result<(), String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        self.save_tokenizer(dir)?;
        let bytes: Vec<u8> = self.table.iter().flat_map(|v| v.to_le_bytes()).collect();
        std::fs::write(dir.join(TABLE_FILE), bytes).map_err(|e| e.to_string())?;
        let config =
            serde_json::json!({ "dim": self.dim, "source": source, "method": "model2vec" });
        std::fs::write(dir.join(CONFIG_FILE), config.to_string()).map_err(|e| e.to_string())
    }

    /// A distilled encoder saved by `save_dir`.
    pub fn load_dir(dir: &Path) -> Result<Self, String> {
        let config: serde_json::Value = std::fs::read(dir.join(CONFIG_FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or_else(|| {
                format!(
                    "static encoder needs {} (run scripts/fetch-models.sh, which distils it from all-MiniLM-L6-v2)",
                    dir.join(CONFIG_FILE).display()
                )
            })?;
        let dim = config["dim"].as_u64().unwrap_or(0) as usize;
        let bytes = std::fs::read(dir.join(TABLE_FILE))
            .map_err(|e| format!("{}: {e}", dir.join(TABLE_FILE).display()))?;
        let table = bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Self::load(dir, table, dim)
    }

    /// A table for the tokenizer's vocabulary; the tokenizer reads whole prompts (no truncation,
    /// no padding) and adds no special tokens.
    pub fn new(
        mut tokenizer: tokenizers::Tokenizer,
        table: Vec<f32>,
        dim: usize,
    ) -> Result<Self, String> {
        let vocab = tokenizer.get_vocab_size(true);
        if dim == 0 || table.len() != vocab * dim {
            return Err(format!(
                "static encoder table has {} values, expected {vocab} tokens x {dim}",
                table.len()
            ));
        }
        tokenizer
            .with_truncation(None)
            .map_err(|e| format!("static encoder tokenizer: {e}"))?;
        tokenizer.with_padding(None);
        Ok(StaticEncoder {
            tokenizer,
            table,
            dim,
        })
    }

    /// The tokenizer.json in `dir` and a table.
    pub fn load(dir: &Path, table: Vec<f32>, dim: usize) -> Result<Self, String> {
        let path = dir.join(TOKENIZER_FILE);
        let tokenizer = tokenizers::Tokenizer::from_file(&path)
            .map_err(|e| format!("static encoder {}: {e}", path.display()))?;
        Self::new(tokenizer, table, dim)
    }

    /// Writes the tokenizer beside a router's weights.
    pub fn save_tokenizer(&self, dir: &Path) -> Result<(), String> {
        self.tokenizer
            .save(dir.join(TOKENIZER_FILE), false)
            .map_err(|e| format!("{}: {e}", dir.join(TOKENIZER_FILE).display()))
    }

    /// The prompt's vector into `out` (length `dim`): the mean of its tokens' rows, normalised;
    /// zeros for a prompt without tokens.
    pub fn encode(&self, text: &str, out: &mut [f32]) -> Result<(), String> {
        out.iter_mut().for_each(|v| *v = 0.0);
        let text = bounded(text);
        let enc = self
            .tokenizer
            .encode_fast(text.as_ref(), false)
            .map_err(|e| format!("static encoder tokenizer: {e}"))?;
        for &id in enc.get_ids() {
            let row = &self.table[id as usize * self.dim..(id as usize + 1) * self.dim];
            for (o, r) in out.iter_mut().zip(row) {
                *o += r;
            }
        }
        let norm = out.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|v| *v /= norm);
        }
        Ok(())
    }
}

/// The distilled encoder in the models folder, loaded once per process.
pub fn distilled(name: &str) -> Result<std::sync::Arc<StaticEncoder>, String> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<StaticEncoder>>>> = OnceLock::new();
    let dir = super::models_dir().join(name);
    let key = dir.to_string_lossy().into_owned();
    let mut map = CACHE
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .map_err(|_| "static encoder cache poisoned".to_string())?;
    if let Some(e) = map.get(&key) {
        return Ok(e.clone());
    }
    let enc = Arc::new(StaticEncoder::load_dir(&dir)?);
    map.insert(key, enc.clone());
    Ok(enc)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A word-level tokenizer over a tiny vocabulary, for tests that need no downloaded model.
    pub fn tiny_tokenizer() -> tokenizers::Tokenizer {
        let json = r#"{
          "version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
          "normalizer": {"type": "Lowercase"},
          "pre_tokenizer": {"type": "Whitespace"},
          "post_processor": null, "decoder": null,
          "model": {"type": "WordLevel", "unk_token": "[UNK]",
            "vocab": {"[UNK]": 0, "prove": 1, "integral": 2, "hello": 3, "weather": 4}}
        }"#;
        tokenizers::Tokenizer::from_bytes(json.as_bytes()).unwrap()
    }

    #[test]
    fn a_prompt_is_the_normalised_mean_of_its_tokens() {
        let table = vec![0.0, 0.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0];
        let enc = StaticEncoder::new(tiny_tokenizer(), table, 2).unwrap();
        let mut x = [0.0; 2];
        enc.encode("Prove integral", &mut x).unwrap();
        assert_eq!(x, [1.0, 0.0]);
        enc.encode("hello prove", &mut x).unwrap();
        let s = std::f32::consts::FRAC_1_SQRT_2;
        assert!((x[0] - s).abs() < 1e-6 && (x[1] - s).abs() < 1e-6, "{x:?}");
        assert!(StaticEncoder::new(tiny_tokenizer(), vec![0.0; 3], 2).is_err());
        let dir = std::env::temp_dir().join(format!("static-enc-{}", std::process::id()));
        enc.save_dir(&dir, "tiny").unwrap();
        let back = StaticEncoder::load_dir(&dir).unwrap();
        std::fs::remove_dir_all(&dir).ok();
        let mut y = [0.0; 2];
        back.encode("hello prove", &mut y).unwrap();
        assert_eq!(x, y);
        assert!(StaticEncoder::load_dir(&dir)
            .unwrap_err()
            .contains("scripts/fetch-models.sh"));
    }

    #[test]
    fn long_prompts_are_read_at_both_ends() {
        let text = format!("{}{}{}", "é".repeat(10_000), "middle", "z".repeat(10_000));
        let b = bounded(&text);
        assert!(b.len() <= MAX_BYTES + 1);
        assert!(b.starts_with('é') && b.ends_with('z') && !b.contains("middle"));
        assert_eq!(bounded("short"), "short");
    }
}

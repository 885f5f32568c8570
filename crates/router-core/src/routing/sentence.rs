//! The `sentence` encoder: a pretrained sentence-transformers model
//! (all-MiniLM-L6-v2 class: BERT, mean pooling, L2 normalisation) run on CPU
//! with candle from the model's own `model.safetensors`, `config.json` and
//! `tokenizer.json`. Its weights are not part of the project: they live in a
//! models folder (scripts/fetch-models.sh).

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};

/// Tokens read per prompt (the model was trained with 256).
const MAX_TOKENS: usize = 256;

/// The start of a prompt that is tokenized: far more than MAX_TOKENS word pieces need, and
/// bounded work. Tokenizing a client's whole 9 MB prompt to keep its first 256 tokens held the
/// event loop for seconds.
const MAX_TEXT_BYTES: usize = MAX_TOKENS * 64;

/// `text` cut to at most MAX_TEXT_BYTES, at a character boundary.
fn head(text: &str) -> &str {
    let mut end = text.len().min(MAX_TEXT_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

pub struct SentenceEncoder {
    model: BertModel,
    tokenizer: tokenizers::Tokenizer,
    pub dim: usize,
    pub dir: PathBuf,
}

fn err(dir: &Path, what: &str, e: impl std::fmt::Display) -> String {
    format!("sentence encoder at {}: {what}: {e}", dir.display())
}

impl SentenceEncoder {
    pub fn load(dir: &Path) -> Result<Self, String> {
        for f in ["config.json", "model.safetensors", "tokenizer.json"] {
            if !dir.join(f).exists() {
                return Err(format!(
                    "sentence encoder needs {} (run scripts/fetch-models.sh, or set SWITCHBOARD_MODELS)",
                    dir.join(f).display()
                ));
            }
        }
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(dir.join("config.json"))
                .map_err(|e| err(dir, "config.json", e))?,
        )
        .map_err(|e| err(dir, "config.json", e))?;
        let dim = serde_json::from_str::<serde_json::Value>(
            &std::fs::read_to_string(dir.join("config.json")).unwrap_or_default(),
        )
        .ok()
        .and_then(|v| v["hidden_size"].as_u64())
        .unwrap_or(384) as usize;
        // SAFETY: the weights file is memory-mapped read-only; it must not change while the encoder lives.
        let vb = unsafe {
            VarBuilder::from_mmaped_safetensors(
                &[dir.join("model.safetensors")],
                DType::F32,
                &Device::Cpu,
            )
        }
        .map_err(|e| err(dir, "model.safetensors", e))?;
        let model = BertModel::load(vb, &config).map_err(|e| err(dir, "model", e))?;
        let tokenizer = tokenizers::Tokenizer::from_file(dir.join("tokenizer.json"))
            .map_err(|e| err(dir, "tokenizer.json", e))?;
        Ok(SentenceEncoder {
            model,
            tokenizer,
            dim,
            dir: dir.to_path_buf(),
        })
    }

    /// Normalised sentence embeddings, one `dim`-vector per text, row-major.
    pub fn encode_batch(&self, texts: &[&str]) -> Result<Vec<f32>, String> {
        if texts.is_empty() {
            return Ok(vec![]);
        }
        let e = |what: &str, x: candle_core::Error| format!("sentence encoder {what}: {x}");
        let encodings = self
            .tokenizer
            .encode_batch(texts.iter().map(|t| head(t)).collect::<Vec<_>>(), true)
            .map_err(|x| format!("sentence encoder tokenizer: {x}"))?;
        // Real tokens only: tokenizer.json may carry its own padding settings.
        let real = |x: &tokenizers::Encoding| {
            x.get_attention_mask()
                .iter()
                .filter(|&&m| m == 1)
                .count()
                .min(MAX_TOKENS)
        };
        let len = encodings.iter().map(real).max().unwrap_or(1).max(1);
        let (mut ids, mut mask) = (
            Vec::with_capacity(texts.len() * len),
            Vec::with_capacity(texts.len() * len),
        );
        for enc in &encodings {
            let n = real(enc);
            for i in 0..len {
                ids.push(if i < n { enc.get_ids()[i] } else { 0 });
                mask.push(if i < n { 1u32 } else { 0 });
            }
        }
        let device = Device::Cpu;
        let ids = Tensor::from_vec(ids, (texts.len(), len), &device).map_err(|x| e("input", x))?;
        let mask =
            Tensor::from_vec(mask, (texts.len(), len), &device).map_err(|x| e("input", x))?;
        let types = ids.zeros_like().map_err(|x| e("input", x))?;
        let out = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(|x| e("forward", x))?;
        // mean over real tokens, then L2 normalisation (sentence-transformers' pooling for this model)
        let m = mask
            .to_dtype(DType::F32)
            .and_then(|m| m.unsqueeze(2))
            .map_err(|x| e("pooling", x))?;
        let pooled = out
            .broadcast_mul(&m)
            .and_then(|s| s.sum(1))
            .and_then(|s| s.broadcast_div(&m.sum(1)?))
            .map_err(|x| e("pooling", x))?;
        let norm = pooled
            .sqr()
            .and_then(|s| s.sum_keepdim(1))
            .and_then(|s| s.sqrt())
            .map_err(|x| e("norm", x))?;
        let normed = pooled.broadcast_div(&norm).map_err(|x| e("norm", x))?;
        normed
            .flatten_all()
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|x| e("output", x))
    }

    /// The model's output for each token of the vocabulary on its own, read as `[SEP] token
    /// [CLS]` (Model2Vec's order) and averaged over the three positions: `ids.len()` rows.
    pub fn token_outputs(&self, ids: &[u32]) -> Result<Vec<f32>, String> {
        let e = |what: &str, x: candle_core::Error| format!("sentence encoder {what}: {x}");
        let (cls, sep) = (self.special_id("[CLS]")?, self.special_id("[SEP]")?);
        let input: Vec<u32> = ids.iter().flat_map(|&t| [sep, t, cls]).collect();
        let device = Device::Cpu;
        let ids_t = Tensor::from_vec(input, (ids.len(), 3), &device).map_err(|x| e("input", x))?;
        let mask = ids_t.ones_like().map_err(|x| e("input", x))?;
        let types = ids_t.zeros_like().map_err(|x| e("input", x))?;
        let out = self
            .model
            .forward(&ids_t, &types, Some(&mask))
            .map_err(|x| e("forward", x))?;
        out.mean(1)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .map_err(|x| e("output", x))
    }

    fn special_id(&self, token: &str) -> Result<u32, String> {
        self.tokenizer
            .token_to_id(token)
            .ok_or_else(|| format!("sentence encoder tokenizer has no {token}"))
    }

    /// The tokenizer.json the model reads with.
    pub fn tokenizer(&self) -> &tokenizers::Tokenizer {
        &self.tokenizer
    }

    /// Embeddings of many texts, in batches of 32 over two threads.
    pub fn encode_all(
        &self,
        texts: &[&str],
        mut progress: impl FnMut(usize, usize) + Send,
    ) -> Result<Vec<f32>, String> {
        let halves: Vec<&[&str]> = texts.chunks(texts.len().div_ceil(2).max(1)).collect();
        let done = std::sync::atomic::AtomicUsize::new(0);
        let progress = std::sync::Mutex::new(&mut progress);
        let parts: Vec<Result<Vec<f32>, String>> = std::thread::scope(|s| {
            let handles: Vec<_> = halves
                .iter()
                .map(|half| {
                    let done = &done;
                    let progress = &progress;
                    s.spawn(move || {
                        let mut out = Vec::with_capacity(half.len() * self.dim);
                        for batch in half.chunks(32) {
                            out.extend(self.encode_batch(batch)?);
                            let n = done
                                .fetch_add(batch.len(), std::sync::atomic::Ordering::Relaxed)
                                + batch.len();
                            if let Ok(mut p) = progress.lock() {
                                (*p)(n, texts.len());
                            }
                        }
                        Ok(out)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("encoder thread panicked".into()))
                })
                .collect()
        });
        let mut all = Vec::with_capacity(texts.len() * self.dim);
        for p in parts {
            all.extend(p?);
        }
        Ok(all)
    }
}

pub use super::models_dir;

#[cfg(test)]
mod tests {
    use super::*;

    fn encoder() -> Option<SentenceEncoder> {
        let dir = models_dir().join("all-MiniLM-L6-v2");
        // CI fetches the model first (scripts/test.sh); a developer without it sees the reason.
        match SentenceEncoder::load(&dir) {
            Ok(e) => Some(e),
            Err(e) if std::env::var_os("SWITCHBOARD_REQUIRE_MODELS").is_some() => panic!("{e}"),
            Err(e) => {
                eprintln!("skipping: {e}");
                None
            }
        }
    }

    #[test]
    fn embeddings_are_normalised_and_semantic() {
        let Some(enc) = encoder() else { return };
        let v = enc
            .encode_batch(&[
                "How do I bake bread?",
                "What is a good bread recipe?",
                "The stock market fell today.",
            ])
            .unwrap();
        assert_eq!(v.len(), 3 * 384);
        let row = |i: usize| &v[i * 384..(i + 1) * 384];
        let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        assert!((dot(row(0), row(0)) - 1.0).abs() < 1e-4);
        eprintln!(
            "sim similar {} unrelated {}",
            dot(row(0), row(1)),
            dot(row(0), row(2))
        );
        assert!(dot(row(0), row(1)) > dot(row(0), row(2)) + 0.2);
        // batching does not change an embedding
        let alone = enc.encode_batch(&["What is a good bread recipe?"]).unwrap();
        assert!(alone.iter().zip(row(1)).all(|(a, b)| (a - b).abs() < 1e-4));
    }
}

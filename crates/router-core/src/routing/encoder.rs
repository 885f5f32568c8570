//! Prompt text -> vector: hashed n-grams through a learned table (fastText),
//! a pretrained sentence encoder, or vectors computed outside (remote).

use super::features::hashed_features;

/// Hashed n-gram features averaged through a learned embedding table (fastText).
#[derive(Debug, Clone)]
pub struct HashedEncoder {
    pub buckets: u32,
    pub dim: usize,
    /// `buckets x dim`, row-major.
    pub table: Vec<f32>,
}

impl HashedEncoder {
    /// Mean of the feature rows into `out` (length `dim`).
    pub fn encode_features(&self, feats: &[u32], out: &mut [f32]) {
        out.iter_mut().for_each(|v| *v = 0.0);
        if feats.is_empty() {
            return;
        }
        // Columns in blocks of LANES summed in a local array the compiler keeps in vector
        // registers (3x faster than adding into `out` row by row); each column still adds its
        // rows in feature order, so the result is the same to the bit.
        const LANES: usize = 32;
        let dim = self.dim;
        let mut col = 0;
        while col < dim {
            let width = LANES.min(dim - col);
            if width == LANES {
                let mut acc = [0.0f32; LANES];
                for &f in feats {
                    let start = f as usize * dim + col;
                    let row: &[f32; LANES] = self.table[start..start + LANES]
                        .try_into()
                        .expect("a block of LANES");
                    for (a, r) in acc.iter_mut().zip(row) {
                        *a += r;
                    }
                }
                out[col..col + LANES].copy_from_slice(&acc);
            } else {
                for &f in feats {
                    let start = f as usize * dim + col;
                    for (o, r) in out[col..].iter_mut().zip(&self.table[start..start + width]) {
                        *o += r;
                    }
                }
            }
            col += width;
        }
        let inv = 1.0 / feats.len() as f32;
        out.iter_mut().for_each(|v| *v *= inv);
    }

    /// The mean-of-rows encoding passes its gradient to each feature row equally.
    pub fn update_rows(&mut self, feats: &[u32], gx: &[f32], lr: f32) {
        if feats.is_empty() {
            return;
        }
        let dim = self.dim;
        let scale = lr / feats.len() as f32;
        for &f in feats {
            let row = &mut self.table[f as usize * dim..(f as usize + 1) * dim];
            for (r, g) in row.iter_mut().zip(gx) {
                *r -= scale * g;
            }
        }
    }
}

#[derive(Clone)]
pub enum Encoder {
    Hashed(HashedEncoder),
    #[cfg(feature = "sentence")]
    Sentence(std::sync::Arc<super::sentence::SentenceEncoder>),
    /// A static encoder distilled from a pretrained one (its table travels with the router).
    Static(std::sync::Arc<super::static_encoder::StaticEncoder>),
    /// Vectors computed outside (an OpenAI-compatible /v1/embeddings backend): the caller passes them in.
    Remote {
        dim: usize,
    },
    /// Nothing to encode: the head reads the text itself (length, random), or an ensemble's
    /// members encode for themselves.
    Text,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<f32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

impl Encoder {
    pub fn dim(&self) -> usize {
        match self {
            Encoder::Hashed(h) => h.dim,
            Encoder::Remote { dim } => *dim,
            Encoder::Static(s) => s.dim,
            Encoder::Text => 0,
            #[cfg(feature = "sentence")]
            Encoder::Sentence(s) => s.dim,
        }
    }

    /// The name router.json records.
    pub fn name(&self) -> &'static str {
        match self {
            Encoder::Hashed(_) => "hashed",
            #[cfg(feature = "sentence")]
            Encoder::Sentence(_) => "sentence",
            Encoder::Remote { .. } => "remote",
            Encoder::Static(_) => "static",
            Encoder::Text => "text",
        }
    }

    /// Runs `f` on the prompt's vector; None when this encoder cannot encode text here (remote).
    pub fn with_vector<T>(&self, text: &str, f: impl FnOnce(&[f32]) -> T) -> Option<T> {
        match self {
            Encoder::Hashed(enc) => Some(SCRATCH.with(|scratch| {
                // Reused per thread: a decision allocates nothing once warm.
                let (feats, x) = &mut *scratch.borrow_mut();
                hashed_features(text, enc.buckets, feats);
                x.resize(enc.dim, 0.0);
                enc.encode_features(feats, x);
                f(x)
            })),
            #[cfg(feature = "sentence")]
            Encoder::Sentence(enc) => enc.encode_batch(&[text]).ok().map(|x| f(&x)),
            Encoder::Static(enc) => SCRATCH.with(|scratch| {
                let (_, x) = &mut *scratch.borrow_mut();
                x.resize(enc.dim, 0.0);
                enc.encode(text, x).ok().map(|()| f(x))
            }),
            Encoder::Text => Some(f(&[])),
            Encoder::Remote { .. } => None,
        }
    }
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Encoder::Hashed(h) => write!(f, "Hashed({} x {})", h.buckets, h.dim),
            Encoder::Remote { dim } => write!(f, "Remote({dim})"),
            Encoder::Text => write!(f, "Text"),
            Encoder::Static(s) => write!(f, "{s:?}"),
            #[cfg(feature = "sentence")]
            Encoder::Sentence(s) => write!(f, "Sentence({})", s.dir.display()),
        }
    }
}

/// The pretrained encoder named in router.json, loaded once per process.
#[cfg(feature = "sentence")]
pub fn sentence_encoder(name: &str) -> Result<Encoder, String> {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<super::sentence::SentenceEncoder>>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = cache
        .lock()
        .map_err(|_| "encoder cache poisoned".to_string())?;
    // Keyed by folder: SWITCHBOARD_MODELS may point elsewhere later in the process.
    let dir = super::sentence::models_dir().join(name);
    let key = dir.to_string_lossy().into_owned();
    if let Some(e) = map.get(&key) {
        return Ok(Encoder::Sentence(e.clone()));
    }
    let enc = Arc::new(super::sentence::SentenceEncoder::load(&dir)?);
    map.insert(key, enc.clone());
    Ok(Encoder::Sentence(enc))
}

#[cfg(not(feature = "sentence"))]
pub fn sentence_encoder(_name: &str) -> Result<Encoder, String> {
    Err("this build has no sentence encoder (router-core feature \"sentence\")".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocked_sum_is_the_plain_sum_to_the_bit_at_any_width() {
        for dim in [1, 31, 32, 40, 64, 100] {
            let buckets = 64u32;
            let table: Vec<f32> = (0..buckets as usize * dim)
                .map(|i| ((i * 2_654_435_761) % 1000) as f32 / 997.0 - 0.5)
                .collect();
            let feats: Vec<u32> = (0..500).map(|i| (i * 37 % 64) as u32).collect();
            let mut plain = vec![0.0f32; dim];
            for &f in &feats {
                for (o, r) in plain.iter_mut().zip(&table[f as usize * dim..]) {
                    *o += r;
                }
            }
            plain
                .iter_mut()
                .for_each(|v| *v *= 1.0 / feats.len() as f32);
            let h = HashedEncoder {
                buckets,
                dim,
                table,
            };
            let mut x = vec![0.0f32; dim];
            h.encode_features(&feats, &mut x);
            assert_eq!(x, plain, "dim {dim}");
        }
    }

    #[test]
    fn hashed_encoding_is_the_mean_of_rows_and_learns_per_row() {
        let mut h = HashedEncoder {
            buckets: 4,
            dim: 2,
            table: vec![0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 0.0, 0.0],
        };
        let mut x = [0.0; 2];
        h.encode_features(&[1, 2], &mut x);
        assert_eq!(x, [2.0, 3.0]);
        h.update_rows(&[1, 2], &[1.0, 1.0], 0.5);
        assert_eq!(&h.table[2..6], &[0.75, 1.75, 2.75, 3.75]);
        let enc = Encoder::Hashed(h);
        assert_eq!(enc.with_vector("some words", |v| v.len()), Some(2));
        assert_eq!(
            Encoder::Remote { dim: 3 }.with_vector("x", |v| v.len()),
            None
        );
    }
}

//! Semantic routes (LangChain / semantic-router style): each route is defined
//! by example utterances, embedded once when the route is loaded; a prompt goes
//! to the route whose utterances it is most similar to. Similarities per route
//! are aggregated over its `top_k` closest utterances.
//!
//! Encoders: `lexical` (TF-IDF over the hashed word/bigram/char-trigram
//! features, cosine; no weights, microseconds), `sentence` (the pretrained
//! encoder), or vectors computed outside (remote embeddings).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::features::hashed_features;

/// Feature ids are already hashes: a multiplicative mix is enough, and much
/// cheaper than the default SipHash on the per-request path.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

type IdMap<V> = HashMap<u32, V, BuildHasherDefault<IdHasher>>;
use super::encoder::Encoder;

const LEXICAL_BUCKETS: u32 = 1 << 20;

enum Space {
    /// bucket -> its IDF and (utterance, weight) postings.
    Lexical {
        postings: IdMap<(f32, Vec<(u32, f32)>)>,
        default_idf: f32,
    },
    /// Normalised utterance vectors, row-major; `encoder` embeds prompts (None: vectors come from outside).
    Dense {
        vectors: Vec<f32>,
        dim: usize,
        encoder: Option<Encoder>,
    },
}

pub struct SemanticIndex {
    space: Space,
    route_of: Vec<u32>,
    routes: usize,
    top_k: usize,
}

fn normalise(v: &mut [f32]) {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if n > 0.0 {
        v.iter_mut().for_each(|x| *x /= n);
    }
}

/// Sub-linear term frequencies of the text's hashed features, by feature id.
fn term_counts(text: &str) -> Vec<(u32, f32)> {
    let mut feats = Vec::new();
    hashed_features(text, LEXICAL_BUCKETS, &mut feats);
    feats.sort_unstable();
    let mut tf: Vec<(u32, f32)> = Vec::with_capacity(feats.len());
    for f in feats {
        match tf.last_mut() {
            Some((id, c)) if *id == f => *c += 1.0,
            _ => tf.push((f, 1.0)),
        }
    }
    tf.iter_mut().for_each(|(_, c)| *c = 1.0 + c.ln());
    tf
}

impl SemanticIndex {
    fn check(route_of: &[u32], routes: usize, n: usize) -> Result<(), String> {
        if n == 0 || route_of.len() != n {
            return Err(format!(
                "semantic index: {} utterances but {} route ids",
                n,
                route_of.len()
            ));
        }
        if let Some(bad) = route_of.iter().find(|&&r| r as usize >= routes) {
            return Err(format!("semantic index: route id {bad} >= {routes} routes"));
        }
        Ok(())
    }

    /// TF-IDF over hashed features (IDF from the utterances themselves).
    pub fn lexical(
        utterances: &[&str],
        route_of: Vec<u32>,
        routes: usize,
        top_k: usize,
    ) -> Result<Self, String> {
        Self::check(&route_of, routes, utterances.len())?;
        let docs: Vec<Vec<(u32, f32)>> = utterances.iter().map(|u| term_counts(u)).collect();
        let mut postings: IdMap<(f32, Vec<(u32, f32)>)> = IdMap::default();
        for d in &docs {
            for &(b, _) in d {
                postings.entry(b).or_insert((0.0, Vec::new())).0 += 1.0;
            }
        }
        let n = docs.len() as f32;
        // df -> idf, in place
        for (df, _) in postings.values_mut() {
            *df = ((n + 1.0) / (*df + 1.0)).ln() + 1.0;
        }
        for (u, d) in docs.into_iter().enumerate() {
            let weights: Vec<(u32, f32)> = d
                .into_iter()
                .map(|(b, tf)| (b, tf * postings[&b].0))
                .collect();
            let norm = weights
                .iter()
                .map(|(_, w)| w * w)
                .sum::<f32>()
                .sqrt()
                .max(1e-12);
            for (b, w) in weights {
                if let Some((_, list)) = postings.get_mut(&b) {
                    list.push((u as u32, w / norm));
                }
            }
        }
        Ok(SemanticIndex {
            space: Space::Lexical {
                postings,
                default_idf: (n + 1.0).ln() + 1.0,
            },
            route_of,
            routes,
            top_k: top_k.max(1),
        })
    }

    /// Utterance vectors given (remote embeddings), or computed now by `encoder`.
    pub fn dense(
        mut vectors: Vec<f32>,
        dim: usize,
        encoder: Option<Encoder>,
        route_of: Vec<u32>,
        routes: usize,
        top_k: usize,
    ) -> Result<Self, String> {
        if dim == 0 || !vectors.len().is_multiple_of(dim) {
            return Err(format!(
                "semantic index: {} values are not whole vectors of {dim}",
                vectors.len()
            ));
        }
        Self::check(&route_of, routes, vectors.len() / dim)?;
        for v in vectors.chunks_mut(dim) {
            normalise(v);
        }
        Ok(SemanticIndex {
            space: Space::Dense {
                vectors,
                dim,
                encoder,
            },
            route_of,
            routes,
            top_k: top_k.max(1),
        })
    }

    /// Embeds utterances with a local encoder (sentence) and indexes them.
    #[cfg(feature = "sentence")]
    pub fn sentence(
        encoder: Encoder,
        utterances: &[&str],
        route_of: Vec<u32>,
        routes: usize,
        top_k: usize,
    ) -> Result<Self, String> {
        let Encoder::Sentence(enc) = &encoder else {
            return Err("semantic index: not a sentence encoder".into());
        };
        let vectors = enc.encode_all(utterances, |_, _| {})?;
        let dim = enc.dim;
        Self::dense(vectors, dim, Some(encoder), route_of, routes, top_k)
    }

    #[cfg(not(feature = "sentence"))]
    pub fn sentence(
        _encoder: Encoder,
        _utterances: &[&str],
        _route_of: Vec<u32>,
        _routes: usize,
        _top_k: usize,
    ) -> Result<Self, String> {
        Err("this build has no sentence encoder (router-core feature \"sentence\")".into())
    }

    pub fn routes(&self) -> usize {
        self.routes
    }

    /// Per-route similarity of the prompt (mean of its `top_k` best utterances), in route order.
    pub fn scores(&self, text: &str) -> Result<Vec<f32>, String> {
        match &self.space {
            Space::Lexical {
                postings,
                default_idf,
            } => {
                let q = term_counts(text);
                let mut hits: Vec<(f32, &[(u32, f32)])> = Vec::with_capacity(q.len());
                let mut norm = 0.0f32;
                for (b, tf) in q {
                    match postings.get(&b) {
                        Some((idf, list)) => {
                            let w = tf * idf;
                            norm += w * w;
                            hits.push((w, list));
                        }
                        // Terms no utterance has still count in the prompt's length.
                        None => norm += (tf * default_idf).powi(2),
                    }
                }
                let norm = norm.sqrt().max(1e-12);
                let mut sims = vec![0.0f32; self.route_of.len()];
                for (w, list) in hits {
                    for &(u, uw) in list {
                        sims[u as usize] += w / norm * uw;
                    }
                }
                Ok(self.aggregate(&sims))
            }
            Space::Dense { encoder, .. } => match encoder {
                #[cfg(feature = "sentence")]
                Some(Encoder::Sentence(enc)) => {
                    let x = enc.encode_batch(&[text])?;
                    self.scores_vector(&x)
                }
                _ => Err("this semantic index takes vectors (remote embeddings), not text".into()),
            },
        }
    }

    /// `scores` from the prompt's vector (remote embeddings).
    pub fn scores_vector(&self, x: &[f32]) -> Result<Vec<f32>, String> {
        let Space::Dense { vectors, dim, .. } = &self.space else {
            return Err("a lexical semantic index takes text, not vectors".into());
        };
        if x.len() != *dim {
            return Err(format!(
                "prompt vector has {} values, the utterances {dim}",
                x.len()
            ));
        }
        let norm = x.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
        let sims: Vec<f32> = vectors
            .chunks(*dim)
            .map(|u| u.iter().zip(x).map(|(a, b)| a * b).sum::<f32>() / norm)
            .collect();
        Ok(self.aggregate(&sims))
    }

    fn aggregate(&self, sims: &[f32]) -> Vec<f32> {
        // The k best similarities of each route, kept sorted (k is small).
        let k = self.top_k;
        let mut top = vec![f32::NEG_INFINITY; self.routes * k];
        let mut seen = vec![0usize; self.routes];
        for (u, &s) in sims.iter().enumerate() {
            let r = self.route_of[u] as usize;
            seen[r] += 1;
            let best = &mut top[r * k..(r + 1) * k];
            if s > best[k - 1] {
                let mut i = k - 1;
                while i > 0 && best[i - 1] < s {
                    best[i] = best[i - 1];
                    i -= 1;
                }
                best[i] = s;
            }
        }
        (0..self.routes)
            .map(|r| {
                let n = seen[r].min(k);
                if n == 0 {
                    return 0.0;
                }
                top[r * k..r * k + n].iter().sum::<f32>() / n as f32
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_index_sends_prompts_to_the_closest_route() {
        let utterances = [
            "write a python function to sort a list",
            "fix this javascript bug in my code",
            "how do I compile rust code",
            "hi there, how are you",
            "good morning, nice to meet you",
            "tell me a joke about cats",
        ];
        let idx = SemanticIndex::lexical(&utterances, vec![0, 0, 0, 1, 1, 1], 2, 2).unwrap();
        let code = idx.scores("please write a function in python").unwrap();
        let chat = idx.scores("hello, how are you this morning").unwrap();
        assert!(code[0] > code[1], "{code:?}");
        assert!(chat[1] > chat[0], "{chat:?}");
        // the same text is at similarity ~1 with itself
        let same = idx.scores("tell me a joke about cats").unwrap();
        assert!(same[1] > 0.5, "{same:?}");
    }

    #[test]
    fn dense_index_uses_top_k_mean_and_checks_sizes() {
        let v = vec![1.0, 0.0, 0.9, 0.1, 0.0, 1.0];
        let idx = SemanticIndex::dense(v, 2, None, vec![0, 0, 1], 2, 2).unwrap();
        let s = idx.scores_vector(&[1.0, 0.0]).unwrap();
        let second = 0.9 / (0.81f32 + 0.01).sqrt();
        assert!((s[0] - (1.0 + second) / 2.0).abs() < 1e-5, "{s:?}");
        assert!(s[1].abs() < 1e-6);
        assert!(idx.scores_vector(&[1.0]).is_err());
        assert!(idx.scores("text").is_err());
        assert!(SemanticIndex::dense(vec![1.0; 3], 2, None, vec![0], 1, 1).is_err());
        assert!(SemanticIndex::dense(vec![1.0; 2], 2, None, vec![3], 1, 1).is_err());
    }
}

//! Routers: a prompt encoder (hashed features -> dense vector) and a head
//! that turns the vector into the probability that the strong model's answer
//! beats the weak one's. Stored as `router.json` (shape, names, settings) and
//! `weights.bin` (every tensor as little-endian f16, in the order listed).

use std::fs;
use std::path::Path;

use half::f16;
use serde::{Deserialize, Serialize};

use super::features::hashed_features;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RouterKind {
    /// Matrix factorisation (RouteLLM mf): model embeddings against a projection of the prompt, Bradley-Terry.
    Mf,
    /// Similarity-weighted ranking (RouteLLM sw): training prompts weighted by similarity.
    Sw,
    /// Logistic head predicting that the strong model is needed.
    Classifier,
    /// Baseline: a uniform score from the prompt's hash.
    Random,
    /// Tryage: each model's expected quality on the prompt (a sigmoid per model over a shared projection).
    Predictive,
    /// Several strong/weak routers (e.g. one per encoder): the mean of each member's score as a
    /// percentile of its own training-prompt scores.
    Ensemble,
}

impl RouterKind {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "mf" => Ok(Self::Mf),
            "sw" => Ok(Self::Sw),
            "classifier" => Ok(Self::Classifier),
            "random" => Ok(Self::Random),
            "predictive" => Ok(Self::Predictive),
            "ensemble" => Ok(Self::Ensemble),
            other => Err(format!(
                "unknown router \"{other}\" (known: mf, sw, classifier, random, predictive)"
            )),
        }
    }
}

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
        for &f in feats {
            let row = &self.table[f as usize * self.dim..(f as usize + 1) * self.dim];
            for (o, r) in out.iter_mut().zip(row) {
                *o += r;
            }
        }
        let inv = 1.0 / feats.len() as f32;
        out.iter_mut().for_each(|v| *v *= inv);
    }
}

/// Prompt text -> vector.
#[derive(Clone)]
pub enum Encoder {
    Hashed(HashedEncoder),
    #[cfg(feature = "sentence")]
    Sentence(std::sync::Arc<super::sentence::SentenceEncoder>),
    /// Vectors computed outside (an OpenAI-compatible /v1/embeddings backend): the caller passes them in.
    Remote {
        dim: usize,
    },
    /// An ensemble's members encode for themselves.
    Members,
}

impl Encoder {
    pub fn dim(&self) -> usize {
        match self {
            Encoder::Hashed(h) => h.dim,
            Encoder::Remote { dim } => *dim,
            Encoder::Members => 0,
            #[cfg(feature = "sentence")]
            Encoder::Sentence(s) => s.dim,
        }
    }
}

impl std::fmt::Debug for Encoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Encoder::Hashed(h) => write!(f, "Hashed({} x {})", h.buckets, h.dim),
            Encoder::Remote { dim } => write!(f, "Remote({dim})"),
            Encoder::Members => write!(f, "Members"),
            #[cfg(feature = "sentence")]
            Encoder::Sentence(s) => write!(f, "Sentence({})", s.dir.display()),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Head {
    Classifier {
        w: Vec<f32>,
        b: f32,
    },
    /// classifier trained on labels: one row of weights per class (meta.classes), softmax.
    Softmax {
        w: Vec<f32>,
        b: Vec<f32>,
    },
    /// predictive: quality of model m = sigmoid(emb[m] . proj x + bias[m]).
    Quality {
        k: usize,
        proj: Vec<f32>,
        emb: Vec<f32>,
        bias: Vec<f32>,
    },
    Mf {
        k: usize,
        proj: Vec<f32>,
        emb: Vec<f32>,
        bias: Vec<f32>,
    },
    Sw {
        points: Vec<f32>,
        outcomes: Vec<f32>,
        gamma: f32,
    },
    Random,
    Ensemble(Vec<Router>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouterMeta {
    pub format: u32,
    pub router: RouterKind,
    pub encoder: String,
    pub buckets: u32,
    pub dim: usize,
    /// The pair the score is about.
    pub strong: String,
    pub weak: String,
    /// sentence: the pretrained model's folder name under the models folder.
    #[serde(default)]
    pub encoder_model: String,
    /// mf: every model it has an embedding for (any two can be the pair).
    #[serde(default)]
    pub models: Vec<String>,
    #[serde(default)]
    pub k: usize,
    #[serde(default)]
    pub gamma: f32,
    /// classifier with labels: the classes, in output order.
    #[serde(default)]
    pub classes: Vec<String>,
    /// classifier with labels: the data field the classes came from.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label_field: String,
    /// predictive: each model's mean answer length in the data, in tokens (output_chars / 4), the
    /// output-length estimate behind expected cost.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_tokens: Vec<f32>,
    /// Scores of the training prompts at every percentile (0..=100), so a target share of strong
    /// calls can be turned into a threshold without a calibration file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub score_percentiles: Vec<f32>,
    /// ensemble: the members' folder names under `members/`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Tensor names and lengths, in weights.bin order.
    pub tensors: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub struct Router {
    pub meta: RouterMeta,
    pub encoder: Encoder,
    pub head: Head,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<f32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

pub(super) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

pub(super) fn softmax(z: &mut [f32]) {
    let max = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    z.iter_mut().for_each(|v| *v /= sum);
}

pub(super) fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl Router {
    /// P(strong beats weak) for one prompt, with the model's own pair.
    pub fn score(&self, text: &str) -> f64 {
        if let Head::Random = self.head {
            return self.score_vector(&[], text) as f64;
        }
        if let Head::Ensemble(members) = &self.head {
            let sum: f64 = members
                .iter()
                .map(|m| percentile_rank(&m.meta.score_percentiles, m.score(text) as f32) as f64)
                .sum();
            return sum / members.len().max(1) as f64;
        }
        self.with_vector(text, |x| self.score_vector(x, text) as f64)
            .unwrap_or(0.5)
    }

    /// Every output for one prompt: class probabilities (classifier with labels), each model's
    /// predicted quality (predictive), or the single score (the others).
    pub fn outputs(&self, text: &str) -> Vec<f32> {
        if let Head::Random = self.head {
            return self.outputs_vector(&[], text);
        }
        self.with_vector(text, |x| self.outputs_vector(x, text))
            .unwrap_or_default()
    }

    /// Runs `f` on the prompt's vector; None when the encoder cannot encode text here (remote).
    fn with_vector<T>(&self, text: &str, f: impl FnOnce(&[f32]) -> T) -> Option<T> {
        match &self.encoder {
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
            Encoder::Remote { .. } | Encoder::Members => None,
        }
    }

    /// `outputs` from an already encoded prompt.
    pub fn outputs_vector(&self, x: &[f32], text: &str) -> Vec<f32> {
        match &self.head {
            Head::Softmax { w, b } => {
                let dim = x.len();
                let mut z: Vec<f32> = b
                    .iter()
                    .enumerate()
                    .map(|(c, bc)| dot(&w[c * dim..(c + 1) * dim], x) + bc)
                    .collect();
                softmax(&mut z);
                z
            }
            Head::Quality { k, proj, emb, bias } => {
                let px: Vec<f32> = (0..*k)
                    .map(|j| dot(&proj[j * x.len()..(j + 1) * x.len()], x))
                    .collect();
                (0..bias.len())
                    .map(|m| sigmoid(dot(&emb[m * k..(m + 1) * k], &px) + bias[m]))
                    .collect()
            }
            Head::Ensemble(_) => vec![self.score(text) as f32],
            _ => vec![self.score_vector(x, text)],
        }
    }

    /// The score from an already encoded prompt (`text` only feeds the random baseline).
    pub fn score_vector(&self, x: &[f32], text: &str) -> f32 {
        match &self.head {
            Head::Classifier { w, b } => sigmoid(dot(w, x) + b),
            // Multi-output heads have no single strong/weak score: the first output stands in.
            Head::Softmax { .. } | Head::Quality { .. } => {
                self.outputs_vector(x, text).first().copied().unwrap_or(0.5)
            }
            Head::Mf { k, proj, emb, bias } => {
                let (s, w) = (
                    self.model_index(&self.meta.strong),
                    self.model_index(&self.meta.weak),
                );
                let (Some(s), Some(w)) = (s, w) else {
                    return 0.5;
                };
                let mut px = vec![0.0f32; *k];
                for (j, p) in px.iter_mut().enumerate() {
                    *p = dot(&proj[j * x.len()..(j + 1) * x.len()], x);
                }
                let score = |m: usize| dot(&emb[m * k..(m + 1) * k], &px) + bias[m];
                sigmoid(score(s) - score(w))
            }
            Head::Sw {
                points,
                outcomes,
                gamma,
            } => {
                let dim = x.len();
                let norm = dot(x, x).sqrt().max(1e-12);
                let (mut num, mut den) = (0.0f32, 0.0f32);
                for (i, o) in outcomes.iter().enumerate() {
                    let sim = dot(&points[i * dim..(i + 1) * dim], x) / norm;
                    let wgt = (gamma * (sim - 1.0)).exp();
                    num += wgt * o;
                    den += wgt;
                }
                if den > 0.0 {
                    num / den
                } else {
                    0.5
                }
            }
            // Members read the text themselves (see `score`).
            Head::Ensemble(_) => self.score(text) as f32,
            Head::Random => {
                let mut h: u64 = 0xcbf2_9ce4_8422_2325;
                for b in text.bytes() {
                    h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
                }
                (h >> 40) as f32 / (1u64 << 24) as f32
            }
        }
    }

    fn model_index(&self, name: &str) -> Option<usize> {
        self.meta.models.iter().position(|m| m == name)
    }

    /// Points the mf router at another pair of the models it knows.
    pub fn with_pair(mut self, strong: &str, weak: &str) -> Result<Self, String> {
        if let Head::Ensemble(members) = self.head {
            let members = members
                .into_iter()
                .map(|m| m.with_pair(strong, weak))
                .collect::<Result<Vec<_>, _>>()?;
            self.head = Head::Ensemble(members);
            self.meta.strong = strong.to_string();
            self.meta.weak = weak.to_string();
            return Ok(self);
        }
        if let Head::Mf { .. } | Head::Quality { .. } = self.head {
            for m in [strong, weak] {
                if self.model_index(m).is_none() {
                    return Err(format!(
                        "router knows no model \"{m}\" (known: {})",
                        self.meta.models.join(", ")
                    ));
                }
            }
        } else if strong != self.meta.strong || weak != self.meta.weak {
            return Err(format!(
                "a {:?} router scores only the pair it was trained for ({} vs {})",
                self.meta.router, self.meta.strong, self.meta.weak
            ));
        }
        self.meta.strong = strong.to_string();
        self.meta.weak = weak.to_string();
        Ok(self)
    }

    pub fn save(&self, dir: &Path) -> Result<(), String> {
        fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut tensors: Vec<(String, &[f32])> = Vec::new();
        if let Encoder::Hashed(h) = &self.encoder {
            tensors.push(("encoder.table".into(), &h.table));
        }
        let b_holder;
        match &self.head {
            Head::Classifier { w, b } => {
                b_holder = [*b];
                tensors.push(("classifier.w".into(), w));
                tensors.push(("classifier.b".into(), &b_holder));
            }
            Head::Softmax { w, b } => {
                tensors.push(("softmax.w".into(), w));
                tensors.push(("softmax.b".into(), b));
            }
            Head::Quality {
                proj, emb, bias, ..
            } => {
                tensors.push(("quality.proj".into(), proj));
                tensors.push(("quality.emb".into(), emb));
                tensors.push(("quality.bias".into(), bias));
            }
            Head::Mf {
                proj, emb, bias, ..
            } => {
                tensors.push(("mf.proj".into(), proj));
                tensors.push(("mf.emb".into(), emb));
                tensors.push(("mf.bias".into(), bias));
            }
            Head::Sw {
                points, outcomes, ..
            } => {
                tensors.push(("sw.points".into(), points));
                tensors.push(("sw.outcomes".into(), outcomes));
            }
            Head::Random => {}
            Head::Ensemble(members) => {
                for (name, m) in self.meta.members.iter().zip(members) {
                    m.save(&dir.join("members").join(name))?;
                }
            }
        }
        let mut meta = self.meta.clone();
        meta.tensors = tensors.iter().map(|(n, t)| (n.clone(), t.len())).collect();
        let mut bytes = Vec::new();
        for (_, t) in &tensors {
            for v in t.iter() {
                bytes.extend_from_slice(&f16::from_f32(*v).to_le_bytes());
            }
        }
        let json = serde_json::to_string_pretty(&meta).map_err(|e| e.to_string())?;
        fs::write(dir.join("router.json"), json + "\n").map_err(|e| e.to_string())?;
        fs::write(dir.join("weights.bin"), bytes).map_err(|e| e.to_string())
    }

    pub fn load(dir: &Path) -> Result<Self, String> {
        let read = |name: &str| {
            fs::read(dir.join(name)).map_err(|e| format!("{}: {e}", dir.join(name).display()))
        };
        let meta: RouterMeta = serde_json::from_slice(&read("router.json")?)
            .map_err(|e| format!("{}: {e}", dir.join("router.json").display()))?;
        if meta.format != 1 {
            return Err(format!(
                "router format {} is not supported (expected 1)",
                meta.format
            ));
        }
        if !["hashed", "sentence", "remote", "ensemble"].contains(&meta.encoder.as_str()) {
            return Err(format!(
                "encoder \"{}\" is not known (known: hashed, sentence, remote, ensemble)",
                meta.encoder
            ));
        }
        let bytes = read("weights.bin")?;
        let total: usize = meta.tensors.iter().map(|(_, n)| n).sum();
        if bytes.len() != total * 2 {
            return Err(format!(
                "weights.bin has {} bytes, router.json describes {}",
                bytes.len(),
                total * 2
            ));
        }
        let take = |name: &str| -> Result<Vec<f32>, String> {
            let idx = meta
                .tensors
                .iter()
                .position(|(n, _)| n == name)
                .ok_or(format!("weights.bin lacks tensor {name}"))?;
            let start: usize = meta.tensors[..idx].iter().map(|(_, n)| n).sum();
            let len = meta.tensors[idx].1;
            Ok(bytes[start * 2..(start + len) * 2]
                .chunks_exact(2)
                .map(|c| f16::from_le_bytes([c[0], c[1]]).to_f32())
                .collect())
        };
        let encoder = if meta.encoder == "hashed" {
            let table = take("encoder.table")?;
            if table.len() != meta.buckets as usize * meta.dim {
                return Err("encoder table size does not match buckets x dim".into());
            }
            Encoder::Hashed(HashedEncoder {
                buckets: meta.buckets,
                dim: meta.dim,
                table,
            })
        } else if meta.encoder == "remote" {
            Encoder::Remote { dim: meta.dim }
        } else if meta.encoder == "ensemble" {
            Encoder::Members
        } else {
            sentence_encoder(&meta.encoder_model)?
        };
        let head = match meta.router {
            RouterKind::Classifier if !meta.classes.is_empty() => Head::Softmax {
                w: take("softmax.w")?,
                b: take("softmax.b")?,
            },
            RouterKind::Classifier => Head::Classifier {
                w: take("classifier.w")?,
                b: take("classifier.b")?[0],
            },
            RouterKind::Predictive => Head::Quality {
                k: meta.k,
                proj: take("quality.proj")?,
                emb: take("quality.emb")?,
                bias: take("quality.bias")?,
            },
            RouterKind::Mf => Head::Mf {
                k: meta.k,
                proj: take("mf.proj")?,
                emb: take("mf.emb")?,
                bias: take("mf.bias")?,
            },
            RouterKind::Sw => Head::Sw {
                points: take("sw.points")?,
                outcomes: take("sw.outcomes")?,
                gamma: meta.gamma,
            },
            RouterKind::Random => Head::Random,
            RouterKind::Ensemble => {
                let mut members = Vec::new();
                for name in &meta.members {
                    let m = Router::load(&dir.join("members").join(name))?;
                    if m.meta.score_percentiles.is_empty()
                        || matches!(m.encoder, Encoder::Remote { .. })
                    {
                        return Err(format!(
                            "ensemble member {name} must be a strong/weak router with a local encoder and training-score percentiles"
                        ));
                    }
                    members.push(m);
                }
                if members.is_empty() {
                    return Err("an ensemble router needs members".into());
                }
                Head::Ensemble(members)
            }
        };
        Ok(Router {
            meta,
            encoder,
            head,
        })
    }
}

/// Where `score` falls among a router's training-score percentiles (0..=100 in `p`), in [0, 1].
pub fn percentile_rank(p: &[f32], score: f32) -> f32 {
    let (Some(&first), Some(&last)) = (p.first(), p.last()) else {
        return score;
    };
    if score <= first {
        return 0.0;
    }
    if score >= last {
        return 1.0;
    }
    let i = p.partition_point(|&v| v <= score).saturating_sub(1);
    let (lo, hi) = (p[i], p[(i + 1).min(p.len() - 1)]);
    let frac = if hi > lo {
        (score - lo) / (hi - lo)
    } else {
        0.0
    };
    (i as f32 + frac) / (p.len() - 1) as f32
}

/// An ensemble of trained strong/weak routers for the same pair, named by their folder names.
pub fn ensemble(members: Vec<(String, Router)>) -> Result<Router, String> {
    let Some((_, first)) = members.first() else {
        return Err("an ensemble needs at least one member".into());
    };
    let (strong, weak) = (first.meta.strong.clone(), first.meta.weak.clone());
    for (name, m) in &members {
        if m.meta.strong != strong || m.meta.weak != weak {
            return Err(format!("ensemble member {name} scores another pair"));
        }
        if m.meta.score_percentiles.is_empty() {
            return Err(format!(
                "ensemble member {name} has no training-score percentiles"
            ));
        }
    }
    let meta = RouterMeta {
        format: 1,
        router: RouterKind::Ensemble,
        encoder: "ensemble".into(),
        buckets: 0,
        dim: 0,
        strong,
        weak,
        encoder_model: String::new(),
        models: vec![],
        k: 0,
        gamma: 0.0,
        classes: vec![],
        label_field: String::new(),
        output_tokens: vec![],
        score_percentiles: vec![],
        members: members.iter().map(|(n, _)| n.clone()).collect(),
        tensors: vec![],
    };
    Ok(Router {
        meta,
        encoder: Encoder::Members,
        head: Head::Ensemble(members.into_iter().map(|(_, r)| r).collect()),
    })
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

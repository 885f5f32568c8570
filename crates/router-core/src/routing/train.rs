//! Training, reproducible from a seed: single-threaded SGD over a seeded
//! shuffle. For hashed inputs the encoder's embedding table is learned
//! jointly with the head (fastText's supervised mode), so no pretrained
//! weights are needed; pretrained or remote vectors stay fixed.

use std::collections::BTreeSet;

use super::data::Example;
use super::encoder::{Encoder, HashedEncoder};
use super::features::hashed_features;
use super::heads::{self, Head};
use super::meta::{percentiles, RouterKind, RouterMeta};
use super::rng::Rng;
use super::targets::Target;
use super::Router;

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub router: RouterKind,
    pub strong: String,
    pub weak: String,
    pub seed: u64,
    pub epochs: usize,
    pub buckets: u32,
    pub dim: usize,
    /// mf / predictive: size of the model embeddings.
    pub k: usize,
    pub lr: f32,
    pub l2: f32,
    /// sw: similarity sharpness.
    pub gamma: f32,
    /// classifier: train on the classes in this data field instead of the strong/weak pair.
    pub label_field: Option<String>,
    /// remote encoder: the embedding model's name, recorded in router.json.
    pub encoder_model: String,
    /// Read the explicit prompt features after the encoder's vector (dense inputs only).
    pub features: bool,
    /// Fail when the data does not score the pair. Cross-validation folds of routers that can be
    /// pointed at any pair of their models (mf) train without it: the held-out dataset's pair is
    /// what they are measured with.
    pub require_pair: bool,
    /// knn, cluster: the per-prompt target (targets.rs).
    pub target: Target,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            router: RouterKind::Mf,
            strong: String::new(),
            weak: String::new(),
            seed: 42,
            epochs: 8,
            buckets: 1 << 15,
            dim: 32,
            k: 16,
            lr: 0.2,
            l2: 1e-5,
            gamma: 10.0,
            label_field: None,
            encoder_model: String::new(),
            features: false,
            require_pair: true,
            target: Target::Gain,
        }
    }
}

/// Learning rate of an epoch: linear decay to a tenth of the configured rate.
pub fn epoch_lr(cfg: &TrainConfig, epoch: usize) -> f32 {
    cfg.lr * (1.0 - epoch as f32 / cfg.epochs as f32).max(0.1)
}

/// Features of every example, computed once (cross-validation reuses them).
pub fn featurize(examples: &[Example], buckets: u32) -> Vec<Vec<u32>> {
    examples
        .iter()
        .map(|ex| {
            let mut f = Vec::new();
            hashed_features(&ex.prompt, buckets, &mut f);
            f
        })
        .collect()
}

/// What the router reads for each example.
pub enum Inputs {
    /// Hashed feature ids: the embedding table is learned with the head.
    Hashed(Vec<Vec<u32>>),
    /// Fixed vectors from a pretrained, static or remote encoder, with the explicit prompt
    /// features after them when the router reads them (`dim` per example, row-major).
    Dense {
        encoder: Encoder,
        vectors: Vec<f32>,
        dim: usize,
    },
    /// Nothing: the head reads the prompt text (length, random).
    Text,
}

impl Inputs {
    pub fn dim(&self, cfg: &TrainConfig) -> usize {
        match self {
            Inputs::Hashed(_) => cfg.dim,
            Inputs::Dense { dim, .. } => *dim,
            Inputs::Text => 0,
        }
    }

    /// Example `i`'s vector for a router with this encoder, into `x`.
    pub fn vector(&self, encoder: &Encoder, i: usize, x: &mut [f32]) {
        match (self, encoder) {
            (Inputs::Hashed(feats), Encoder::Hashed(h)) => h.encode_features(&feats[i], x),
            (Inputs::Dense { vectors, .. }, _) => {
                let dim = x.len();
                x.copy_from_slice(&vectors[i * dim..(i + 1) * dim])
            }
            _ => x.iter_mut().for_each(|v| *v = 0.0),
        }
    }
}

/// The examples a head trains on, their vectors, and the encoder being trained with it.
pub struct TrainSet<'a> {
    pub examples: &'a [Example],
    pub indices: &'a [usize],
    inputs: &'a Inputs,
    pub encoder: Encoder,
    pub dim: usize,
    /// What knn and cluster learn per prompt.
    pub target: Target,
}

impl TrainSet<'_> {
    /// Example `i`'s vector into `x`.
    pub fn encode(&self, i: usize, x: &mut [f32]) {
        self.inputs.vector(&self.encoder, i, x);
    }

    /// The input gradient reaches the embedding table only for hashed inputs.
    pub fn learn(&mut self, i: usize, gx: &[f32], lr: f32) {
        if let (Inputs::Hashed(feats), Encoder::Hashed(h)) = (self.inputs, &mut self.encoder) {
            h.update_rows(&feats[i], gx, lr);
        }
    }

    /// Models scored on the training examples.
    pub fn models(&self) -> Vec<String> {
        model_names(self.indices.iter().map(|&i| &self.examples[i]))
    }

    /// Models scored anywhere in the data (held-out folds included: outputs keep one order).
    pub fn all_models(&self) -> Vec<String> {
        model_names(self.examples.iter())
    }

    /// (example, P(strong beats weak)) for the training examples scored for both: the soft
    /// label (1 + strong - weak) / 2, so a tie is 0.5 and the ranking follows the expected gain.
    pub fn pair_outcomes(&self, cfg: &TrainConfig) -> Vec<(usize, f32)> {
        self.indices
            .iter()
            .filter_map(|&i| {
                let ex = &self.examples[i];
                let (s, w) = (ex.score_of(&cfg.strong)?, ex.score_of(&cfg.weak)?);
                Some((i, ((1.0 + s - w) / 2.0).clamp(0.0, 1.0) as f32))
            })
            .collect()
    }
}

pub fn model_names<'a>(examples: impl Iterator<Item = &'a Example>) -> Vec<String> {
    let mut set = BTreeSet::new();
    for e in examples {
        set.extend(e.scores.keys().cloned());
    }
    set.into_iter().collect()
}

/// Classes from every example (the label set is not something a held-out fold hides).
pub fn label_classes(examples: &[Example], field: &str) -> Vec<String> {
    examples
        .iter()
        .filter_map(|e| e.label(field))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// What the outputs of a label classifier or predictive router stand for, in order: the classes,
/// or the models (empty for strong/weak routers, whose one output is the score).
pub fn output_names(examples: &[Example], cfg: &TrainConfig) -> Vec<String> {
    match (&cfg.label_field, cfg.router) {
        (Some(field), RouterKind::Classifier) => label_classes(examples, field),
        (_, RouterKind::Predictive) => model_names(examples.iter()),
        _ => Vec::new(),
    }
}

fn start_encoder(inputs: &Inputs, cfg: &TrainConfig, rng: &mut Rng) -> Encoder {
    if cfg.router.reads_text_only() {
        return Encoder::Text;
    }
    match inputs {
        Inputs::Hashed(_) => Encoder::Hashed(HashedEncoder {
            buckets: cfg.buckets,
            dim: cfg.dim,
            table: (0..cfg.buckets as usize * cfg.dim)
                .map(|_| rng.symmetric(1.0 / cfg.dim as f32))
                .collect(),
        }),
        Inputs::Dense { encoder, .. } => encoder.clone(),
        Inputs::Text => Encoder::Text,
    }
}

fn start_meta(encoder: &Encoder, cfg: &TrainConfig, dim: usize) -> RouterMeta {
    let mut meta = RouterMeta::new(cfg.router, encoder.name(), dim, &cfg.strong, &cfg.weak);
    meta.encoder_model = match encoder {
        Encoder::Hashed(_) | Encoder::Text | Encoder::Static(_) => String::new(),
        Encoder::Remote { .. } => cfg.encoder_model.clone(),
        #[cfg(feature = "sentence")]
        Encoder::Sentence(s) => s
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    if let Encoder::Hashed(_) = encoder {
        meta.buckets = cfg.buckets;
    }
    if let Encoder::Static(_) = encoder {
        meta.encoder_model = super::options::STATIC_MODEL.to_string();
    }
    if cfg.features && dim > encoder.dim() {
        meta.features = super::prompt_features::NAMES
            .iter()
            .map(|n| n.to_string())
            .collect();
    }
    meta
}

/// Trains on the examples at `indices` (the others are held out).
pub fn train(
    examples: &[Example],
    inputs: &Inputs,
    indices: &[usize],
    cfg: &TrainConfig,
) -> Result<Router, String> {
    let mut rng = Rng::new(cfg.seed);
    let dim = inputs.dim(cfg);
    let encoder = start_encoder(inputs, cfg, &mut rng);
    let mut set = TrainSet {
        examples,
        indices,
        inputs,
        encoder,
        dim,
        target: cfg.target,
    };
    let pairwise = cfg.label_field.is_none() && cfg.router != RouterKind::Predictive;
    let needs_pair = !matches!(cfg.router, RouterKind::Mf) || cfg.require_pair;
    let needs_pair = needs_pair && !cfg.router.learns_from_all_models();
    if pairwise && !cfg.router.reads_text_only() && needs_pair {
        let models = set.models();
        let known = |m: &str| {
            let want = super::data::canonical_model(m);
            models
                .iter()
                .any(|x| super::data::canonical_model(x) == want)
        };
        for m in [&cfg.strong, &cfg.weak] {
            if !known(m) {
                return Err(format!(
                    "no training example scores model \"{m}\" (models in the data: {})",
                    models.join(", ")
                ));
            }
        }
    }
    let mut meta = start_meta(&set.encoder, cfg, dim);
    let head = match (cfg.router, &cfg.label_field) {
        (RouterKind::Classifier, Some(field)) => Head::Softmax(heads::softmax::Softmax::train(
            &mut set, cfg, &mut rng, &mut meta, field,
        )?),
        (RouterKind::Classifier, None) => Head::Classifier(heads::classifier::Classifier::train(
            &mut set, cfg, &mut rng,
        )),
        (RouterKind::Predictive, _) => Head::Predictive(heads::predictive::Predictive::train(
            &mut set, cfg, &mut rng, &mut meta,
        )),
        (RouterKind::Mf, _) => Head::Mf(heads::mf::Mf::train(&mut set, cfg, &mut rng, &mut meta)),
        (RouterKind::Sw, _) => Head::Sw(heads::sw::Sw::train(&mut set, cfg, &mut rng, &mut meta)),
        (RouterKind::Random, _) => Head::Random(heads::random::Random),
        (RouterKind::Length, _) => Head::Length(heads::length::Length),
        (RouterKind::Knn, _) => Head::Knn(heads::knn::Knn::train(&mut set, &mut meta)),
        (RouterKind::Cluster, _) => Head::Cluster(heads::cluster::Cluster::train(
            &mut set, &mut rng, &mut meta,
        )),
        (RouterKind::Irt, _) => {
            Head::Irt(heads::irt::Irt::train(&mut set, cfg, &mut rng, &mut meta))
        }
        (RouterKind::Ensemble, _) => {
            return Err("train the members of an ensemble one by one (see train_ensemble)".into())
        }
    };
    let mut router = Router {
        meta,
        encoder: set.encoder,
        head,
    };
    if pairwise {
        // Where the training prompts' scores fall, for targetStrongFraction without a sample file.
        let mut x = vec![0.0f32; dim];
        let scores = indices
            .iter()
            .map(|&i| {
                inputs.vector(&router.encoder, i, &mut x);
                router.score_vector(&x, &examples[i].prompt)
            })
            .collect();
        router.meta.score_percentiles = percentiles(scores);
    }
    Ok(router)
}

/// One router per (inputs, config) on the same examples, then their ensemble; the ensemble's own
/// training-score percentiles are computed from the members' scores of the training prompts.
pub fn train_ensemble(
    examples: &[Example],
    members: &[(String, &Inputs, &TrainConfig)],
    indices: &[usize],
) -> Result<Router, String> {
    let mut trained = Vec::new();
    for (name, inputs, cfg) in members {
        trained.push((name.clone(), train(examples, inputs, indices, cfg)?));
    }
    let mut scores: Vec<f32> = vec![0.0; indices.len()];
    for ((_, router), (_, inputs, cfg)) in trained.iter().zip(members) {
        let mut x = vec![0.0f32; inputs.dim(cfg)];
        for (k, &i) in indices.iter().enumerate() {
            inputs.vector(&router.encoder, i, &mut x);
            let s = router.score_vector(&x, &examples[i].prompt);
            scores[k] += heads::ensemble::Ensemble::member_rank(router, s) / members.len() as f32;
        }
    }
    let mut ensemble = heads::ensemble::ensemble(trained)?;
    ensemble.meta.score_percentiles = percentiles(scores);
    Ok(ensemble)
}

//! Training, reproducible from a seed: single-threaded SGD over a seeded
//! shuffle. The encoder's embedding table is learned jointly with the head
//! (fastText's supervised mode), so the hashed features need no pretrained
//! weights.

use super::data::Example;
use super::features::hashed_features;
use super::model::{Encoder, HashedEncoder, Head, Router, RouterKind, RouterMeta};
use super::rng::Rng;

#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub router: RouterKind,
    pub strong: String,
    pub weak: String,
    pub seed: u64,
    pub epochs: usize,
    pub buckets: u32,
    pub dim: usize,
    /// mf: size of the model embeddings.
    pub k: usize,
    pub lr: f32,
    pub l2: f32,
    /// sw: similarity sharpness.
    pub gamma: f32,
    /// classifier: train on the classes in this data field instead of the strong/weak pair.
    pub label_field: Option<String>,
    /// remote encoder: the embedding model's name, recorded in router.json.
    pub encoder_model: String,
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
        }
    }
}

/// Features of every example, computed once (cross-validation reuses them).
pub fn featurize(examples: &[Example], buckets: u32) -> Vec<Vec<u32>> {
    let mut out = Vec::with_capacity(examples.len());
    for ex in examples {
        let mut f = Vec::new();
        hashed_features(&ex.prompt, buckets, &mut f);
        out.push(f);
    }
    out
}

use super::model::{dot, sigmoid, softmax};

/// Learning rate of an epoch: linear decay to a tenth of the configured rate.
fn epoch_lr(cfg: &TrainConfig, epoch: usize) -> f32 {
    cfg.lr * (1.0 - epoch as f32 / cfg.epochs as f32).max(0.1)
}

/// Model embeddings against a learned projection of the prompt vector — the
/// shared machinery of mf (pairwise) and predictive (per-model) heads.
struct Factors {
    k: usize,
    dim: usize,
    /// `k x dim`, row-major.
    proj: Vec<f32>,
    /// `models x k`.
    emb: Vec<f32>,
    bias: Vec<f32>,
    /// Scratch: the projected prompt and its gradient.
    px: Vec<f32>,
    gp: Vec<f32>,
}

impl Factors {
    fn new(rng: &mut Rng, k: usize, dim: usize, models: usize) -> Self {
        let proj = (0..k * dim)
            .map(|_| rng.symmetric((1.0 / dim as f32).sqrt()))
            .collect();
        let emb = (0..models * k)
            .map(|_| rng.symmetric((1.0 / k as f32).sqrt()))
            .collect();
        Factors {
            k,
            dim,
            proj,
            emb,
            bias: vec![0.0; models],
            px: vec![0.0; k],
            gp: vec![0.0; k],
        }
    }

    /// `px = proj . x`, and the gradient of the projection cleared.
    fn project(&mut self, x: &[f32]) {
        let dim = self.dim;
        for (j, p) in self.px.iter_mut().enumerate() {
            *p = self.proj[j * dim..(j + 1) * dim]
                .iter()
                .zip(x)
                .map(|(a, c)| a * c)
                .sum();
        }
        self.gp.iter_mut().for_each(|v| *v = 0.0);
    }

    /// Model `m`'s embedding row.
    fn row(&self, m: usize) -> &[f32] {
        &self.emb[m * self.k..(m + 1) * self.k]
    }

    /// Sends the accumulated gradient `gp` through the projection: the input's gradient into
    /// `gx` (for the hashed table), and the projection's update.
    fn backprop(&mut self, x: &[f32], gx: &mut [f32], lr: f32, l2: f32) {
        let dim = self.dim;
        gx.iter_mut().for_each(|v| *v = 0.0);
        for j in 0..self.k {
            for d in 0..dim {
                let w = &mut self.proj[j * dim + d];
                gx[d] += self.gp[j] * *w;
                *w -= lr * (self.gp[j] * x[d] + l2 * *w);
            }
        }
    }
}

/// What the router reads for each example.
pub enum Inputs<'a> {
    /// Hashed feature ids: the embedding table is learned with the head.
    Hashed(&'a [Vec<u32>]),
    /// Fixed vectors from a pretrained encoder (`dim` per example, row-major).
    Dense {
        encoder: Encoder,
        vectors: &'a [f32],
    },
}

impl Inputs<'_> {
    pub fn dim(&self, cfg: &TrainConfig) -> usize {
        match self {
            Inputs::Hashed(_) => cfg.dim,
            Inputs::Dense { encoder, .. } => encoder.dim(),
        }
    }
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
    let mut encoder = match inputs {
        Inputs::Hashed(_) => Encoder::Hashed(HashedEncoder {
            buckets: cfg.buckets,
            dim,
            table: (0..cfg.buckets as usize * dim)
                .map(|_| rng.symmetric(1.0 / dim as f32))
                .collect(),
        }),
        Inputs::Dense { encoder, .. } => encoder.clone(),
    };
    // One example's vector into `x`.
    let encode = |encoder: &Encoder, i: usize, x: &mut [f32]| match (inputs, encoder) {
        (Inputs::Hashed(feats), Encoder::Hashed(h)) => h.encode_features(&feats[i], x),
        (Inputs::Dense { vectors, .. }, _) => x.copy_from_slice(&vectors[i * dim..(i + 1) * dim]),
        #[allow(unreachable_patterns)]
        _ => {}
    };
    // The gradient reaches the embedding table only for hashed inputs.
    let learn = |encoder: &mut Encoder, i: usize, gx: &[f32], lr: f32| {
        if let (Inputs::Hashed(feats), Encoder::Hashed(h)) = (inputs, encoder) {
            update_rows(h, &feats[i], gx, lr);
        }
    };
    // Predictive outputs follow every model of the data, so all folds of a cross-validation agree.
    let models = if cfg.router == RouterKind::Predictive {
        model_names(examples.iter())
    } else {
        model_names(indices.iter().map(|&i| &examples[i]))
    };
    let pairwise = cfg.label_field.is_none() && cfg.router != RouterKind::Predictive;
    for m in [&cfg.strong, &cfg.weak] {
        if pairwise && !models.contains(m) {
            return Err(format!(
                "no training example scores model \"{m}\" (models in the data: {})",
                models.join(", ")
            ));
        }
    }
    let pair = |ex: &Example| -> Option<(f64, f64)> {
        Some((*ex.scores.get(&cfg.strong)?, *ex.scores.get(&cfg.weak)?))
    };
    let mut meta = RouterMeta {
        format: 1,
        router: cfg.router,
        encoder: match &encoder {
            Encoder::Hashed(_) => "hashed".into(),
            #[cfg(feature = "sentence")]
            Encoder::Sentence(_) => "sentence".into(),
            Encoder::Remote { .. } => "remote".into(),
            Encoder::Members => "ensemble".into(),
        },
        encoder_model: match &encoder {
            Encoder::Hashed(_) | Encoder::Members => String::new(),
            Encoder::Remote { .. } => cfg.encoder_model.clone(),
            #[cfg(feature = "sentence")]
            Encoder::Sentence(s) => s
                .dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        },
        buckets: if matches!(encoder, Encoder::Hashed(_)) {
            cfg.buckets
        } else {
            0
        },
        dim,
        strong: cfg.strong.clone(),
        weak: cfg.weak.clone(),
        models: vec![],
        k: 0,
        gamma: 0.0,
        classes: vec![],
        label_field: String::new(),
        score_percentiles: vec![],
        output_tokens: vec![],
        members: vec![],
        tensors: vec![],
    };
    let mut x = vec![0.0f32; dim];
    let mut gx = vec![0.0f32; dim];
    let head = match cfg.router {
        RouterKind::Classifier if cfg.label_field.is_some() => {
            let field = cfg.label_field.as_deref().unwrap_or_default();
            let classes = label_classes(examples, field);
            if classes.len() < 2 {
                return Err(format!(
                    "label field \"{field}\" has {} distinct value(s) in the data; a classifier needs at least 2",
                    classes.len()
                ));
            }
            let mut items: Vec<(usize, usize)> = indices
                .iter()
                .filter_map(|&i| {
                    let l = examples[i].label(field)?;
                    Some((i, classes.iter().position(|c| *c == l)?))
                })
                .collect();
            let c = classes.len();
            let mut w = vec![0.0f32; c * dim];
            let mut b = vec![0.0f32; c];
            let mut p = vec![0.0f32; c];
            for epoch in 0..cfg.epochs {
                rng.shuffle(&mut items);
                let lr = epoch_lr(cfg, epoch);
                for &(i, y) in &items {
                    encode(&encoder, i, &mut x);
                    for (cl, pc) in p.iter_mut().enumerate() {
                        *pc = w[cl * dim..(cl + 1) * dim]
                            .iter()
                            .zip(&x)
                            .map(|(a, v)| a * v)
                            .sum::<f32>()
                            + b[cl];
                    }
                    softmax(&mut p);
                    // cross-entropy gradient: p - onehot(y)
                    gx.iter_mut().for_each(|v| *v = 0.0);
                    for cl in 0..c {
                        let g = p[cl] - if cl == y { 1.0 } else { 0.0 };
                        let row = &mut w[cl * dim..(cl + 1) * dim];
                        for d in 0..dim {
                            gx[d] += g * row[d];
                            row[d] -= lr * (g * x[d] + cfg.l2 * row[d]);
                        }
                        b[cl] -= lr * g;
                    }
                    learn(&mut encoder, i, &gx, lr);
                }
            }
            meta.classes = classes;
            meta.label_field = field.to_string();
            Head::Softmax { w, b }
        }
        RouterKind::Predictive => {
            // Each model's score on a prompt is a probability-like quality in [0, 1]: fit a
            // sigmoid per model over a shared projection of the prompt by cross-entropy.
            let mut items: Vec<usize> = indices
                .iter()
                .copied()
                .filter(|&i| !examples[i].scores.is_empty())
                .collect();
            let mut f = Factors::new(&mut rng, cfg.k, dim, models.len());
            for epoch in 0..cfg.epochs {
                rng.shuffle(&mut items);
                let lr = epoch_lr(cfg, epoch);
                for &i in &items {
                    encode(&encoder, i, &mut x);
                    f.project(&x);
                    let scored = examples[i].scores.len() as f32;
                    for (name, &target) in &examples[i].scores {
                        let Some(mi) = models.iter().position(|x| x == name) else {
                            continue;
                        };
                        let z = dot(f.row(mi), &f.px) + f.bias[mi];
                        let g = (sigmoid(z) - target as f32) / scored.sqrt();
                        for j in 0..f.k {
                            let e = f.emb[mi * f.k + j];
                            f.gp[j] += g * e;
                            f.emb[mi * f.k + j] -= lr * (g * f.px[j] + cfg.l2 * e);
                        }
                        f.bias[mi] -= lr * g;
                    }
                    f.backprop(&x, &mut gx, lr, cfg.l2);
                    learn(&mut encoder, i, &gx, lr);
                }
            }
            // Mean answer length per model (characters / 4 ~ tokens), 0 where the data has none.
            meta.output_tokens = models
                .iter()
                .map(|name| {
                    let lens: Vec<f64> = indices
                        .iter()
                        .filter_map(|&i| examples[i].output_chars.get(name).copied())
                        .collect();
                    if lens.is_empty() {
                        0.0
                    } else {
                        (lens.iter().sum::<f64>() / lens.len() as f64 / 4.0) as f32
                    }
                })
                .collect();
            meta.models = models.clone();
            meta.k = f.k;
            Head::Quality {
                k: f.k,
                proj: f.proj,
                emb: f.emb,
                bias: f.bias,
            }
        }
        RouterKind::Random => Head::Random,
        RouterKind::Ensemble => {
            return Err("train the members of an ensemble one by one (see train_ensemble)".into())
        }
        RouterKind::Classifier | RouterKind::Sw => {
            // Soft label: P(strong beats weak) on this prompt = (1 + strong - weak) / 2, so a tie
            // is 0.5 and the ranking follows the expected gain of calling the strong model.
            let labelled: Vec<(usize, f32)> = indices
                .iter()
                .filter_map(|&i| {
                    pair(&examples[i])
                        .map(|(s, w)| (i, ((1.0 + s - w) / 2.0).clamp(0.0, 1.0) as f32))
                })
                .collect();
            let mut w = vec![0.0f32; dim];
            let mut b = 0.0f32;
            let mut items = labelled.clone();
            for epoch in 0..cfg.epochs {
                rng.shuffle(&mut items);
                let lr = epoch_lr(cfg, epoch);
                for &(i, y) in &items {
                    encode(&encoder, i, &mut x);
                    let p = sigmoid(w.iter().zip(&x).map(|(a, c)| a * c).sum::<f32>() + b);
                    let g = p - y;
                    for d in 0..dim {
                        gx[d] = g * w[d];
                        w[d] -= lr * (g * x[d] + cfg.l2 * w[d]);
                    }
                    b -= lr * g;
                    learn(&mut encoder, i, &gx, lr);
                }
            }
            if cfg.router == RouterKind::Classifier {
                Head::Classifier { w, b }
            } else {
                // sw: the learned space, and each training prompt's outcome for the pair.
                meta.gamma = cfg.gamma;
                let mut points = Vec::with_capacity(labelled.len() * dim);
                let mut outcomes = Vec::with_capacity(labelled.len());
                for &(i, _) in &labelled {
                    encode(&encoder, i, &mut x);
                    let n = x.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
                    points.extend(x.iter().map(|v| v / n));
                    let (s, wk) = pair(&examples[i]).unwrap_or((0.5, 0.5));
                    // win probability of strong over weak on this prompt: 1, 0, or 0.5 for a tie
                    outcomes.push(((1.0 + (s - wk)) / 2.0) as f32);
                }
                Head::Sw {
                    points,
                    outcomes,
                    gamma: cfg.gamma,
                }
            }
        }
        RouterKind::Mf => {
            // Bradley-Terry over every pair of models scored on a prompt, with a soft outcome:
            // P(a beats b) = (1 + score_a - score_b) / 2, so a tie counts as half a win each
            // (prompts both models get right teach that the weak one suffices there).
            let mut battles: Vec<(usize, u16, u16, f32)> = Vec::new();
            for &i in indices {
                let scored: Vec<(u16, f64)> = examples[i]
                    .scores
                    .iter()
                    .filter_map(|(m, s)| models.iter().position(|x| x == m).map(|p| (p as u16, *s)))
                    .collect();
                for (x, (a, sa)) in scored.iter().enumerate() {
                    for (b, sb) in &scored[x + 1..] {
                        battles.push((i, *a, *b, ((1.0 + sa - sb) / 2.0).clamp(0.0, 1.0) as f32));
                    }
                }
            }
            let mut f = Factors::new(&mut rng, cfg.k, dim, models.len());
            for epoch in 0..cfg.epochs {
                rng.shuffle(&mut battles);
                let lr = epoch_lr(cfg, epoch);
                for &(i, a, b, target) in &battles {
                    let (a, b) = (a as usize, b as usize);
                    encode(&encoder, i, &mut x);
                    f.project(&x);
                    let diff = dot(f.row(a), &f.px) - dot(f.row(b), &f.px) + f.bias[a] - f.bias[b];
                    // gradient of the cross-entropy of sigmoid(diff) against the soft outcome
                    let g = sigmoid(diff) - target;
                    let k = f.k;
                    for j in 0..k {
                        let dv = f.emb[a * k + j] - f.emb[b * k + j];
                        f.gp[j] = g * dv;
                        let step = g * f.px[j];
                        f.emb[a * k + j] -= lr * (step + cfg.l2 * f.emb[a * k + j]);
                        f.emb[b * k + j] -= lr * (-step + cfg.l2 * f.emb[b * k + j]);
                    }
                    f.bias[a] -= lr * g;
                    f.bias[b] += lr * g;
                    f.backprop(&x, &mut gx, lr, cfg.l2);
                    learn(&mut encoder, i, &gx, lr);
                }
            }
            meta.models = models.clone();
            meta.k = f.k;
            Head::Mf {
                k: f.k,
                proj: f.proj,
                emb: f.emb,
                bias: f.bias,
            }
        }
    };
    let mut router = Router {
        meta,
        encoder,
        head,
    };
    if pairwise {
        // Where the training prompts' scores fall, for targetStrongFraction without a sample file.
        let mut scores: Vec<f32> = indices
            .iter()
            .map(|&i| {
                encode(&router.encoder, i, &mut x);
                router.score_vector(&x, &examples[i].prompt)
            })
            .collect();
        scores.sort_by(|a, b| a.total_cmp(b));
        if !scores.is_empty() {
            router.meta.score_percentiles = (0..=100)
                .map(|p| scores[(p * (scores.len() - 1)) / 100])
                .collect();
        }
    }
    Ok(router)
}

fn model_names<'a>(examples: impl Iterator<Item = &'a Example>) -> Vec<String> {
    let mut set = std::collections::BTreeSet::new();
    for e in examples {
        set.extend(e.scores.keys().cloned());
    }
    set.into_iter().collect()
}

/// Classes from every example (the label set is not something a held-out fold hides).
fn label_classes(examples: &[Example], field: &str) -> Vec<String> {
    examples
        .iter()
        .filter_map(|e| e.label(field))
        .collect::<std::collections::BTreeSet<_>>()
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

/// Gradient of the mean-of-rows encoding reaches each feature row equally.
fn update_rows(encoder: &mut HashedEncoder, feats: &[u32], gx: &[f32], lr: f32) {
    if feats.is_empty() {
        return;
    }
    let dim = encoder.dim;
    let scale = lr / feats.len() as f32;
    for &f in feats {
        let row = &mut encoder.table[f as usize * dim..(f as usize + 1) * dim];
        for (r, g) in row.iter_mut().zip(gx) {
            *r -= scale * g;
        }
    }
}

/// Example `i`'s vector for a router trained on `inputs`, into `x`.
fn input_vector(inputs: &Inputs, encoder: &Encoder, i: usize, x: &mut [f32]) {
    match (inputs, encoder) {
        (Inputs::Hashed(feats), Encoder::Hashed(h)) => h.encode_features(&feats[i], x),
        (Inputs::Dense { vectors, .. }, _) => {
            let dim = x.len();
            x.copy_from_slice(&vectors[i * dim..(i + 1) * dim])
        }
        _ => {}
    }
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
            input_vector(inputs, &router.encoder, i, &mut x);
            let s = router.score_vector(&x, &examples[i].prompt);
            scores[k] += super::model::percentile_rank(&router.meta.score_percentiles, s)
                / members.len() as f32;
        }
    }
    let mut ensemble = super::model::ensemble(trained)?;
    scores.sort_by(|a, b| a.total_cmp(b));
    if !scores.is_empty() {
        ensemble.meta.score_percentiles = (0..=100)
            .map(|p| scores[(p * (scores.len() - 1)) / 100])
            .collect();
    }
    Ok(ensemble)
}

/// Leave-one-group-out for an ensemble: per group, every member is trained on the others, and a
/// held-out prompt's score is the mean of its members' scores as percentiles of their own
/// training scores (exactly what the deployed ensemble computes).
pub fn cross_validate_ensemble(
    examples: &[Example],
    members: &[(String, &Inputs, &TrainConfig)],
    group: impl Fn(&Example) -> String,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<f64>, String> {
    let groups: Vec<String> = examples
        .iter()
        .map(&group)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut scores = vec![0.0f64; examples.len()];
    for (gi, g) in groups.iter().enumerate() {
        progress(gi, groups.len(), g);
        let train_idx: Vec<usize> = (0..examples.len())
            .filter(|&i| &group(&examples[i]) != g)
            .collect();
        for (_, inputs, cfg) in members {
            let router = train(examples, inputs, &train_idx, cfg)?;
            let mut x = vec![0.0f32; inputs.dim(cfg)];
            for i in (0..examples.len()).filter(|&i| &group(&examples[i]) == g) {
                input_vector(inputs, &router.encoder, i, &mut x);
                let s = router.score_vector(&x, &examples[i].prompt);
                scores[i] += super::model::percentile_rank(&router.meta.score_percentiles, s)
                    as f64
                    / members.len() as f64;
            }
        }
    }
    Ok(scores)
}

/// Leave-one-group-out: for every group, train on the others and score its prompts.
/// Returns one score per example, in input order.
pub fn cross_validate(
    examples: &[Example],
    inputs: &Inputs,
    cfg: &TrainConfig,
    group: impl Fn(&Example) -> String,
    progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<f64>, String> {
    let outputs = cross_validate_outputs(examples, inputs, cfg, group, progress, |r, x, t| {
        vec![r.score_vector(x, t)]
    })?;
    Ok(outputs.into_iter().map(|o| o[0] as f64).collect())
}

/// Leave-one-group-out with any output: for every group, train on the others and apply
/// `output` to each of its prompts (class probabilities, per-model quality, ...).
pub fn cross_validate_outputs(
    examples: &[Example],
    inputs: &Inputs,
    cfg: &TrainConfig,
    group: impl Fn(&Example) -> String,
    mut progress: impl FnMut(usize, usize, &str),
    output: impl Fn(&Router, &[f32], &str) -> Vec<f32>,
) -> Result<Vec<Vec<f32>>, String> {
    let groups: Vec<String> = examples
        .iter()
        .map(&group)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut outputs = vec![Vec::new(); examples.len()];
    let dim = inputs.dim(cfg);
    let mut x = vec![0.0f32; dim];
    for (gi, g) in groups.iter().enumerate() {
        progress(gi, groups.len(), g);
        let train_idx: Vec<usize> = (0..examples.len())
            .filter(|&i| &group(&examples[i]) != g)
            .collect();
        let router = train(examples, inputs, &train_idx, cfg)?;
        for i in (0..examples.len()).filter(|&i| &group(&examples[i]) == g) {
            input_vector(inputs, &router.encoder, i, &mut x);
            outputs[i] = output(&router, &x, &examples[i].prompt);
        }
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn ex(id: usize, prompt: &str, strong: f64, weak: f64) -> Example {
        Example {
            id: id.to_string(),
            prompt: prompt.into(),
            source: format!("g/{}", id % 3),
            scores: BTreeMap::from([("s".into(), strong), ("w".into(), weak)]),
            output_chars: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }

    fn toy() -> Vec<Example> {
        // "prove"/"integral" prompts need the strong model; "hello"/"weather" ones do not.
        (0..300)
            .map(|i| {
                if i % 2 == 0 {
                    ex(i, &format!("prove the integral bound number {i}"), 1.0, 0.0)
                } else {
                    ex(i, &format!("hello what is the weather like {i}"), 1.0, 1.0)
                }
            })
            .collect()
    }

    fn cfg(router: RouterKind) -> TrainConfig {
        TrainConfig {
            router,
            strong: "s".into(),
            weak: "w".into(),
            buckets: 1 << 12,
            dim: 8,
            k: 4,
            epochs: 5,
            ..Default::default()
        }
    }

    #[test]
    fn every_router_learns_the_toy_split_and_training_is_reproducible() {
        let data = toy();
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        for kind in [RouterKind::Classifier, RouterKind::Mf, RouterKind::Sw] {
            let r = train(&data, &Inputs::Hashed(&feats), &idx, &cfg(kind)).unwrap();
            let hard = r.score("prove the integral bound again");
            let easy = r.score("hello what is the weather today");
            assert!(hard > easy + 0.2, "{kind:?}: hard {hard} easy {easy}");
            let again = train(&data, &Inputs::Hashed(&feats), &idx, &cfg(kind)).unwrap();
            assert_eq!(
                r.score("prove it"),
                again.score("prove it"),
                "{kind:?} not reproducible"
            );
        }
    }

    #[test]
    fn save_and_load_round_trip() {
        let data = toy();
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        let dir = std::env::temp_dir().join(format!("router-rt-{}", std::process::id()));
        for kind in [
            RouterKind::Classifier,
            RouterKind::Mf,
            RouterKind::Sw,
            RouterKind::Random,
        ] {
            let r = train(&data, &Inputs::Hashed(&feats), &idx, &cfg(kind)).unwrap();
            r.save(&dir).unwrap();
            let back = Router::load(&dir).unwrap();
            // f16 storage: close, not bit-identical
            assert!(
                (r.score("prove the integral") - back.score("prove the integral")).abs() < 0.02,
                "{kind:?}"
            );
        }
        std::fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn unknown_models_and_pairs_are_errors() {
        let data = toy();
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        let mut c = cfg(RouterKind::Mf);
        c.strong = "gpt-9".into();
        assert!(train(&data, &Inputs::Hashed(&feats), &idx, &c)
            .unwrap_err()
            .contains("no training example scores model \"gpt-9\""));
        let r = train(
            &data,
            &Inputs::Hashed(&feats),
            &idx,
            &cfg(RouterKind::Classifier),
        )
        .unwrap();
        assert!(r.with_pair("w", "s").is_err());
    }

    #[test]
    fn label_classifier_learns_classes_and_round_trips() {
        let mut data = toy();
        for (i, e) in data.iter_mut().enumerate() {
            let label = if i % 2 == 0 { "math" } else { "chat" };
            e.extra
                .insert("task".into(), serde_json::Value::String(label.into()));
        }
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        let mut c = cfg(RouterKind::Classifier);
        c.label_field = Some("task".into());
        let r = train(&data, &Inputs::Hashed(&feats), &idx, &c).unwrap();
        assert_eq!(r.meta.classes, vec!["chat", "math"]);
        let p = r.outputs("prove the integral bound again");
        assert!((p.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        assert!(p[1] > 0.8, "{p:?}");
        assert!(r.outputs("hello what is the weather")[0] > 0.8);
        let dir = std::env::temp_dir().join(format!("router-labels-{}", std::process::id()));
        r.save(&dir).unwrap();
        let back = Router::load(&dir).unwrap();
        assert_eq!(back.meta.classes, r.meta.classes);
        assert!((back.outputs("prove it")[1] - r.outputs("prove it")[1]).abs() < 0.02);
        std::fs::remove_dir_all(dir).ok();
        c.label_field = Some("missing".into());
        assert!(train(&data, &Inputs::Hashed(&feats), &idx, &c)
            .unwrap_err()
            .contains("label field \"missing\" has 0 distinct"));
    }

    #[test]
    fn predictive_router_predicts_each_models_quality() {
        // "s" is good everywhere; "w" only on the easy prompts; "x" nowhere.
        let mut data = toy();
        for e in data.iter_mut() {
            e.scores.insert("x".into(), 0.0);
        }
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        let r = train(
            &data,
            &Inputs::Hashed(&feats),
            &idx,
            &cfg(RouterKind::Predictive),
        )
        .unwrap();
        assert_eq!(r.meta.models, vec!["s", "w", "x"]);
        let hard = r.outputs("prove the integral bound again");
        let easy = r.outputs("hello what is the weather today");
        assert!(hard[0] > 0.8 && easy[0] > 0.8, "{hard:?} {easy:?}");
        assert!(hard[1] < 0.3 && easy[1] > 0.7, "{hard:?} {easy:?}");
        assert!(hard[2] < 0.2 && easy[2] < 0.2);
        let again = train(
            &data,
            &Inputs::Hashed(&feats),
            &idx,
            &cfg(RouterKind::Predictive),
        )
        .unwrap();
        assert_eq!(r.outputs("prove it"), again.outputs("prove it"));
    }

    #[test]
    fn pair_routers_record_training_score_percentiles() {
        let data = toy();
        let feats = featurize(&data, 1 << 12);
        let idx: Vec<usize> = (0..data.len()).collect();
        let r = train(&data, &Inputs::Hashed(&feats), &idx, &cfg(RouterKind::Mf)).unwrap();
        let p = &r.meta.score_percentiles;
        assert_eq!(p.len(), 101);
        assert!(p.windows(2).all(|w| w[0] <= w[1]));
        // half the toy prompts need the strong model: the median sits between the two groups
        assert!(p[25] < p[75]);
    }

    #[test]
    fn ensemble_averages_member_percentiles_and_round_trips() {
        let data = toy();
        let feats = featurize(&data, 1 << 12);
        let inputs = Inputs::Hashed(&feats);
        let idx: Vec<usize> = (0..data.len()).collect();
        let (mf, cl) = (cfg(RouterKind::Mf), cfg(RouterKind::Classifier));
        let members = [
            ("mf".to_string(), &inputs, &mf),
            ("classifier".to_string(), &inputs, &cl),
        ];
        let e = train_ensemble(&data, &members, &idx).unwrap();
        assert_eq!(e.meta.members, vec!["mf", "classifier"]);
        assert_eq!(e.meta.score_percentiles.len(), 101);
        let (hard, easy) = (
            e.score("prove the integral bound again"),
            e.score("hello what is the weather"),
        );
        assert!((0.0..=1.0).contains(&hard) && (0.0..=1.0).contains(&easy));
        assert!(hard > easy + 0.2, "hard {hard} easy {easy}");
        let dir = std::env::temp_dir().join(format!("router-ensemble-{}", std::process::id()));
        e.save(&dir).unwrap();
        let back = Router::load(&dir).unwrap();
        assert!((back.score("prove it") - e.score("prove it")).abs() < 0.05);
        std::fs::remove_dir_all(dir).ok();
        let cv =
            cross_validate_ensemble(&data, &members, |e| e.source.clone(), |_, _, _| {}).unwrap();
        assert_eq!(cv.len(), data.len());
        let mean = |even: bool| {
            let v: Vec<f64> = cv
                .iter()
                .enumerate()
                .filter(|(i, _)| (i % 2 == 0) == even)
                .map(|(_, s)| *s)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(
            mean(true) > mean(false) + 0.2,
            "held-out hard prompts score higher"
        );
    }

    #[test]
    fn percentile_rank_interpolates() {
        let p: Vec<f32> = (0..=100).map(|i| i as f32 / 10.0).collect();
        assert_eq!(super::super::model::percentile_rank(&p, -1.0), 0.0);
        assert_eq!(super::super::model::percentile_rank(&p, 11.0), 1.0);
        assert!((super::super::model::percentile_rank(&p, 2.55) - 0.255).abs() < 1e-4);
    }
}

use std::path::Path;

use napi::bindgen_prelude::Float32Array;
use napi::{Error, Status};
use napi_derive::napi;
use router_core::routing::model::{sentence_encoder, Encoder};
use router_core::routing::{
    self, metrics, parse_jsonl, Example, Inputs, Router, RouterKind, TrainConfig,
};

fn invalid(message: String) -> Error {
    Error::new(Status::InvalidArg, message)
}

/// A learned strong/weak router loaded from a folder (`router.json` + `weights.bin`).
#[napi]
pub struct NativeRouter {
    inner: Router,
}

#[napi]
impl NativeRouter {
    /// Loads a router written by `trainRouter`; throws naming the file and the problem.
    #[napi(factory)]
    pub fn load(dir: String) -> napi::Result<Self> {
        Router::load(Path::new(&dir))
            .map(|inner| NativeRouter { inner })
            .map_err(invalid)
    }

    /// The same router scoring another pair (mf routers know every model of their data).
    #[napi]
    pub fn with_pair(&self, strong: String, weak: String) -> napi::Result<NativeRouter> {
        self.inner
            .clone()
            .with_pair(&strong, &weak)
            .map(|inner| NativeRouter { inner })
            .map_err(invalid)
    }

    /// P(the strong model's answer beats the weak one's) for this prompt: tokenize, encode and score in one call.
    #[napi]
    pub fn score(&self, text: String) -> f64 {
        self.inner.score(&text)
    }

    /// Every output for this prompt, one native call: class probabilities (a classifier trained
    /// with labels, in `info.classes` order), each model's predicted quality (predictive, in
    /// `info.models` order), or the single score.
    #[napi]
    pub fn outputs(&self, text: String) -> Vec<f64> {
        self.inner
            .outputs(&text)
            .into_iter()
            .map(f64::from)
            .collect()
    }

    /// `score` from a prompt vector computed outside (remote encoder).
    #[napi]
    pub fn score_vector(&self, vector: Float32Array) -> napi::Result<f64> {
        self.check_dim(&vector)?;
        Ok(self.inner.score_vector(&vector, "") as f64)
    }

    /// `outputs` from a prompt vector computed outside (remote encoder).
    #[napi]
    pub fn outputs_vector(&self, vector: Float32Array) -> napi::Result<Vec<f64>> {
        self.check_dim(&vector)?;
        Ok(self
            .inner
            .outputs_vector(&vector, "")
            .into_iter()
            .map(f64::from)
            .collect())
    }

    fn check_dim(&self, vector: &[f32]) -> napi::Result<()> {
        let dim = self.inner.encoder.dim();
        if vector.len() != dim {
            return Err(invalid(format!(
                "prompt vector has {} values, the router expects {dim}",
                vector.len()
            )));
        }
        Ok(())
    }

    /// `score` for each text.
    #[napi]
    pub fn score_many(&self, texts: Vec<String>) -> Vec<f64> {
        texts.iter().map(|t| self.inner.score(t)).collect()
    }

    /// router.json: router kind, encoder, pair, models.
    #[napi(getter)]
    pub fn info(&self) -> String {
        serde_json::to_string(&self.inner.meta).unwrap_or_default()
    }
}

/// Training settings; unset numbers take router-core's defaults.
#[napi(object)]
pub struct TrainOptions {
    /// JSON Lines files of scored prompts.
    pub data: Vec<String>,
    /// mf | sw | classifier | random
    pub router: String,
    /// `hashed` (default) or `sentence` (all-MiniLM-L6-v2 from the models folder).
    pub encoder: Option<String>,
    pub strong: String,
    pub weak: String,
    pub seed: Option<u32>,
    pub epochs: Option<u32>,
    pub dim: Option<u32>,
    pub buckets: Option<u32>,
    pub k: Option<u32>,
    pub lr: Option<f64>,
    /// Folder to write the router to (trainRouter).
    pub out: Option<String>,
    /// Print progress to stderr (one line per cross-validation fold).
    pub progress: Option<bool>,
    /// classifier: train on the classes in this field of the data instead of the pair.
    pub labels: Option<String>,
    /// remote encoder: every example's vector, in data order (from /v1/embeddings).
    pub vectors: Option<Float32Array>,
    /// remote encoder: the embedding model's name, recorded in router.json.
    pub encoder_model: Option<String>,
}

/// Every example of the files, in order, and how many came from each file.
fn load_data(paths: &[String]) -> napi::Result<(Vec<Example>, Vec<usize>)> {
    let mut all = Vec::new();
    let mut per_file = Vec::with_capacity(paths.len());
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| invalid(format!("{p}: {e}")))?;
        let examples = parse_jsonl(&text, p).map_err(invalid)?;
        per_file.push(examples.len());
        all.extend(examples);
    }
    if all.is_empty() {
        return Err(invalid("no examples in the data files".into()));
    }
    Ok((all, per_file))
}

fn config(o: &TrainOptions) -> napi::Result<TrainConfig> {
    if let Some(e) = &o.encoder {
        if !["hashed", "sentence", "remote"].contains(&e.as_str()) {
            return Err(invalid(format!(
                "unknown encoder \"{e}\" (known: hashed, sentence, remote)"
            )));
        }
        if e == "remote" && o.vectors.is_none() {
            return Err(invalid(
                "the remote encoder trains on vectors from /v1/embeddings: pass `vectors`".into(),
            ));
        }
    }
    let d = TrainConfig::default();
    let router = RouterKind::parse(&o.router).map_err(invalid)?;
    Ok(TrainConfig {
        router,
        strong: o.strong.clone(),
        weak: o.weak.clone(),
        seed: o.seed.map(u64::from).unwrap_or(d.seed),
        epochs: o
            .epochs
            .map(|v| v as usize)
            .unwrap_or(default_epochs(router)),
        buckets: o.buckets.unwrap_or(d.buckets),
        dim: o.dim.map(|v| v as usize).unwrap_or(d.dim),
        k: o.k.map(|v| v as usize).unwrap_or(d.k),
        lr: o.lr.map(|v| v as f32).unwrap_or(default_lr(router)),
        label_field: o.labels.clone(),
        encoder_model: o.encoder_model.clone().unwrap_or_default(),
        ..d
    })
}

/// Per-router defaults chosen by leave-one-subject-out runs on mmlu-train (docs/routing.md).
fn default_epochs(r: RouterKind) -> usize {
    match r {
        RouterKind::Mf => 8,
        _ => 4,
    }
}
fn default_lr(r: RouterKind) -> f32 {
    match r {
        RouterKind::Mf => 0.2,
        _ => 0.5,
    }
}

const SENTENCE_MODEL: &str = "all-MiniLM-L6-v2";

/// The routers' inputs: hashed features, or sentence embeddings (computed once per data file and
/// cached in the models folder, since a pretrained encoder is slow on CPU).
fn inputs_for<'a>(
    o: &TrainOptions,
    data: &[Example],
    per_file: &[usize],
    cfg: &TrainConfig,
    feats: &'a mut Vec<Vec<u32>>,
    vectors: &'a mut Vec<f32>,
) -> napi::Result<Inputs<'a>> {
    if o.encoder.as_deref() == Some("remote") {
        let given = o.vectors.as_deref().unwrap_or_default();
        if given.is_empty() || !given.len().is_multiple_of(data.len()) {
            return Err(invalid(format!(
                "{} vector values for {} examples",
                given.len(),
                data.len()
            )));
        }
        *vectors = given.to_vec();
        return Ok(Inputs::Dense {
            encoder: Encoder::Remote {
                dim: given.len() / data.len(),
            },
            vectors,
        });
    }
    if o.encoder.as_deref() != Some("sentence") {
        *feats = routing::featurize(data, cfg.buckets);
        return Ok(Inputs::Hashed(feats));
    }
    let encoder = sentence_encoder(SENTENCE_MODEL).map_err(invalid)?;
    let Encoder::Sentence(enc) = &encoder else {
        return Err(invalid("sentence encoder unavailable".into()));
    };
    let progress = o.progress.unwrap_or(false);
    let started = std::time::Instant::now();
    vectors.clear();
    // One cache file per data file (keyed by its prompts), so combined runs reuse them.
    let mut start = 0;
    for (file, &count) in o.data.iter().zip(per_file) {
        let part = &data[start..start + count];
        start += count;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for ex in part {
            for b in ex.prompt.bytes().chain([0u8]) {
                h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
            }
        }
        let cache = routing::sentence::models_dir()
            .join("embeddings")
            .join(format!("{SENTENCE_MODEL}-{h:016x}.f32"));
        if let Ok(bytes) = std::fs::read(&cache) {
            if bytes.len() == part.len() * enc.dim * 4 {
                vectors.extend(
                    bytes
                        .chunks_exact(4)
                        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])),
                );
                continue;
            }
        }
        let texts: Vec<&str> = part.iter().map(|e| e.prompt.as_str()).collect();
        let embedded = enc
            .encode_all(&texts, |done, total| {
                if progress && (done % 1024 < 32 || done == total) {
                    eprintln!(
                        "  embedding {file}: {done}/{total} ({:.0} s)",
                        started.elapsed().as_secs_f64()
                    );
                }
            })
            .map_err(invalid)?;
        if let Some(parent) = cache.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let bytes: Vec<u8> = embedded.iter().flat_map(|v| v.to_le_bytes()).collect();
        let _ = std::fs::write(&cache, bytes);
        vectors.extend(embedded);
    }
    Ok(Inputs::Dense { encoder, vectors })
}

/// Sentence embeddings (all-MiniLM-L6-v2) of every prompt of the files, in order, row-major;
/// cached per file like training's (evaluation of semantic routes reuses them).
#[napi]
pub fn sentence_vectors(data: Vec<String>, progress: Option<bool>) -> napi::Result<Float32Array> {
    let options = TrainOptions {
        data,
        router: "classifier".into(),
        encoder: Some("sentence".into()),
        strong: String::new(),
        weak: String::new(),
        seed: None,
        epochs: None,
        dim: None,
        buckets: None,
        k: None,
        lr: None,
        out: None,
        progress,
        labels: None,
        vectors: None,
        encoder_model: None,
    };
    let cfg = TrainConfig::default();
    let (examples, per_file) = load_data(&options.data)?;
    let (mut feats, mut vectors) = (Vec::new(), Vec::new());
    inputs_for(
        &options,
        &examples,
        &per_file,
        &cfg,
        &mut feats,
        &mut vectors,
    )?;
    Ok(Float32Array::new(vectors))
}

/// One stderr line per cross-validation fold, when asked for.
fn fold_progress(progress: bool) -> impl FnMut(usize, usize, &str) {
    let started = std::time::Instant::now();
    move |i, n, group| {
        if progress {
            eprintln!(
                "  fold {}/{n}: holding out {group} ({:.1} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// Trains on every example and writes the router to `out`; returns router.json.
#[napi]
pub fn train_router(options: TrainOptions) -> napi::Result<String> {
    let cfg = config(&options)?;
    let out = options
        .out
        .clone()
        .ok_or_else(|| invalid("trainRouter needs `out`".into()))?;
    let (data, per_file) = load_data(&options.data)?;
    let (mut feats, mut vectors) = (Vec::new(), Vec::new());
    let inputs = inputs_for(&options, &data, &per_file, &cfg, &mut feats, &mut vectors)?;
    let all: Vec<usize> = (0..data.len()).collect();
    let router = routing::train(&data, &inputs, &all, &cfg).map_err(invalid)?;
    router.save(Path::new(&out)).map_err(invalid)?;
    Ok(serde_json::to_string(&router.meta).unwrap_or_default())
}

/// Leave-one-source-out scores: for each `source`, train on the others and score its prompts. One score per example, in file order.
#[napi]
pub fn cross_validate_router(options: TrainOptions) -> napi::Result<Vec<f64>> {
    let cfg = config(&options)?;
    let (data, per_file) = load_data(&options.data)?;
    let (mut feats, mut vectors) = (Vec::new(), Vec::new());
    let inputs = inputs_for(&options, &data, &per_file, &cfg, &mut feats, &mut vectors)?;
    let progress = options.progress.unwrap_or(false);
    routing::cross_validate(
        &data,
        &inputs,
        &cfg,
        |e| e.source.clone(),
        fold_progress(progress),
    )
    .map_err(invalid)
}

/// Leave-one-source-out outputs (class probabilities or per-model quality): `width` values per
/// example, in file order, flattened.
#[napi(object)]
pub struct CrossValidatedOutputs {
    pub width: u32,
    pub values: Vec<f64>,
    /// What each of the `width` outputs stands for: the classes, or the models.
    pub names: Vec<String>,
}

#[napi]
pub fn cross_validate_outputs(options: TrainOptions) -> napi::Result<CrossValidatedOutputs> {
    let cfg = config(&options)?;
    let (data, per_file) = load_data(&options.data)?;
    let (mut feats, mut vectors) = (Vec::new(), Vec::new());
    let inputs = inputs_for(&options, &data, &per_file, &cfg, &mut feats, &mut vectors)?;
    let progress = options.progress.unwrap_or(false);
    let outputs = routing::cross_validate_outputs(
        &data,
        &inputs,
        &cfg,
        |e| e.source.clone(),
        fold_progress(progress),
        |r, x, t| r.outputs_vector(x, t),
    )
    .map_err(invalid)?;
    let width = outputs.iter().map(Vec::len).max().unwrap_or(0);
    let mut values = Vec::with_capacity(width * outputs.len());
    for o in &outputs {
        values.extend(o.iter().map(|&v| v as f64));
        values.extend(std::iter::repeat_n(f64::NAN, width - o.len()));
    }
    Ok(CrossValidatedOutputs {
        width: width as u32,
        values,
        names: routing::output_names(&data, &cfg),
    })
}

/// Loads the data the ensemble's members share, builds each member's inputs (hashed features,
/// cached sentence vectors, remote vectors) and settings, and hands them to `f`.
fn with_ensemble<T>(
    members: &[TrainOptions],
    f: impl FnOnce(&[Example], &[(String, &Inputs, &TrainConfig)]) -> Result<T, String>,
) -> napi::Result<T> {
    let Some(first) = members.first() else {
        return Err(invalid("an ensemble needs at least one member".into()));
    };
    if members.iter().any(|m| m.data != first.data) {
        return Err(invalid(
            "ensemble members must train on the same data files".into(),
        ));
    }
    let (data, per_file) = load_data(&first.data)?;
    let mut configs = Vec::new();
    for m in members {
        let name = format!("{}-{}", m.router, m.encoder.as_deref().unwrap_or("hashed"));
        configs.push((name, config(m)?));
    }
    let mut buffers: Vec<(Vec<Vec<u32>>, Vec<f32>)> =
        members.iter().map(|_| (Vec::new(), Vec::new())).collect();
    let mut inputs = Vec::new();
    for ((m, (_, cfg)), (feats, vectors)) in members.iter().zip(&configs).zip(buffers.iter_mut()) {
        inputs.push(inputs_for(m, &data, &per_file, cfg, feats, vectors)?);
    }
    let list: Vec<(String, &Inputs, &TrainConfig)> = configs
        .iter()
        .zip(&inputs)
        .map(|((name, cfg), inp)| (name.clone(), inp, cfg))
        .collect();
    f(&data, &list).map_err(invalid)
}

/// Trains every member on all the data and writes their ensemble (members under `out/members/`).
#[napi]
pub fn train_ensemble(members: Vec<TrainOptions>, out: String) -> napi::Result<String> {
    with_ensemble(&members, |data, list| {
        let all: Vec<usize> = (0..data.len()).collect();
        let router = routing::train_ensemble(data, list, &all)?;
        router.save(Path::new(&out))?;
        Ok(serde_json::to_string(&router.meta).unwrap_or_default())
    })
}

/// Leave-one-source-out scores of an ensemble (members trained per fold; each held-out prompt
/// scored as the mean of the members' training-score percentiles).
#[napi]
pub fn cross_validate_ensemble(members: Vec<TrainOptions>) -> napi::Result<Vec<f64>> {
    let progress = members.iter().any(|m| m.progress.unwrap_or(false));
    with_ensemble(&members, |data, list| {
        routing::cross_validate_ensemble(data, list, |e| e.source.clone(), fold_progress(progress))
    })
}

#[napi(object)]
pub struct RouterEvaluation {
    pub n: u32,
    pub weak_mean: f64,
    pub strong_mean: f64,
    pub apgr: f64,
    pub cpt50: f64,
    pub cpt80: f64,
    /// Strong-call share at each point of the curve.
    pub fraction: Vec<f64>,
    /// Mean quality at each point.
    pub quality: Vec<f64>,
}

fn to_js(e: metrics::Evaluation) -> RouterEvaluation {
    RouterEvaluation {
        n: e.n as u32,
        weak_mean: e.weak_mean,
        strong_mean: e.strong_mean,
        apgr: e.apgr,
        cpt50: e.cpt50,
        cpt80: e.cpt80,
        fraction: e.curve.fraction,
        quality: e.curve.quality,
    }
}

/// APGR, CPT(50 %), CPT(80 %) and the quality curve of router scores against each prompt's strong and weak scores; null when the two models score the same on average.
#[napi]
pub fn evaluate_router(
    scores: Vec<f64>,
    strong: Vec<f64>,
    weak: Vec<f64>,
) -> Option<RouterEvaluation> {
    metrics::evaluate(&scores, &strong, &weak).map(to_js)
}

/// The oracle's figures (it knows which prompts need the strong model).
#[napi]
pub fn evaluate_oracle(strong: Vec<f64>, weak: Vec<f64>) -> Option<RouterEvaluation> {
    metrics::oracle(&strong, &weak).map(to_js)
}

/// The threshold sending `share` of these scores to the strong model (score >= threshold).
#[napi]
pub fn calibrate_threshold(scores: Vec<f64>, share: f64) -> f64 {
    metrics::calibrate(&scores, share)
}

use napi::bindgen_prelude::Float32Array;
use napi_derive::napi;
use router_core::routing::{Pairs, Scheme, TrainRequest};

/// Training settings; unset numbers take router-core's defaults for the router kind.
#[napi(object)]
pub struct TrainOptions {
    /// JSON Lines files of scored prompts.
    pub data: Vec<String>,
    /// mf | sw | classifier | random | predictive
    pub router: String,
    /// `hashed` (default), `sentence` (all-MiniLM-L6-v2 from the models folder), `static` (distilled
    /// from it by scripts/fetch-models.sh) or `remote`.
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
    /// Cross-validation: hold out each `source` (default) or each `dataset` (the part of the
    /// source before its `/`, with training duplicates of held-out prompts dropped).
    pub cv: Option<String>,
    /// Cross-validation: this many prompts of each held-out group (drawn at random, the same
    /// draw for every seed) trained on as well, as an operator's own labelled traffic would be;
    /// only the rest of the group is scored. Default 0.
    pub adapt: Option<u32>,
    /// Read the explicit prompt features (length, code / math / markup markers, question form,
    /// options, turns) beside the embedding; sentence and static encoders.
    pub features: Option<bool>,
    /// knn, cluster: what they learn per prompt, `gain` (what the strong models win over
    /// the middle ones; knn's default) or `difficulty` (how often the middle models fail;
    /// cluster's default).
    pub target: Option<String>,
    /// Cross-validation: the pair each held-out dataset is measured with; a router that can
    /// score that pair (mf, predictive) is pointed at it, the others score their own.
    pub eval_pairs: Option<Vec<DatasetPair>>,
}

/// The strong/weak pair a dataset is measured with.
#[napi(object)]
pub struct DatasetPair {
    pub dataset: String,
    pub strong: String,
    pub weak: String,
}

impl TrainOptions {
    /// router-core's request (vectors copied out of the JS buffer, so work can leave the thread).
    pub fn request(&self) -> TrainRequest {
        TrainRequest {
            data: self.data.clone(),
            router: self.router.clone(),
            encoder: self.encoder.clone(),
            strong: self.strong.clone(),
            weak: self.weak.clone(),
            seed: self.seed.map(u64::from),
            epochs: self.epochs.map(|v| v as usize),
            dim: self.dim.map(|v| v as usize),
            buckets: self.buckets,
            k: self.k.map(|v| v as usize),
            lr: self.lr.map(|v| v as f32),
            labels: self.labels.clone(),
            vectors: self.vectors.as_ref().map(|v| v.to_vec()),
            encoder_model: self.encoder_model.clone(),
            progress: self.progress.unwrap_or(false),
            features: self.features,
            target: self.target.clone(),
        }
    }

    pub fn pairs(&self) -> Pairs {
        self.eval_pairs
            .iter()
            .flatten()
            .map(|p| (p.dataset.clone(), (p.strong.clone(), p.weak.clone())))
            .collect()
    }

    pub fn scheme(&self) -> Scheme {
        Scheme {
            by: self.cv.clone().unwrap_or_else(|| "source".into()),
            adapt: self.adapt.unwrap_or(0) as usize,
        }
    }
}

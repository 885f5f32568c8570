use napi_derive::napi;
use router_core::routing::RouterMeta;

/// What a router is (its router.json), typed.
#[napi(object)]
pub struct RouterMetadata {
    /// mf | sw | classifier | random | predictive | ensemble
    pub router: String,
    /// hashed | sentence | remote | ensemble
    pub encoder: String,
    /// sentence / remote: the embedding model's name.
    pub encoder_model: String,
    /// Vector size the router reads (remote vectors must have it).
    pub dim: u32,
    /// hashed: feature buckets of the embedding table.
    pub buckets: u32,
    /// mf / predictive: size of the model embeddings.
    pub k: u32,
    /// sw: similarity sharpness.
    pub gamma: f64,
    /// The pair the score is about.
    pub strong: String,
    pub weak: String,
    /// mf / predictive: every model it knows, in output order for predictive.
    pub models: Vec<String>,
    /// Label classifiers: the classes, in output order.
    pub classes: Vec<String>,
    /// Label classifiers: the data field the classes came from.
    pub label_field: String,
    /// predictive: each model's mean answer length in the training data, in tokens.
    pub output_tokens: Vec<f64>,
    /// The training prompts' scores at each percentile 0..=100 (empty when not recorded).
    pub score_percentiles: Vec<f64>,
    /// Ensembles: the members' folder names under `members/`.
    pub members: Vec<String>,
}

impl From<&RouterMeta> for RouterMetadata {
    fn from(m: &RouterMeta) -> Self {
        let f64s = |v: &[f32]| v.iter().map(|&x| f64::from(x)).collect();
        RouterMetadata {
            router: m.router.name().to_string(),
            encoder: m.encoder.clone(),
            encoder_model: m.encoder_model.clone(),
            dim: m.dim as u32,
            buckets: m.buckets,
            k: m.k as u32,
            gamma: f64::from(m.gamma),
            strong: m.strong.clone(),
            weak: m.weak.clone(),
            models: m.models.clone(),
            classes: m.classes.clone(),
            label_field: m.label_field.clone(),
            output_tokens: f64s(&m.output_tokens),
            score_percentiles: f64s(&m.score_percentiles),
            members: m.members.clone(),
        }
    }
}

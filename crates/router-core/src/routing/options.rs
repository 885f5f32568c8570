//! A training request as callers give it (file paths, names, optional
//! numbers), checked and completed with each router's tuned defaults.

use super::meta::RouterKind;
use super::targets::Target;
use super::train::TrainConfig;

/// Encoders a request may name.
pub const ENCODERS: &[&str] = &["hashed", "sentence", "static", "remote"];

/// The pretrained model behind `--encoder sentence`.
pub const SENTENCE_MODEL: &str = "all-MiniLM-L6-v2";

/// The static encoder distilled from it (`--encoder static`; scripts/fetch-models.sh makes it).
pub const STATIC_MODEL: &str = "all-MiniLM-L6-v2-static";

#[derive(Debug, Clone, Default)]
pub struct TrainRequest {
    /// JSON Lines files of scored prompts.
    pub data: Vec<String>,
    pub router: String,
    /// `hashed` when absent.
    pub encoder: Option<String>,
    pub strong: String,
    pub weak: String,
    pub seed: Option<u64>,
    pub epochs: Option<usize>,
    pub dim: Option<usize>,
    pub buckets: Option<u32>,
    pub k: Option<usize>,
    pub lr: Option<f32>,
    /// classifier: train on the classes in this field of the data instead of the pair.
    pub labels: Option<String>,
    /// remote encoder: every example's vector, in data order.
    pub vectors: Option<Vec<f32>>,
    /// remote encoder: the embedding model's name, recorded in router.json.
    pub encoder_model: Option<String>,
    /// One stderr line per cross-validation fold and embedding batch.
    pub progress: bool,
    /// Read the explicit prompt features beside the vector (sentence and static encoders).
    pub features: Option<bool>,
    /// knn, cluster: what they learn per prompt, `gain` (default) or `difficulty`.
    pub target: Option<String>,
}

/// Per-router defaults chosen by leave-one-subject-out runs on mmlu-train (docs/routing.md).
pub fn default_epochs(r: RouterKind) -> usize {
    match r {
        RouterKind::Mf | RouterKind::Irt => 8,
        _ => 4,
    }
}

pub fn default_lr(r: RouterKind) -> f32 {
    match r {
        RouterKind::Mf => 0.2,
        RouterKind::Irt => 0.05,
        _ => 0.5,
    }
}

impl TrainRequest {
    pub fn encoder(&self) -> &str {
        self.encoder.as_deref().unwrap_or("hashed")
    }

    /// The settings this request trains with; an unknown router or encoder, or a remote encoder
    /// without vectors, is an error saying so.
    pub fn config(&self) -> Result<TrainConfig, String> {
        let encoder = self.encoder();
        if !ENCODERS.contains(&encoder) {
            return Err(format!(
                "unknown encoder \"{encoder}\" (known: {})",
                ENCODERS.join(", ")
            ));
        }
        if encoder == "remote" && self.vectors.is_none() {
            return Err(
                "the remote encoder trains on vectors from /v1/embeddings: pass `vectors`".into(),
            );
        }
        let router = RouterKind::parse(&self.router)?;
        let d = TrainConfig::default();
        Ok(TrainConfig {
            router,
            strong: self.strong.clone(),
            weak: self.weak.clone(),
            seed: self.seed.unwrap_or(d.seed),
            epochs: self.epochs.unwrap_or(default_epochs(router)),
            buckets: self.buckets.unwrap_or(d.buckets),
            dim: self.dim.unwrap_or(d.dim),
            k: self
                .k
                .unwrap_or(if router == RouterKind::Irt { 4 } else { d.k }),
            lr: self.lr.unwrap_or(default_lr(router)),
            label_field: self.labels.clone(),
            encoder_model: self.encoder_model.clone().unwrap_or_default(),
            features: self.features.unwrap_or(router.learns_from_all_models()),
            target: self
                .target
                .as_deref()
                .map(Target::parse)
                .transpose()?
                .unwrap_or(Target::default_for(router)),
            ..d
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(router: &str, encoder: Option<&str>) -> TrainRequest {
        TrainRequest {
            router: router.into(),
            encoder: encoder.map(str::to_string),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_follow_the_router_kind() {
        let mf = req("mf", None).config().unwrap();
        assert_eq!((mf.epochs, mf.lr), (8, 0.2));
        let cl = req("classifier", Some("sentence")).config().unwrap();
        assert_eq!((cl.epochs, cl.lr), (4, 0.5));
        let mut r = req("mf", None);
        r.epochs = Some(2);
        assert_eq!(r.config().unwrap().epochs, 2);
    }

    #[test]
    fn unknown_names_and_remote_without_vectors_are_errors() {
        assert!(req("mf", Some("bert-9000"))
            .config()
            .unwrap_err()
            .contains("unknown encoder \"bert-9000\""));
        assert!(req("mf", Some("remote"))
            .config()
            .unwrap_err()
            .contains("pass `vectors`"));
        assert!(req("gbdt", None)
            .config()
            .unwrap_err()
            .contains("unknown router"));
        let mut r = req("cluster", Some("static"));
        r.target = Some("hardness".into());
        assert!(r
            .config()
            .unwrap_err()
            .contains("unknown target \"hardness\""));
    }

    #[test]
    fn the_target_follows_the_kind_unless_asked() {
        let mut r = req("cluster", Some("static"));
        assert_eq!(r.config().unwrap().target, Target::Difficulty);
        r.target = Some("gain".into());
        assert_eq!(r.config().unwrap().target, Target::Gain);
        let mut k = req("knn", Some("static"));
        assert_eq!(k.config().unwrap().target, Target::Gain);
        k.target = Some("difficulty".into());
        assert_eq!(k.config().unwrap().target, Target::Difficulty);
    }
}

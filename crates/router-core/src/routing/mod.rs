//! Learned routing (RouteLLM-style strong/weak routers and their relatives):
//! prompt encoders, router heads (one file each under `heads/`), seeded
//! training, cross-validation by source or by dataset, RouteLLM's metrics,
//! label classifiers, per-model quality predictors (Tryage) and
//! semantic-route indexes.

pub mod cv;
pub mod data;
#[cfg(feature = "sentence")]
pub mod distill;
pub mod embedding_cache;
pub mod encoder;
pub mod features;
pub mod heads;
pub mod jobs;
pub mod meta;
pub mod metrics;
pub mod options;
pub mod prompt_features;
mod rng;
mod router;
pub mod semantic;
#[cfg(feature = "sentence")]
pub mod sentence;
pub mod static_encoder;
pub mod targets;
pub mod tensors;
pub mod train;

use std::path::PathBuf;

pub use cv::{
    cross_validate, cross_validate_ensemble, cross_validate_outputs, Fold, Folds, Pairs, Scheme,
};
pub use data::{parse_jsonl, Example};
pub use encoder::{sentence_encoder, Encoder};
pub use meta::{RouterKind, RouterMeta};
pub use options::TrainRequest;
pub use router::Router;
pub use semantic::SemanticIndex;
pub use train::{featurize, output_names, train, train_ensemble, Inputs, TrainConfig};

/// The models folder: `SWITCHBOARD_MODELS`, else ~/.cache/switchboard/models.
pub fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("SWITCHBOARD_MODELS") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."));
    home.join(".cache/switchboard/models")
}

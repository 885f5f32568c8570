//! Learned routing (RouteLLM-style strong/weak routers): hashed prompt
//! encoder, mf / sw / classifier / random heads, seeded training and
//! leave-one-group-out cross-validation; label classifiers, per-model
//! quality predictors (Tryage) and semantic-route indexes.

pub mod data;
pub mod features;
pub mod metrics;
pub mod model;
mod rng;
pub mod semantic;
#[cfg(feature = "sentence")]
pub mod sentence;
pub mod train;

pub use data::{parse_jsonl, Example};
pub use model::{Router, RouterKind};
pub use semantic::SemanticIndex;
pub use train::{
    cross_validate, cross_validate_ensemble, cross_validate_outputs, featurize, output_names,
    train, train_ensemble, Inputs, TrainConfig,
};

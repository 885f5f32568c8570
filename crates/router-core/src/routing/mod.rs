//! Learned routing (RouteLLM-style strong/weak routers): hashed prompt
//! encoder, mf / sw / classifier / random heads, seeded training and
//! leave-one-group-out cross-validation.

pub mod data;
pub mod features;
pub mod metrics;
pub mod model;
mod rng;
#[cfg(feature = "sentence")]
pub mod sentence;
pub mod train;

pub use data::{parse_jsonl, Example};
pub use model::{Router, RouterKind};
pub use train::{cross_validate, featurize, train, Inputs, TrainConfig};

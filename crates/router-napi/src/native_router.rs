use std::path::Path;

use napi::bindgen_prelude::Float32Array;
use napi_derive::napi;
use router_core::routing::Router;

use crate::errors::invalid;
use crate::router_metadata::RouterMetadata;

/// A learned router loaded from a folder (`router.json` + `weights.bin`).
#[napi]
pub struct NativeRouter {
    pub(crate) inner: Router,
}

#[napi]
impl NativeRouter {
    /// Loads a router written by `trainRouter`; throws naming the file and the problem.
    #[napi(factory, catch_unwind)]
    pub fn load(dir: String) -> napi::Result<Self> {
        Router::load(Path::new(&dir))
            .map(|inner| NativeRouter { inner })
            .map_err(invalid)
    }

    /// The same router scoring another pair (mf and predictive routers know every model of their data).
    #[napi(catch_unwind)]
    pub fn with_pair(&self, strong: String, weak: String) -> napi::Result<NativeRouter> {
        self.inner
            .clone()
            .with_pair(&strong, &weak)
            .map(|inner| NativeRouter { inner })
            .map_err(invalid)
    }

    /// P(the strong model's answer beats the weak one's) for this prompt: tokenize, encode and score in one call.
    #[napi(catch_unwind)]
    pub fn score(&self, text: String) -> f64 {
        self.inner.score(&text)
    }

    /// Every output for this prompt, one native call: class probabilities (a classifier trained
    /// with labels, in `metadata.classes` order), each model's predicted quality (predictive, in
    /// `metadata.models` order), or the single score.
    #[napi(catch_unwind)]
    pub fn outputs(&self, text: String) -> Vec<f64> {
        self.inner
            .outputs(&text)
            .into_iter()
            .map(f64::from)
            .collect()
    }

    /// `score` from a prompt vector computed outside (remote encoder).
    #[napi(catch_unwind)]
    pub fn score_vector(&self, vector: Float32Array) -> napi::Result<f64> {
        self.check_dim(&vector)?;
        Ok(self.inner.score_vector(&vector, "") as f64)
    }

    /// `outputs` from a prompt vector computed outside (remote encoder).
    #[napi(catch_unwind)]
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

    /// `score` for each text; `turns`, when given, each text's conversation turns (the user
    /// messages, as the gateway counts a chat request's; 0: a single prompt, the turns counted
    /// from role markers in the text as `score` does).
    #[napi(catch_unwind)]
    pub fn score_many(&self, texts: Vec<String>, turns: Option<Vec<u32>>) -> Vec<f64> {
        let turns = turns.unwrap_or_default();
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let known = turns.get(i).filter(|&&n| n > 0).map(|&n| n as usize);
                self.inner.score_turns(t, known)
            })
            .collect()
    }

    /// The index of a model in `metadata.models` (and in a per-model router's outputs), matched
    /// across spellings (`gpt4_1106_preview` = `gpt-4-1106-preview`); null when unknown.
    #[napi(catch_unwind)]
    pub fn model_index(&self, name: String) -> Option<u32> {
        self.inner.meta.model_index(&name).map(|i| i as u32)
    }

    /// router.json as a JSON string (kept for existing callers; `metadata` is the typed form).
    #[napi(getter, catch_unwind)]
    pub fn info(&self) -> String {
        serde_json::to_string(&self.inner.meta).unwrap_or_default()
    }

    /// router.json, typed: kind, encoder, pair, models, classes, training-score percentiles.
    #[napi(getter, catch_unwind)]
    pub fn metadata(&self) -> RouterMetadata {
        RouterMetadata::from(&self.inner.meta)
    }
}

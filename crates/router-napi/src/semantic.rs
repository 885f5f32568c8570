use napi::bindgen_prelude::Float32Array;
use napi_derive::napi;
use router_core::routing::SemanticIndex;

use crate::errors::invalid;

/// Semantic routes: utterances embedded once at load, prompts matched per request.
#[napi]
pub struct NativeSemanticIndex {
    inner: SemanticIndex,
}

#[napi]
impl NativeSemanticIndex {
    /// `encoder`: `lexical` (TF-IDF over hashed n-grams) or `sentence` (all-MiniLM-L6-v2 from the
    /// models folder). `routeOf[i]` is the route index of `utterances[i]`.
    #[napi(factory, catch_unwind)]
    pub fn from_text(
        encoder: String,
        utterances: Vec<String>,
        route_of: Vec<u32>,
        routes: u32,
        top_k: u32,
    ) -> napi::Result<Self> {
        let texts: Vec<&str> = utterances.iter().map(String::as_str).collect();
        let inner = match encoder.as_str() {
            "lexical" => SemanticIndex::lexical(&texts, route_of, routes as usize, top_k as usize),
            "sentence" => router_core::routing::sentence_encoder(
                router_core::routing::options::SENTENCE_MODEL,
            )
            .and_then(|enc| {
                SemanticIndex::sentence(enc, &texts, route_of, routes as usize, top_k as usize)
            }),
            other => Err(format!(
                "unknown semantic encoder \"{other}\" (known: lexical, sentence, remote)"
            )),
        }
        .map_err(invalid)?;
        Ok(NativeSemanticIndex { inner })
    }

    /// Utterance vectors computed outside (remote embeddings), `dim` values each, row-major.
    #[napi(factory, catch_unwind)]
    pub fn from_vectors(
        vectors: Float32Array,
        dim: u32,
        route_of: Vec<u32>,
        routes: u32,
        top_k: u32,
    ) -> napi::Result<Self> {
        SemanticIndex::dense(
            vectors.to_vec(),
            dim as usize,
            None,
            route_of,
            routes as usize,
            top_k as usize,
        )
        .map(|inner| NativeSemanticIndex { inner })
        .map_err(invalid)
    }

    /// Per-route similarity of the prompt (mean of its top-k utterances), in route order.
    #[napi(catch_unwind)]
    pub fn scores(&self, text: String) -> napi::Result<Vec<f64>> {
        self.inner
            .scores(&text)
            .map(|s| s.into_iter().map(f64::from).collect())
            .map_err(invalid)
    }

    /// `scores` from the prompt's vector (remote embeddings).
    #[napi(catch_unwind)]
    pub fn scores_vector(&self, vector: Float32Array) -> napi::Result<Vec<f64>> {
        self.inner
            .scores_vector(&vector)
            .map(|s| s.into_iter().map(f64::from).collect())
            .map_err(invalid)
    }
}

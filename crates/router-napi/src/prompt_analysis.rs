use napi_derive::napi;
use router_core::analysis::Analysis;

/// What a request needs from the native core, from one call: its prompt tokens and the router's
/// outputs.
#[napi(object)]
pub struct PromptAnalysis {
    /// Prompt tokens with the tokenizer the call was made on (chat framing included).
    pub tokens: u32,
    /// The router's outputs: one score for strong/weak routers, class probabilities for label
    /// classifiers, each model's quality for predictive routers; empty without a router.
    pub outputs: Vec<f64>,
}

impl From<Analysis> for PromptAnalysis {
    fn from(a: Analysis) -> Self {
        PromptAnalysis {
            tokens: a.tokens as u32,
            outputs: a.outputs.into_iter().map(f64::from).collect(),
        }
    }
}

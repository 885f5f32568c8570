use napi_derive::napi;
use router_core::routing::metrics;

/// RouteLLM's measures of router scores on labelled prompts.
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

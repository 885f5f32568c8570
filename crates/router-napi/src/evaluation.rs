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
#[napi(catch_unwind)]
pub fn evaluate_router(
    scores: Vec<f64>,
    strong: Vec<f64>,
    weak: Vec<f64>,
) -> Option<RouterEvaluation> {
    metrics::evaluate(&scores, &strong, &weak).map(to_js)
}

/// The oracle's figures (it knows which prompts need the strong model).
#[napi(catch_unwind)]
pub fn evaluate_oracle(strong: Vec<f64>, weak: Vec<f64>) -> Option<RouterEvaluation> {
    metrics::oracle(&strong, &weak).map(to_js)
}

/// The threshold sending `share` of these scores to the strong model (score >= threshold).
#[napi(catch_unwind)]
pub fn calibrate_threshold(scores: Vec<f64>, share: f64) -> f64 {
    metrics::calibrate(&scores, share)
}

/// A 95 % bootstrap interval.
#[napi(object)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

/// Bootstrap intervals of a router's figures (prompts resampled with replacement, seeded).
#[napi(object)]
pub struct BootstrapIntervals {
    pub apgr: Interval,
    pub cpt50: Interval,
    pub cpt80: Interval,
    /// APGR minus the baseline's on the same resamples (when a baseline was given).
    pub apgr_gain: Option<Interval>,
    /// Resamples that had a gap to measure.
    pub resamples: u32,
}

fn interval(i: metrics::Interval) -> Interval {
    Interval { lo: i.lo, hi: i.hi }
}

/// 95 % intervals for APGR, CPT(50 %) and CPT(80 %) over `resamples` bootstrap resamples of the
/// prompts drawn from `seed`; with `baseline` scores, the interval of the APGR difference on the
/// same resamples. The same seed draws the same resamples for every router. Null when no
/// resample has a gap between the two models.
#[napi(catch_unwind)]
pub fn bootstrap_evaluation(
    scores: Vec<f64>,
    strong: Vec<f64>,
    weak: Vec<f64>,
    resamples: u32,
    seed: u32,
    baseline: Option<Vec<f64>>,
) -> Option<BootstrapIntervals> {
    metrics::bootstrap(
        &scores,
        baseline.as_deref(),
        &strong,
        &weak,
        resamples as usize,
        u64::from(seed),
    )
    .map(|b| BootstrapIntervals {
        apgr: interval(b.apgr),
        cpt50: interval(b.cpt50),
        cpt80: interval(b.cpt80),
        apgr_gain: b.apgr_gain.map(interval),
        resamples: b.resamples as u32,
    })
}

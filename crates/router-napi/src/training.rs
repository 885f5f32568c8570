//! Training and cross-validation: each as a Promise-returning `...Async` task run off the event
//! loop, with the synchronous form kept for small data and existing callers.

use std::path::PathBuf;

use napi::bindgen_prelude::{AsyncTask, Float32Array};
use napi_derive::napi;
use router_core::routing::{jobs, Pairs, Scheme, TrainRequest};

use crate::errors::invalid;
use crate::job::Job;
use crate::router_metadata::RouterMetadata;
use crate::train_options::TrainOptions;

fn out_dir(o: &TrainOptions) -> napi::Result<PathBuf> {
    o.out
        .clone()
        .map(PathBuf::from)
        .ok_or_else(|| invalid("trainRouter needs `out`".into()))
}

/// Trains on every example and writes the router to `out`; returns router.json as JSON.
#[napi]
pub fn train_router(options: TrainOptions) -> napi::Result<String> {
    let meta = jobs::train_router(&options.request(), &out_dir(&options)?).map_err(invalid)?;
    Ok(serde_json::to_string(&meta).unwrap_or_default())
}

/// `trainRouter` off the event loop; resolves to the router's metadata.
#[napi(ts_return_type = "Promise<RouterMetadata>")]
pub fn train_router_async(
    options: TrainOptions,
) -> napi::Result<AsyncTask<Job<router_core::routing::RouterMeta, RouterMetadata>>> {
    let (req, out) = (options.request(), out_dir(&options)?);
    Ok(AsyncTask::new(Job::new(
        move || jobs::train_router(&req, &out),
        |m| RouterMetadata::from(&m),
    )))
}

/// Held-out scores (`options.cv`: each source, or each dataset, trained without and scored):
/// one score per example, in file order.
#[napi]
pub fn cross_validate_router(options: TrainOptions) -> napi::Result<Vec<f64>> {
    jobs::cross_validate_router(&options.request(), &options.scheme(), &options.pairs())
        .map_err(invalid)
}

/// `crossValidateRouter` off the event loop.
#[napi(ts_return_type = "Promise<number[]>")]
pub fn cross_validate_router_async(options: TrainOptions) -> AsyncTask<Job<Vec<f64>, Vec<f64>>> {
    let (req, scheme, pairs) = (options.request(), options.scheme(), options.pairs());
    AsyncTask::new(Job::new(
        move || jobs::cross_validate_router(&req, &scheme, &pairs),
        |v| v,
    ))
}

/// Held-out outputs (class probabilities or per-model quality): `width` values per example, in
/// file order, flattened.
#[napi(object)]
pub struct CrossValidatedOutputs {
    pub width: u32,
    pub values: Vec<f64>,
    /// What each of the `width` outputs stands for: the classes, or the models.
    pub names: Vec<String>,
}

fn outputs_job(
    req: &TrainRequest,
    scheme: &Scheme,
    pairs: &Pairs,
) -> Result<CrossValidatedOutputs, String> {
    let (outputs, names) =
        jobs::cross_validate_outputs(req, scheme, pairs, |r, x, t| r.outputs_vector(x, t))?;
    let width = outputs.iter().map(Vec::len).max().unwrap_or(0);
    let mut values = Vec::with_capacity(width * outputs.len());
    for o in &outputs {
        values.extend(o.iter().map(|&v| v as f64));
        values.extend(std::iter::repeat_n(f64::NAN, width - o.len()));
    }
    Ok(CrossValidatedOutputs {
        width: width as u32,
        values,
        names,
    })
}

#[napi]
pub fn cross_validate_outputs(options: TrainOptions) -> napi::Result<CrossValidatedOutputs> {
    outputs_job(&options.request(), &options.scheme(), &options.pairs()).map_err(invalid)
}

/// `crossValidateOutputs` off the event loop.
#[napi(ts_return_type = "Promise<CrossValidatedOutputs>")]
pub fn cross_validate_outputs_async(
    options: TrainOptions,
) -> AsyncTask<Job<CrossValidatedOutputs, CrossValidatedOutputs>> {
    let (req, scheme, pairs) = (options.request(), options.scheme(), options.pairs());
    AsyncTask::new(Job::new(move || outputs_job(&req, &scheme, &pairs), |v| v))
}

fn requests(members: &[TrainOptions]) -> Vec<TrainRequest> {
    members.iter().map(TrainOptions::request).collect()
}

/// Trains every member on all the data and writes their ensemble (members under `out/members/`).
#[napi]
pub fn train_ensemble(members: Vec<TrainOptions>, out: String) -> napi::Result<String> {
    let meta = jobs::train_ensemble(&requests(&members), &PathBuf::from(out)).map_err(invalid)?;
    Ok(serde_json::to_string(&meta).unwrap_or_default())
}

/// `trainEnsemble` off the event loop; resolves to the ensemble's metadata.
#[napi(ts_return_type = "Promise<RouterMetadata>")]
pub fn train_ensemble_async(
    members: Vec<TrainOptions>,
    out: String,
) -> AsyncTask<Job<router_core::routing::RouterMeta, RouterMetadata>> {
    let reqs = requests(&members);
    AsyncTask::new(Job::new(
        move || jobs::train_ensemble(&reqs, &PathBuf::from(out)),
        |m| RouterMetadata::from(&m),
    ))
}

/// Held-out scores of an ensemble (members trained per fold; each held-out prompt scored as the
/// mean of the members' training-score percentiles). The first member's `cv` names the folds.
#[napi]
pub fn cross_validate_ensemble(members: Vec<TrainOptions>) -> napi::Result<Vec<f64>> {
    let scheme = members
        .first()
        .map(TrainOptions::scheme)
        .unwrap_or_default();
    jobs::cross_validate_ensemble(&requests(&members), &scheme).map_err(invalid)
}

/// `crossValidateEnsemble` off the event loop.
#[napi(ts_return_type = "Promise<number[]>")]
pub fn cross_validate_ensemble_async(
    members: Vec<TrainOptions>,
) -> AsyncTask<Job<Vec<f64>, Vec<f64>>> {
    let scheme = members
        .first()
        .map(TrainOptions::scheme)
        .unwrap_or_default();
    let reqs = requests(&members);
    AsyncTask::new(Job::new(
        move || jobs::cross_validate_ensemble(&reqs, &scheme),
        |v| v,
    ))
}

/// Sentence embeddings (all-MiniLM-L6-v2) of every prompt of the files, in order, row-major;
/// cached per file like training's.
#[napi]
pub fn sentence_vectors(data: Vec<String>, progress: Option<bool>) -> napi::Result<Float32Array> {
    jobs::sentence_vectors(&data, progress.unwrap_or(false))
        .map(Float32Array::new)
        .map_err(invalid)
}

/// `sentenceVectors` off the event loop.
#[napi(ts_return_type = "Promise<Float32Array>")]
pub fn sentence_vectors_async(
    data: Vec<String>,
    progress: Option<bool>,
) -> AsyncTask<Job<Vec<f32>, Float32Array>> {
    let progress = progress.unwrap_or(false);
    AsyncTask::new(Job::new(
        move || jobs::sentence_vectors(&data, progress),
        Float32Array::new,
    ))
}

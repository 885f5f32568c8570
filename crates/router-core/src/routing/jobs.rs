//! Whole jobs from file paths to results, as the binding runs them (on a
//! worker thread): read the data, build the inputs, train or cross-validate.

use std::path::Path;

use super::cv::{self, Folds, Pairs, Scheme};
use super::data::{parse_jsonl, Example};
use super::embedding_cache;
use super::encoder::Encoder;
use super::meta::RouterMeta;
use super::options::{TrainRequest, SENTENCE_MODEL};
use super::prompt_features;
use super::train::{self, featurize, Inputs, TrainConfig};

/// Every example of the files, in order, and how many came from each file.
pub fn load_data(paths: &[String]) -> Result<(Vec<Example>, Vec<usize>), String> {
    let mut all = Vec::new();
    let mut per_file = Vec::with_capacity(paths.len());
    for p in paths {
        let text = std::fs::read_to_string(p).map_err(|e| format!("{p}: {e}"))?;
        let examples = parse_jsonl(&text, p)?;
        per_file.push(examples.len());
        all.extend(examples);
    }
    if all.is_empty() {
        return Err("no examples in the data files".into());
    }
    Ok((all, per_file))
}

/// What the router reads: hashed features, remote vectors given with the request, or sentence
/// embeddings (cached per data file).
pub fn inputs(
    req: &TrainRequest,
    data: &[Example],
    per_file: &[usize],
    cfg: &TrainConfig,
) -> Result<Inputs, String> {
    if cfg.router.reads_text_only() {
        return Ok(Inputs::Text);
    }
    match req.encoder() {
        "remote" => {
            let given = req.vectors.clone().unwrap_or_default();
            if given.is_empty() || !given.len().is_multiple_of(data.len()) {
                return Err(format!(
                    "{} vector values for {} examples",
                    given.len(),
                    data.len()
                ));
            }
            let dim = given.len() / data.len();
            Ok(Inputs::Dense {
                encoder: Encoder::Remote { dim },
                vectors: given,
                dim,
            })
        }
        "sentence" => {
            let (encoder, vectors) = embedding_cache::sentence_vectors(
                SENTENCE_MODEL,
                &req.data,
                data,
                per_file,
                req.progress,
            )?;
            Ok(with_features(encoder, vectors, data, cfg.features))
        }
        "static" => {
            let enc = super::static_encoder::distilled(super::options::STATIC_MODEL)?;
            let mut vectors = vec![0.0f32; data.len() * enc.dim];
            for (ex, x) in data.iter().zip(vectors.chunks_exact_mut(enc.dim)) {
                enc.encode(&ex.prompt, x)?;
            }
            Ok(with_features(
                Encoder::Static(enc),
                vectors,
                data,
                cfg.features,
            ))
        }
        _ => Ok(Inputs::Hashed(featurize(data, cfg.buckets))),
    }
}

/// Dense inputs, with each example's explicit prompt features after its vector when asked for.
fn with_features(encoder: Encoder, vectors: Vec<f32>, data: &[Example], features: bool) -> Inputs {
    let width = encoder.dim();
    if !features {
        return Inputs::Dense {
            encoder,
            vectors,
            dim: width,
        };
    }
    let dim = width + prompt_features::NAMES.len();
    let mut out = vec![0.0f32; data.len() * dim];
    for (i, ex) in data.iter().enumerate() {
        let row = &mut out[i * dim..(i + 1) * dim];
        row[..width].copy_from_slice(&vectors[i * width..(i + 1) * width]);
        prompt_features::prompt_features(&ex.prompt, ex.turns, &mut row[width..]);
    }
    Inputs::Dense {
        encoder,
        vectors: out,
        dim,
    }
}

/// One stderr line per cross-validation fold, when asked for.
pub fn fold_progress(progress: bool) -> impl FnMut(usize, usize, &str) {
    let started = std::time::Instant::now();
    move |i, n, group| {
        if progress {
            eprintln!(
                "  fold {}/{n}: holding out {group} ({:.1} s)",
                i + 1,
                started.elapsed().as_secs_f64()
            );
        }
    }
}

/// Trains on every example and writes the router to `out`; returns its router.json.
pub fn train_router(req: &TrainRequest, out: &Path) -> Result<RouterMeta, String> {
    let cfg = req.config()?;
    let (data, per_file) = load_data(&req.data)?;
    let inputs = inputs(req, &data, &per_file, &cfg)?;
    let all: Vec<usize> = (0..data.len()).collect();
    let router = train::train(&data, &inputs, &all, &cfg)?;
    router.save(out)?;
    Ok(router.meta)
}

/// Held-out outputs (`scheme`: source or dataset), one vector per example, and their names.
pub fn cross_validate_outputs(
    req: &TrainRequest,
    scheme: &Scheme,
    pairs: &Pairs,
    output: impl Fn(&super::Router, &[f32], &str) -> Vec<f32>,
) -> Result<(Vec<Vec<f32>>, Vec<String>), String> {
    let cfg = req.config()?;
    let (data, per_file) = load_data(&req.data)?;
    let inputs = inputs(req, &data, &per_file, &cfg)?;
    let folds = Folds::named(scheme, &data)?;
    let outputs = cv::cross_validate_outputs(
        &data,
        &inputs,
        &cfg,
        &folds,
        pairs,
        fold_progress(req.progress),
        output,
    )?;
    Ok((outputs, train::output_names(&data, &cfg)))
}

/// Held-out strong/weak scores, one per example (NaN where no fold scores it).
pub fn cross_validate_router(
    req: &TrainRequest,
    scheme: &Scheme,
    pairs: &Pairs,
) -> Result<Vec<f64>, String> {
    let (outputs, _) =
        cross_validate_outputs(req, scheme, pairs, |r, x, t| vec![r.score_vector(x, t)])?;
    Ok(outputs
        .into_iter()
        .map(|o| o.first().map_or(f64::NAN, |&v| v as f64))
        .collect())
}

/// Runs `f` on the ensemble members' shared data, each member's inputs and settings.
fn with_members<T>(
    members: &[TrainRequest],
    f: impl FnOnce(&[Example], &[(String, &Inputs, &TrainConfig)]) -> Result<T, String>,
) -> Result<T, String> {
    let Some(first) = members.first() else {
        return Err("an ensemble needs at least one member".into());
    };
    if members.iter().any(|m| m.data != first.data) {
        return Err("ensemble members must train on the same data files".into());
    }
    let (data, per_file) = load_data(&first.data)?;
    let mut configs = Vec::new();
    for m in members {
        configs.push((format!("{}-{}", m.router, m.encoder()), m.config()?));
    }
    let mut built = Vec::new();
    for (m, (_, cfg)) in members.iter().zip(&configs) {
        built.push(inputs(m, &data, &per_file, cfg)?);
    }
    let list: Vec<(String, &Inputs, &TrainConfig)> = configs
        .iter()
        .zip(&built)
        .map(|((name, cfg), inp)| (name.clone(), inp, cfg))
        .collect();
    f(&data, &list)
}

/// Trains every member on all the data and writes their ensemble (members under `out/members/`).
pub fn train_ensemble(members: &[TrainRequest], out: &Path) -> Result<RouterMeta, String> {
    with_members(members, |data, list| {
        let all: Vec<usize> = (0..data.len()).collect();
        let router = train::train_ensemble(data, list, &all)?;
        router.save(out)?;
        Ok(router.meta)
    })
}

/// Held-out scores of an ensemble (members trained per fold).
pub fn cross_validate_ensemble(
    members: &[TrainRequest],
    scheme: &Scheme,
) -> Result<Vec<f64>, String> {
    let progress = members.iter().any(|m| m.progress);
    with_members(members, |data, list| {
        let folds = Folds::named(scheme, data)?;
        cv::cross_validate_ensemble(data, list, &folds, fold_progress(progress))
    })
}

/// Places a model an irt router has not seen (or re-places one it has) from its scores in the
/// data files, with every item fixed, and writes the router with that model to `out`. Returns
/// how many scored prompts placed it.
pub fn place_model(
    router_dir: &Path,
    files: &[String],
    model: &str,
    out: &Path,
) -> Result<usize, String> {
    let mut router = super::Router::load(router_dir)?;
    let (data, _) = load_data(files)?;
    let (mut inputs, mut scores) = (Vec::new(), Vec::new());
    for ex in &data {
        let Some(y) = ex.score_of(model) else {
            continue;
        };
        if let Some(x) = router.with_input(&ex.prompt, ex.turns, <[f32]>::to_vec) {
            inputs.push(x);
            scores.push(y as f32);
        }
    }
    if inputs.is_empty() {
        return Err(format!("no prompt in the data scores model \"{model}\""));
    }
    let index = router.meta.model_index(model);
    let super::heads::Head::Irt(irt) = &mut router.head else {
        return Err(format!(
            "placing a model needs an irt router; {} is {}",
            router_dir.display(),
            router.meta.router.name()
        ));
    };
    let (theta, beta) = irt.place(&inputs, &scores);
    irt.add_model(index, &theta, beta);
    if index.is_none() {
        router.meta.models.push(super::data::canonical_model(model));
    }
    router.save(out)?;
    Ok(inputs.len())
}

/// Sentence embeddings of every prompt of the files, row-major (cached like training's).
pub fn sentence_vectors(files: &[String], progress: bool) -> Result<Vec<f32>, String> {
    let (data, per_file) = load_data(files)?;
    embedding_cache::sentence_vectors(SENTENCE_MODEL, files, &data, &per_file, progress)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy_file() -> (std::path::PathBuf, String) {
        let dir = std::env::temp_dir().join(format!("jobs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("toy.jsonl");
        let lines: Vec<String> = crate::routing::heads::toy::data()
            .iter()
            .map(|e| {
                serde_json::json!({"id": e.id, "prompt": e.prompt, "source": e.source, "scores": e.scores})
                    .to_string()
            })
            .collect();
        std::fs::write(&file, lines.join("\n")).unwrap();
        (dir, file.to_string_lossy().into_owned())
    }

    /// The same questions asked first (the weak model answers them) and as a conversation's
    /// third turn (it does not): rows that carry `messages`, as sampling and `label` write them.
    fn first_and_follow_up_rows() -> Vec<Example> {
        (0..240)
            .map(|i| {
                let q = format!("tell me more about topic {}", i % 20);
                let source = format!("{}/x", ["a", "b"][i % 4 / 2]);
                let row = if i % 2 == 0 {
                    serde_json::json!({"id": i.to_string(), "prompt": q, "source": source,
                        "scores": {"s": 1.0, "w": 1.0}})
                } else {
                    let (u, a) = ("user", "assistant");
                    serde_json::json!({"id": i.to_string(), "prompt": q, "source": source,
                        "scores": {"s": 1.0, "w": 0.0},
                        "messages": [{"role": u, "content": "start"}, {"role": a, "content": "ok"},
                                     {"role": u, "content": "go on"}, {"role": a, "content": "ok"},
                                     {"role": u, "content": q}]})
                };
                serde_json::from_value(row).unwrap()
            })
            .collect()
    }

    #[test]
    fn follow_up_turns_are_learned_from_conversation_rows_and_read_as_the_gateway_gives_them() {
        use crate::routing::encoder::Encoder;
        use crate::routing::prompt_features::{prompt_features, NAMES};
        use crate::routing::train::{train, TrainConfig};
        let rows = first_and_follow_up_rows();
        // A vector that says nothing, so only the explicit features can tell the rows apart.
        let blank: Vec<f32> = rows.iter().flat_map(|_| [1.0, 0.0]).collect();
        let inputs = with_features(Encoder::Remote { dim: 2 }, blank, &rows, true);
        let dim = 2 + NAMES.len();
        // What the gateway computes for a chat request: the last user message, the turns counted.
        let served = |text: &str, turns: usize| {
            let mut x = vec![1.0, 0.0];
            x.resize(dim, 0.0);
            prompt_features(text, Some(turns), &mut x[2..]);
            x
        };
        let (mut x, remote) = (vec![0.0; dim], Encoder::Remote { dim: 2 });
        inputs.vector(&remote, 1, &mut x);
        assert_eq!(
            x,
            served(&rows[1].prompt, 3),
            "a conversation row trains on what serving reads"
        );
        inputs.vector(&remote, 0, &mut x);
        assert_eq!(x, served(&rows[0].prompt, 1));
        let cfg = TrainConfig {
            router: crate::routing::meta::RouterKind::Cluster,
            strong: "s".into(),
            weak: "w".into(),
            features: true,
            target: crate::routing::targets::Target::Difficulty,
            ..Default::default()
        };
        let all: Vec<usize> = (0..rows.len()).collect();
        let r = train(&rows, &inputs, &all, &cfg).unwrap();
        let q = "tell me more about topic 7";
        let (first, third) = (
            r.score_vector(&served(q, 1), q),
            r.score_vector(&served(q, 3), q),
        );
        assert!(
            third > first + 0.1,
            "third turn {third} against first {first}"
        );
    }

    #[test]
    fn train_and_cross_validate_from_files() {
        let (dir, file) = toy_file();
        let req = TrainRequest {
            data: vec![file.clone()],
            router: "classifier".into(),
            strong: "s".into(),
            weak: "w".into(),
            buckets: Some(1 << 12),
            dim: Some(8),
            ..Default::default()
        };
        let meta = train_router(&req, &dir.join("r")).unwrap();
        assert_eq!(meta.router.name(), "classifier");
        assert!(dir.join("r/weights.bin").exists());
        let none = Pairs::new();
        let scores = cross_validate_router(&req, &Scheme::new("source"), &none).unwrap();
        assert_eq!(scores.len(), 300);
        assert!(scores[0] > scores[1]);
        assert!(cross_validate_router(&req, &Scheme::new("random"), &none).is_err());
        let members = [
            req.clone(),
            TrainRequest {
                router: "mf".into(),
                ..req.clone()
            },
        ];
        let e = train_ensemble(&members, &dir.join("e")).unwrap();
        assert_eq!(e.members, vec!["classifier-hashed", "mf-hashed"]);
        assert_eq!(
            cross_validate_ensemble(&members, &Scheme::new("source"))
                .unwrap()
                .len(),
            300
        );
        assert!(load_data(&[format!("{file}.missing")]).is_err());
        std::fs::remove_dir_all(dir).ok();
    }
}

//! Cross-validation: train without a group of prompts, score the group.
//! Groups are whole sources (a subject, a task: in-domain figures) or whole
//! datasets (every source of one benchmark: the figure that predicts how a
//! router does on prompts unlike its training data). When a dataset is held
//! out, training prompts that duplicate one of its prompts are dropped too.

use std::collections::{BTreeMap, HashSet};
use std::ops::Deref;

use super::data::{dataset_of, dedup_keys, Example};
use super::rng::Rng;
use super::train::{train, Inputs, TrainConfig};
use super::Router;

/// How cross-validation splits the data: each group of `by` (`source` or `dataset`) held out in
/// turn and, with `adapt` > 0, that many of the held-out group's prompts (drawn at random, the
/// same draw whatever the training seed) moved to the training side, as prompts an operator
/// labelled from their own traffic; the rest of the group is scored.
#[derive(Debug, Clone, Default)]
pub struct Scheme {
    pub by: String,
    pub adapt: usize,
}

impl Scheme {
    pub fn new(by: &str) -> Scheme {
        Scheme {
            by: by.to_string(),
            adapt: 0,
        }
    }
}

/// The draw of `adapt` prompts does not follow the training seed, so runs with several seeds
/// score the same held-out prompts.
const ADAPT_DRAW_SEED: u64 = 0x0ada_9700;

/// One held-out group: its name, the examples trained on and the examples scored.
#[derive(Debug, Clone)]
pub struct Fold {
    pub name: String,
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Folds(pub Vec<Fold>);

impl Folds {
    /// Leave one group out, for any grouping; groups in sorted order.
    pub fn by(examples: &[Example], group: impl Fn(&Example) -> String) -> Folds {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, e) in examples.iter().enumerate() {
            groups.entry(group(e)).or_default().push(i);
        }
        Folds(
            groups
                .into_iter()
                .map(|(name, test)| {
                    let held: HashSet<usize> = test.iter().copied().collect();
                    let train = (0..examples.len()).filter(|i| !held.contains(i)).collect();
                    Fold { name, train, test }
                })
                .collect(),
        )
    }

    /// Leave one source out (in-domain: other subjects of the same benchmarks are seen).
    pub fn by_source(examples: &[Example]) -> Folds {
        Self::by(examples, |e| e.source.clone())
    }

    /// Leave one dataset out: the dataset is the part of `source` before its `/` (mmlu,
    /// mmlu-pro, zeroeval, ...). Training prompts that duplicate a held-out prompt (same text or
    /// same question stem, after normalising case, spacing and punctuation) are dropped as well,
    /// so no prompt is on both sides.
    pub fn by_dataset(examples: &[Example]) -> Folds {
        let keys: Vec<Vec<u64>> = examples.iter().map(|e| dedup_keys(&e.prompt)).collect();
        let mut folds = Self::by(examples, |e| dataset_of(&e.source).to_string());
        for fold in &mut folds.0 {
            let held: HashSet<u64> = fold.test.iter().flat_map(|&i| keys[i].clone()).collect();
            fold.train
                .retain(|&i| !keys[i].iter().any(|k| held.contains(k)));
        }
        folds
    }

    /// Each fold with `n` of its held-out prompts moved to its training side. Held-out prompts
    /// that duplicate a moved one are not scored either, so no prompt is on both sides. A group
    /// of no more than `n` prompts would have nothing left to score: an error naming it.
    pub fn adapted(mut self, examples: &[Example], n: usize) -> Result<Folds, String> {
        if n == 0 {
            return Ok(self);
        }
        let keys = |i: usize| dedup_keys(&examples[i].prompt);
        for fold in &mut self.0 {
            if fold.test.len() <= n {
                return Err(format!(
                    "{} has {} prompts: moving {n} of them into training leaves none to score",
                    fold.name,
                    fold.test.len()
                ));
            }
            let mut drawn = fold.test.clone();
            Rng::new(ADAPT_DRAW_SEED).shuffle(&mut drawn);
            drawn.truncate(n);
            let moved: HashSet<usize> = drawn.iter().copied().collect();
            let seen: HashSet<u64> = drawn.iter().flat_map(|&i| keys(i)).collect();
            fold.test
                .retain(|&i| !moved.contains(&i) && !keys(i).iter().any(|k| seen.contains(k)));
            drawn.sort_unstable();
            fold.train.extend(drawn);
            fold.train.sort_unstable();
        }
        Ok(self)
    }

    /// `source` or `dataset`, with `adapt` prompts of each held-out group trained on.
    pub fn named(scheme: &Scheme, examples: &[Example]) -> Result<Folds, String> {
        let folds = match scheme.by.as_str() {
            "source" => Self::by_source(examples),
            "dataset" => Self::by_dataset(examples),
            other => {
                return Err(format!(
                    "unknown cross-validation \"{other}\" (known: source, dataset)"
                ))
            }
        };
        folds.adapted(examples, scheme.adapt)
    }
}

/// The pair each dataset is measured with (dataset -> (strong, weak)).
pub type Pairs = BTreeMap<String, (String, String)>;

/// The router pointed at the pair its held-out dataset is measured with, where it can score
/// that pair; otherwise the router as trained (a pair-specific router transferring).
fn for_dataset<'a>(
    router: &'a Router,
    pairs: &Pairs,
    dataset: &str,
) -> std::borrow::Cow<'a, Router> {
    let Some((s, w)) = pairs.get(dataset) else {
        return std::borrow::Cow::Borrowed(router);
    };
    if (s, w) == (&router.meta.strong, &router.meta.weak) {
        return std::borrow::Cow::Borrowed(router);
    }
    match router.clone().with_pair(s, w) {
        Ok(r) => std::borrow::Cow::Owned(r),
        Err(_) => std::borrow::Cow::Borrowed(router),
    }
}

/// Per fold: train on its training side and apply `output` to each of its held-out prompts
/// (the score, class probabilities, per-model quality, ...), with the router pointed at the
/// held-out dataset's pair where `pairs` names one. One output per example, in input order;
/// examples no fold scores get an empty output.
pub fn cross_validate_outputs(
    examples: &[Example],
    inputs: &Inputs,
    cfg: &TrainConfig,
    folds: &Folds,
    pairs: &Pairs,
    mut progress: impl FnMut(usize, usize, &str),
    output: impl Fn(&Router, &[f32], &str) -> Vec<f32>,
) -> Result<Vec<Vec<f32>>, String> {
    let mut outputs = vec![Vec::new(); examples.len()];
    let mut x = vec![0.0f32; inputs.dim(cfg)];
    let cfg = &TrainConfig {
        require_pair: false,
        ..cfg.clone()
    };
    for (fi, fold) in folds.0.iter().enumerate() {
        progress(fi, folds.0.len(), &fold.name);
        if fold.train.is_empty() {
            // One dataset held out by --cv dataset leaves no data: say so, not a router of nothing.
            return Err(format!(
                "no training example scores any model once {} is held out (one dataset: use --cv source)",
                fold.name
            ));
        }
        let trained = train(examples, inputs, &fold.train, cfg)?;
        let mut by_dataset: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &i in &fold.test {
            by_dataset
                .entry(dataset_of(&examples[i].source))
                .or_default()
                .push(i);
        }
        for (dataset, test) in by_dataset {
            let router = for_dataset(&trained, pairs, dataset);
            for i in test {
                inputs.vector(&router.encoder, i, &mut x);
                outputs[i] = output(router.deref(), &x, &examples[i].prompt);
            }
        }
    }
    Ok(outputs)
}

/// Held-out strong/weak scores, one per example.
pub fn cross_validate(
    examples: &[Example],
    inputs: &Inputs,
    cfg: &TrainConfig,
    folds: &Folds,
    pairs: &Pairs,
    progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<f64>, String> {
    let outputs =
        cross_validate_outputs(examples, inputs, cfg, folds, pairs, progress, |r, x, t| {
            vec![r.score_vector(x, t)]
        })?;
    Ok(outputs
        .into_iter()
        .map(|o| o.first().map_or(f64::NAN, |&v| v as f64))
        .collect())
}

/// Held-out scores of an ensemble: per fold every member is trained, and a held-out prompt's
/// score is the mean of its members' scores as percentiles of their own training scores
/// (exactly what the deployed ensemble computes).
pub fn cross_validate_ensemble(
    examples: &[Example],
    members: &[(String, &Inputs, &TrainConfig)],
    folds: &Folds,
    mut progress: impl FnMut(usize, usize, &str),
) -> Result<Vec<f64>, String> {
    let mut scores = vec![0.0f64; examples.len()];
    for (fi, fold) in folds.0.iter().enumerate() {
        progress(fi, folds.0.len(), &fold.name);
        for (_, inputs, cfg) in members {
            let router = train(examples, inputs, &fold.train, cfg)?;
            let mut x = vec![0.0f32; inputs.dim(cfg)];
            for &i in &fold.test {
                inputs.vector(&router.encoder, i, &mut x);
                let s = router.score_vector(&x, &examples[i].prompt);
                scores[i] += super::heads::ensemble::Ensemble::member_rank(&router, s) as f64
                    / members.len() as f64;
            }
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::heads::toy;

    #[test]
    fn source_folds_hold_out_each_source_once() {
        let data = toy::data();
        let folds = Folds::by_source(&data);
        assert_eq!(folds.0.len(), 3);
        for f in &folds.0 {
            assert_eq!(f.train.len() + f.test.len(), data.len());
            assert!(f.test.iter().all(|&i| data[i].source == f.name));
        }
    }

    #[test]
    fn dataset_folds_drop_training_duplicates_of_held_out_prompts() {
        let mut a = toy::ex(0, "Which planet of the solar system is the largest by mass?\nA. Mars\nB. Jupiter\nAnswer:", 1.0, 0.0);
        a.source = "mmlu/math".into();
        let mut b = toy::ex(1, "Which planet of the  Solar System is the largest, by mass?\n\n(A) Mars (B) Jupiter (C) Venus", 1.0, 0.0);
        b.source = "mmlu-pro/math".into();
        let mut c = toy::ex(2, "Name a prime number larger than ten.", 1.0, 1.0);
        c.source = "mmlu-pro/math".into();
        let mut d = toy::ex(3, "Write a haiku about autumn leaves falling.", 1.0, 1.0);
        d.source = "alpaca-eval/oasst".into();
        let data = vec![a, b, c, d];
        let folds = Folds::by_dataset(&data);
        let names: Vec<&str> = folds.0.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["alpaca-eval", "mmlu", "mmlu-pro"]);
        // holding out mmlu drops the mmlu-pro copy of its question from training
        assert_eq!(folds.0[1].test, vec![0]);
        assert_eq!(folds.0[1].train, vec![2, 3]);
        assert_eq!(folds.0[2].train, vec![3]);
        assert!(Folds::named(&Scheme::new("random"), &data).is_err());
    }

    #[test]
    fn adapted_folds_train_on_a_fixed_draw_of_the_held_out_group() {
        let mut data = Vec::new();
        for i in 0..12 {
            let mut e = toy::ex(
                i,
                &format!("Question number {i} about topic {}", i % 5),
                1.0,
                0.0,
            );
            e.source = if i < 8 { "a/x".into() } else { "b/y".into() };
            data.push(e);
        }
        // dataset a holds every prompt twice: whichever is drawn, its copy must not be scored
        for i in 4..8 {
            data[i].prompt = data[i - 4].prompt.clone();
        }
        let plain = Folds::by_dataset(&data);
        let folds = plain.clone().adapted(&data, 3).unwrap();
        for (f, p) in folds.0.iter().zip(&plain.0) {
            let moved: Vec<usize> = f
                .train
                .iter()
                .copied()
                .filter(|i| p.test.contains(i))
                .collect();
            assert_eq!(moved.len(), 3, "{}", f.name);
            assert!(f.test.iter().all(|i| !f.train.contains(i)));
            assert!(f.test.iter().all(|i| p.test.contains(i)));
            for &m in &moved {
                assert!(f.test.iter().all(|&t| data[t].prompt != data[m].prompt));
            }
            assert!(!f.test.is_empty());
            assert!(p.train.iter().all(|i| f.train.contains(i)));
        }
        // the draw is the same every time (it does not follow a training seed)
        assert_eq!(
            folds.0[0].train,
            plain.clone().adapted(&data, 3).unwrap().0[0].train
        );
        // dataset b has 4 prompts: moving 4 leaves nothing to score
        let err = plain.adapted(&data, 4).unwrap_err();
        assert!(err.contains("b has 4 prompts"), "{err}");
        let scheme = Scheme {
            by: "dataset".into(),
            adapt: 2,
        };
        assert_eq!(Folds::named(&scheme, &data).unwrap().0[1].test.len(), 2);
        assert!(
            folds.0[0].test.len() < 8 - 3,
            "a copy of a drawn prompt was scored"
        );
    }

    #[test]
    fn cross_validated_scores_rank_held_out_prompts() {
        let data = toy::data();
        let c = toy::cfg(crate::routing::RouterKind::Mf);
        let inputs = Inputs::Hashed(crate::routing::featurize(&data, c.buckets));
        let pairs = Pairs::new();
        let folds = Folds::by_source(&data);
        let s = cross_validate(&data, &inputs, &c, &folds, &pairs, |_, _, _| {}).unwrap();
        // pointed at the reversed pair, the same folds rank the other way round
        let reversed = Pairs::from([("g".to_string(), ("w".to_string(), "s".to_string()))]);
        let r = cross_validate(&data, &inputs, &c, &folds, &reversed, |_, _, _| {}).unwrap();
        assert!(
            r[0] < r[1] && s[0] > s[1],
            "{} {} / {} {}",
            s[0],
            s[1],
            r[0],
            r[1]
        );
        let (hard, easy): (Vec<_>, Vec<_>) = s.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let mean = |v: Vec<(usize, &f64)>| v.iter().map(|(_, s)| **s).sum::<f64>() / v.len() as f64;
        let (h, e) = (mean(hard), mean(easy));
        assert!(h > e + 0.2, "hard {h} easy {e}");
    }
}

//! What the data-driven heads (knn, cluster, irt) learn from: every training
//! prompt's scores as sparse cells over one list of models (one name per
//! model across files, canonical_model), the dataset each prompt comes from,
//! and a model-agnostic gain.
//!
//! The gain of a prompt is what a strong model wins over a mid-range one
//! there: the mean score of its dataset's strongest models (the top fifth by
//! mean score, at least one) minus that of its middle ones (the fifth around
//! the median, at least one), over the models scored on the prompt. With two
//! models it is strong minus weak. It needs no model the router will be used
//! with to be in the data, so it transfers to pairs it never saw.

use std::collections::BTreeMap;

use super::data::{canonical_model, dataset_of, Example};
use super::meta::RouterKind;

/// What the data-driven heads learn per prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Target {
    /// The strong group's mean score minus the middle group's.
    #[default]
    Gain,
    /// 1 minus the middle group's mean score.
    Difficulty,
}

impl Target {
    pub const NAMES: &'static [&'static str] = &["gain", "difficulty"];

    /// The target a kind learns unless told: `cluster` the difficulty, every other kind the
    /// gain — what each does best on datasets it never saw (docs/routing.md: leave one
    /// dataset out, worst case 0.509 against 0.476 for `cluster`).
    pub fn default_for(router: RouterKind) -> Target {
        if router == RouterKind::Cluster {
            Target::Difficulty
        } else {
            Target::Gain
        }
    }

    pub fn parse(name: &str) -> Result<Target, String> {
        match name {
            "gain" => Ok(Target::Gain),
            "difficulty" => Ok(Target::Difficulty),
            other => Err(format!(
                "unknown target \"{other}\": one of {}",
                Target::NAMES.join(", ")
            )),
        }
    }
}

pub struct ScoreMatrix {
    /// Canonical model names, sorted.
    pub models: Vec<String>,
    /// Per training example (in `indices` order): (model, score) for the models it scores.
    pub cells: Vec<Vec<(u32, f32)>>,
    /// Per training example: its target (gain or difficulty), NaN where it has not the models
    /// the target needs (a strong and a middle one for the gain, a middle one for the difficulty).
    pub target: Vec<f32>,
    /// Per training example: its dataset's index in `datasets`.
    pub dataset: Vec<u32>,
    pub datasets: Vec<String>,
    /// Each model's mean score over every cell it has.
    pub model_mean: Vec<f32>,
}

/// A model counts towards its dataset's groups when it is scored on half its rows.
const COVERED: f64 = 0.5;

/// Per dataset: which models form the strong group and which the middle group.
fn groups(
    cells: &[Vec<(u32, f32)>],
    dataset: &[u32],
    datasets: usize,
    models: usize,
) -> Vec<(Vec<u32>, Vec<u32>)> {
    let mut rows = vec![0usize; datasets];
    let mut sum = vec![vec![(0f64, 0usize); models]; datasets];
    for (row, &d) in cells.iter().zip(dataset) {
        rows[d as usize] += 1;
        for &(m, y) in row {
            let s = &mut sum[d as usize][m as usize];
            s.0 += y as f64;
            s.1 += 1;
        }
    }
    (0..datasets)
        .map(|d| {
            let mut ranked: Vec<(u32, f64)> = (0..models)
                .filter(|&m| sum[d][m].1 as f64 >= COVERED * rows[d] as f64 && sum[d][m].1 > 0)
                .map(|m| (m as u32, sum[d][m].0 / sum[d][m].1 as f64))
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            let n = ranked.len();
            if n < 2 {
                return (vec![], vec![]);
            }
            let fifth = (n / 5).max(1);
            let strong: Vec<u32> = ranked[..fifth].iter().map(|r| r.0).collect();
            let mid_start = (n / 2).saturating_sub(fifth / 2).max(fifth);
            let middle = ranked[mid_start..(mid_start + fifth).min(n)]
                .iter()
                .map(|r| r.0)
                .collect();
            (strong, middle)
        })
        .collect()
}

fn mean_of(row: &[(u32, f32)], group: &[u32]) -> Option<f32> {
    let v: Vec<f32> = row
        .iter()
        .filter(|(m, _)| group.contains(m))
        .map(|c| c.1)
        .collect();
    (!v.is_empty()).then(|| v.iter().sum::<f32>() / v.len() as f32)
}

impl ScoreMatrix {
    pub fn build(examples: &[Example], indices: &[usize], target: Target) -> ScoreMatrix {
        let mut names: BTreeMap<String, u32> = BTreeMap::new();
        let mut sets: BTreeMap<String, u32> = BTreeMap::new();
        for &i in indices {
            for m in examples[i].scores.keys() {
                names.entry(canonical_model(m)).or_insert(0);
            }
            sets.entry(dataset_of(&examples[i].source).to_string())
                .or_insert(0);
        }
        for (k, v) in names.values_mut().enumerate() {
            *v = k as u32;
        }
        for (k, v) in sets.values_mut().enumerate() {
            *v = k as u32;
        }
        let cells: Vec<Vec<(u32, f32)>> = indices
            .iter()
            .map(|&i| {
                let mut row: Vec<(u32, f32)> = examples[i]
                    .scores
                    .iter()
                    .map(|(m, &y)| (names[&canonical_model(m)], y as f32))
                    .collect();
                row.sort_by_key(|c| c.0);
                row.dedup_by_key(|c| c.0);
                row
            })
            .collect();
        let dataset: Vec<u32> = indices
            .iter()
            .map(|&i| sets[dataset_of(&examples[i].source)])
            .collect();
        let groups = groups(&cells, &dataset, sets.len(), names.len());
        let target = cells
            .iter()
            .zip(&dataset)
            .map(|(row, &d)| {
                let (strong, middle) = &groups[d as usize];
                match (target, mean_of(row, strong), mean_of(row, middle)) {
                    (Target::Gain, Some(s), Some(m)) => s - m,
                    (Target::Difficulty, _, Some(m)) => 1.0 - m,
                    _ => f32::NAN,
                }
            })
            .collect();
        let mut total = vec![(0f64, 0usize); names.len()];
        for row in &cells {
            for &(m, y) in row {
                total[m as usize].0 += y as f64;
                total[m as usize].1 += 1;
            }
        }
        ScoreMatrix {
            models: names.into_keys().collect(),
            cells,
            target,
            dataset,
            datasets: sets.into_keys().collect(),
            model_mean: total
                .iter()
                .map(|&(s, n)| (s / n.max(1) as f64) as f32)
                .collect(),
        }
    }

    /// Index of a model by any spelling of its name.
    pub fn model(&self, name: &str) -> Option<usize> {
        self.models.binary_search(&canonical_model(name)).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn ex(source: &str, scores: &[(&str, f64)]) -> Example {
        Example {
            id: String::new(),
            prompt: String::new(),
            source: source.into(),
            scores: scores.iter().map(|(m, s)| (m.to_string(), *s)).collect(),
            output_chars: BTreeMap::new(),
            turns: None,
            extra: BTreeMap::new(),
        }
    }

    #[test]
    fn gains_are_strong_group_minus_middle_group_per_dataset() {
        let data = vec![
            ex("two/x", &[("GPT-4", 1.0), ("small", 0.0)]),
            ex("two/x", &[("gpt-4", 1.0), ("small", 1.0)]),
            // five models ranked a > b > c > d > e: strong group {a}, middle group {c}
            ex(
                "five/y",
                &[("a", 1.0), ("b", 1.0), ("c", 0.0), ("d", 0.0), ("e", 0.0)],
            ),
            ex(
                "five/y",
                &[("a", 1.0), ("b", 0.5), ("c", 1.0), ("d", 0.0), ("e", 0.0)],
            ),
            ex("five/y", &[("b", 0.0), ("d", 1.0)]),
        ];
        let idx: Vec<usize> = (0..data.len()).collect();
        let m = ScoreMatrix::build(&data, &idx, Target::Gain);
        assert_eq!(m.models, vec!["a", "b", "c", "d", "e", "gpt-4", "small"]);
        assert_eq!(m.datasets, vec!["five", "two"]);
        assert_eq!(&m.target[..4], &[1.0, 0.0, 1.0, 0.0]);
        // neither a nor c scored on the last prompt: no gain to learn there
        assert!(m.target[4].is_nan());
        assert_eq!(m.cells[0], vec![(5, 1.0), (6, 0.0)]);
        assert_eq!(m.model("GPT_4"), Some(5));
        assert!((m.model_mean[6] - 0.5).abs() < 1e-6);

        // Difficulty: 1 - the middle group's mean ({small} for "two", {c} for "five").
        let d = ScoreMatrix::build(&data, &idx, Target::Difficulty);
        assert_eq!(&d.target[..4], &[1.0, 0.0, 1.0, 0.0]);
        assert!(d.target[4].is_nan(), "c is not scored on the last prompt");
        assert_eq!(Target::parse("difficulty"), Ok(Target::Difficulty));
        assert!(Target::parse("gains")
            .unwrap_err()
            .contains("gain, difficulty"));
    }

    #[test]
    fn difficulty_needs_no_strong_model_on_the_prompt() {
        // a > b > c > d > e by mean: the strong group is {a}, the middle one {c}; a is not
        // scored on the last prompt.
        let data = vec![
            ex(
                "y/1",
                &[("a", 1.0), ("b", 1.0), ("c", 1.0), ("d", 0.0), ("e", 0.0)],
            ),
            ex(
                "y/1",
                &[("a", 1.0), ("b", 1.0), ("c", 0.0), ("d", 0.0), ("e", 0.0)],
            ),
            ex("y/1", &[("b", 0.0), ("c", 0.25)]),
        ];
        let idx: Vec<usize> = (0..data.len()).collect();
        let gain = ScoreMatrix::build(&data, &idx, Target::Gain);
        let difficulty = ScoreMatrix::build(&data, &idx, Target::Difficulty);
        assert!(gain.target[2].is_nan());
        assert_eq!(difficulty.target, vec![0.0, 1.0, 0.75]);
    }
}

//! `ensemble`: several strong/weak routers for the same pair (e.g. one per
//! encoder); the score is the mean of each member's score as a percentile of
//! its own training-prompt scores, so members on different scales combine.

use std::path::Path;

use super::{Context, RouterHead};
use crate::routing::encoder::Encoder;
use crate::routing::meta::{percentile_rank, RouterKind, RouterMeta};
use crate::routing::tensors::Named;
use crate::routing::Router;

#[derive(Debug, Clone)]
pub struct Ensemble {
    pub members: Vec<Router>,
}

impl Ensemble {
    /// Members of a saved ensemble, from `dir/members/<name>`.
    pub fn load(meta: &RouterMeta, dir: &Path) -> Result<Self, String> {
        let mut members = Vec::new();
        for name in &meta.members {
            let m = Router::load(&dir.join("members").join(name))?;
            if m.meta.score_percentiles.is_empty() || matches!(m.encoder, Encoder::Remote { .. }) {
                return Err(format!(
                    "ensemble member {name} must be a strong/weak router with a local encoder and training-score percentiles"
                ));
            }
            members.push(m);
        }
        if members.is_empty() {
            return Err("an ensemble router needs members".into());
        }
        Ok(Ensemble { members })
    }

    /// A member's score of a prompt, as a percentile of its training scores.
    pub fn member_rank(member: &Router, score: f32) -> f32 {
        percentile_rank(&member.meta.score_percentiles, score)
    }
}

/// An ensemble of trained strong/weak routers for the same pair, named by their folder names.
pub fn ensemble(members: Vec<(String, Router)>) -> Result<Router, String> {
    let Some((_, first)) = members.first() else {
        return Err("an ensemble needs at least one member".into());
    };
    let (strong, weak) = (first.meta.strong.clone(), first.meta.weak.clone());
    for (name, m) in &members {
        if m.meta.strong != strong || m.meta.weak != weak {
            return Err(format!("ensemble member {name} scores another pair"));
        }
        if m.meta.score_percentiles.is_empty() {
            return Err(format!(
                "ensemble member {name} has no training-score percentiles"
            ));
        }
    }
    let mut meta = RouterMeta::new(RouterKind::Ensemble, "ensemble", 0, &strong, &weak);
    meta.members = members.iter().map(|(n, _)| n.clone()).collect();
    Ok(Router {
        meta,
        encoder: Encoder::Text,
        head: super::Head::Ensemble(Ensemble {
            members: members.into_iter().map(|(_, r)| r).collect(),
        }),
    })
}

impl RouterHead for Ensemble {
    fn score(&self, _x: &[f32], ctx: &Context) -> f32 {
        let sum: f32 = self
            .members
            .iter()
            .map(|m| Self::member_rank(m, m.score(ctx.text) as f32))
            .sum();
        sum / self.members.len().max(1) as f32
    }

    fn tensors(&self) -> Named<'_> {
        vec![]
    }

    fn reads_vector(&self) -> bool {
        false
    }

    fn save_parts(&self, dir: &Path, meta: &RouterMeta) -> Result<(), String> {
        for (name, m) in meta.members.iter().zip(&self.members) {
            m.save(&dir.join("members").join(name))?;
        }
        Ok(())
    }

    fn repoint(&mut self, strong: &str, weak: &str, _meta: &RouterMeta) -> Result<(), String> {
        let members = std::mem::take(&mut self.members);
        self.members = members
            .into_iter()
            .map(|m| m.with_pair(strong, weak))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::routing::heads::toy;
    use crate::routing::meta::RouterKind;
    use crate::routing::train::{featurize, Inputs};
    use crate::routing::{cross_validate_ensemble, train_ensemble, Folds, Router};

    #[test]
    fn averages_member_percentiles_round_trips_and_cross_validates() {
        let data = toy::data();
        let inputs = Inputs::Hashed(featurize(&data, 1 << 12));
        let idx: Vec<usize> = (0..data.len()).collect();
        let (mf, cl) = (toy::cfg(RouterKind::Mf), toy::cfg(RouterKind::Classifier));
        let members = [
            ("mf".to_string(), &inputs, &mf),
            ("classifier".to_string(), &inputs, &cl),
        ];
        let e = train_ensemble(&data, &members, &idx).unwrap();
        assert_eq!(e.meta.members, vec!["mf", "classifier"]);
        assert_eq!(e.meta.score_percentiles.len(), 101);
        let (hard, easy) = (
            e.score("prove the integral bound again"),
            e.score("hello what is the weather"),
        );
        assert!((0.0..=1.0).contains(&hard) && (0.0..=1.0).contains(&easy));
        assert!(hard > easy + 0.2, "hard {hard} easy {easy}");
        let dir = std::env::temp_dir().join(format!("router-ensemble-{}", std::process::id()));
        e.save(&dir).unwrap();
        let back = Router::load(&dir).unwrap();
        std::fs::remove_dir_all(dir).ok();
        assert!((back.score("prove it") - e.score("prove it")).abs() < 0.05);
        // the members' pair cannot be changed to one the classifier was not trained for
        assert!(e.clone().with_pair("w", "s").is_err());
        let folds = Folds::by_source(&data);
        let cv = cross_validate_ensemble(&data, &members, &folds, |_, _, _| {}).unwrap();
        assert_eq!(cv.len(), data.len());
        let mean = |even: bool| {
            let v: Vec<f64> = cv
                .iter()
                .enumerate()
                .filter(|(i, _)| (i % 2 == 0) == even)
                .map(|(_, s)| *s)
                .collect();
            v.iter().sum::<f64>() / v.len() as f64
        };
        assert!(
            mean(true) > mean(false) + 0.2,
            "held-out hard prompts score higher"
        );
    }
}

//! RouteLLM's measures of a router on labelled prompts: send the prompts
//! with the highest scores to the strong model, sweep that share from 0 to
//! 100 %, and read the quality curve. PGR(f) is the share of the weak-strong
//! quality gap recovered with a fraction f of strong calls; APGR is its area
//! (random = 0.5); CPT(x) is the smallest strong-call share reaching PGR x.
//! Prompts with equal scores cannot be told apart, so they are routed
//! together: inside such a group the curve is the average over its orders
//! (a straight line between the group's ends).

#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Strong-call share, 0..=1, one point per prompt boundary.
    pub fraction: Vec<f64>,
    /// Mean quality at each point.
    pub quality: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub n: usize,
    pub weak_mean: f64,
    pub strong_mean: f64,
    pub apgr: f64,
    pub cpt50: f64,
    pub cpt80: f64,
    pub curve: Curve,
}

/// The quality curve for `scores` (higher = more likely to need the strong model).
pub fn curve(scores: &[f64], strong: &[f64], weak: &[f64]) -> Curve {
    let n = scores.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let base: f64 = weak.iter().sum();
    let mut fraction = Vec::with_capacity(n + 1);
    let mut quality = Vec::with_capacity(n + 1);
    fraction.push(0.0);
    quality.push(base / n as f64);
    let mut total = base;
    let mut i = 0;
    while i < n {
        // one group of equal scores, routed together
        let mut j = i;
        let mut gain = 0.0;
        while j < n && scores[order[j]] == scores[order[i]] {
            gain += strong[order[j]] - weak[order[j]];
            j += 1;
        }
        let size = (j - i) as f64;
        for step in 1..=(j - i) {
            fraction.push((i + step) as f64 / n as f64);
            quality.push((total + gain * step as f64 / size) / n as f64);
        }
        total += gain;
        i = j;
    }
    Curve { fraction, quality }
}

/// APGR, CPT(50 %), CPT(80 %) and the curve; None when the strong and weak models score the same on average.
pub fn evaluate(scores: &[f64], strong: &[f64], weak: &[f64]) -> Option<Evaluation> {
    let n = scores.len();
    if n == 0 || strong.len() != n || weak.len() != n {
        return None;
    }
    let c = curve(scores, strong, weak);
    let (lo, hi) = (c.quality[0], c.quality[n]);
    if (hi - lo).abs() < 1e-12 {
        return None;
    }
    let pgr: Vec<f64> = c.quality.iter().map(|q| (q - lo) / (hi - lo)).collect();
    let apgr = pgr.windows(2).map(|w| (w[0] + w[1]) / 2.0).sum::<f64>() / n as f64;
    let cpt = |target: f64| -> f64 {
        for k in 1..=n {
            if pgr[k] >= target {
                // linear between the two points around the crossing
                let (f0, f1, p0, p1) = (c.fraction[k - 1], c.fraction[k], pgr[k - 1], pgr[k]);
                return if p1 > p0 {
                    f0 + (f1 - f0) * ((target - p0) / (p1 - p0)).clamp(0.0, 1.0)
                } else {
                    f1
                };
            }
        }
        1.0
    };
    Some(Evaluation {
        n,
        weak_mean: lo,
        strong_mean: hi,
        apgr,
        cpt50: cpt(0.5),
        cpt80: cpt(0.8),
        curve: c,
    })
}

/// The oracle: knows each prompt's gain (strong minus weak score).
pub fn oracle(strong: &[f64], weak: &[f64]) -> Option<Evaluation> {
    let gain: Vec<f64> = strong.iter().zip(weak).map(|(s, w)| s - w).collect();
    evaluate(&gain, strong, weak)
}

/// The threshold sending `share` of these scores to the strong model (score >= threshold goes strong).
pub fn calibrate(scores: &[f64], share: f64) -> f64 {
    let mut sorted: Vec<f64> = scores.to_vec();
    sorted.sort_by(|a, b| b.total_cmp(a));
    if sorted.is_empty() || share <= 0.0 {
        return f64::INFINITY;
    }
    let k = ((share * sorted.len() as f64).round() as usize).clamp(1, sorted.len());
    sorted[k - 1]
}

/// A 95 % bootstrap interval (the 2.5th and 97.5th percentiles over resamples).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    pub apgr: Interval,
    pub cpt50: Interval,
    pub cpt80: Interval,
    /// APGR minus the baseline's APGR on the same resamples (a paired interval).
    pub apgr_gain: Option<Interval>,
    /// Resamples that had a gap to measure (the others are skipped).
    pub resamples: usize,
}

fn interval(mut v: Vec<f64>) -> Interval {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((q * (v.len() - 1) as f64).round() as usize).min(v.len() - 1)];
    Interval {
        lo: at(0.025),
        hi: at(0.975),
    }
}

/// Bootstrap intervals for APGR and CPT: the prompts are resampled with replacement
/// `resamples` times from a seeded generator (the same seed draws the same resamples, so two
/// routers measured with it are compared on the same prompts), and with a `baseline`, the
/// interval of the APGR difference on each resample. None when no resample has a gap.
pub fn bootstrap(
    scores: &[f64],
    baseline: Option<&[f64]>,
    strong: &[f64],
    weak: &[f64],
    resamples: usize,
    seed: u64,
) -> Option<Bootstrap> {
    let n = scores.len();
    if n == 0 || strong.len() != n || weak.len() != n || baseline.is_some_and(|b| b.len() != n) {
        return None;
    }
    let mut rng = super::rng::Rng::new(seed);
    let (mut apgr, mut cpt50, mut cpt80, mut gain) = (vec![], vec![], vec![], vec![]);
    let pick = |idx: &[usize], v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    for _ in 0..resamples {
        let idx: Vec<usize> = (0..n)
            .map(|_| (rng.next_u64() % n as u64) as usize)
            .collect();
        let (s, w) = (pick(&idx, strong), pick(&idx, weak));
        let Some(e) = evaluate(&pick(&idx, scores), &s, &w) else {
            continue;
        };
        if let Some(b) = baseline.and_then(|b| evaluate(&pick(&idx, b), &s, &w)) {
            gain.push(e.apgr - b.apgr);
        }
        apgr.push(e.apgr);
        cpt50.push(e.cpt50);
        cpt80.push(e.cpt80);
    }
    if apgr.is_empty() {
        return None;
    }
    Some(Bootstrap {
        resamples: apgr.len(),
        apgr: interval(apgr),
        cpt50: interval(cpt50),
        cpt80: interval(cpt80),
        apgr_gain: (!gain.is_empty()).then(|| interval(gain)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG: [f64; 4] = [1.0, 1.0, 1.0, 0.0];
    const WEAK: [f64; 4] = [0.0, 0.0, 1.0, 0.0];
    // gap: strong mean 0.75, weak mean 0.25; prompts 0 and 1 need the strong model.

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn perfect_router() {
        // routes prompts 0, 1 first: PGR 0, .5, 1, 1, 1 over f = 0, .25, .5, .75, 1
        let e = evaluate(&[0.9, 0.8, 0.1, 0.2], &STRONG, &WEAK).unwrap();
        assert_eq!(e.curve.quality, vec![0.25, 0.5, 0.75, 0.75, 0.75]);
        // area: .25 * ((0+.5)/2 + (.5+1)/2 + 1 + 1) = .25 * 3 = .75
        assert!(close(e.apgr, 0.75));
        assert!(close(e.cpt50, 0.25));
        assert!(close(e.cpt80, 0.25 + 0.25 * 0.6));
        assert_eq!(e, oracle(&STRONG, &WEAK).unwrap());
    }

    #[test]
    fn inverted_router() {
        // worst first: prompts 3 and 2 gain nothing, then 1 and 0
        let e = evaluate(&[0.1, 0.2, 0.8, 0.9], &STRONG, &WEAK).unwrap();
        assert_eq!(e.curve.quality, vec![0.25, 0.25, 0.25, 0.5, 0.75]);
        // area: .25 * (0 + 0 + .25 + .75) = .25
        assert!(close(e.apgr, 0.25));
        assert!(close(e.cpt50, 0.75));
    }

    #[test]
    fn all_equal_scores_are_random() {
        let e = evaluate(&[0.5; 4], &STRONG, &WEAK).unwrap();
        assert_eq!(e.curve.quality, vec![0.25, 0.375, 0.5, 0.625, 0.75]);
        assert!(close(e.apgr, 0.5));
        assert!(close(e.cpt50, 0.5));
        assert!(close(e.cpt80, 0.8));
    }

    #[test]
    fn ties_are_routed_together() {
        // prompts 0 and 3 tie at the top: half a gain per step inside the group
        let e = evaluate(&[0.9, 0.5, 0.1, 0.9], &STRONG, &WEAK).unwrap();
        assert_eq!(e.curve.quality, vec![0.25, 0.375, 0.5, 0.75, 0.75]);
        // PGR 0, .25, .5, 1, 1: area .25 * (.125 + .375 + .75 + 1) = .5625
        assert!(close(e.apgr, 0.5625));
    }

    #[test]
    fn no_gap_has_no_measure() {
        assert!(evaluate(&[0.1, 0.2], &[1.0, 0.0], &[0.0, 1.0]).is_none());
        assert!(evaluate(&[], &[], &[]).is_none());
    }

    #[test]
    fn bootstrap_intervals_hold_the_estimate_and_pair_resamples() {
        // 400 prompts: the first half needs the strong model
        let strong = vec![1.0; 400];
        let weak: Vec<f64> = (0..400).map(|i| if i < 200 { 0.0 } else { 1.0 }).collect();
        let good: Vec<f64> = (0..400).map(|i| if i < 200 { 0.9 } else { 0.1 }).collect();
        let noisy: Vec<f64> = (0..400).map(|i| ((i * 7919) % 400) as f64).collect();
        let point = evaluate(&noisy, &strong, &weak).unwrap().apgr;
        let b = bootstrap(&noisy, Some(&good), &strong, &weak, 300, 7).unwrap();
        assert_eq!(b.resamples, 300);
        assert!(b.apgr.lo <= point && point <= b.apgr.hi, "{b:?} {point}");
        assert!(b.apgr.hi - b.apgr.lo < 0.15);
        // the perfect router beats the noisy one on every resample
        let g = b.apgr_gain.unwrap();
        assert!(g.hi < 0.0, "{g:?}");
        // the same seed draws the same resamples
        assert_eq!(
            bootstrap(&noisy, None, &strong, &weak, 50, 7),
            bootstrap(&noisy, None, &strong, &weak, 50, 7)
        );
        assert!(bootstrap(&[], None, &[], &[], 10, 1).is_none());
        assert!(bootstrap(&[0.1, 0.2], None, &[1.0, 1.0], &[1.0, 1.0], 10, 1).is_none());
    }

    #[test]
    fn calibration_picks_the_share() {
        let scores = [0.1, 0.9, 0.4, 0.7, 0.3];
        assert_eq!(calibrate(&scores, 0.4), 0.7);
        assert_eq!(
            scores
                .iter()
                .filter(|&&s| s >= calibrate(&scores, 0.4))
                .count(),
            2
        );
        assert_eq!(calibrate(&scores, 1.0), 0.1);
        assert_eq!(calibrate(&scores, 0.0), f64::INFINITY);
    }
}

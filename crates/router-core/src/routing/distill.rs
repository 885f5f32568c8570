//! Distilling a static encoder from a pretrained sentence encoder, Model2Vec's
//! way and with no training data: every vocabulary token goes through the
//! model once on its own (`[SEP] token [CLS]`, outputs averaged); the vectors
//! are reduced with PCA; and each is weighted by a Zipf estimate of its
//! token's frequency (SIF: a / (a + p), rank = vocabulary order, as BERT's
//! vocabulary is roughly sorted by frequency), so frequent tokens count less.

use nalgebra::{DMatrix, SymmetricEigen};

use super::sentence::SentenceEncoder;
use super::static_encoder::StaticEncoder;

/// Model2Vec's SIF coefficient.
const SIF: f64 = 1e-4;
const BATCH: usize = 256;

/// `[unused…]` placeholders and the padding token never occur in text: they keep zero rows and
/// take no rank.
fn is_placeholder(token: &str) -> bool {
    token == "[PAD]" || (token.starts_with("[unused") && token.ends_with(']'))
}

/// The model's output for each of `ids`, in batches over two threads.
fn token_outputs(
    enc: &SentenceEncoder,
    ids: &[u32],
    mut progress: impl FnMut(usize, usize) + Send,
) -> Result<Vec<f32>, String> {
    let halves: Vec<&[u32]> = ids.chunks(ids.len().div_ceil(2).max(1)).collect();
    let done = std::sync::atomic::AtomicUsize::new(0);
    let progress = std::sync::Mutex::new(&mut progress);
    let parts: Vec<Result<Vec<f32>, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = halves
            .iter()
            .map(|half| {
                let (done, progress) = (&done, &progress);
                s.spawn(move || {
                    let mut out = Vec::with_capacity(half.len() * enc.dim);
                    for batch in half.chunks(BATCH) {
                        out.extend(enc.token_outputs(batch)?);
                        let n = done.fetch_add(batch.len(), std::sync::atomic::Ordering::Relaxed)
                            + batch.len();
                        if let Ok(mut p) = progress.lock() {
                            (*p)(n, ids.len());
                        }
                    }
                    Ok(out)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("distillation thread panicked".into()))
            })
            .collect()
    });
    let mut all = Vec::with_capacity(ids.len() * enc.dim);
    for p in parts {
        all.extend(p?);
    }
    Ok(all)
}

/// Rows (`rows x dim`, row-major) projected on their top `dims` principal components, each
/// component turned so that its largest projection (in absolute value) is positive: an
/// eigenvector's sign is the solver's arbitrary choice, and floating-point differences between
/// machines flipped some, so two machines' tables differed in whole columns.
pub fn pca(rows: &[f32], dim: usize, dims: usize) -> Vec<f32> {
    let n = rows.len() / dim;
    let mut mean = vec![0.0f64; dim];
    for r in rows.chunks_exact(dim) {
        for (m, v) in mean.iter_mut().zip(r) {
            *m += *v as f64 / n as f64;
        }
    }
    let centred = DMatrix::from_fn(n, dim, |i, j| rows[i * dim + j] as f64 - mean[j]);
    let cov = (centred.transpose() * &centred) / (n.max(2) - 1) as f64;
    let eig = SymmetricEigen::new(cov);
    let mut order: Vec<usize> = (0..dim).collect();
    order.sort_by(|&a, &b| eig.eigenvalues[b].total_cmp(&eig.eigenvalues[a]));
    let basis = DMatrix::from_fn(dim, dims, |i, j| eig.eigenvectors[(i, order[j])]);
    let mut projected = centred * basis;
    for mut column in projected.column_iter_mut() {
        let largest = column
            .iter()
            .copied()
            .max_by(|a, b| a.abs().total_cmp(&b.abs()));
        if largest.is_some_and(|v| v < 0.0) {
            column.neg_mut();
        }
    }
    (0..n)
        .flat_map(|i| (0..dims).map(move |j| (i, j)))
        .map(|(i, j)| projected[(i, j)] as f32)
        .collect()
}

/// SIF weight of each row from its rank among the real tokens (None: a placeholder, weight 0).
fn sif_weights(ranks: &[Option<usize>]) -> Vec<f32> {
    let total: f64 = ranks
        .iter()
        .flatten()
        .map(|&r| 1.0 / (r as f64 + 2.0))
        .sum();
    ranks
        .iter()
        .map(|r| match r {
            Some(r) => (SIF / (SIF + 1.0 / (*r as f64 + 2.0) / total)) as f32,
            None => 0.0,
        })
        .collect()
}

/// A static encoder of `dims` dimensions distilled from `enc`; `limit` distils only the first
/// tokens of the vocabulary (tests), the others keep zero rows.
pub fn distill(
    enc: &SentenceEncoder,
    dims: usize,
    limit: Option<usize>,
    progress: impl FnMut(usize, usize) + Send,
) -> Result<StaticEncoder, String> {
    let tokenizer = enc.tokenizer().clone();
    let vocab = tokenizer.get_vocab_size(true);
    let dims = dims.min(enc.dim);
    let mut ranks = vec![None; vocab];
    let mut ids = Vec::new();
    for (id, rank) in ranks.iter_mut().enumerate().take(limit.unwrap_or(vocab)) {
        let token = tokenizer.id_to_token(id as u32).unwrap_or_default();
        if !is_placeholder(&token) {
            *rank = Some(ids.len());
            ids.push(id as u32);
        }
    }
    let outputs = token_outputs(enc, &ids, progress)?;
    let reduced = pca(&outputs, enc.dim, dims);
    let weights = sif_weights(&ranks);
    let mut table = vec![0.0f32; vocab * dims];
    for (k, &id) in ids.iter().enumerate() {
        let w = weights[id as usize];
        for (t, v) in table[id as usize * dims..(id as usize + 1) * dims]
            .iter_mut()
            .zip(&reduced[k * dims..(k + 1) * dims])
        {
            *t = v * w;
        }
    }
    StaticEncoder::new(tokenizer, table, dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pca_keeps_the_direction_of_most_variance() {
        // points along (1, 1) with a little noise across it
        let rows: Vec<f32> = (0..50)
            .flat_map(|i| {
                let t = i as f32 - 25.0;
                let n = if i % 2 == 0 { 0.1 } else { -0.1 };
                [t + n, t - n]
            })
            .collect();
        let p = pca(&rows, 2, 1);
        assert_eq!(p.len(), 50);
        // the first component orders the points as t does (up to sign)
        let sign = if p[49] > p[0] { 1.0 } else { -1.0 };
        assert!(p.windows(2).all(|w| sign * (w[1] - w[0]) > 0.0));
        assert!((p.iter().sum::<f32>()).abs() < 1e-3, "centred");
    }

    #[test]
    fn each_component_has_its_largest_projection_positive_whatever_the_solver_picks() {
        // skewed data, so a component's largest projection is not tied with its smallest
        let mut rng = crate::routing::rng::Rng::new(7);
        let (dim, n) = (6, 200);
        let rows: Vec<f32> = (0..n * dim)
            .map(|_| rng.next_f32().powi(3) * 2.0 - 0.5)
            .collect();
        let negated: Vec<f32> = rows.iter().map(|v| -v).collect();
        for data in [&rows, &negated] {
            let p = pca(data, dim, 4);
            for j in 0..4 {
                let column = p.iter().skip(j).step_by(4);
                let largest = column
                    .copied()
                    .max_by(|a, b| a.abs().total_cmp(&b.abs()))
                    .unwrap();
                assert!(largest > 0.0, "component {j}: largest projection {largest}");
            }
        }
    }

    #[test]
    fn frequent_tokens_weigh_less_and_placeholders_nothing() {
        let w = sif_weights(&[None, Some(0), Some(1), Some(1000)]);
        assert_eq!(w[0], 0.0);
        assert!(w[1] < w[2] && w[2] < w[3] && w[3] <= 1.0);
        assert!(
            is_placeholder("[unused12]") && is_placeholder("[PAD]") && !is_placeholder("[CLS]")
        );
    }

    #[test]
    fn distils_from_the_pretrained_model() {
        let dir = crate::routing::models_dir().join("all-MiniLM-L6-v2");
        let enc = match SentenceEncoder::load(&dir) {
            Ok(e) => e,
            Err(e) if std::env::var_os("SWITCHBOARD_REQUIRE_MODELS").is_some() => panic!("{e}"),
            Err(e) => return eprintln!("skipping: {e}"),
        };
        // a slice of the vocabulary keeps the test quick in debug builds
        let s = distill(&enc, 32, Some(3000), |_, _| {}).unwrap();
        assert_eq!(s.dim, 32);
        let mut x = vec![0.0; 32];
        s.encode("the cat", &mut x).unwrap();
        assert!((x.iter().map(|v| v * v).sum::<f32>() - 1.0).abs() < 1e-4);
    }
}

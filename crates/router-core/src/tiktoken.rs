//! OpenAI's BPE encodings with tiktoken's fast path.
//!
//! Pre-tokenization and BPE come from `bpe-openai` (exact, and the fastest
//! Rust BPE we measured). On top of it we add what tiktoken itself does: a
//! piece that is a whole vocabulary entry is that one token, found with one
//! hash lookup instead of running the BPE encoder (which allocates per
//! piece). Most words are single tokens, so this is most of the text.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::LazyLock;

use rustc_hash::FxBuildHasher;

use crate::pretokenize::{Flavor, Pieces};

pub struct TiktokenEncoding {
    pub name: &'static str,
    pub bpe: &'static bpe_openai::Tokenizer,
    flavor: Flavor,
    whole_tokens: HashMap<&'static [u8], u32, FxBuildHasher>,
    hot: HotTokens,
}

/// A small direct-mapped table of short, frequent tokens (low ids are the
/// earliest, most frequent BPE merges), small enough to stay in cache. The
/// 200k-entry map behind it costs a cache miss per lookup; most pieces of
/// ordinary text are found here first.
struct HotTokens {
    keys: Vec<u64>,
    ids: Vec<u32>,
}

const HOT_SLOTS: usize = 1 << 13;

impl HotTokens {
    /// Up to 7 bytes plus the length in the top byte; 0 is never a valid key.
    #[inline]
    fn key(bytes: &[u8]) -> Option<u64> {
        if bytes.is_empty() || bytes.len() > 7 {
            return None;
        }
        let mut k = (bytes.len() as u64) << 56;
        for (i, &b) in bytes.iter().enumerate() {
            k |= (b as u64) << (8 * i);
        }
        Some(k)
    }

    #[inline]
    fn slot(key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - 13)) as usize
    }

    fn build(bpe: &bpe_openai::Tokenizer) -> Self {
        let mut keys = vec![0u64; HOT_SLOTS];
        let mut ids = vec![0u32; HOT_SLOTS];
        for id in 0..bpe.bpe.num_tokens() as u32 {
            if let Some(key) = Self::key(bpe.bpe.token_bytes(id)) {
                let slot = Self::slot(key);
                if keys[slot] == 0 {
                    keys[slot] = key;
                    ids[slot] = id;
                }
            }
        }
        HotTokens { keys, ids }
    }

    #[inline]
    fn get(&self, bytes: &[u8]) -> Option<u32> {
        let key = Self::key(bytes)?;
        let slot = Self::slot(key);
        (self.keys[slot] == key).then(|| self.ids[slot])
    }
}

impl TiktokenEncoding {
    fn new(name: &'static str, flavor: Flavor, bpe: &'static bpe_openai::Tokenizer) -> Self {
        let n = bpe.bpe.num_tokens();
        let mut whole_tokens = HashMap::with_capacity_and_hasher(n, FxBuildHasher);
        for id in 0..n as u32 {
            whole_tokens.insert(bpe.bpe.token_bytes(id), id);
        }
        TiktokenEncoding {
            name,
            bpe,
            flavor,
            whole_tokens,
            hot: HotTokens::build(bpe),
        }
    }

    /// Pre-tokenized pieces, exactly as tiktoken's regex splits them.
    #[inline]
    pub fn pieces<'a>(&'a self, text: &'a str) -> Pieces<'a> {
        Pieces::new(text, self.flavor, self.bpe)
    }

    /// Tokens of one pre-tokenized piece.
    #[inline]
    fn piece_count(&self, piece: &str) -> usize {
        if self.whole_token(piece.as_bytes()).is_some() {
            1
        } else {
            self.with_merged(piece.as_bytes(), |ids| ids.len())
        }
    }

    /// Runs `f` on the BPE of a piece that is not a single token. Results
    /// are kept in a bounded per-thread cache (as HuggingFace tokenizers and
    /// gpt-tokenizer do): long words recur, and BPE is the costly step.
    #[inline]
    fn with_merged<R>(&self, piece: &[u8], f: impl FnOnce(&[u32]) -> R) -> R {
        MERGED.with(|cache| {
            let mut cache = cache.borrow_mut();
            let map = &mut cache[self.flavor as usize];
            if let Some(ids) = map.get(piece) {
                return f(ids);
            }
            let ids: Box<[u32]> = self.bpe.bpe.encode_via_backtracking(piece).into();
            let out = f(&ids);
            // Only words: a run of letters with no space is one piece however long, and a
            // client's 10 MB run kept whole as a key would stay in memory with its ids.
            if piece.len() > MAX_CACHED_PIECE_BYTES {
                return out;
            }
            if map.len() >= MERGED_CAPACITY {
                map.clear();
            }
            map.insert(piece.into(), ids);
            out
        })
    }

    /// The token that is exactly `bytes`, if there is one.
    #[inline]
    fn whole_token(&self, bytes: &[u8]) -> Option<u32> {
        self.hot
            .get(bytes)
            .or_else(|| self.whole_tokens.get(bytes).copied())
    }

    pub fn count(&self, text: &str) -> usize {
        self.pieces(text).map(|p| self.piece_count(p)).sum()
    }

    pub fn encode(&self, text: &str) -> Vec<u32> {
        let mut out = Vec::with_capacity(text.len() / 3 + 1);
        for piece in self.pieces(text) {
            match self.whole_token(piece.as_bytes()) {
                Some(id) => out.push(id),
                None => self.with_merged(piece.as_bytes(), |ids| out.extend_from_slice(ids)),
            }
        }
        out
    }

    /// Byte length of the longest prefix of `text` made of its first `max_tokens` tokens.
    pub fn prefix_len(&self, text: &str, max_tokens: usize) -> usize {
        let mut used = 0usize;
        let mut offset = 0usize;
        for piece in self.pieces(text) {
            let n = self.piece_count(piece);
            if used + n <= max_tokens {
                used += n;
                offset += piece.len();
                continue;
            }
            let ids = self.bpe.bpe.encode_via_backtracking(piece.as_bytes());
            let kept: usize = ids[..max_tokens - used]
                .iter()
                .map(|&id| self.bpe.bpe.token_len(id))
                .sum();
            return offset + kept;
        }
        text.len()
    }
}

type MergedCache = HashMap<Box<[u8]>, Box<[u32]>, FxBuildHasher>;

/// Entries per encoding and thread; cleared whole when full (cheap, and a
/// working set of recurring words refills it at once).
const MERGED_CAPACITY: usize = 16_384;

/// The longest piece the cache keeps: bounds it at MERGED_CAPACITY × this (about 4 MiB of keys
/// per encoding and thread) whatever the prompts; longer pieces are rare and merged each time.
const MAX_CACHED_PIECE_BYTES: usize = 256;

thread_local! {
    static MERGED: RefCell<[MergedCache; 2]> = RefCell::new([MergedCache::default(), MergedCache::default()]);
}

static O200K: LazyLock<TiktokenEncoding> =
    LazyLock::new(|| TiktokenEncoding::new("o200k_base", Flavor::O200k, bpe_openai::o200k_base()));
static CL100K: LazyLock<TiktokenEncoding> = LazyLock::new(|| {
    TiktokenEncoding::new("cl100k_base", Flavor::Cl100k, bpe_openai::cl100k_base())
});

/// The encoding called `name`, built once per process.
pub fn encoding(name: &str) -> Option<&'static TiktokenEncoding> {
    match name {
        "o200k_base" => Some(&O200K),
        "cl100k_base" => Some(&CL100K),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cached(flavor: Flavor) -> (usize, usize) {
        MERGED.with(|c| {
            let map = &c.borrow()[flavor as usize];
            (map.len(), map.keys().map(|k| k.len()).max().unwrap_or(0))
        })
    }

    #[test]
    fn the_merge_cache_keeps_words_not_a_clients_long_runs() {
        let enc = encoding("o200k_base").unwrap();
        let long = "qzxv".repeat(250_000);
        let n = enc.count(&long);
        assert!(n > 1000, "a 1 MB run of letters is many tokens ({n})");
        assert_eq!(enc.encode(&long).len(), n);
        let (_, longest) = cached(Flavor::O200k);
        assert!(
            longest <= MAX_CACHED_PIECE_BYTES,
            "a {longest}-byte piece was cached"
        );
        // A recurring ordinary word is still cached.
        enc.count(" antidisestablishmentarianism");
        let (entries, _) = cached(Flavor::O200k);
        assert!(entries >= 1);
    }
}

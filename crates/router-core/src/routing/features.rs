//! Hashed text features (fastText-style): lower-cased word unigrams and
//! bigrams, character trigrams of each word with boundary marks, and a
//! length bucket, each hashed (FNV-1a, stable everywhere) into a fixed
//! number of buckets. No vocabulary, no downloaded weights.

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(parts: &[&[u8]]) -> u64 {
    let mut h = FNV_OFFSET;
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0x1f;
            h = h.wrapping_mul(FNV_PRIME);
        }
        for &b in *p {
            h ^= b as u64;
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// Words are kept to this many bytes, and at most this many words are read: long prompts cost bounded time.
const MAX_WORD: usize = 24;
const MAX_WORDS: usize = 2048;

/// A hash's bucket: `hash % buckets`, by a mask when `buckets` is a power of two (every
/// shipped router's), as a 64-bit division costs tens of cycles and a prompt has thousands of features.
#[derive(Clone, Copy)]
struct Bucket {
    buckets: u64,
    mask: Option<u64>,
}

impl Bucket {
    fn new(buckets: u32) -> Self {
        let buckets = buckets.max(1) as u64;
        let mask = buckets.is_power_of_two().then(|| buckets - 1);
        Bucket { buckets, mask }
    }

    #[inline]
    fn of(self, hash: u64) -> u32 {
        (match self.mask {
            Some(m) => hash & m,
            None => hash % self.buckets,
        }) as u32
    }
}

/// Feature bucket ids of `text`, appended to `out` (cleared first).
pub fn hashed_features(text: &str, buckets: u32, out: &mut Vec<u32>) {
    out.clear();
    let bucket = Bucket::new(buckets);
    let mut lower = String::with_capacity(64);
    let mut prev: Option<u64> = None;
    let mut words = 0usize;
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if words == MAX_WORDS {
            break;
        }
        words += 1;
        lower.clear();
        if word.is_ascii() {
            // The common case, byte for byte what char::to_lowercase gives for ASCII.
            let kept = &word.as_bytes()[..word.len().min(MAX_WORD)];
            lower.extend(kept.iter().map(|b| b.to_ascii_lowercase() as char));
        } else {
            for c in word.chars().flat_map(char::to_lowercase) {
                if lower.len() >= MAX_WORD {
                    break;
                }
                lower.push(c);
            }
        }
        let w = fnv(&[b"w", lower.as_bytes()]);
        out.push(bucket.of(w));
        if let Some(p) = prev {
            out.push(bucket.of(fnv(&[b"b", &p.to_le_bytes(), &w.to_le_bytes()])));
        }
        prev = Some(w);
        let bytes = lower.as_bytes();
        if bytes.len() >= 3 {
            // `<word>` on the stack: a word is at most MAX_WORD bytes plus one char (4 bytes).
            let mut marked = [0u8; MAX_WORD + 6];
            marked[0] = b'<';
            marked[1..=bytes.len()].copy_from_slice(bytes);
            marked[bytes.len() + 1] = b'>';
            for gram in marked[..bytes.len() + 2].windows(3) {
                out.push(bucket.of(fnv(&[b"c", gram])));
            }
        }
    }
    // Prompt length as a feature: log2 of the word count.
    let len_bucket = (usize::BITS - words.leading_zeros()).to_le_bytes();
    out.push(bucket.of(fnv(&[b"len", &len_bucket])));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_case_insensitive() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        hashed_features("Hello World", 1 << 16, &mut a);
        hashed_features("hello, world!", 1 << 16, &mut b);
        assert_eq!(a, b);
        assert!(a.iter().all(|&x| x < 1 << 16));
        // 2 words + 1 bigram + 5+5 trigrams + length
        assert_eq!(a.len(), 2 + 1 + 5 + 5 + 1);
    }

    #[test]
    fn a_power_of_two_masks_as_the_modulo_would() {
        // 3 x 4096 takes the division path; a hash modulo it, modulo 4096, is the hash modulo 4096.
        let text = "Mixed CASE words, digits 12345 and ünïcödé ΣΙΓΜΑ; a verylongwordthatgoesonandonbeyondthecap";
        let (mut masked, mut divided) = (Vec::new(), Vec::new());
        hashed_features(text, 4096, &mut masked);
        hashed_features(text, 3 * 4096, &mut divided);
        let reduced: Vec<u32> = divided.iter().map(|b| b % 4096).collect();
        assert_eq!(masked, reduced);
    }

    #[test]
    fn the_ascii_path_lowercases_and_caps_as_the_unicode_path() {
        // The same word in ASCII and with one non-ASCII letter at the end, past the 24-byte cap:
        // both are cut to the same first 24 lowercase bytes.
        let (mut ascii, mut unicode) = (Vec::new(), Vec::new());
        hashed_features("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1 << 16, &mut ascii);
        hashed_features("ABCDEFGHIJKLMNOPQRSTUVWXYÉ", 1 << 16, &mut unicode);
        assert_eq!(ascii, unicode);
    }

    #[test]
    fn bounded_work_on_huge_input() {
        let text = "word ".repeat(100_000);
        let mut f = Vec::new();
        hashed_features(&text, 1024, &mut f);
        assert!(f.len() < 2048 * 8);
    }
}

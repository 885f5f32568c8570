//! Pre-tokenization for the OpenAI encodings, with an ASCII fast path.
//!
//! tiktoken splits text with a regex before BPE. Running that regex is most
//! of the cost of tokenizing. For ASCII text the regex's decisions are
//! simple enough to make by hand, byte by byte, which is several times
//! faster. Wherever a decision depends on a non-ASCII character (Unicode
//! letters, digits and spaces, case folding in contractions), the scanner
//! hands that one piece to the exact regex. Differential tests check the two
//! agree on random text.

/// Which encoding's split rules apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `cl100k_base`: contractions stand alone; letters of any case form a word.
    Cl100k,
    /// `o200k_base`: words split at lower->upper case changes and keep their contraction.
    O200k,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    Digit,
    Newline,
    Space,
    Other,
    End,
    /// Not ASCII: the regex decides.
    Unicode,
}

#[inline]
fn class_at(bytes: &[u8], i: usize) -> Class {
    match bytes.get(i) {
        None => Class::End,
        Some(&b) => match b {
            b'A'..=b'Z' => Class::Upper,
            b'a'..=b'z' => Class::Lower,
            b'0'..=b'9' => Class::Digit,
            b'\n' | b'\r' => Class::Newline,
            b' ' | b'\t' | 0x0b | 0x0c => Class::Space,
            0x80.. => Class::Unicode,
            _ => Class::Other,
        },
    }
}

#[inline]
fn is_letter(c: Class) -> bool {
    matches!(c, Class::Upper | Class::Lower)
}

/// End of the piece starting at `p`, or `None` when only the regex can tell.
#[inline]
fn match_at(bytes: &[u8], p: usize, flavor: Flavor) -> Option<usize> {
    let c0 = class_at(bytes, p);
    if flavor == Flavor::Cl100k && bytes[p] == b'\'' {
        if let Some(end) = contraction(bytes, p)? {
            return Some(end);
        }
    }
    match c0 {
        Class::Unicode | Class::End => None,
        Class::Upper | Class::Lower => word(bytes, p, flavor),
        Class::Digit => {
            let mut end = p + 1;
            while end < p + 3 {
                match class_at(bytes, end) {
                    Class::Digit => end += 1,
                    Class::Unicode => return None,
                    _ => break,
                }
            }
            // A fourth character that is a non-ASCII digit would not change the
            // piece, but one right after could be a \p{N}: let the regex see it.
            if class_at(bytes, end) == Class::Unicode {
                return None;
            }
            Some(end)
        }
        Class::Space | Class::Other => {
            let c1 = class_at(bytes, p + 1);
            if c1 == Class::Unicode {
                return None;
            }
            // `[^\r\n\p{L}\p{N}]?` then letters: this character prefixes the word.
            if is_letter(c1) {
                return word(bytes, p + 1, flavor);
            }
            // ` ?[^\s\p{L}\p{N}]+[\r\n]*` (o200k also takes '/' at the end).
            let punct_start = if c0 == Class::Other {
                Some(p)
            } else if bytes[p] == b' ' && c1 == Class::Other {
                Some(p + 1)
            } else {
                None
            };
            if let Some(start) = punct_start {
                let mut end = start;
                loop {
                    match class_at(bytes, end) {
                        Class::Other => end += 1,
                        Class::Unicode => return None,
                        _ => break,
                    }
                }
                loop {
                    match bytes.get(end) {
                        Some(b'\r' | b'\n') => end += 1,
                        Some(b'/') if flavor == Flavor::O200k => end += 1,
                        Some(0x80..) => return None,
                        _ => break,
                    }
                }
                return Some(end);
            }
            whitespace(bytes, p)
        }
        Class::Newline => whitespace(bytes, p),
    }
}

/// A letter run from `p` (the caller checked `p` holds a letter).
#[inline]
fn word(bytes: &[u8], p: usize, flavor: Flavor) -> Option<usize> {
    let mut end = p;
    match flavor {
        Flavor::Cl100k => loop {
            match class_at(bytes, end) {
                Class::Upper | Class::Lower => end += 1,
                Class::Unicode => return None,
                _ => return Some(end),
            }
        },
        Flavor::O200k => {
            // [upper]*[lower]+ | [upper]+[lower]*: in ASCII both end after the
            // lowercase letters that follow the capitals.
            loop {
                match class_at(bytes, end) {
                    Class::Upper => end += 1,
                    Class::Unicode => return None,
                    _ => break,
                }
            }
            loop {
                match class_at(bytes, end) {
                    Class::Lower => end += 1,
                    Class::Unicode => return None,
                    _ => break,
                }
            }
            if bytes.get(end) == Some(&b'\'') {
                if let Some(c) = contraction(bytes, end)? {
                    return Some(c);
                }
            }
            Some(end)
        }
    }
}

/// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `p` (an apostrophe). Outer `None`: a
/// non-ASCII character could case-fold into a match (e.g. U+017F into 's').
#[inline]
fn contraction(bytes: &[u8], p: usize) -> Option<Option<usize>> {
    let lower = |i: usize| bytes.get(i).map(|b| b.to_ascii_lowercase());
    match lower(p + 1) {
        Some(0x80..) => None,
        Some(b's' | b't' | b'm' | b'd') => Some(Some(p + 2)),
        Some(first @ (b'r' | b'v' | b'l')) => {
            let want = if first == b'l' { b'l' } else { b'e' };
            match lower(p + 2) {
                Some(0x80..) => None,
                Some(b) if b == want => Some(Some(p + 3)),
                _ => Some(None),
            }
        }
        _ => Some(None),
    }
}

/// `\s*[\r\n]+ | \s+(?!\S) | \s+` from `p` (a whitespace character).
#[inline]
fn whitespace(bytes: &[u8], p: usize) -> Option<usize> {
    let mut end = p;
    let mut last_newline = None;
    loop {
        match class_at(bytes, end) {
            Class::Space => end += 1,
            Class::Newline => {
                last_newline = Some(end);
                end += 1;
            }
            Class::Unicode => return None,
            _ => break,
        }
    }
    Some(match last_newline {
        Some(nl) => nl + 1,
        None if end == bytes.len() => end,
        None if end - p >= 2 => end - 1,
        None => end,
    })
}

/// Pieces of `text`, identical to splitting with the encoding's regex.
pub struct Pieces<'a> {
    text: &'a str,
    pos: usize,
    flavor: Flavor,
    regex: &'a bpe_openai::Tokenizer,
}

impl<'a> Pieces<'a> {
    pub fn new(text: &'a str, flavor: Flavor, regex: &'a bpe_openai::Tokenizer) -> Self {
        Pieces {
            text,
            pos: 0,
            flavor,
            regex,
        }
    }
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let start = self.pos;
        if start >= self.text.len() {
            return None;
        }
        let end = match match_at(self.text.as_bytes(), start, self.flavor) {
            Some(end) => end,
            None => start + self.regex.split(&self.text[start..]).next()?.len(),
        };
        self.pos = end;
        Some(&self.text[start..end])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn regex_pieces<'a>(t: &'a bpe_openai::Tokenizer, text: &'a str) -> Vec<&'a str> {
        t.split(text).collect()
    }

    /// xorshift, so the test needs no dependency and is the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[(self.next() % xs.len() as u64) as usize]
        }
    }

    const ATOMS: &[&str] = &[
        "a",
        "Z",
        "hello",
        "World",
        "HTTP",
        "camelCase",
        "ABCdef",
        "'s",
        "'S",
        "'re",
        "'VE",
        "'ll",
        "'d",
        "'m",
        "'t",
        "'x",
        "'",
        "''",
        " ",
        "  ",
        "   ",
        "\t",
        "\n",
        "\r\n",
        "\n\n",
        " \n ",
        "\x0b",
        "\x0c",
        "0",
        "12",
        "1234",
        "(",
        ")",
        "/",
        "//",
        "...",
        "!?",
        "-",
        "_",
        "#",
        "{",
        "}",
        "\x01",
        "\x7f",
        "é",
        "ſ",
        "K",
        "ß",
        "中",
        "文",
        "١٢",
        "²",
        "\u{a0}",
        "\u{2003}",
        "\u{85}",
        "🚀",
        "\u{301}",
        "ǅ",
        "ʰ",
    ];

    #[test]
    fn agrees_with_the_regex_on_random_text() {
        for (flavor, t) in [
            (Flavor::O200k, bpe_openai::o200k_base()),
            (Flavor::Cl100k, bpe_openai::cl100k_base()),
        ] {
            let mut rng = Rng(0x9e3779b97f4a7c15);
            for _ in 0..20_000 {
                let n = 1 + rng.next() % 12;
                let text: String = (0..n).map(|_| rng.pick(ATOMS)).collect();
                let fast: Vec<&str> = Pieces::new(&text, flavor, t).collect();
                assert_eq!(fast, regex_pieces(t, &text), "{flavor:?} on {text:?}");
            }
        }
    }

    #[test]
    fn decides_ascii_itself_and_defers_unicode() {
        assert_eq!(match_at(b"hello world", 0, Flavor::O200k), Some(5));
        assert_eq!(match_at(b"hello world", 5, Flavor::O200k), Some(11));
        assert_eq!(match_at(b"don't", 3, Flavor::Cl100k), Some(5));
        assert_eq!(match_at(b"1234", 0, Flavor::O200k), Some(3));
        assert_eq!(match_at("caf\u{e9}".as_bytes(), 0, Flavor::O200k), None);
    }

    #[test]
    fn agrees_with_the_regex_on_prose_and_code() {
        let text = "Don't stop: the API's 200 OK (see https://x.io/a/b) -- it's \"fine\".\n\n\tfn main() { let x = 1_000; }\r\n  ";
        for (flavor, t) in [
            (Flavor::O200k, bpe_openai::o200k_base()),
            (Flavor::Cl100k, bpe_openai::cl100k_base()),
        ] {
            let fast: Vec<&str> = Pieces::new(text, flavor, t).collect();
            assert_eq!(fast, regex_pieces(t, text), "{flavor:?}");
        }
    }
}

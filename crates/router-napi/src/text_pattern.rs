use napi::Result;
use napi_derive::napi;
use regex::{Regex, RegexBuilder};

use crate::errors::invalid;

/// Compiled-program cap: a route author's `a{1000}{1000}` is refused instead of taking memory.
const SIZE_LIMIT: usize = 1 << 20;

/// A route author's regular expression (a rule's `promptMatches` or `header.matches`, a
/// sampling `redact` pattern), run by
/// the regex crate, whose matching time is linear in the text for every pattern. JavaScript's
/// backtracking engine is not: `(a+)+$` against forty `a`s and a `!` holds the event loop that
/// every tenant's requests share, and route authors and prompts are both untrusted.
#[napi]
pub struct NativeTextPattern {
    re: Regex,
}

#[napi]
impl NativeTextPattern {
    /// Compiles `pattern` (the regex crate's syntax: JavaScript's without backreferences and
    /// look-around) with `flags`, any of `i` (case-insensitive), `m` (`^`/`$` at line ends) and
    /// `s` (`.` matches a newline), as in JavaScript; throws InvalidArg with the crate's message
    /// when it does not compile.
    #[napi(constructor)]
    pub fn new(pattern: String, flags: String) -> Result<Self> {
        let mut builder = RegexBuilder::new(&pattern);
        for flag in flags.chars() {
            match flag {
                'i' => builder.case_insensitive(true),
                'm' => builder.multi_line(true),
                's' => builder.dot_matches_new_line(true),
                other => {
                    return Err(invalid(format!(
                        "unknown regular expression flag {other:?}"
                    )))
                }
            };
        }
        builder
            .size_limit(SIZE_LIMIT)
            .build()
            .map(|re| NativeTextPattern { re })
            .map_err(|e| invalid(format!("invalid regular expression: {e}")))
    }

    /// Whether the pattern matches anywhere in `text`.
    #[napi]
    pub fn test(&self, text: String) -> bool {
        self.re.is_match(&text)
    }

    /// `text` with every match replaced by `replacement`, taken literally (no `$1`), and how
    /// many matches there were.
    #[napi]
    pub fn replace_all(&self, text: String, replacement: String) -> Replaced {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        let mut count = 0;
        for m in self.re.find_iter(&text) {
            out.push_str(&text[last..m.start()]);
            out.push_str(&replacement);
            last = m.end();
            count += 1;
        }
        out.push_str(&text[last..]);
        Replaced { text: out, count }
    }
}

/// What `replace_all` made.
#[napi(object)]
pub struct Replaced {
    pub text: String,
    pub count: u32,
}

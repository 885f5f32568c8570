use napi::Result;
use napi_derive::napi;
use regex::{Regex, RegexBuilder};

use crate::errors::invalid;

/// Compiled-program cap: a route author's `a{1000}{1000}` is refused instead of taking memory.
const SIZE_LIMIT: usize = 1 << 20;

/// A route author's regular expression (a rule's `promptMatches` or `header.matches`), run by
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
    /// look-around); throws InvalidArg with the crate's message when it does not compile.
    #[napi(constructor)]
    pub fn new(pattern: String, case_insensitive: bool) -> Result<Self> {
        RegexBuilder::new(&pattern)
            .case_insensitive(case_insensitive)
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
}

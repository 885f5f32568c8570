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
    /// Whether some match can be zero characters long (`\b`, `^`, `x*`): such a redaction
    /// would insert its replacement between characters instead of replacing any.
    can_match_empty: bool,
}

#[napi]
impl NativeTextPattern {
    /// Compiles `pattern` (the regex crate's syntax: JavaScript's without backreferences and
    /// look-around) with `flags`, any of `i` (case-insensitive), `m` (`^`/`$` at line ends) and
    /// `s` (`.` matches a newline), as in JavaScript; throws InvalidArg with the crate's message
    /// when it does not compile.
    #[napi(constructor, catch_unwind)]
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
        let re = builder
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| invalid(format!("invalid regular expression: {e}")))?;
        // The same syntax, parsed again for its shortest match (the regex crate keeps its own
        // analysis private); it compiled above, so it parses here.
        let hir = regex_syntax::ParserBuilder::new()
            .case_insensitive(flags.contains('i'))
            .multi_line(flags.contains('m'))
            .dot_matches_new_line(flags.contains('s'))
            .build()
            .parse(&pattern)
            .map_err(|e| invalid(format!("invalid regular expression: {e}")))?;
        let can_match_empty = hir.properties().minimum_len() == Some(0);
        Ok(NativeTextPattern {
            re,
            can_match_empty,
        })
    }

    /// Whether some match can be empty (zero characters long), anywhere in a text.
    #[napi(getter, catch_unwind)]
    pub fn can_match_empty(&self) -> bool {
        self.can_match_empty
    }

    /// Whether the pattern matches anywhere in `text`.
    #[napi(catch_unwind)]
    pub fn test(&self, text: String) -> bool {
        self.re.is_match(&text)
    }

    /// `text` with every match replaced by `replacement`, taken literally (no `$1`), and how
    /// many matches there were; with `max_bytes`, the result stops at that many UTF-8 bytes (a
    /// replacement longer than what it replaces grows the text, and the caller keeps only a
    /// bounded prefix anyway).
    #[napi(catch_unwind)]
    pub fn replace_all(
        &self,
        text: String,
        replacement: String,
        max_bytes: Option<u32>,
    ) -> Replaced {
        let max = max_bytes.map_or(usize::MAX, |m| m as usize);
        let mut out = String::with_capacity(text.len().min(max));
        let mut last = 0;
        let mut count = 0;
        for m in self.re.find_iter(&text) {
            if out.len() >= max {
                break;
            }
            out.push_str(&text[last..m.start()]);
            out.push_str(&replacement);
            last = m.end();
            count += 1;
        }
        if out.len() < max {
            out.push_str(&text[last..]);
        }
        if out.len() > max {
            let mut end = max;
            while !out.is_char_boundary(end) {
                end -= 1;
            }
            out.truncate(end);
        }
        Replaced { text: out, count }
    }
}

/// What `replace_all` made.
#[napi(object)]
pub struct Replaced {
    pub text: String,
    pub count: u32,
}

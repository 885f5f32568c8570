//! Router training data: JSON Lines, one prompt per line, with each
//! model's score (DESIGN.md section 5).

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

#[derive(Debug, Clone, Deserialize)]
pub struct Example {
    pub id: String,
    pub prompt: String,
    #[serde(default)]
    pub source: String,
    /// Each model's score on this prompt (absent in purely labelled data).
    #[serde(default)]
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub output_chars: BTreeMap<String, f64>,
    /// A conversation's turns (its user messages), read from the row's `messages` (the chat
    /// messages `prompt` is the last user message of: what the gateway's prompt sampling and
    /// `switchboard label` write). The router reads them beside the text as the gateway gives
    /// them for a chat request; None for a single prompt.
    #[serde(default, rename = "messages", deserialize_with = "user_turns")]
    pub turns: Option<usize>,
    /// Any other field, such as a class label for `train --labels FIELD`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

/// A message's role; its content is not kept (the row's `prompt` is the text routers read).
#[derive(Deserialize)]
struct Role {
    #[serde(default)]
    role: String,
}

/// The number of user messages of a `messages` array, at least one (as the gateway counts a
/// chat request's turns); None for an empty array or null.
fn user_turns<'de, D: Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let messages: Option<Vec<Role>> = Option::deserialize(d)?;
    Ok(messages
        .filter(|m| !m.is_empty())
        .map(|m| crate::analysis::user_turns(m.iter().map(|r| r.role.as_str()))))
}

/// One model, one name across files: `gpt4_1106_preview`, `gpt-4-1106-preview` and
/// `openai/GPT-4-1106-preview` are the same model. Lower case, the last `/` segment, and `_`,
/// `.` and spaces as `-`.
pub fn canonical_model(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name).to_lowercase();
    let dashed: String = last
        .chars()
        .map(|c| if matches!(c, '_' | '.' | ' ') { '-' } else { c })
        .collect();
    match dashed.strip_prefix("gpt4-") {
        Some(rest) => format!("gpt-4-{rest}"),
        None => dashed,
    }
}

impl Example {
    /// The score of `model` here, by its exact name or, failing that, its canonical one.
    pub fn score_of(&self, model: &str) -> Option<f64> {
        if let Some(&s) = self.scores.get(model) {
            return Some(s);
        }
        let want = canonical_model(model);
        self.scores
            .iter()
            .find(|(m, _)| canonical_model(m) == want)
            .map(|(_, &s)| s)
    }

    /// The value of a label field as text (strings as they are, numbers and booleans printed).
    pub fn label(&self, field: &str) -> Option<String> {
        match self.extra.get(field)? {
            serde_json::Value::String(s) => Some(s.clone()),
            v @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Some(v.to_string()),
            _ => None,
        }
    }
}

/// Parses JSON Lines; blank lines are skipped, a bad line is an error naming it.
pub fn parse_jsonl(text: &str, origin: &str) -> Result<Vec<Example>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let ex: Example =
            serde_json::from_str(line).map_err(|e| format!("{origin}:{}: {e}", i + 1))?;
        out.push(ex);
    }
    Ok(out)
}

/// The dataset a source belongs to: the part before its `/` (`mmlu-pro/biology` -> `mmlu-pro`).
pub fn dataset_of(source: &str) -> &str {
    source.split('/').next().unwrap_or(source)
}

/// Lower-case alphanumeric words separated by single spaces: what two copies of a prompt keep
/// in common when their spacing, case or punctuation differ.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// A multiple-choice prompt's question without its options: the text before the first line that
/// opens with an option letter (`A.`, `A)`, `(A)`) or an inline ` (A) `.
pub fn question_stem(prompt: &str) -> &str {
    let mut end = prompt.len();
    let mut offset = 0;
    for line in prompt.split_inclusive('\n') {
        let t = line.trim_start();
        let opens = t.starts_with("A.") || t.starts_with("A)") || t.starts_with("(A)");
        if opens && offset > 0 {
            end = offset;
            break;
        }
        offset += line.len();
    }
    if let Some(i) = prompt[..end].find(" (A) ") {
        end = i;
    }
    &prompt[..end]
}

/// Keys under which a prompt counts as a duplicate of another: its normalised text, and its
/// normalised question stem when that is long enough to identify a question (40 characters).
pub fn dedup_keys(prompt: &str) -> Vec<u64> {
    let hash = |s: &str| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in s.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let full = normalise(prompt);
    let stem = normalise(question_stem(prompt));
    let mut keys = vec![hash(&full)];
    if stem.len() >= 40 && stem != full {
        keys.push(hash(&stem));
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_are_the_same_model_across_spellings() {
        for (a, b) in [
            ("gpt4_1106_preview", "gpt-4-1106-preview"),
            (
                "mistralai/Mixtral-8x7B-Instruct-v0.1",
                "mixtral-8x7b-instruct-v0.1",
            ),
            ("Meta-Llama-3_1-70B-Instruct", "Meta-Llama-3.1-70B-Instruct"),
        ] {
            assert_eq!(canonical_model(a), canonical_model(b));
        }
        assert_ne!(
            canonical_model("gpt-3.5-turbo-1106_concise"),
            canonical_model("gpt-3.5-turbo-1106")
        );
        let ex: Example = serde_json::from_str(
            r#"{"id": "1", "prompt": "p", "scores": {"gpt4_1106_preview": 0.5, "x": 1}}"#,
        )
        .unwrap();
        assert_eq!(ex.score_of("gpt-4-1106-preview"), Some(0.5));
        assert_eq!(ex.score_of("x"), Some(1.0));
        assert_eq!(ex.score_of("y"), None);
    }

    #[test]
    fn a_conversation_row_carries_its_turns_and_keeps_prompt_as_the_routed_text() {
        let row = r#"{"id": "c", "prompt": "and in French?", "scores": {},
            "messages": [{"role": "system", "content": "be brief"},
                         {"role": "user", "content": "say hello"},
                         {"role": "assistant", "content": [{"type": "text", "text": "hello"}]},
                         {"role": "user", "content": "and in French?"}]}"#;
        let ex: Example = serde_json::from_str(row).unwrap();
        assert_eq!((ex.prompt.as_str(), ex.turns), ("and in French?", Some(2)));
        assert!(
            ex.extra.is_empty(),
            "messages is read, not carried as an extra field"
        );
        let single: Example = serde_json::from_str(r#"{"id": "s", "prompt": "p"}"#).unwrap();
        assert_eq!(single.turns, None);
        let empty: Example =
            serde_json::from_str(r#"{"id": "e", "prompt": "p", "messages": []}"#).unwrap();
        assert_eq!(empty.turns, None);
        let bad = parse_jsonl(r#"{"id": "b", "prompt": "p", "messages": "hi"}"#, "f.jsonl");
        assert!(bad.unwrap_err().starts_with("f.jsonl:1:"));
    }

    #[test]
    fn datasets_are_source_prefixes() {
        assert_eq!(dataset_of("mmlu-pro/biology"), "mmlu-pro");
        assert_eq!(dataset_of("arena-bench"), "arena-bench");
    }

    #[test]
    fn stems_and_keys_catch_reformatted_copies() {
        let a = "Which planet is the largest by mass in our solar system?\nA. Mars\nB. Jupiter\nAnswer:";
        let b = "which planet is the largest by mass in our solar system ?\n\nA. Mars\nB. Jupiter\nC. Venus";
        assert_eq!(
            question_stem(a),
            "Which planet is the largest by mass in our solar system?\n"
        );
        assert_eq!(normalise("  Hello,  World!\n"), "hello world");
        let (ka, kb) = (dedup_keys(a), dedup_keys(b));
        assert_eq!(ka.len(), 2);
        assert_eq!(ka[1], kb[1]);
        assert_ne!(ka[0], kb[0]);
        // short stems say too little to call two prompts the same question
        assert_eq!(dedup_keys("Why?\nA. yes\nB. no").len(), 1);
        let inline =
            "Which planet is the largest by mass in our solar system? (A) Mars (B) Jupiter";
        assert_eq!(dedup_keys(inline)[1], ka[1]);
    }
}

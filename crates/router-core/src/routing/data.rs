//! Router training data: JSON Lines, one prompt per line, with each
//! model's score (DESIGN.md section 5).

use std::collections::BTreeMap;

use serde::Deserialize;

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
    /// Any other field, such as a class label for `train --labels FIELD`.
    #[serde(flatten)]
    pub extra: BTreeMap<String, serde_json::Value>,
}

impl Example {
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

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
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub output_chars: BTreeMap<String, f64>,
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

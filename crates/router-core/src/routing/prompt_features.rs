//! Explicit prompt features, read beside the embedding: what an embedding of
//! the meaning may miss — how long the prompt is, whether it holds code, maths
//! or markup, whether it asks a question or offers options, how many turns a
//! conversation had. Each is scaled to about [0, 1] so no one dominates a
//! distance. `turns` comes from the chat request in the gateway and from a
//! row's `messages` in training data (what prompt sampling and `switchboard
//! label` write), so a router trained on the operator's conversations learns
//! it; the shipped datasets are single-turn, so the default has learned
//! nothing from it.

use super::heads::length::length_score;

/// The features, in vector order.
pub const NAMES: &[&str] = &[
    "length", "lines", "code", "math", "digits", "markup", "question", "options", "turns",
];

const CODE_MARKERS: &[&str] = &[
    "```", "def ", "return ", "function", "=>", "#include", "import ", "class ", "public ",
    "print(", "console.", "();", "{\n", "};", "SELECT ", "for (", "while (", "var ", "let ",
    "const ", "</", "assert ",
];
const MATH_MARKERS: &[&str] = &[
    "\\frac",
    "\\sqrt",
    "$",
    "^",
    "=",
    "+",
    "solve",
    "calculate",
    "compute",
    "equation",
    "integral",
    "probability",
    "prove",
    "how many",
    "sum of",
    "derivative",
    "\\(",
    "%",
];
const MARKUP_MARKERS: &[&str] = &[
    "<div", "<p>", "<br", "](", "\n#", "\n- ", "\n* ", "\n|", "\n1. ",
];
const QUESTION_STARTS: &[&str] = &[
    "what", "why", "how", "which", "who", "when", "where", "is ", "are ", "can ", "does ", "do ",
    "should ", "could ",
];
/// Lines that open a turn when a conversation arrives as one text.
const TURN_MARKERS: &[&str] = &[
    "user:",
    "assistant:",
    "human:",
    "system:",
    "### user",
    "### assistant",
];

/// Share of `markers` found in `text`, saturating at `full` of them.
fn presence(text: &str, markers: &[&str], full: usize) -> f32 {
    let found = markers.iter().filter(|m| text.contains(*m)).count();
    (found as f32 / full as f32).min(1.0)
}

/// Turns of a conversation written out as one text (role-marked lines), at least 1.
pub fn turns_in_text(text: &str) -> usize {
    text.lines()
        .filter(|l| {
            let l = l.trim_start().to_lowercase();
            TURN_MARKERS.iter().any(|m| l.starts_with(m))
        })
        .count()
        .max(1)
}

/// The features of a prompt, `NAMES.len()` values; `turns` when the caller knows the
/// conversation (else counted from role markers in the text).
pub fn prompt_features(text: &str, turns: Option<usize>, out: &mut [f32]) {
    let lower = text.to_lowercase();
    let chars = text.chars().count().max(1) as f32;
    let digits = text.chars().filter(char::is_ascii_digit).count() as f32;
    let trimmed = lower.trim();
    let first = trimmed.lines().next().unwrap_or_default();
    let asks = trimmed.ends_with('?')
        || QUESTION_STARTS.iter().any(|q| first.starts_with(q))
        || lower.contains("which of the following");
    let options = ["\na.", "\na)", "(a)", "\nb.", "\nb)", "(b)"]
        .iter()
        .filter(|m| lower.contains(*m))
        .count();
    let turns = turns.unwrap_or_else(|| turns_in_text(text));
    let values = [
        length_score(text) / 8.0,
        (1.0 + text.lines().count() as f32).ln() / 6.0,
        presence(text, CODE_MARKERS, 3),
        presence(&lower, MATH_MARKERS, 3),
        (digits / chars * 5.0).min(1.0),
        presence(text, MARKUP_MARKERS, 2),
        if asks { 1.0 } else { 0.0 },
        (options as f32 / 2.0).min(1.0),
        ((turns as f32).ln() / 3.0).min(1.0),
    ];
    out[..values.len()].copy_from_slice(&values);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(text: &str) -> Vec<f32> {
        let mut v = vec![0.0; NAMES.len()];
        prompt_features(text, None, &mut v);
        v
    }

    #[test]
    fn markers_light_up_their_feature() {
        let at = |name: &str| NAMES.iter().position(|n| *n == name).unwrap();
        let code = f("Fix this:\n```python\ndef add(a, b):\n    return a - b\n```");
        assert!(code[at("code")] >= 0.6);
        let math = f("Solve the equation 3x + 5 = 20 for x.");
        assert!(math[at("math")] >= 0.6 && math[at("digits")] > 0.0);
        let mc = f("Which of the following is a prime?\nA. 4\nB. 7\nC. 9");
        assert_eq!((mc[at("question")], mc[at("options")]), (1.0, 1.0));
        let chat = f("Write a haiku about spring");
        assert_eq!(chat[at("question")], 0.0);
        assert_eq!(chat[at("code")], 0.0);
        assert!(f(&"word ".repeat(500))[at("length")] > chat[at("length")]);
        assert!(f("x")
            .iter()
            .chain(&code)
            .chain(&math)
            .all(|v| (0.0..=1.5).contains(v)));
    }

    #[test]
    fn turns_come_from_the_caller_or_from_role_markers() {
        assert_eq!(turns_in_text("just a question"), 1);
        assert_eq!(
            turns_in_text("User: hi\nAssistant: hello\nUser: and then?"),
            3
        );
        let mut v = vec![0.0; NAMES.len()];
        prompt_features("hi", Some(8), &mut v);
        assert!(v[NAMES.len() - 1] > 0.5);
    }
}

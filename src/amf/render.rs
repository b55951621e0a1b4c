//! Text forms of AMF values for the CLI.

use super::AmfValue;

/// Multi-line tree (placeholder until the renderer lands).
pub fn render_tree(value: &AmfValue) -> String {
    format!("{value:?}")
}

/// One-line summary cut to `max_width` characters (placeholder until the renderer lands).
pub fn summarize(value: &AmfValue, max_width: usize) -> String {
    format!("{value:?}").chars().take(max_width).collect()
}

//! Reading the worker's results as they come: each chunk of message rows is parsed in the task
//! that receives it and its JSON dropped, so a capture with hundreds of thousands of messages
//! never blocks the page for long and its JSON is never held whole.

use rtmpscope::Report;

use crate::shared::flv_checks::FlvCheck;
use crate::shared::rows::{Codecs, MessageRow, Summaries};

use super::model::Loaded;

fn unreadable(e: serde_json::Error) -> String {
    format!("The worker's results could not be read: {e}")
}

/// The rows and summaries of an analysis received so far.
#[derive(Default)]
pub struct Reading {
    rows: Vec<MessageRow>,
    summaries: Summaries,
}

/// The most messages the lists are reserved for up front (the count comes from the worker).
const MAX_RESERVED: usize = 1 << 24;

impl Reading {
    /// Parses one chunk of rows and their summaries; `total` is the count of all messages,
    /// reserved at once (and the summaries' text, estimated from the first chunk) so the lists
    /// are not regrown, and copied, as they fill.
    pub fn add_chunk(
        &mut self,
        json: &[u8],
        summaries_json: &[u8],
        total: usize,
    ) -> Result<(), String> {
        let rows: Vec<MessageRow> = serde_json::from_slice(json).map_err(unreadable)?;
        let summaries: Vec<String> = serde_json::from_slice(summaries_json).map_err(unreadable)?;
        let total = total.min(MAX_RESERVED);
        if self.rows.is_empty() {
            self.rows.reserve(total);
            let bytes: usize = summaries.iter().map(String::len).sum();
            let per_message = bytes.div_ceil(summaries.len().max(1));
            // A little more than the first chunk's average: later messages may say more.
            self.summaries.reserve(
                total,
                (total.saturating_mul(per_message) / 8).saturating_mul(9),
            );
        }
        self.rows.extend(rows);
        for s in &summaries {
            self.summaries.push(s);
        }
        Ok(())
    }

    /// The report head, the FLV checks and the codecs, with the rows read, as a [`Loaded`]
    /// capture.
    pub fn finish(
        self,
        name: String,
        head_json: &str,
        flv_json: &str,
        codecs_json: &str,
    ) -> Result<Loaded, String> {
        let report: Report = serde_json::from_str(head_json).map_err(unreadable)?;
        let checks: Vec<FlvCheck> = serde_json::from_str(flv_json).map_err(unreadable)?;
        let codecs: Vec<Codecs> = serde_json::from_str(codecs_json).map_err(unreadable)?;
        Ok(Loaded::new(name, report, self.rows, self.summaries, codecs).with_flv_checks(checks))
    }
}

//! Reading the worker's results as they come: each chunk of messages is parsed in the task that
//! receives it and its JSON dropped, so a capture with hundreds of thousands of messages never
//! blocks the page for long and its JSON is never held whole.

use rtmpscope::analysis::MessageRecord;
use rtmpscope::Report;

use crate::shared::flv_checks::FlvCheck;

use super::model::Loaded;

fn unreadable(e: serde_json::Error) -> String {
    format!("The worker's results could not be read: {e}")
}

/// The messages and summaries of an analysis received so far.
#[derive(Default)]
pub struct Reading {
    messages: Vec<MessageRecord>,
    summaries: Vec<String>,
}

impl Reading {
    /// Parses one chunk of messages and their summaries; `total` is the count of all messages,
    /// reserved at once so the lists are not regrown (and copied) as they fill.
    pub fn add_chunk(
        &mut self,
        json: &[u8],
        summaries_json: &[u8],
        total: usize,
    ) -> Result<(), String> {
        let messages: Vec<MessageRecord> = serde_json::from_slice(json).map_err(unreadable)?;
        let summaries: Vec<String> = serde_json::from_slice(summaries_json).map_err(unreadable)?;
        // The count comes from the worker; never reserve beyond what a wasm memory could hold.
        let total = total.min(1 << 24);
        self.messages
            .reserve(total.saturating_sub(self.messages.len()));
        self.summaries
            .reserve(total.saturating_sub(self.summaries.len()));
        self.messages.extend(messages);
        self.summaries.extend(summaries);
        Ok(())
    }

    /// The report head and the FLV checks, with the messages read, as a [`Loaded`] capture.
    pub fn finish(self, name: String, head_json: &str, flv_json: &str) -> Result<Loaded, String> {
        let mut report: Report = serde_json::from_str(head_json).map_err(unreadable)?;
        report.messages = self.messages;
        let checks: Vec<FlvCheck> = serde_json::from_str(flv_json).map_err(unreadable)?;
        Ok(Loaded::new(name, report, self.summaries).with_flv_checks(checks))
    }
}

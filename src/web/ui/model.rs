//! The analysed capture as the page holds it, with what the views derive from it once.

use std::collections::BTreeMap;
use std::rc::Rc;

use rtmpscope::capture::Timestamp;
use rtmpscope::Report;

use crate::shared::flv_checks::FlvCheck;
use crate::shared::rows::{Codecs, MessageRow, Summaries};

/// One analysed capture.
pub struct Loaded {
    pub name: String,
    /// The report without its messages (the worker keeps those; the page has their rows).
    pub report: Report,
    /// A row per message, in report order.
    pub rows: Vec<MessageRow>,
    /// Each message's one-line summary, by position.
    pub summaries: Summaries,
    /// Codecs seen per (connection, message stream).
    pub codecs: BTreeMap<(u32, u32), Codecs>,
    /// The capture's first packet time: relative times count from it.
    pub start: Option<Timestamp>,
    /// Type names present, in type id order, for the type filter.
    pub types: Vec<(u8, String)>,
    /// Per (connection, message stream): whether `rtmpscope export` would write it as FLV, or
    /// why not.
    pub flv: BTreeMap<(u32, u32), Result<(), String>>,
}

impl Loaded {
    pub fn new(
        name: String,
        report: Report,
        rows: Vec<MessageRow>,
        summaries: Summaries,
        codecs: Vec<Codecs>,
    ) -> Self {
        let mut types: BTreeMap<u8, String> = BTreeMap::new();
        for row in &rows {
            types
                .entry(row.type_id)
                .or_insert_with(|| row.type_name().to_string());
        }
        Loaded {
            name,
            start: report.capture.summary.start_time,
            report,
            rows,
            summaries,
            codecs: codecs.into_iter().map(|c| ((c.conn, c.msid), c)).collect(),
            types: types.into_iter().collect(),
            flv: BTreeMap::new(),
        }
    }

    /// Notes which streams can be exported as FLV (the worker's checks).
    pub fn with_flv_checks(mut self, checks: Vec<FlvCheck>) -> Self {
        self.flv = checks
            .into_iter()
            .map(|c| ((c.conn, c.msid), c.error.map_or(Ok(()), Err)))
            .collect();
        self
    }

    /// The file name an FLV download of a stream gets: `<capture>-conn<N>-stream<MSID>.flv`.
    pub fn flv_name(&self, conn: u32, msid: u32) -> String {
        let stem = self
            .name
            .rsplit_once('.')
            .map_or(self.name.as_str(), |(stem, _)| stem)
            .trim();
        let stem = if stem.is_empty() { "capture" } else { stem };
        format!("{stem}-conn{conn}-stream{msid}.flv")
    }

    /// The summary of message `index`.
    pub fn summary(&self, index: u64) -> &str {
        self.position(index).map_or("", |at| self.summaries.get(at))
    }

    /// Position of message `index` in `rows`.
    pub fn position(&self, index: u64) -> Option<usize> {
        let at = usize::try_from(index).ok()?;
        match self.rows.get(at) {
            Some(m) if m.index == index => Some(at),
            _ => self.rows.iter().position(|m| m.index == index),
        }
    }

    /// The row of message `index`.
    pub fn row(&self, index: u64) -> Option<&MessageRow> {
        self.rows.get(self.position(index)?)
    }

    /// The session number (position in `sessions`) of a TCP connection.
    pub fn session_of(&self, conn: u32) -> Option<usize> {
        self.report.sessions.iter().position(|s| s.conn == conn)
    }

    /// The first message at or after `frame` (on `conn` if given), for diagnostics that point
    /// at a frame rather than a message.
    pub fn message_near_frame(&self, frame: u64, conn: Option<u32>) -> Option<u64> {
        self.rows
            .iter()
            .filter(|m| conn.is_none_or(|c| c == m.conn))
            .find(|m| m.frame >= frame)
            .map(|m| m.index)
    }
}

/// A shared handle on the loaded capture. Props compare it by identity: a new capture is a new
/// handle, and the same capture never changes.
#[derive(Clone)]
pub struct Data(pub Rc<Loaded>);

impl PartialEq for Data {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl std::ops::Deref for Data {
    type Target = Loaded;
    fn deref(&self) -> &Loaded {
        &self.0
    }
}

//! The analysed capture as the page holds it, with what the views derive from it once.

use std::collections::BTreeMap;
use std::rc::Rc;

use rtmpscope::capture::Timestamp;
use rtmpscope::rtmp::MessageBody;
use rtmpscope::Report;

use crate::shared::flv_checks::FlvCheck;

/// One analysed capture.
pub struct Loaded {
    pub name: String,
    pub report: Report,
    /// Each message's one-line summary, and its lower-case form for the text filter.
    pub summaries: Vec<String>,
    pub summaries_lower: Vec<String>,
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

/// What the media tag headers of one message stream said.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Codecs {
    pub video: Option<String>,
    pub audio: Option<String>,
}

impl Loaded {
    pub fn new(name: String, report: Report, summaries: Vec<String>) -> Self {
        let summaries_lower = summaries.iter().map(|s| s.to_lowercase()).collect();
        let mut codecs: BTreeMap<(u32, u32), Codecs> = BTreeMap::new();
        let mut types: BTreeMap<u8, String> = BTreeMap::new();
        for m in &report.messages {
            let msg = &m.message;
            types
                .entry(msg.type_id)
                .or_insert_with(|| msg.type_name().to_string());
            match &msg.body {
                MessageBody::Video(v) => {
                    let entry = codecs.entry((m.conn, msg.msid)).or_default();
                    if entry.video.is_none() {
                        entry.video = Some(
                            v.fourcc
                                .map_or_else(|| v.codec_name().to_string(), |f| f.to_string()),
                        );
                    }
                }
                MessageBody::Audio(a) => {
                    let entry = codecs.entry((m.conn, msg.msid)).or_default();
                    if entry.audio.is_none() {
                        let mut text = a
                            .fourcc
                            .map_or_else(|| a.format_name().to_string(), |f| f.to_string());
                        if let Some(rate) = a.rate_hz {
                            text.push_str(&format!(" {} kHz", f64::from(rate) / 1000.0));
                        }
                        if let Some(stereo) = a.stereo {
                            text.push_str(if stereo { " stereo" } else { " mono" });
                        }
                        entry.audio = Some(text);
                    }
                }
                _ => {}
            }
        }
        Loaded {
            name,
            start: report.capture.summary.start_time,
            report,
            summaries,
            summaries_lower,
            codecs,
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

    pub fn summary(&self, index: u64) -> &str {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.summaries.get(i))
            .map_or("", String::as_str)
    }

    /// Position of message `index` in `report.messages`.
    pub fn position(&self, index: u64) -> Option<usize> {
        let at = usize::try_from(index).ok()?;
        match self.report.messages.get(at) {
            Some(m) if m.index == index => Some(at),
            _ => self.report.messages.iter().position(|m| m.index == index),
        }
    }

    /// The session number (position in `sessions`) of a TCP connection.
    pub fn session_of(&self, conn: u32) -> Option<usize> {
        self.report.sessions.iter().position(|s| s.conn == conn)
    }

    /// The first message at or after `frame` (on `conn` if given), for diagnostics that point
    /// at a frame rather than a message.
    pub fn message_near_frame(&self, frame: u64, conn: Option<u32>) -> Option<u64> {
        self.report
            .messages
            .iter()
            .filter(|m| conn.is_none_or(|c| c == m.conn))
            .find(|m| m.message.frame >= frame)
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

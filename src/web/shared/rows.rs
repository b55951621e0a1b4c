//! What the page keeps of each message: the timeline's columns and what the filters test, about
//! a fifth of a [`MessageRecord`]. The whole record (headers, decoded body, request/response
//! links) stays in the worker, which sends it with the detail of the selected message.

use std::collections::BTreeMap;

use rtmpscope::analysis::MessageRecord;
use rtmpscope::capture::Timestamp;
use rtmpscope::rtmp::message::type_name;
use rtmpscope::rtmp::{Dir, MessageBody};
use serde::{Deserialize, Serialize};

/// One message as the timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessageRow {
    /// As [`MessageRecord::index`].
    pub index: u64,
    /// The frame that completed the message.
    pub frame: u64,
    pub time: Timestamp,
    pub conn: u32,
    pub csid: u32,
    pub msid: u32,
    /// Absolute RTMP timestamp (ms).
    pub timestamp: u32,
    /// Declared body length.
    pub length: u32,
    pub type_id: u8,
    pub dir: Dir,
    pub damaged: bool,
}

impl MessageRow {
    pub fn of(record: &MessageRecord) -> MessageRow {
        let m = &record.message;
        MessageRow {
            index: record.index,
            frame: m.frame,
            time: m.time,
            conn: record.conn,
            csid: m.csid,
            msid: m.msid,
            timestamp: m.timestamp,
            length: m.length,
            type_id: m.type_id,
            dir: m.dir,
            damaged: m.damaged,
        }
    }

    pub fn type_name(&self) -> &'static str {
        type_name(self.type_id)
    }
}

/// What the media tag headers of one message stream said first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Codecs {
    pub conn: u32,
    pub msid: u32,
    pub video: Option<String>,
    pub audio: Option<String>,
}

/// The first video and audio codec of every message stream that carried media, in
/// (connection, message stream) order.
pub fn stream_codecs(messages: &[MessageRecord]) -> Vec<Codecs> {
    let mut codecs: BTreeMap<(u32, u32), Codecs> = BTreeMap::new();
    for m in messages {
        let msg = &m.message;
        if !matches!(msg.body, MessageBody::Video(_) | MessageBody::Audio(_)) {
            continue;
        }
        let entry = codecs.entry((m.conn, msg.msid)).or_insert_with(|| Codecs {
            conn: m.conn,
            msid: msg.msid,
            ..Codecs::default()
        });
        match &msg.body {
            MessageBody::Video(v) if entry.video.is_none() => {
                entry.video = Some(
                    v.fourcc
                        .map_or_else(|| v.codec_name().to_string(), |f| f.to_string()),
                );
            }
            MessageBody::Audio(a) if entry.audio.is_none() => {
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
            _ => {}
        }
    }
    codecs.into_values().collect()
}

/// Every message's one-line summary in one string (a `String` each took 12 bytes more, and
/// an allocation, per message).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summaries {
    text: String,
    /// Where each summary ends in `text`.
    ends: Vec<u32>,
}

impl Summaries {
    /// Room for `count` summaries of `bytes` bytes in all, so the lists are not regrown (and
    /// copied) as they fill.
    pub fn reserve(&mut self, count: usize, bytes: usize) {
        self.ends.reserve(count.saturating_sub(self.ends.len()));
        self.text.reserve(bytes.saturating_sub(self.text.len()));
    }

    pub fn push(&mut self, summary: &str) {
        self.text.push_str(summary);
        self.ends.push(self.text.len() as u32);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of all summaries.
    pub fn bytes(&self) -> usize {
        self.text.len()
    }

    /// Summary `at`, or "" past the end.
    pub fn get(&self, at: usize) -> &str {
        let start = match at.checked_sub(1) {
            Some(before) => self.ends.get(before).copied(),
            None => Some(0),
        };
        match (start, self.ends.get(at)) {
            (Some(start), Some(&end)) => self.text.get(start as usize..end as usize),
            _ => None,
        }
        .unwrap_or("")
    }
}

impl<S: AsRef<str>> FromIterator<S> for Summaries {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut summaries = Summaries::default();
        for s in iter {
            summaries.push(s.as_ref());
        }
        summaries
    }
}

/// Whether `haystack`, lower-cased, contains `needle` (already lower-case): what
/// `haystack.to_lowercase().contains(needle)` says, without a copy for ASCII text (all
/// summaries but those quoting non-ASCII strings).
pub fn contains_lowercase(haystack: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if !haystack.is_ascii() {
        return haystack.to_lowercase().contains(needle);
    }
    // The lower case of ASCII text is ASCII: a needle with anything else cannot match.
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    hay.windows(needle.len()).any(|w| {
        w.iter()
            .zip(needle)
            .all(|(h, n)| h.to_ascii_lowercase() == *n)
    })
}

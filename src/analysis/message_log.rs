//! The compact message log: what the analytics read of each message, for analyses that keep no
//! message list ([`super::AnalyzerOptions::keep_messages`] off).
//!
//! A plain audio or video message (no FourCC, codec configuration or Enhanced RTMP v2 fields,
//! i.e. almost all of them) takes 72 bytes here instead of a 280-byte [`MessageRecord`]; any
//! other message (commands, data, control, sequence headers, aggregates) is kept whole on the
//! side, as it is rare. The analytics read both through [`SessionMessages`], which hands out a
//! [`MessageRecord`] per message: the kept one, or one rebuilt from the compact fields with the
//! fields the analytics do not read (chunk stream, chunk counts, file offsets, damage) left at
//! their defaults.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use crate::capture::Timestamp;
use crate::rtmp::media::{AudioTagHeader, VideoTagHeader};
use crate::rtmp::{Dir, MessageBody, RtmpMessage};

use super::report::MessageRecord;

/// A message as the analytics need it.
#[derive(Debug, Clone)]
pub(crate) struct LoggedMessage {
    pub index: u64,
    pub frame: u64,
    stream_offset: u64,
    secs: i64,
    nanos: u32,
    pub conn: u32,
    timestamp: u32,
    length: u32,
    msid: u32,
    pub dir: Dir,
    inferred: bool,
    body: LoggedBody,
}

#[derive(Debug, Clone, Copy)]
enum LoggedBody {
    Video(CompactVideo),
    Audio(CompactAudio),
    /// Position of the whole record in [`MessageLog::full`].
    Full(u32),
}

// Flag bits of the compact headers.
const V_ENHANCED: u8 = 1;
const V_KEYFRAME: u8 = 2;
const V_SEQUENCE_HEADER: u8 = 4;
const V_HAS_CODEC_ID: u8 = 8;
const V_HAS_PACKET_TYPE: u8 = 16;
const V_HAS_COMMAND: u8 = 32;
const V_HAS_COMPOSITION_TIME: u8 = 64;

/// A [`VideoTagHeader`] without FourCC, configuration or v2 fields, packed.
#[derive(Debug, Clone, Copy)]
struct CompactVideo {
    flags: u8,
    frame_type: u8,
    codec_id: u8,
    packet_type: u8,
    command: u8,
    composition_time: i32,
}

const A_MULTITRACK: u8 = 1;
const A_SEQUENCE_HEADER: u8 = 2;
const A_HAS_RATE: u8 = 4;
const A_HAS_SAMPLE_BITS: u8 = 8;
const A_HAS_STEREO: u8 = 16;
const A_STEREO: u8 = 32;
const A_HAS_AAC_PACKET_TYPE: u8 = 64;
const A_HAS_PACKET_TYPE: u8 = 128;

/// An [`AudioTagHeader`] without FourCC, configuration or v2 fields, packed.
#[derive(Debug, Clone, Copy)]
struct CompactAudio {
    flags: u8,
    sound_format: u8,
    sample_bits: u8,
    aac_packet_type: u8,
    packet_type: u8,
    rate_hz: u32,
}

fn flag(set: bool, bit: u8) -> u8 {
    if set {
        bit
    } else {
        0
    }
}

impl CompactVideo {
    fn from_header(v: &VideoTagHeader) -> Option<Self> {
        if v.fourcc.is_some() || v.ex.is_some() {
            return None;
        }
        Some(CompactVideo {
            flags: flag(v.enhanced, V_ENHANCED)
                | flag(v.keyframe, V_KEYFRAME)
                | flag(v.sequence_header, V_SEQUENCE_HEADER)
                | flag(v.codec_id.is_some(), V_HAS_CODEC_ID)
                | flag(v.packet_type.is_some(), V_HAS_PACKET_TYPE)
                | flag(v.command.is_some(), V_HAS_COMMAND)
                | flag(v.composition_time.is_some(), V_HAS_COMPOSITION_TIME),
            frame_type: v.frame_type,
            codec_id: v.codec_id.unwrap_or(0),
            packet_type: v.packet_type.unwrap_or(0),
            command: v.command.unwrap_or(0),
            composition_time: v.composition_time.unwrap_or(0),
        })
    }

    fn header(&self) -> VideoTagHeader {
        let has = |bit| self.flags & bit != 0;
        VideoTagHeader {
            enhanced: has(V_ENHANCED),
            frame_type: self.frame_type,
            codec_id: has(V_HAS_CODEC_ID).then_some(self.codec_id),
            fourcc: None,
            packet_type: has(V_HAS_PACKET_TYPE).then_some(self.packet_type),
            composition_time: has(V_HAS_COMPOSITION_TIME).then_some(self.composition_time),
            command: has(V_HAS_COMMAND).then_some(self.command),
            keyframe: has(V_KEYFRAME),
            sequence_header: has(V_SEQUENCE_HEADER),
            ex: None,
        }
    }
}

impl CompactAudio {
    fn from_header(a: &AudioTagHeader) -> Option<Self> {
        if a.fourcc.is_some() || a.ex.is_some() {
            return None;
        }
        Some(CompactAudio {
            flags: flag(a.multitrack, A_MULTITRACK)
                | flag(a.sequence_header, A_SEQUENCE_HEADER)
                | flag(a.rate_hz.is_some(), A_HAS_RATE)
                | flag(a.sample_bits.is_some(), A_HAS_SAMPLE_BITS)
                | flag(a.stereo.is_some(), A_HAS_STEREO)
                | flag(a.stereo == Some(true), A_STEREO)
                | flag(a.aac_packet_type.is_some(), A_HAS_AAC_PACKET_TYPE)
                | flag(a.packet_type.is_some(), A_HAS_PACKET_TYPE),
            sound_format: a.sound_format,
            sample_bits: a.sample_bits.unwrap_or(0),
            aac_packet_type: a.aac_packet_type.unwrap_or(0),
            packet_type: a.packet_type.unwrap_or(0),
            rate_hz: a.rate_hz.unwrap_or(0),
        })
    }

    fn header(&self) -> AudioTagHeader {
        let has = |bit| self.flags & bit != 0;
        AudioTagHeader {
            sound_format: self.sound_format,
            rate_hz: has(A_HAS_RATE).then_some(self.rate_hz),
            sample_bits: has(A_HAS_SAMPLE_BITS).then_some(self.sample_bits),
            stereo: has(A_HAS_STEREO).then_some(has(A_STEREO)),
            aac_packet_type: has(A_HAS_AAC_PACKET_TYPE).then_some(self.aac_packet_type),
            packet_type: has(A_HAS_PACKET_TYPE).then_some(self.packet_type),
            fourcc: None,
            multitrack: has(A_MULTITRACK),
            sequence_header: has(A_SEQUENCE_HEADER),
            ex: None,
        }
    }
}

/// Every kept message, compact, in the order the report's list would have them.
#[derive(Debug, Default)]
pub(crate) struct MessageLog {
    pub messages: Vec<LoggedMessage>,
    /// The messages kept whole.
    full: Vec<MessageRecord>,
}

impl MessageLog {
    pub fn len(&self) -> usize {
        self.messages.len()
    }

    /// Logs a record (its `response` and `latency` are not kept: the analytics do not read
    /// them).
    pub fn push(&mut self, record: MessageRecord) {
        let m = &record.message;
        let compact = match &m.body {
            MessageBody::Video(v) if record.request().is_none() => {
                CompactVideo::from_header(v).map(LoggedBody::Video)
            }
            MessageBody::Audio(a) if record.request().is_none() => {
                CompactAudio::from_header(a).map(LoggedBody::Audio)
            }
            _ => None,
        };
        let mut logged = LoggedMessage {
            index: record.index,
            frame: m.frame,
            stream_offset: m.stream_offset,
            secs: m.time.secs,
            nanos: m.time.nanos,
            conn: record.conn,
            timestamp: m.timestamp,
            length: m.length,
            msid: m.msid,
            dir: m.dir,
            inferred: m.inferred,
            body: LoggedBody::Full(0),
        };
        match compact {
            Some(body) => logged.body = body,
            None => {
                let Ok(position) = u32::try_from(self.full.len()) else {
                    return;
                };
                logged.body = LoggedBody::Full(position);
                self.full.push(record);
            }
        }
        self.messages.push(logged);
    }

    /// Renumbers a message (and what it points at) after the log was put in capture order.
    pub fn renumber(&mut self, position: usize, index: u64, remap: &dyn Fn(u64) -> u64) {
        let Some(logged) = self.messages.get_mut(position) else {
            return;
        };
        logged.index = index;
        if let LoggedBody::Full(at) = logged.body {
            if let Some(record) = self.full.get_mut(at as usize) {
                record.index = index;
                record.remap_pairing(remap);
            }
        }
    }

    /// Calls `f` with the record of `logged`: the kept one, or one rebuilt.
    pub fn with_record<R>(
        &self,
        logged: &LoggedMessage,
        f: impl FnOnce(&MessageRecord) -> R,
    ) -> Option<R> {
        let body = match logged.body {
            LoggedBody::Full(at) => return self.full.get(at as usize).map(f),
            LoggedBody::Video(v) => MessageBody::Video(v.header()),
            LoggedBody::Audio(a) => MessageBody::Audio(a.header()),
        };
        let type_id = match body {
            MessageBody::Audio(_) => 8,
            _ => 9,
        };
        let message = RtmpMessage {
            dir: logged.dir,
            csid: 0,
            msid: logged.msid,
            type_id,
            timestamp: logged.timestamp,
            timestamp_delta: None,
            length: logged.length,
            fmt: 0,
            extended_timestamp: false,
            chunks: 0,
            first_frame: logged.frame,
            frame: logged.frame,
            time: Timestamp {
                secs: logged.secs,
                nanos: logged.nanos,
            },
            stream_offset: logged.stream_offset,
            file_offset: None,
            inferred: logged.inferred,
            resync_point: false,
            damaged: false,
            missing_bytes: 0,
            truncated: false,
            body,
            kept: None,
        };
        Some(f(&MessageRecord::new(logged.index, logged.conn, message)))
    }
}

/// One session's messages, in capture order, as the analytics read them: the report's records,
/// or the compact log.
#[derive(Clone, Copy)]
pub(crate) enum SessionMessages<'a> {
    Records(&'a [&'a MessageRecord]),
    Logged {
        log: &'a MessageLog,
        conn: u32,
        /// Positions of the session's messages in the log; `None` when the log has no other
        /// connection's.
        positions: Option<&'a [u32]>,
    },
}

impl SessionMessages<'_> {
    /// The first `Some` that `f` gives, going through the messages in order.
    pub fn find_map<T>(&self, mut f: impl FnMut(&MessageRecord) -> Option<T>) -> Option<T> {
        match *self {
            SessionMessages::Records(records) => records.iter().find_map(|r| f(r)),
            SessionMessages::Logged {
                log,
                conn,
                positions: None,
            } => log
                .messages
                .iter()
                .filter(|m| m.conn == conn)
                .find_map(|m| log.with_record(m, &mut f).flatten()),
            SessionMessages::Logged {
                log,
                positions: Some(positions),
                ..
            } => positions
                .iter()
                .filter_map(|&p| log.messages.get(p as usize))
                .find_map(|m| log.with_record(m, &mut f).flatten()),
        }
    }

    /// Calls `f` with every message, in order.
    pub fn for_each(&self, mut f: impl FnMut(&MessageRecord)) {
        self.find_map(|r| {
            f(r);
            None::<()>
        });
    }

    /// `f` of the session's message with this index.
    pub fn with_index<T>(&self, index: u64, f: impl FnOnce(&MessageRecord) -> T) -> Option<T> {
        match *self {
            SessionMessages::Records(records) => {
                records.iter().find(|r| r.index == index).map(|r| f(r))
            }
            SessionMessages::Logged { log, conn, .. } => {
                // Once in capture order, the log's positions are the message indices.
                let logged = log.messages.get(usize::try_from(index).ok()?)?;
                if logged.index != index || logged.conn != conn {
                    return None;
                }
                log.with_record(logged, f)
            }
        }
    }
}

/// Where a message is: what a diagnostic pointing at it shows.
#[derive(Debug, Clone, Copy)]
pub(crate) struct MessagePlace {
    pub frame: u64,
    pub dir: Dir,
    pub timestamp: u32,
}

/// Every kept message, looked up by index: the report's list, or the log.
#[derive(Clone, Copy)]
pub(crate) enum AllMessages<'a> {
    Records(&'a [MessageRecord]),
    Logged(&'a [LoggedMessage]),
}

impl AllMessages<'_> {
    pub fn place(&self, index: u64) -> Option<MessagePlace> {
        match self {
            AllMessages::Records(records) => records.get(index as usize).map(|r| MessagePlace {
                frame: r.message.frame,
                dir: r.message.dir,
                timestamp: r.message.timestamp,
            }),
            AllMessages::Logged(logged) => logged.get(index as usize).map(|m| MessagePlace {
                frame: m.frame,
                dir: m.dir,
                timestamp: m.timestamp,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_entries_stay_small() {
        assert!(std::mem::size_of::<LoggedMessage>() <= 72);
    }
}

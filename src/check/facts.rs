//! What the report's messages say about each message stream, gathered in one pass: codecs,
//! frame timing, keyframes, timestamp regressions, byte counts and start times. The analysis'
//! own per-stream figures (`StreamInfo::video`, `audio`, `timing`) are preferred where they
//! exist; these cover what they leave out (every codec seen, a single keyframe's bound, the
//! start of each stream) and reports without them.

use std::collections::BTreeMap;

use crate::amf::AmfValue;
use crate::capture::Timestamp;
use crate::rtmp::media::{AudioTagHeader, VideoTagHeader};
use crate::rtmp::{Dir, MessageBody};
use crate::Report;

use super::codec::{audio_codec_of, video_codec_of};

/// Where a fact was seen: message index and the frame that completed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct At {
    pub message: u64,
    pub frame: u64,
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "message {} (frame {})", self.message, self.frame)
    }
}

/// One media track (audio or video) of a stream, on RTMP timestamps unwrapped to 64 bits.
#[derive(Debug, Clone, Default)]
pub struct Track {
    /// Audio/video messages, sequence headers included.
    pub messages: u64,
    /// Coded frames (no sequence headers, end-of-sequence or command frames).
    pub frames: u64,
    /// Body bytes of every message.
    pub bytes: u64,
    /// Distinct codecs, in order of appearance.
    pub codecs: Vec<String>,
    pub first_ts: Option<i64>,
    pub last_ts: i64,
    last_raw: u32,
    /// Frames whose timestamp is below the previous frame's.
    pub regressions: u64,
    /// The first regression: where, previous and new timestamp.
    pub first_regression: Option<(At, u32, u32)>,
}

impl Track {
    fn frame(&mut self, ts: u32, at: At) {
        self.frames += 1;
        match self.first_ts {
            None => {
                self.first_ts = Some(i64::from(ts));
                self.last_ts = i64::from(ts);
            }
            Some(_) => {
                // Signed 32-bit difference: RTMP timestamps wrap after 49.7 days.
                let delta = i64::from(ts.wrapping_sub(self.last_raw) as i32);
                if delta < 0 {
                    self.regressions += 1;
                    self.first_regression.get_or_insert((at, self.last_raw, ts));
                }
                self.last_ts += delta;
            }
        }
        self.last_raw = ts;
    }

    fn codec(&mut self, codec: Option<String>) {
        if let Some(c) = codec {
            if !self.codecs.contains(&c) {
                self.codecs.push(c);
            }
        }
    }

    /// Milliseconds of timestamps from the first to the last frame.
    pub fn span_ms(&self) -> Option<i64> {
        self.first_ts.map(|first| self.last_ts - first)
    }

    /// Seconds of timestamps from the first to the last frame (0 without frames).
    pub fn span_s(&self) -> f64 {
        self.span_ms().unwrap_or(0) as f64 / 1000.0
    }

    /// Mean frames per second over the timestamps; needs two frames and a span.
    pub fn rate(&self) -> Option<f64> {
        let span = self.span_ms().filter(|&s| s > 0)?;
        (self.frames >= 2).then(|| (self.frames - 1) as f64 * 1000.0 / span as f64)
    }

    /// kbit/s over the media duration (first to last frame plus one mean frame duration).
    pub fn kbps(&self) -> Option<f64> {
        let span = self.span_ms().filter(|&s| s > 0)? as f64;
        if self.frames < 2 {
            return None;
        }
        let duration = span * self.frames as f64 / (self.frames - 1) as f64;
        Some(self.bytes as f64 * 8.0 / duration)
    }
}

/// Keyframe spacing on video timestamps.
#[derive(Debug, Clone, Default)]
pub struct Keyframes {
    pub count: u64,
    last: Option<i64>,
    /// Longest gap between consecutive keyframes (ms) and where the later keyframe is.
    pub max_gap: Option<(i64, At)>,
    /// Timestamp of the last keyframe (unwrapped).
    pub last_ts: Option<i64>,
}

/// Everything gathered about one message stream.
#[derive(Debug, Clone, Default)]
pub struct StreamFacts {
    pub video: Track,
    pub audio: Track,
    pub keyframes: Keyframes,
    /// `NetStream.Publish.Start` / `NetStream.Play.Start`.
    pub publish_start: Option<(Timestamp, At)>,
    /// The first audio or video message.
    pub first_media: Option<(Timestamp, At)>,
}

/// Facts for every (conn, msid) that carried anything.
pub fn gather(report: &Report) -> BTreeMap<(u32, u32), StreamFacts> {
    let mut map: BTreeMap<(u32, u32), StreamFacts> = BTreeMap::new();
    for record in &report.messages {
        let m = &record.message;
        let at = At {
            message: record.index,
            frame: m.frame,
        };
        let conn = record.conn;
        match &m.body {
            MessageBody::Audio(h) if m.msid != 0 => {
                let f = map.entry((conn, m.msid)).or_default();
                f.first_media.get_or_insert((m.time, at));
                f.audio_message(h, m.timestamp, m.length, at);
            }
            MessageBody::Video(h) if m.msid != 0 => {
                let f = map.entry((conn, m.msid)).or_default();
                f.first_media.get_or_insert((m.time, at));
                f.video_message(h, m.timestamp, m.length, at);
            }
            MessageBody::Aggregate(agg) if m.msid != 0 => {
                let f = map.entry((conn, m.msid)).or_default();
                for part in &agg.parts {
                    match &part.body {
                        MessageBody::Audio(h) => {
                            f.first_media.get_or_insert((m.time, at));
                            f.audio_message(h, part.timestamp, part.length, at);
                        }
                        MessageBody::Video(h) => {
                            f.first_media.get_or_insert((m.time, at));
                            f.video_message(h, part.timestamp, part.length, at);
                        }
                        _ => {}
                    }
                }
            }
            MessageBody::Command(cmd)
                if m.dir == Dir::S2C && m.msid != 0 && cmd.name == "onStatus" =>
            {
                let code = cmd.arguments.first().and_then(|a| a.get("code"));
                let code = code.and_then(AmfValue::as_str);
                if matches!(
                    code,
                    Some("NetStream.Publish.Start" | "NetStream.Play.Start")
                ) {
                    let f = map.entry((conn, m.msid)).or_default();
                    f.publish_start.get_or_insert((m.time, at));
                }
            }
            _ => {}
        }
    }
    map
}

fn is_video_frame(h: &VideoTagHeader) -> bool {
    h.is_coded_frame()
}

impl StreamFacts {
    fn video_message(&mut self, h: &VideoTagHeader, ts: u32, length: u32, at: At) {
        self.video.messages += 1;
        self.video.bytes += u64::from(length);
        self.video.codec(video_codec_of(h));
        if !is_video_frame(h) {
            return;
        }
        self.video.frame(ts, at);
        if h.keyframe {
            let k = &mut self.keyframes;
            k.count += 1;
            let now = self.video.last_ts;
            if let Some(prev) = k.last {
                let gap = now - prev;
                if k.max_gap.is_none_or(|(g, _)| gap > g) {
                    k.max_gap = Some((gap, at));
                }
            }
            k.last = Some(now);
            k.last_ts = Some(now);
        }
    }

    fn audio_message(&mut self, h: &AudioTagHeader, ts: u32, length: u32, at: At) {
        self.audio.messages += 1;
        self.audio.bytes += u64::from(length);
        self.audio.codec(audio_codec_of(h));
        let coded = h.is_coded_frame();
        if coded {
            self.audio.frame(ts, at);
        }
    }
}

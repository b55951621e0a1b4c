//! The audio and video frames of one message stream, as the analytics see them: RTMP timestamp,
//! capture time, size and frame facts, with codec configurations and control frames left out.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::rtmp::media::{AudioTagHeader, VideoTagHeader};
use crate::rtmp::{MessageBody, RtmpMessage};

/// Audio or video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Track {
    Audio,
    Video,
}

impl Track {
    pub fn as_str(self) -> &'static str {
        match self {
            Track::Audio => "audio",
            Track::Video => "video",
        }
    }
}

/// One coded audio or video frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MediaSample {
    /// Index of the message that carried it (an aggregate's parts share the aggregate's).
    pub message: u64,
    /// Frame that completed the message.
    pub frame: u64,
    /// RTMP timestamp, ms.
    pub timestamp: u32,
    /// Capture time, seconds since the session's first message.
    pub time: f64,
    /// Body length (tag header included).
    pub bytes: u32,
    pub keyframe: bool,
    /// Composition time offset (AVC/HEVC), ms, when `has_composition_time` (an `Option<i32>`
    /// would make the sample 8 bytes bigger; there is one per frame).
    pub composition_time: i32,
    pub has_composition_time: bool,
    /// The header was inherited across a resynchronisation: the timestamp may be off.
    pub inferred: bool,
}

impl MediaSample {
    /// The composition time offset, if the header had one.
    pub fn composition_time(&self) -> Option<i32> {
        self.has_composition_time.then_some(self.composition_time)
    }
}

/// One media message (or aggregate part) of a stream, whatever it carried.
pub enum MediaItem<'a> {
    Audio(&'a AudioTagHeader, MediaSample),
    Video(&'a VideoTagHeader, MediaSample),
}

/// Calls `f` with each audio/video item of a message: the message itself, or each part of an
/// aggregate (with the part's own timestamp and length).
pub fn for_each_media<'a>(
    index: u64,
    msg: &'a RtmpMessage,
    start: Timestamp,
    mut f: impl FnMut(u32, MediaItem<'a>),
) {
    let base = MediaSample {
        message: index,
        frame: msg.frame,
        timestamp: msg.timestamp,
        time: msg.time.seconds_since(start),
        bytes: msg.length,
        keyframe: false,
        composition_time: 0,
        has_composition_time: false,
        inferred: msg.inferred,
    };
    let mut one = |msid: u32, body: &'a MessageBody, sample: MediaSample| match body {
        MessageBody::Audio(a) => f(msid, MediaItem::Audio(a, sample)),
        MessageBody::Video(v) => f(
            msid,
            MediaItem::Video(
                v,
                MediaSample {
                    keyframe: v.keyframe,
                    composition_time: v.composition_time.unwrap_or(0),
                    has_composition_time: v.composition_time.is_some(),
                    ..sample
                },
            ),
        ),
        _ => {}
    };
    match &msg.body {
        MessageBody::Aggregate(agg) => {
            for part in &agg.parts {
                // The aggregate's message stream id overrides the parts' (spec 7.1.6).
                let sample = MediaSample {
                    timestamp: part.timestamp,
                    bytes: part.length,
                    ..base
                };
                one(msg.msid, &part.body, sample);
            }
        }
        body => one(msg.msid, body, base),
    }
}

/// RTMP timestamps made monotonic across the 32-bit wrap: each step is taken as the shortest
/// signed distance, so a regression stays negative and a wrap counts forwards.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unwrapper {
    last: Option<(u32, i64)>,
}

impl Unwrapper {
    /// The unwrapped value of `ts` (ms, may be negative after a regression at the start).
    pub fn unwrap(&mut self, ts: u32) -> i64 {
        let value = match self.last {
            None => i64::from(ts),
            Some((raw, value)) => value + i64::from(ts.wrapping_sub(raw) as i32),
        };
        self.last = Some((ts, value));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrap_keeps_regressions_and_crosses_the_wrap() {
        let mut u = Unwrapper::default();
        assert_eq!(u.unwrap(1000), 1000);
        assert_eq!(u.unwrap(900), 900);
        assert_eq!(u.unwrap(u32::MAX - 9), 900 - 910);
        let mut u = Unwrapper::default();
        assert_eq!(u.unwrap(u32::MAX - 9), i64::from(u32::MAX - 9));
        assert_eq!(u.unwrap(20), i64::from(u32::MAX) + 21);
    }
}

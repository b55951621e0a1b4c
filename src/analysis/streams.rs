//! Per-stream analytics of a session: walks the session's messages once, sorts the media into
//! message streams and tracks, and fills each [`StreamInfo`]'s media, metadata, timing and
//! bitrate.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;
use crate::rtmp::MessageBody;

use super::message_log::SessionMessages;
use super::metadata::{metadata_object, StreamMetadata};
use super::multitrack::MultitrackBuilder;
use super::pacing::{pacing, PacePoint, Pacing, NO_AV_OFFSET};
use super::samples::{for_each_media, MediaItem, MediaSample, Track, Unwrapper};
use super::series::{BitrateSeries, PayloadKind};
use super::session::StreamInfo;
use super::timing::{track_timing, TimestampEvent};
use super::track_stats::{audio_stats, video_stats};
use super::tracks::{AudioTrackBuilder, VideoTrackBuilder};

/// Timing of a stream: pacing against capture time, audio/video offset, timestamp events.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StreamTiming {
    /// Width of the buckets of the series below (the bitrate series' too).
    pub bucket_ms: u32,
    #[serde(flatten)]
    pub pacing: Pacing,
    /// Timestamp regressions and jumps per track (counted in full; the first few listed).
    pub video_regressions: u64,
    pub video_jumps: u64,
    pub audio_regressions: u64,
    pub audio_jumps: u64,
    pub events: Vec<TimestampEvent>,
}

/// What one stream's messages showed, before it is summed up.
#[derive(Default)]
struct Collector {
    video: VideoTrackBuilder,
    audio: AudioTrackBuilder,
    multitrack: MultitrackBuilder,
    video_samples: Vec<MediaSample>,
    audio_samples: Vec<MediaSample>,
    /// Capture order of both tracks: the track of each sample (a sample's position in its own
    /// list is the count of that track's samples before it).
    order: Vec<Track>,
    metadata: Option<StreamMetadata>,
    bitrate: Option<BitrateSeries>,
}

impl Collector {
    fn bitrate(&mut self, start: Timestamp, bucket_ms: u32) -> &mut BitrateSeries {
        self.bitrate
            .get_or_insert_with(|| BitrateSeries::new(start, bucket_ms))
    }
}

/// Fills the analytics of `streams` from a session's messages (capture order). `start` is the
/// session's first message time (bucket 0 of every series).
pub fn analyze_streams(
    streams: &mut Vec<StreamInfo>,
    messages: SessionMessages<'_>,
    start: Timestamp,
    bucket_ms: u32,
) {
    let mut by_msid: BTreeMap<u32, Collector> = BTreeMap::new();
    messages.for_each(|r| {
        let m = &r.message;
        if m.msid == 0 {
            return;
        }
        if let MessageBody::Data(data) = &m.body {
            let c = by_msid.entry(m.msid).or_default();
            c.bitrate(start, bucket_ms)
                .add(m.time, PayloadKind::Data, u64::from(m.length));
            if let Some(object) = metadata_object(data) {
                match &mut c.metadata {
                    Some(meta) => meta.count += 1,
                    None => c.metadata = Some(StreamMetadata::from_object(object, r.index)),
                }
            }
            return;
        }
        for_each_media(r.index, m, start, |msid, item| {
            let c = by_msid.entry(msid).or_default();
            match item {
                MediaItem::Video(v, sample) => {
                    let keyframe = v.keyframe && !v.sequence_header;
                    c.bitrate(start, bucket_ms).add(
                        m.time,
                        PayloadKind::Video { keyframe },
                        u64::from(sample.bytes),
                    );
                    c.video.observe(r.index, v);
                    c.multitrack.observe_video(r.index, v);
                    if v.is_coded_frame() {
                        c.order.push(Track::Video);
                        c.video_samples.push(sample);
                    }
                }
                MediaItem::Audio(a, sample) => {
                    c.bitrate(start, bucket_ms).add(
                        m.time,
                        PayloadKind::Audio,
                        u64::from(sample.bytes),
                    );
                    c.audio.observe(r.index, a);
                    c.multitrack.observe_audio(r.index, a);
                    if a.is_coded_frame() {
                        c.order.push(Track::Audio);
                        c.audio_samples.push(MediaSample {
                            keyframe: false,
                            ..sample
                        });
                    }
                }
            }
        });
    });
    for (msid, c) in by_msid {
        let pos = match streams.iter().position(|s| s.msid == msid) {
            Some(pos) => pos,
            None => {
                streams.push(StreamInfo::new(msid, start));
                streams.len() - 1
            }
        };
        if let Some(stream) = streams.get_mut(pos) {
            finish_stream(stream, c, start, bucket_ms);
        }
    }
}

/// The samples of a track whose timestamps can be trusted.
struct Trusted<'a> {
    samples: Cow<'a, [MediaSample]>,
    /// Position of each sample of the full list among the trusted ones; `None` when all are
    /// trusted (the usual case: then nothing is copied).
    positions: Option<Vec<Option<usize>>>,
}

impl Trusted<'_> {
    fn position(&self, i: usize) -> Option<usize> {
        match &self.positions {
            None => Some(i),
            Some(p) => p.get(i).copied().flatten(),
        }
    }
}

fn trusted(samples: &[MediaSample]) -> Trusted<'_> {
    if !samples.iter().any(|s| s.inferred) {
        return Trusted {
            samples: Cow::Borrowed(samples),
            positions: None,
        };
    }
    let mut kept = Vec::new();
    let positions = samples
        .iter()
        .map(|s| {
            (!s.inferred).then(|| {
                kept.push(*s);
                kept.len() - 1
            })
        })
        .collect();
    Trusted {
        samples: Cow::Owned(kept),
        positions: Some(positions),
    }
}

fn finish_stream(stream: &mut StreamInfo, c: Collector, start: Timestamp, bucket_ms: u32) {
    let video_timed = trusted(&c.video_samples);
    let audio_timed = trusted(&c.audio_samples);
    let video_timing = track_timing(Track::Video, &video_timed.samples);
    let audio_timing = track_timing(Track::Audio, &audio_timed.samples);
    let points = pace_points(&c, [&video_timed, &audio_timed]);
    let video = (!c.video_samples.is_empty() || c.video.track.config.sequence_headers > 0)
        .then(|| video_stats(&c.video_samples, &video_timed.samples, &video_timing));
    let audio = (!c.audio_samples.is_empty() || c.audio.track.config.sequence_headers > 0)
        .then(|| audio_stats(&c.audio_samples, &audio_timing, c.audio.expected_frame_ms()));
    drop((video_timed, audio_timed));
    // The per-frame samples go before the pacing's own working set comes.
    let Collector {
        video: video_track,
        audio: audio_track,
        multitrack,
        metadata,
        bitrate,
        ..
    } = c;
    let mut timing = StreamTiming {
        bucket_ms,
        pacing: pacing(&points, bucket_ms),
        video_regressions: video_timing.regressions,
        video_jumps: video_timing.jumps,
        audio_regressions: audio_timing.regressions,
        audio_jumps: audio_timing.jumps,
        events: video_timing.events,
    };
    drop(points);
    timing.events.extend(audio_timing.events);
    timing.events.sort_by_key(|e| e.message);
    stream.video = video.map(|stats| video_track.finish(stats));
    stream.audio = audio.map(|stats| audio_track.finish(stats));
    stream.tracks = multitrack.finish();
    stream.metadata = metadata;
    if stream.video.is_some() || stream.audio.is_some() {
        stream.timing = Some(timing);
    }
    let mut bitrate = bitrate.unwrap_or_else(|| BitrateSeries::new(start, bucket_ms));
    bitrate.finish();
    stream.bitrate = bitrate;
}

/// The stream's media position over capture time, from both tracks' trusted samples.
fn pace_points(c: &Collector, positions: [&Trusted<'_>; 2]) -> Vec<PacePoint> {
    let [video_pos, audio_pos] = positions;
    let mut latest: [Option<i64>; 2] = [None, None];
    let mut media: Option<i64> = None;
    let mut points = Vec::with_capacity(c.order.len());
    let mut next = [0usize; 2];
    // The tracks' trusted timestamps, unwrapped as `track_timing` did.
    let mut unwrappers = [Unwrapper::default(); 2];
    for &track in &c.order {
        let (samples, pos, slot) = match track {
            Track::Video => (&c.video_samples, video_pos, 0),
            Track::Audio => (&c.audio_samples, audio_pos, 1),
        };
        let Some(i) = next.get_mut(slot).map(|n| {
            *n += 1;
            *n - 1
        }) else {
            continue;
        };
        let (Some(sample), Some(_)) = (samples.get(i), pos.position(i)) else {
            continue;
        };
        let Some(ts) = unwrappers.get_mut(slot).map(|u| u.unwrap(sample.timestamp)) else {
            continue;
        };
        if let Some(l) = latest.get_mut(slot) {
            *l = Some(ts);
        }
        let m = media.map_or(ts, |m| m.max(ts));
        media = Some(m);
        points.push(PacePoint {
            time: sample.time,
            media_ms: m,
            av_offset_ms: match latest {
                [Some(v), Some(a)] => a - v,
                _ => NO_AV_OFFSET,
            },
        });
    }
    points
}

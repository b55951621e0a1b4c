//! Measured statistics of one video or audio track: frame counts, rates, keyframe cadence,
//! frame sizes, from the RTMP timestamps and message sizes.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use super::pacing::{round1, round3};
use super::samples::MediaSample;
use super::timing::{unwrapped, TrackTiming};

/// A frame worth pointing at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FrameRef {
    pub bytes: u32,
    /// Index of its message.
    pub message: u64,
}

/// Spacing of consecutive keyframes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyframeInterval {
    /// Number of intervals measured (keyframes − 1).
    pub intervals: u64,
    pub min_s: f64,
    pub mean_s: f64,
    pub max_s: f64,
    /// In frames: the frames from one keyframe up to the next.
    pub min_frames: u64,
    pub mean_frames: f64,
    pub max_frames: u64,
    /// The keyframe that ends the longest interval.
    pub max_at_message: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VideoStats {
    /// Coded frames (sequence headers, end-of-sequence and command frames left out).
    pub frames: u64,
    pub bytes: u64,
    /// RTMP timestamp span of the frames, seconds (timestamp regressions and jumps left out).
    pub duration_s: f64,
    /// Frames per second from the timestamps.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frame_rate: Option<f64>,
    /// Video bitrate from the frame sizes over the frames' duration, kbit/s.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kbps: Option<f64>,
    pub keyframes: u64,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keyframe_interval: Option<KeyframeInterval>,
    /// The first frame's and the first keyframe's message.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_frame_message: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_keyframe_message: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub largest_frame: Option<FrameRef>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub largest_keyframe: Option<FrameRef>,
    /// A non-zero composition time offset was seen: frames are sent out of presentation
    /// order, i.e. the encoder uses B-frames (or another reordering).
    pub b_frames: bool,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub max_composition_time_ms: Option<i32>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AudioStats {
    /// Coded audio frames (messages; sequence headers left out).
    pub frames: u64,
    pub bytes: u64,
    pub duration_s: f64,
    /// Mean timestamp step between frames, ms (about 23.2 for AAC at 44.1 kHz).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frame_interval_ms: Option<f64>,
    /// The step the codec configuration implies (samples per frame / sample rate), ms.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected_frame_interval_ms: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub frames_per_second: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub kbps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub largest_frame: Option<FrameRef>,
}

/// Duration that `n` frames cover: their timestamp span plus one usual step (the last frame
/// lasts too), seconds.
fn covered_s(timing: &TrackTiming) -> Option<f64> {
    let step = timing.mean_step_ms()?;
    let ms = timing.normal_span_ms as f64 + step;
    (ms > 0.0).then_some(ms / 1000.0)
}

fn kbps(bytes: u64, seconds: Option<f64>) -> Option<f64> {
    seconds.map(|s| round1(bytes as f64 * 8.0 / s / 1000.0))
}

fn largest(samples: &[MediaSample], filter: impl Fn(&MediaSample) -> bool) -> Option<FrameRef> {
    samples
        .iter()
        .filter(|s| filter(s))
        .max_by_key(|s| (s.bytes, std::cmp::Reverse(s.message)))
        .map(|s| FrameRef {
            bytes: s.bytes,
            message: s.message,
        })
}

fn keyframe_interval(samples: &[MediaSample]) -> Option<KeyframeInterval> {
    // (position in the track, unwrapped timestamp, message) of each keyframe.
    let keys: Vec<(usize, i64, u64)> = samples
        .iter()
        .zip(unwrapped(samples))
        .enumerate()
        .filter(|(_, (s, _))| s.keyframe)
        .map(|(i, (s, ts))| (i, ts, s.message))
        .collect();
    let pairs: Vec<(f64, u64, u64)> = keys
        .iter()
        .zip(keys.iter().skip(1))
        .map(|(a, b)| ((b.1 - a.1) as f64 / 1000.0, (b.0 - a.0) as u64, b.2))
        .collect();
    let n = pairs.len();
    if n == 0 {
        return None;
    }
    let (mut min_s, mut max_s, mut max_at) = (f64::INFINITY, f64::NEG_INFINITY, 0);
    for &(secs, _, message) in &pairs {
        min_s = min_s.min(secs);
        if secs > max_s {
            max_s = secs;
            max_at = message;
        }
    }
    let frames = pairs.iter().map(|p| p.1);
    Some(KeyframeInterval {
        intervals: n as u64,
        min_s: round3(min_s),
        mean_s: round3(pairs.iter().map(|p| p.0).sum::<f64>() / n as f64),
        max_s: round3(max_s),
        min_frames: frames.clone().min().unwrap_or(0),
        mean_frames: round1(frames.clone().sum::<u64>() as f64 / n as f64),
        max_frames: frames.max().unwrap_or(0),
        max_at_message: max_at,
    })
}

/// Statistics of a video track. `timed` are the frames whose timestamps can be trusted (with
/// their `timing`); `all` counts every frame.
pub fn video_stats(all: &[MediaSample], timed: &[MediaSample], timing: &TrackTiming) -> VideoStats {
    let bytes = all.iter().map(|s| u64::from(s.bytes)).sum();
    let covered = covered_s(timing);
    let composition = all.iter().filter_map(MediaSample::composition_time);
    VideoStats {
        frames: all.len() as u64,
        bytes,
        duration_s: round3(timing.normal_span_ms as f64 / 1000.0),
        frame_rate: timing
            .mean_step_ms()
            .filter(|&m| m > 0.0)
            .map(|m| round3(1000.0 / m)),
        kbps: kbps(bytes, covered),
        keyframes: all.iter().filter(|s| s.keyframe).count() as u64,
        keyframe_interval: keyframe_interval(timed),
        first_frame_message: all.first().map(|s| s.message),
        first_keyframe_message: all.iter().find(|s| s.keyframe).map(|s| s.message),
        largest_frame: largest(all, |_| true),
        largest_keyframe: largest(all, |s| s.keyframe),
        b_frames: composition.clone().any(|c| c != 0),
        max_composition_time_ms: composition.max(),
    }
}

/// Statistics of an audio track; `expected_interval_ms` comes from the codec configuration.
pub fn audio_stats(
    all: &[MediaSample],
    timing: &TrackTiming,
    expected_interval_ms: Option<f64>,
) -> AudioStats {
    let bytes = all.iter().map(|s| u64::from(s.bytes)).sum();
    let step = timing.mean_step_ms().filter(|&m| m > 0.0);
    AudioStats {
        frames: all.len() as u64,
        bytes,
        duration_s: round3(timing.normal_span_ms as f64 / 1000.0),
        frame_interval_ms: step.map(round3),
        expected_frame_interval_ms: expected_interval_ms.map(round3),
        frames_per_second: step.map(|m| round3(1000.0 / m)),
        kbps: kbps(bytes, covered_s(timing)),
        largest_frame: largest(all, |_| true),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::samples::Track;
    use super::super::timing::track_timing;
    use super::*;

    /// `n` frames at 30 fps, a keyframe every `gop`, composition time `cts` on non-keyframes.
    fn video(n: u64, gop: u64, cts: i32) -> Vec<MediaSample> {
        (0..n)
            .map(|i| MediaSample {
                message: 10 + i,
                frame: 100 + i,
                timestamp: (i * 1000 / 30) as u32,
                time: i as f64 / 30.0,
                bytes: if i % gop == 0 {
                    20_000
                } else {
                    2_000 + i as u32
                },
                keyframe: i % gop == 0,
                composition_time: if i % gop == 0 { 0 } else { cts },
                has_composition_time: true,
                inferred: false,
            })
            .collect()
    }

    #[test]
    fn thirty_fps_with_a_two_second_gop() {
        let v = video(150, 60, 0);
        let t = track_timing(Track::Video, &v);
        let s = video_stats(&v, &v, &t);
        assert_eq!(s.frames, 150);
        // Timestamps in whole ms (0, 33, 66, 100, ...) average 33.33 ms.
        assert!((s.frame_rate.unwrap() - 30.0).abs() < 0.01);
        assert_eq!(s.keyframes, 3);
        let k = s.keyframe_interval.unwrap();
        assert_eq!((k.intervals, k.min_frames, k.max_frames), (2, 60, 60));
        assert_eq!((k.min_s, k.max_s), (2.0, 2.0));
        assert_eq!(s.largest_frame.unwrap().message, 10);
        assert_eq!(s.largest_keyframe.unwrap().bytes, 20_000);
        assert!(!s.b_frames);
        assert_eq!(s.first_keyframe_message, Some(10));
        // 150 frames over 5.0 s.
        let expected = s.bytes as f64 * 8.0 / 5.0 / 1000.0;
        assert!((s.kbps.unwrap() - expected).abs() < 1.0);
    }

    #[test]
    fn b_frames_from_composition_time() {
        let v = video(30, 30, 67);
        let s = video_stats(&v, &v, &track_timing(Track::Video, &v));
        assert!(s.b_frames);
        assert_eq!(s.max_composition_time_ms, Some(67));
        assert_eq!(s.keyframe_interval, None);
    }

    #[test]
    fn irregular_keyframes() {
        let mut v = video(300, 300, 0);
        for i in [60usize, 90, 240] {
            v[i].keyframe = true;
        }
        let s = video_stats(&v, &v, &track_timing(Track::Video, &v));
        let k = s.keyframe_interval.unwrap();
        assert_eq!((k.min_frames, k.max_frames), (30, 150));
        assert_eq!(k.max_s, 5.0);
        assert_eq!(k.max_at_message, 250);
        assert_eq!(k.mean_frames, 80.0);
    }

    #[test]
    fn aac_cadence() {
        // 1024 samples at 44.1 kHz, timestamps rounded to ms.
        let a: Vec<MediaSample> = (0..215u64)
            .map(|i| MediaSample {
                message: i,
                frame: i,
                timestamp: (i * 1024 * 1000 / 44_100) as u32,
                time: 0.0,
                bytes: 372,
                keyframe: false,
                composition_time: 0,
                has_composition_time: false,
                inferred: false,
            })
            .collect();
        let s = audio_stats(&a, &track_timing(Track::Audio, &a), Some(1024.0 / 44.1));
        assert!((s.frame_interval_ms.unwrap() - 23.22).abs() < 0.02);
        assert_eq!(s.expected_frame_interval_ms, Some(23.22));
        assert!((s.kbps.unwrap() - 128.1).abs() < 0.5);
    }
}

//! Timestamp analytics of one track: the steps between consecutive RTMP timestamps, and the
//! steps that are wrong (going backwards, or jumping far beyond the usual step).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use super::samples::{MediaSample, Track, Unwrapper};

/// A step this much longer than the track's usual step is a jump. One second is far beyond any
/// frame duration and far below the gaps players treat as a stream interruption.
pub const TIMESTAMP_JUMP_MS: i64 = 1000;

/// At most this many timestamp events are listed per track; all are counted.
pub const MAX_TIMESTAMP_EVENTS: usize = 50;

/// The largest timestamp a basic chunk header can carry; senders that never switch to extended
/// timestamps wrap here after 4.66 hours.
const TIMESTAMP_24_BIT_MAX: u32 = 0x00ff_ffff;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampEventKind {
    /// The timestamp is lower than the previous one of the same track.
    Regression,
    /// The timestamp is more than [`TIMESTAMP_JUMP_MS`] beyond the expected step.
    Jump,
}

/// One wrong step between consecutive frames of a track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimestampEvent {
    pub kind: TimestampEventKind,
    pub track: Track,
    /// The message with the offending timestamp, and its frame.
    pub message: u64,
    pub frame: u64,
    pub previous_timestamp: u32,
    pub timestamp: u32,
    /// The signed step, ms.
    pub step_ms: i64,
    /// The track's usual step (median), ms.
    pub expected_step_ms: f64,
    /// Capture time between the two messages, ms: a jump matched by a capture gap is a pause
    /// of the sender; a jump without one is a discontinuity in the timestamps.
    pub capture_gap_ms: f64,
    /// The previous timestamp was near 2^24 - 1 and this one near 0: the sender wrapped the
    /// 24-bit header field instead of switching to extended timestamps.
    #[serde(default)]
    pub wrapped_24_bit: bool,
}

/// The timestamps of one track, checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrackTiming {
    /// Median of the non-negative steps, ms.
    pub expected_step_ms: f64,
    /// Sum and number of the steps that are neither regressions nor jumps.
    pub normal_span_ms: i64,
    pub normal_steps: u64,
    pub regressions: u64,
    pub jumps: u64,
    /// The first [`MAX_TIMESTAMP_EVENTS`] events.
    pub events: Vec<TimestampEvent>,
}

impl TrackTiming {
    /// Mean of the normal steps, ms.
    pub fn mean_step_ms(&self) -> Option<f64> {
        (self.normal_steps > 0).then(|| self.normal_span_ms as f64 / self.normal_steps as f64)
    }
}

fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    let upper = *values.get(mid)?;
    Some(if values.len() % 2 == 0 {
        (*values.get(mid - 1)? + upper) as f64 / 2.0
    } else {
        upper as f64
    })
}

/// Checks the timestamps of `samples` (one track, in capture order).
pub fn track_timing(track: Track, samples: &[MediaSample]) -> TrackTiming {
    // The unwrapped timestamps are walked twice rather than held (8 bytes a frame).
    let mut non_negative: Vec<i64> = steps(samples).filter(|&s| s >= 0).collect();
    let expected = median(&mut non_negative).unwrap_or(0.0);
    let mut timing = TrackTiming {
        expected_step_ms: expected,
        ..TrackTiming::default()
    };
    for (i, step) in steps(samples).enumerate() {
        let kind = if step < 0 {
            timing.regressions += 1;
            TimestampEventKind::Regression
        } else if step as f64 > expected + TIMESTAMP_JUMP_MS as f64 {
            timing.jumps += 1;
            TimestampEventKind::Jump
        } else {
            timing.normal_span_ms += step;
            timing.normal_steps += 1;
            continue;
        };
        if timing.events.len() >= MAX_TIMESTAMP_EVENTS {
            continue;
        }
        let (Some(prev), Some(cur)) = (samples.get(i), samples.get(i + 1)) else {
            continue;
        };
        timing.events.push(TimestampEvent {
            kind,
            track,
            message: cur.message,
            frame: cur.frame,
            previous_timestamp: prev.timestamp,
            timestamp: cur.timestamp,
            step_ms: step,
            expected_step_ms: expected,
            capture_gap_ms: (cur.time - prev.time) * 1000.0,
            wrapped_24_bit: prev.timestamp > TIMESTAMP_24_BIT_MAX - 0x1_0000
                && prev.timestamp <= TIMESTAMP_24_BIT_MAX
                && cur.timestamp < 0x1_0000,
        });
    }
    timing
}

/// The unwrapped timestamps of `samples`, in order.
pub fn unwrapped(samples: &[MediaSample]) -> impl Iterator<Item = i64> + '_ {
    let mut unwrapper = Unwrapper::default();
    samples.iter().map(move |s| unwrapper.unwrap(s.timestamp))
}

/// The steps between consecutive unwrapped timestamps.
fn steps(samples: &[MediaSample]) -> impl Iterator<Item = i64> + '_ {
    let mut previous = None;
    unwrapped(samples).filter_map(move |ts| previous.replace(ts).map(|p| ts - p))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    pub(crate) fn sample(message: u64, timestamp: u32, time: f64) -> MediaSample {
        MediaSample {
            message,
            frame: message + 1,
            timestamp,
            time,
            bytes: 100,
            keyframe: false,
            composition_time: 0,
            has_composition_time: false,
            inferred: false,
        }
    }

    /// 30 fps timestamps (33/33/34 ms) sent in real time.
    fn video(n: u64) -> Vec<MediaSample> {
        (0..n)
            .map(|i| {
                let ts = (i * 1000 / 30) as u32;
                sample(i, ts, f64::from(ts) / 1000.0)
            })
            .collect()
    }

    #[test]
    fn regular_timestamps_have_no_events() {
        let t = track_timing(Track::Video, &video(150));
        assert_eq!((t.regressions, t.jumps), (0, 0));
        assert!(t.events.is_empty());
        assert_eq!(t.expected_step_ms, 33.0);
        assert!((t.mean_step_ms().unwrap() - 1000.0 / 30.0).abs() < 0.01);
    }

    #[test]
    fn regression_is_reported_with_its_message() {
        let mut v = video(60);
        v[30].timestamp = v[29].timestamp - 500;
        let t = track_timing(Track::Video, &v);
        assert_eq!(t.regressions, 1);
        // The step back to the normal sequence is a jump of 500 + 33 ms: below the threshold.
        assert_eq!(t.jumps, 0);
        let e = &t.events[0];
        assert_eq!(
            (e.kind, e.message, e.step_ms),
            (TimestampEventKind::Regression, 30, -500)
        );
        assert!(!e.wrapped_24_bit);
    }

    #[test]
    fn two_second_jump_without_a_capture_gap() {
        let mut v = video(90);
        for s in &mut v[45..] {
            s.timestamp += 2000;
        }
        let t = track_timing(Track::Video, &v);
        assert_eq!((t.regressions, t.jumps), (0, 1));
        let e = &t.events[0];
        assert_eq!(e.kind, TimestampEventKind::Jump);
        assert_eq!(e.message, 45);
        assert_eq!(e.step_ms, 2034);
        assert!(e.capture_gap_ms < 50.0);
        // The jump is left out of the mean step.
        assert!((t.mean_step_ms().unwrap() - 33.3).abs() < 0.1);
    }

    #[test]
    fn a_24_bit_wrap_is_recognised() {
        let v = vec![
            sample(0, 0xff_ff00, 0.0),
            sample(1, 0xff_ff21, 0.033),
            sample(2, 0x20, 0.066),
        ];
        let t = track_timing(Track::Audio, &v);
        assert_eq!(t.regressions, 1);
        assert!(t.events[0].wrapped_24_bit);
    }

    #[test]
    fn events_are_capped_but_counted() {
        let v: Vec<MediaSample> = (0..200)
            .map(|i| sample(i, if i % 2 == 0 { 1000 } else { 900 }, i as f64))
            .collect();
        let t = track_timing(Track::Audio, &v);
        assert_eq!(t.regressions, 100);
        assert_eq!(t.events.len(), MAX_TIMESTAMP_EVENTS);
    }
}

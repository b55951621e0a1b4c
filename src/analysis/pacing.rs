//! Stream-level timing: RTMP timestamp progress against capture (wall-clock) time, and audio
//! against video.
//!
//! A live sender's media timestamps advance as fast as the capture clock. One that sends faster
//! (a file pushed without `-re`) builds a buffer at the server and latency for viewers; one that
//! sends slower (an overloaded encoder, too little upload bandwidth) starves players. Audio and
//! video timestamps share one clock: their difference at any point is the muxer's interleaving,
//! and a difference that grows is drift.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

/// Samples in the first part of a stream's capture time are left out of the speed: start-up
/// bursts (a server's GOP cache, an encoder's first buffered frames) are not the sender's pace.
pub const PACING_SKIP_FRACTION: f64 = 0.2;
/// Likewise the last part: an encoder that reaches the end of its input flushes its delayed
/// frames at once (x264's lookahead, about half a second).
pub const PACING_TRIM_END_FRACTION: f64 = 0.1;
/// Below this much capture time after the skipped part, the speed is taken over everything.
pub const PACING_MIN_WINDOW_MS: f64 = 500.0;
/// A stream shorter than this in both media and capture time gets no speed.
pub const PACING_MIN_SPAN_MS: f64 = 1000.0;
/// The audio/video offset is averaged (median) over this much media time at the start and at
/// the end; drift is the change between the two.
pub const AV_DRIFT_WINDOW_MS: i64 = 1000;
/// Drift needs at least this much media time with both tracks.
pub const AV_DRIFT_MIN_SPAN_MS: i64 = 2000;
/// Series are not kept past this many buckets, like the bitrate series.
const MAX_BUCKETS: usize = 100_000;

/// Values per bucket, aligned with the stream's bitrate series: `values[i]` belongs to bucket
/// `first_bucket + i`. A bucket without samples repeats the previous value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BucketValues {
    pub first_bucket: u32,
    pub values: Vec<f64>,
}

impl BucketValues {
    /// Builds the series from `(capture seconds, value)` points in time order: each bucket gets
    /// the value of its last point.
    pub fn from_points(points: impl IntoIterator<Item = (f64, f64)>, bucket_ms: u32) -> Self {
        let width = f64::from(bucket_ms.max(1)) / 1000.0;
        let mut series = BucketValues::default();
        let mut first: Option<usize> = None;
        for (time, value) in points {
            let bucket = (time.max(0.0) / width) as usize;
            let first = *first.get_or_insert(bucket);
            let Some(offset) = bucket.checked_sub(first) else {
                continue;
            };
            if offset >= MAX_BUCKETS {
                continue;
            }
            let fill = series.values.last().copied().unwrap_or(value);
            if series.values.len() <= offset {
                series.values.resize(offset + 1, fill);
            }
            if let Some(slot) = series.values.get_mut(offset) {
                *slot = round1(value);
            }
        }
        series.first_bucket = first.unwrap_or(0).min(u32::MAX as usize) as u32;
        series
    }
}

pub(crate) fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

pub(crate) fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

/// One point of a stream's media, in capture order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PacePoint {
    /// Capture time, seconds since the session's first message.
    pub time: f64,
    /// The stream's media position: the highest unwrapped timestamp of any track so far, ms.
    pub media_ms: i64,
    /// Latest audio minus latest video timestamp once both tracks have started, else
    /// [`NO_AV_OFFSET`] (an `Option` would make the point 8 bytes bigger; there is one per
    /// frame).
    pub av_offset_ms: i64,
}

/// [`PacePoint::av_offset_ms`] before both tracks have started.
pub const NO_AV_OFFSET: i64 = i64::MIN;

impl PacePoint {
    fn av_offset(&self) -> Option<i64> {
        (self.av_offset_ms != NO_AV_OFFSET).then_some(self.av_offset_ms)
    }
}

/// How the sender's media timestamps kept up with capture time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Pacing {
    /// Media time minus capture time since the first media message, ms, per bucket: how far
    /// the sender is ahead of real time (negative: behind).
    pub ahead_ms: BucketValues,
    /// Media seconds sent per capture second, start-up and end left out (1.0 = real time).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub speed: Option<f64>,
    /// How far ahead (+) or behind (−) of real time the sender ended, ms: media buffered
    /// downstream (or missing).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub buffer_ms: Option<f64>,
    /// How much that lead grew (or shrank) over the part the speed is measured on, ms.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub buffer_growth_ms: Option<f64>,
    /// Media and capture time covered, ms.
    pub media_ms: f64,
    pub capture_ms: f64,
    /// Latest audio minus latest video timestamp per bucket, ms (streams with both tracks).
    pub av_offset_ms: BucketValues,
    /// Change of the audio/video offset from the start to the end, ms (positive: audio
    /// timestamps run ahead of video more and more).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub av_drift_ms: Option<f64>,
}

fn median(mut values: Vec<i64>) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    let mid = *values.get(n / 2)?;
    Some(if n % 2 == 0 {
        (*values.get(n / 2 - 1)? + mid) as f64 / 2.0
    } else {
        mid as f64
    })
}

/// The pacing of a stream from its media points (capture order).
pub fn pacing(points: &[PacePoint], bucket_ms: u32) -> Pacing {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return Pacing::default();
    };
    let ahead = |p: &PacePoint| (p.media_ms - first.media_ms) as f64 - (p.time - first.time) * 1e3;
    let mut out = Pacing {
        ahead_ms: BucketValues::from_points(points.iter().map(|p| (p.time, ahead(p))), bucket_ms),
        media_ms: (last.media_ms - first.media_ms) as f64,
        capture_ms: round1((last.time - first.time) * 1e3),
        ..Pacing::default()
    };
    if out.media_ms >= PACING_MIN_SPAN_MS || out.capture_ms >= PACING_MIN_SPAN_MS {
        let span = last.time - first.time;
        let skip_until = first.time + span * PACING_SKIP_FRACTION;
        let trim_after = last.time - span * PACING_TRIM_END_FRACTION;
        let from = points.iter().find(|p| p.time >= skip_until);
        let to = points.iter().rev().find(|p| p.time <= trim_after);
        let (from, to) = match (from, to) {
            (Some(a), Some(b)) if (b.time - a.time) * 1e3 >= PACING_MIN_WINDOW_MS => (a, b),
            _ => (first, last),
        };
        let wall_ms = ((to.time - from.time) * 1e3).max(1.0);
        let media_ms = (to.media_ms - from.media_ms) as f64;
        out.speed = Some(round3(media_ms / wall_ms));
        out.buffer_ms = Some(round1(ahead(last)));
        out.buffer_growth_ms = Some(round1(ahead(to) - ahead(from)));
    }
    // Walked as needed rather than collected (16 bytes a point).
    let with_offset = || points.iter().filter_map(|p| p.av_offset().map(|o| (p, o)));
    out.av_offset_ms =
        BucketValues::from_points(with_offset().map(|(p, o)| (p.time, o as f64)), bucket_ms);
    if let (Some((a, _)), Some((b, _))) = (with_offset().next(), with_offset().next_back()) {
        if b.media_ms - a.media_ms >= AV_DRIFT_MIN_SPAN_MS {
            let head = with_offset()
                .filter(|(p, _)| p.media_ms - a.media_ms <= AV_DRIFT_WINDOW_MS)
                .map(|(_, o)| o)
                .collect();
            let tail = with_offset()
                .filter(|(p, _)| b.media_ms - p.media_ms <= AV_DRIFT_WINDOW_MS)
                .map(|(_, o)| o)
                .collect();
            if let (Some(h), Some(t)) = (median(head), median(tail)) {
                out.av_drift_ms = Some(round1(t - h));
            }
        }
    }
    out.media_ms = round1(out.media_ms);
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn points(n: usize, media_step: i64, wall_step: f64) -> Vec<PacePoint> {
        (0..n)
            .map(|i| PacePoint {
                time: 1.0 + i as f64 * wall_step,
                media_ms: i as i64 * media_step,
                av_offset_ms: NO_AV_OFFSET,
            })
            .collect()
    }

    #[test]
    fn real_time_sender() {
        let p = pacing(&points(151, 33, 0.033), 1000);
        assert_eq!(p.speed, Some(1.0));
        assert!(p.buffer_ms.unwrap().abs() < 1.0);
        assert_eq!(p.ahead_ms.first_bucket, 1);
        assert_eq!(p.ahead_ms.values.len(), 5);
        assert!(p.ahead_ms.values.iter().all(|v| v.abs() < 1.0));
    }

    #[test]
    fn sender_at_twice_real_time() {
        // 10 s of media in 5 s.
        let p = pacing(&points(301, 33, 0.0165), 1000);
        assert_eq!(p.speed, Some(2.0));
        assert!((p.buffer_ms.unwrap() - 4950.0).abs() < 1.0);
        let growth = p.buffer_growth_ms.unwrap();
        assert!((3400.0..3500.0).contains(&growth), "{growth}");
        let values = &p.ahead_ms.values;
        assert!(values.windows(2).all(|w| w[1] > w[0]), "{values:?}");
    }

    #[test]
    fn start_up_burst_is_a_buffer_not_a_speed() {
        // 2 s of media at once (a GOP cache), then real time for 5 s.
        let mut p: Vec<PacePoint> = (0..60)
            .map(|i| PacePoint {
                time: 0.0 + i as f64 * 0.0001,
                media_ms: i * 33,
                av_offset_ms: NO_AV_OFFSET,
            })
            .collect();
        p.extend((0..150).map(|i| PacePoint {
            time: 0.006 + (i + 1) as f64 * 0.033,
            media_ms: (60 + i) * 33,
            av_offset_ms: NO_AV_OFFSET,
        }));
        let pace = pacing(&p, 1000);
        assert_eq!(pace.speed, Some(1.0));
        assert!((pace.buffer_ms.unwrap() - 1940.0).abs() < 40.0);
        assert!(pace.buffer_growth_ms.unwrap().abs() < 40.0);
    }

    #[test]
    fn a_blast_in_a_moment_is_faster_than_real_time() {
        // 5 s of media within 0.3 s: the window after the skipped start is too short.
        let p = pacing(&points(151, 33, 0.002), 1000);
        assert!(p.speed.unwrap() > 10.0);
        assert!(p.buffer_growth_ms.unwrap() > 4000.0);
    }

    #[test]
    fn av_drift_is_the_change_of_the_offset() {
        // Audio gains 100 ms per second on video over 5 s.
        let p: Vec<PacePoint> = (0..=500)
            .map(|i| PacePoint {
                time: i as f64 * 0.01,
                media_ms: i * 10,
                av_offset_ms: i,
            })
            .collect();
        let pace = pacing(&p, 1000);
        assert!((pace.av_drift_ms.unwrap() - 400.0).abs() < 1.0);
        assert_eq!(pace.av_offset_ms.values.len(), 6);
        assert_eq!(pace.av_offset_ms.values[5], 500.0);
    }

    #[test]
    fn short_streams_get_no_speed_or_drift() {
        let p = pacing(&points(10, 33, 0.033), 1000);
        assert_eq!((p.speed, p.av_drift_ms), (None, None));
        assert_eq!(pacing(&[], 1000), Pacing::default());
    }

    #[test]
    fn series_stay_bounded_whatever_the_times() {
        // A capture clock that jumps 30 years ahead, and one that goes backwards.
        let b = BucketValues::from_points([(1.0, 1.0), (1e9, 2.0), (0.5, 3.0), (1.5, 4.0)], 1);
        assert_eq!(b.values.len(), 501);
        assert_eq!(b.values.last(), Some(&4.0));
        let p = pacing(
            &[
                PacePoint {
                    time: 5.0,
                    media_ms: 0,
                    av_offset_ms: NO_AV_OFFSET,
                },
                PacePoint {
                    time: 1.0,
                    media_ms: i64::from(u32::MAX),
                    av_offset_ms: -7,
                },
                PacePoint {
                    time: 1e12,
                    media_ms: -5,
                    av_offset_ms: i64::MIN / 4,
                },
            ],
            1000,
        );
        assert!(p.speed.is_some_and(f64::is_finite));
        assert!(p.ahead_ms.values.len() <= MAX_BUCKETS);
    }

    #[test]
    fn bucket_values_repeat_into_empty_buckets() {
        let b = BucketValues::from_points([(2.5, 1.0), (4.2, 3.0), (4.9, 4.0)], 1000);
        assert_eq!(b.first_bucket, 2);
        assert_eq!(b.values, vec![1.0, 1.0, 4.0]);
    }
}

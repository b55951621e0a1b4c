//! Per-stream bitrate over capture time, in fixed buckets.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::capture::Timestamp;

/// Default bucket width.
pub const DEFAULT_BUCKET_MS: u32 = 1000;

/// Bytes per bucket of one message stream, by kind. Bucket `i` covers capture time
/// `[start + i·bucket_ms, start + (i+1)·bucket_ms)`, where `start` is the session's first message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BitrateSeries {
    pub bucket_ms: u32,
    /// Capture time of the start of bucket 0.
    pub start: Timestamp,
    pub buckets: Vec<BitrateBucket>,
    /// Total kbit/s averaged over the buckets from the first to the last non-empty one, and
    /// the highest bucket (set when the series is complete).
    #[serde(default)]
    pub average_kbps: f64,
    #[serde(default)]
    pub peak_kbps: f64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BitrateBucket {
    pub audio_bytes: u64,
    pub video_bytes: u64,
    pub data_bytes: u64,
    /// Video keyframes that completed in this bucket.
    pub keyframes: u32,
}

impl BitrateBucket {
    pub fn total_bytes(&self) -> u64 {
        self.audio_bytes + self.video_bytes + self.data_bytes
    }
}

/// What kind of payload a byte count is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PayloadKind {
    Audio,
    Video { keyframe: bool },
    Data,
}

/// Buckets past this many are not kept (about 27 hours at 1 s): memory stays bounded whatever
/// the timestamps say.
const MAX_BUCKETS: usize = 100_000;

impl BitrateSeries {
    pub fn new(start: Timestamp, bucket_ms: u32) -> Self {
        BitrateSeries {
            bucket_ms: bucket_ms.max(1),
            start,
            buckets: Vec::new(),
            average_kbps: 0.0,
            peak_kbps: 0.0,
        }
    }

    /// Fills in the average and peak once every byte has been counted.
    pub fn finish(&mut self) {
        self.average_kbps = (self.average_kbps() * 10.0).round() / 10.0;
        self.peak_kbps = (self.peak_kbps() * 10.0).round() / 10.0;
    }

    /// Counts `bytes` of `kind` that completed at capture time `at`.
    pub fn add(&mut self, at: Timestamp, kind: PayloadKind, bytes: u64) {
        let offset_ms = (at.as_nanos() - self.start.as_nanos()).max(0) / 1_000_000;
        let index = (offset_ms / i128::from(self.bucket_ms)) as usize;
        if index >= MAX_BUCKETS {
            return;
        }
        if self.buckets.len() <= index {
            self.buckets.resize(index + 1, BitrateBucket::default());
        }
        let Some(bucket) = self.buckets.get_mut(index) else {
            return;
        };
        match kind {
            PayloadKind::Audio => bucket.audio_bytes += bytes,
            PayloadKind::Video { keyframe } => {
                bucket.video_bytes += bytes;
                bucket.keyframes += u32::from(keyframe);
            }
            PayloadKind::Data => bucket.data_bytes += bytes,
        }
    }

    /// kbit/s of a bucket's byte count.
    pub fn kbps(&self, bytes: u64) -> f64 {
        bytes as f64 * 8.0 / f64::from(self.bucket_ms)
    }

    /// Average total bitrate in kbit/s over the buckets from the first to the last non-empty one.
    pub fn average_kbps(&self) -> f64 {
        let first = self.buckets.iter().position(|b| b.total_bytes() > 0);
        let last = self.buckets.iter().rposition(|b| b.total_bytes() > 0);
        match (first, last) {
            (Some(a), Some(b)) => {
                let bytes: u64 = self
                    .buckets
                    .get(a..=b)
                    .unwrap_or_default()
                    .iter()
                    .map(BitrateBucket::total_bytes)
                    .sum();
                self.kbps(bytes) / (b - a + 1) as f64
            }
            _ => 0.0,
        }
    }

    /// Highest total bitrate of any bucket, kbit/s.
    pub fn peak_kbps(&self) -> f64 {
        let max = self.buckets.iter().map(BitrateBucket::total_bytes).max();
        self.kbps(max.unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_by_capture_time() {
        let start = Timestamp::new(100, 0);
        let mut s = BitrateSeries::new(start, 1000);
        s.add(Timestamp::new(100, 500_000_000), PayloadKind::Audio, 1000);
        s.add(
            Timestamp::new(101, 0),
            PayloadKind::Video { keyframe: true },
            3000,
        );
        s.add(Timestamp::new(102, 999_999_999), PayloadKind::Data, 500);
        assert_eq!(s.buckets.len(), 3);
        assert_eq!(s.buckets[0].audio_bytes, 1000);
        assert_eq!(s.buckets[1].video_bytes, 3000);
        assert_eq!(s.buckets[1].keyframes, 1);
        assert_eq!(s.buckets[2].data_bytes, 500);
        assert_eq!(s.peak_kbps(), 24.0);
        assert!((s.average_kbps() - 4500.0 * 8.0 / 1000.0 / 3.0).abs() < 1e-9);
        s.finish();
        assert_eq!((s.peak_kbps, s.average_kbps), (24.0, 12.0));
    }

    #[test]
    fn times_before_start_go_to_bucket_zero_and_far_future_is_dropped() {
        let mut s = BitrateSeries::new(Timestamp::new(100, 0), 1000);
        s.add(Timestamp::new(99, 0), PayloadKind::Audio, 10);
        s.add(Timestamp::new(100 + 10_000_000, 0), PayloadKind::Audio, 10);
        assert_eq!(s.buckets.len(), 1);
        assert_eq!(s.buckets[0].audio_bytes, 10);
    }
}

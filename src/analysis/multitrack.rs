//! The tracks of an Enhanced RTMP multitrack stream: one entry per (media kind, track id), with
//! its codec, decoded configuration and how many messages carried it.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codec::{decode_audio_config, decode_video_config};
use crate::rtmp::media::{video_fourcc_name, AudioTagHeader, VideoTagHeader};
use crate::rtmp::media_ex::MediaTrack;

use super::tracks::{audio_fourcc_name, ConfigInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackKind {
    Video,
    Audio,
}

/// One track of a multitrack stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamTrack {
    pub kind: TrackKind,
    pub track_id: u8,
    pub fourcc: String,
    /// "HEVC", "Opus", ...
    pub codec: String,
    #[serde(flatten)]
    pub config: ConfigInfo,
    /// From the decoded configuration.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub height: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sample_rate: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub channels: Option<u32>,
    /// Coded-frame messages that carried this track (whose header was in the kept bytes).
    pub frames: u64,
    /// Their `sizeOfTrack` bytes, where the layout gives one.
    pub bytes: u64,
    /// The first message that carried the track.
    pub first_message: u64,
}

struct Entry {
    track: StreamTrack,
    previous_config: Option<Vec<u8>>,
}

/// Collects a stream's multitrack tracks as its messages go by.
#[derive(Default)]
pub struct MultitrackBuilder {
    tracks: BTreeMap<(TrackKind, u8), Entry>,
}

impl MultitrackBuilder {
    pub fn observe_video(&mut self, message: u64, v: &VideoTagHeader) {
        let coded = v.is_coded_frame();
        for t in v.tracks() {
            let entry = self.entry(TrackKind::Video, t, message);
            entry.observe(message, t, v.sequence_header, coded, |fourcc, data| {
                decode_video_config(fourcc, data).map_err(|e| e.to_string())
            });
        }
    }

    pub fn observe_audio(&mut self, message: u64, a: &AudioTagHeader) {
        // MultichannelConfig is a channel layout, not a codec configuration.
        let config = a.sequence_header && a.effective_packet_type() == Some(0);
        let coded = a.is_coded_frame();
        for t in a.tracks() {
            let entry = self.entry(TrackKind::Audio, t, message);
            entry.observe(message, t, config, coded, |fourcc, data| {
                decode_audio_config(fourcc, data).map_err(|e| e.to_string())
            });
        }
    }

    fn entry(&mut self, kind: TrackKind, t: &MediaTrack, message: u64) -> &mut Entry {
        self.tracks
            .entry((kind, t.track_id))
            .or_insert_with(|| Entry {
                track: StreamTrack {
                    kind,
                    track_id: t.track_id,
                    fourcc: t.fourcc.to_string(),
                    codec: match kind {
                        TrackKind::Video => video_fourcc_name(t.fourcc).to_string(),
                        TrackKind::Audio => audio_fourcc_name(&t.fourcc.to_string()).to_string(),
                    },
                    config: ConfigInfo::default(),
                    width: None,
                    height: None,
                    sample_rate: None,
                    channels: None,
                    frames: 0,
                    bytes: 0,
                    first_message: message,
                },
                previous_config: None,
            })
    }

    /// The tracks, video first, by track id.
    pub fn finish(self) -> Vec<StreamTrack> {
        self.tracks
            .into_values()
            .map(|Entry { mut track, .. }| {
                if let Some(config) = &track.config.config {
                    if let Some((w, h)) = config.dimensions() {
                        track.width = Some(w);
                        track.height = Some(h);
                    }
                    track.sample_rate = config.sample_rate();
                    track.channels = config.channels();
                }
                track
            })
            .collect()
    }
}

impl Entry {
    fn observe(
        &mut self,
        message: u64,
        t: &MediaTrack,
        sequence_start: bool,
        coded: bool,
        decode: impl FnOnce(&str, &[u8]) -> Result<crate::codec::CodecConfig, String>,
    ) {
        if sequence_start {
            let fourcc = t.fourcc.to_string();
            let bytes = t.config.as_ref().map(|h| h.0.as_slice());
            self.track
                .config
                .observe(message, bytes, &mut self.previous_config, |data| {
                    Some(decode(&fourcc, data))
                });
        } else if coded {
            self.track.frames += 1;
            self.track.bytes += u64::from(t.size.unwrap_or(0));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::analysis::test_support::{hex, AVC_CONFIG};
    use crate::rtmp::media::{decode_audio, decode_video};

    #[test]
    fn tracks_with_ids_codecs_and_configs() {
        let mut b = MultitrackBuilder::default();
        // ManyTracks avc1 sequence start: track 0 with ffmpeg's 640x360 record, track 1 empty.
        let config = hex(AVC_CONFIG);
        let mut body = vec![0x96, 0x10, b'a', b'v', b'c', b'1', 0];
        body.extend_from_slice(&(config.len() as u32).to_be_bytes()[1..]);
        body.extend_from_slice(&config);
        body.extend_from_slice(&[1, 0, 0, 0]);
        b.observe_video(4, &decode_video(&body).unwrap());
        // Two coded-frame messages with both tracks (sizes 3 and 2).
        let frame = [
            0x96, 0x11, b'a', b'v', b'c', b'1', 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 2, 0, 0,
        ];
        b.observe_video(5, &decode_video(&frame).unwrap());
        b.observe_video(7, &decode_video(&frame).unwrap());
        // Audio: ManyTracksManyCodecs coded frames, Opus track 0 and FLAC track 2.
        let audio = [
            0x95, 0x21, b'O', b'p', b'u', b's', 0, 0, 0, 1, 0x55, b'f', b'L', b'a', b'C', 2, 0, 0,
            1, 0x66,
        ];
        b.observe_audio(6, &decode_audio(&audio).unwrap());
        let tracks = b.finish();
        let ids: Vec<_> = tracks
            .iter()
            .map(|t| (t.kind, t.track_id, t.codec.as_str(), t.frames, t.bytes))
            .collect();
        assert_eq!(
            ids,
            [
                (TrackKind::Video, 0, "AVC", 2, 6),
                (TrackKind::Video, 1, "AVC", 2, 4),
                (TrackKind::Audio, 0, "Opus", 1, 1),
                (TrackKind::Audio, 2, "FLAC", 1, 1),
            ]
        );
        assert_eq!((tracks[0].width, tracks[0].height), (Some(640), Some(360)));
        assert_eq!(tracks[0].config.config_message, Some(4));
        // The empty record of track 1 is reported as undecodable, not invented.
        assert!(tracks[1].config.config_error.is_some());
        assert_eq!(tracks[2].first_message, 6);
    }
}

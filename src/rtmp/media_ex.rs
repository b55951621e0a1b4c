//! The Enhanced RTMP (v1 and v2) part of an audio or video tag header: ModEx prefixes, the
//! FourCC, and multitrack layouts with their track ids, as the report keeps them; and
//! [`ExTagFields`], the boxed rare part of a header. Shared by
//! audio and video, which lay these out the same way; the layout itself is walked by
//! [`crate::codec::ex_tag`], which also serves the sequence record finder.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media::MediaError;
use super::media_json::MultichannelConfigJson;
use crate::amf::AmfValue;
pub use crate::codec::ex_tag::{
    peek_packet_types, MULTITRACK_MANY_TRACKS, MULTITRACK_MANY_TRACKS_MANY_CODECS,
    MULTITRACK_ONE_TRACK, PACKET_MODEX, PACKET_SEQUENCE_START,
};
use crate::codec::ex_tag::{read_ex_tag, ExShort, ExTrack};
use crate::codec::FourCc;

/// Tracks listed per message at most: a track header can be 4 bytes, so a 64 KiB sequence
/// start could otherwise list thousands (track ids are one byte: 256 distinct at most).
pub const MAX_TRACKS: usize = 256;

pub fn multitrack_type_name(layout: u8) -> &'static str {
    match layout {
        MULTITRACK_ONE_TRACK => "OneTrack",
        MULTITRACK_MANY_TRACKS => "ManyTracks",
        MULTITRACK_MANY_TRACKS_MANY_CODECS => "ManyTracksManyCodecs",
        _ => "reserved",
    }
}

/// One track of a multitrack message, as far as the kept body bytes show it (media bodies are
/// kept only for a short prefix unless they are sequence starts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaTrack {
    pub track_id: u8,
    pub fourcc: FourCc,
    /// `sizeOfTrack`: the bytes of this track's data (absent in the OneTrack layout, where the
    /// track takes the rest of the body).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub size: Option<u32>,
    /// Composition time offset (ms) of an avc1/hvc1 CodedFrames track.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub composition_time: Option<i32>,
    /// The track's codec configuration record, on sequence starts (as far as it was kept).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<HexBytes>,
}

/// What follows the first byte of an Enhanced RTMP tag.
#[derive(Debug, Default)]
pub struct ExHeader<'a> {
    /// The packet type once ModEx prefixes are skipped (Multitrack stays Multitrack).
    pub packet_type: u8,
    pub mod_ex: bool,
    /// `TimestampOffsetNano` carried by a ModEx prefix: nanoseconds to add to the timestamp.
    pub timestamp_offset_nano: Option<u32>,
    /// Multitrack: the layout and the packet type all tracks share.
    pub multitrack_type: Option<u8>,
    pub track_packet_type: Option<u8>,
    /// The FourCC of a single-track message, or the one all tracks share.
    pub fourcc: Option<FourCc>,
    pub tracks: Vec<MediaTrack>,
    /// Single track: the bytes after the FourCC (composition time, record, frame data).
    pub payload: &'a [u8],
}

fn short(e: ExShort) -> MediaError {
    MediaError::Short {
        what: e.field,
        needed: e.offset.saturating_add(e.needed),
        have: e.body_len,
    }
}

/// Reads an Enhanced RTMP tag header: `body` is the whole (kept) body, `packet_type` the low
/// nibble of its first byte, `multitrack` the packet type that means Multitrack for this media
/// kind. `with_composition_time` says whether a track's CodedFrames start with a composition
/// time for a FourCC (avc1 and hvc1 video). A multitrack message's first track header must be
/// there; later tracks are listed as far as the body was kept.
pub fn read_ex_header(
    body: &[u8],
    packet_type: u8,
    multitrack: u8,
    with_composition_time: fn(FourCc, u8) -> bool,
) -> Result<ExHeader<'_>, MediaError> {
    let tag = read_ex_tag(body, packet_type, multitrack).map_err(short)?;
    let mut h = ExHeader {
        packet_type: tag.packet_type,
        mod_ex: tag.mod_ex.present,
        timestamp_offset_nano: tag.mod_ex.timestamp_offset_nano,
        multitrack_type: tag.multitrack_type,
        track_packet_type: tag.track_packet_type,
        fourcc: tag.fourcc,
        tracks: Vec::new(),
        payload: &[],
    };
    let Some(track_type) = tag.track_packet_type else {
        h.payload = tag.payload();
        return Ok(h);
    };
    for track in tag.tracks().take(MAX_TRACKS) {
        match track {
            Ok(track) => h
                .tracks
                .push(media_track(track, track_type, with_composition_time)),
            Err(e) if h.tracks.is_empty() => return Err(short(e)),
            Err(_) => break,
        }
    }
    Ok(h)
}

fn media_track(
    t: ExTrack<'_>,
    track_type: u8,
    with_composition_time: fn(FourCc, u8) -> bool,
) -> MediaTrack {
    let composition_time = if with_composition_time(t.fourcc, track_type) {
        t.data.get(..3).map(|b| {
            let v = b.iter().fold(0i32, |v, &x| (v << 8) | i32::from(x));
            (v << 8) >> 8
        })
    } else {
        None
    };
    MediaTrack {
        track_id: t.track_id,
        fourcc: t.fourcc,
        size: t.size,
        composition_time,
        config: (track_type == PACKET_SEQUENCE_START).then(|| HexBytes::from(t.data)),
    }
}

/// The rare parts of a tag header, boxed so that a plain frame's header stays small: the codec
/// configuration record of a sequence header, and the Enhanced RTMP v2 fields (ModEx,
/// multitrack, metadata, multichannel layout). Present only when one of them is.
///
/// In a header's JSON these fields are flattened into the header, with the names of the
/// multitrack layout and the tracks' packet type next to their ids (see `media_json`); this
/// struct holds only the ids, and serialized on its own it writes only them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExTagFields {
    /// The codec configuration record (AVCDecoderConfigurationRecord, AudioSpecificConfig,
    /// Opus ID header, ...): the body after the tag header, as far as it was kept. Only on
    /// sequence headers.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub config: Option<HexBytes>,
    /// A ModEx prefix was present.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mod_ex: bool,
    /// ModEx `TimestampOffsetNano`: nanoseconds to add to the millisecond timestamp.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timestamp_offset_nano: Option<u32>,
    /// Multitrack layout: 0 OneTrack, 1 ManyTracks, 2 ManyTracksManyCodecs.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multitrack_type: Option<u8>,
    /// The packet type every track of a multitrack message carries.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub track_packet_type: Option<u8>,
    /// The tracks of a multitrack message with their ids, as far as the kept bytes show them.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tracks: Vec<MediaTrack>,
    /// A video `Metadata` packet's AMF0 values: the name (`colorInfo`) and its object
    /// (colorConfig, hdrCll, hdrMdcv).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub metadata: Vec<AmfValue>,
    /// An audio `MultichannelConfig` packet's channel layout.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub multichannel: Option<MultichannelConfig>,
}

/// The channel layout an Enhanced RTMP audio `MultichannelConfig` packet declares. Its JSON has
/// a `channel_order_name` after `channel_order` (see [`MultichannelConfig::channel_order_name`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "MultichannelConfigJson", from = "MultichannelConfigJson")]
pub struct MultichannelConfig {
    /// 0 Unspecified, 1 Native (the AudioChannel order, given as a mask), 2 Custom (a map).
    pub channel_order: u8,
    pub channel_count: u8,
    /// Custom order: the AudioChannel of each channel, in order.
    pub channel_mapping: Vec<u8>,
    /// Native order: the AudioChannelMask of the channels present.
    pub channel_flags: Option<u32>,
}

impl MultichannelConfig {
    pub fn channel_order_name(&self) -> &'static str {
        match self.channel_order {
            0 => "Unspecified",
            1 => "Native",
            2 => "Custom",
            _ => "reserved",
        }
    }

    /// Reads the packet body after the FourCC; `None` when it is cut short.
    pub(super) fn read(payload: &[u8]) -> Option<MultichannelConfig> {
        let (&order, rest) = payload.split_first()?;
        let (&count, rest) = rest.split_first()?;
        let mut config = MultichannelConfig {
            channel_order: order,
            channel_count: count,
            channel_mapping: Vec::new(),
            channel_flags: None,
        };
        match order {
            1 => {
                let &[a, b, c, d] = rest.get(..4)? else {
                    return None;
                };
                config.channel_flags = Some(u32::from_be_bytes([a, b, c, d]));
            }
            2 => config.channel_mapping = rest.get(..usize::from(count))?.to_vec(),
            _ => {}
        }
        Some(config)
    }
}

impl ExTagFields {
    /// The multitrack layout's name.
    pub fn multitrack_type_name(&self) -> Option<&'static str> {
        self.multitrack_type.map(multitrack_type_name)
    }

    /// A multitrack message's tracks' packet type, else the header's own.
    pub(super) fn effective_packet_type(ex: Option<&Self>, packet_type: Option<u8>) -> Option<u8> {
        ex.and_then(|ex| ex.track_packet_type).or(packet_type)
    }

    pub(super) fn tracks(ex: Option<&Self>) -> &[MediaTrack] {
        ex.map_or(&[], |ex| ex.tracks.as_slice())
    }

    /// The boxed fields of an Enhanced RTMP header, `None` when there are none.
    pub(super) fn from_header(
        h: &mut ExHeader<'_>,
        config: Option<HexBytes>,
        metadata: Vec<AmfValue>,
        multichannel: Option<MultichannelConfig>,
    ) -> Option<Box<Self>> {
        let fields = ExTagFields {
            config,
            mod_ex: h.mod_ex,
            timestamp_offset_nano: h.timestamp_offset_nano,
            multitrack_type: h.multitrack_type,
            track_packet_type: h.track_packet_type,
            tracks: std::mem::take(&mut h.tracks),
            metadata,
            multichannel,
        };
        (fields != ExTagFields::default()).then(|| Box::new(fields))
    }

    /// The boxed fields of a legacy sequence header: its configuration record.
    pub(super) fn config_only(config: Option<HexBytes>) -> Option<Box<Self>> {
        config.map(|config| {
            Box::new(ExTagFields {
                config: Some(config),
                ..ExTagFields::default()
            })
        })
    }

    pub(super) fn config(ex: Option<&Self>) -> Option<&HexBytes> {
        ex.and_then(|ex| ex.config.as_ref())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn never(_: FourCc, _: u8) -> bool {
        false
    }

    #[test]
    fn modex_nano_offset_then_sequence_start() {
        // ModEx, 3 bytes of data (0x001234 ns), then TimestampOffsetNano / SequenceStart, vp09.
        let body = [
            0x97, 0x02, 0x00, 0x12, 0x34, 0x00, b'v', b'p', b'0', b'9', 1, 2,
        ];
        let h = read_ex_header(&body, 7, 6, never).unwrap();
        assert!(h.mod_ex);
        assert_eq!(h.packet_type, 0);
        assert_eq!(h.timestamp_offset_nano, Some(0x1234));
        assert_eq!(h.fourcc, Some(FourCc(*b"vp09")));
        assert_eq!(h.payload, [1, 2]);
        assert_eq!(peek_packet_types(&body, 6), Some((0, None)));
        // A 16-bit size (0xff escape: 0x0001 + 1 = 2 bytes) of another ModEx type.
        let body = [
            0x97, 0xff, 0x00, 0x01, 0xab, 0xcd, 0x11, b'a', b'v', b'0', b'1',
        ];
        let h = read_ex_header(&body, 7, 6, never).unwrap();
        assert_eq!((h.packet_type, h.timestamp_offset_nano), (1, None));
        // Data running past the end.
        assert!(read_ex_header(&[0x97, 0x10, 0xaa], 7, 6, never).is_err());
        assert_eq!(peek_packet_types(&[0x97, 0x10, 0xaa], 6), None);
    }

    #[test]
    fn multitrack_layouts() {
        // ManyTracks sharing vp09: tracks 0 and 1 with 2-byte records.
        let body = [
            0x96, 0x10, b'v', b'p', b'0', b'9', 0, 0, 0, 2, 0xaa, 0xbb, 1, 0, 0, 2, 0xcc, 0xdd,
        ];
        let h = read_ex_header(&body, 6, 6, never).unwrap();
        assert_eq!(
            (h.multitrack_type, h.track_packet_type),
            (Some(MULTITRACK_MANY_TRACKS), Some(0))
        );
        let ids: Vec<_> = h.tracks.iter().map(|t| t.track_id).collect();
        assert_eq!(ids, [0, 1]);
        assert_eq!(h.tracks[1].config, Some(HexBytes(vec![0xcc, 0xdd])));
        assert_eq!(h.tracks[0].size, Some(2));
        assert_eq!(peek_packet_types(&body, 6), Some((6, Some(0))));
        // OneTrack: the track takes the rest.
        let body = [0x96, 0x01, b'a', b'v', b'c', b'1', 5, 0, 0, 0x21, 0x99];
        let h = read_ex_header(&body, 6, 6, |f, t| f == "avc1" && t == 1).unwrap();
        assert_eq!(h.tracks.len(), 1);
        assert_eq!(h.tracks[0].track_id, 5);
        assert_eq!(h.tracks[0].composition_time, Some(0x21));
        assert_eq!(h.tracks[0].config, None);
        // ManyTracksManyCodecs on audio: each track names its codec; the second track's
        // data is cut (a kept prefix): it is listed, the walk ends there.
        let body = [
            0x95, 0x21, b'O', b'p', b'u', b's', 0, 0, 0, 1, 0x55, b'f', b'L', b'a', b'C', 1, 0, 0,
            9, 0x66,
        ];
        let h = read_ex_header(&body, 5, 5, never).unwrap();
        let tracks: Vec<_> = h.tracks.iter().map(|t| (t.track_id, t.fourcc)).collect();
        assert_eq!(tracks, [(0, FourCc(*b"Opus")), (1, FourCc(*b"fLaC"))]);
        assert_eq!(h.fourcc, None);
        // No first track header at all is an error; a missing later one is not.
        assert!(read_ex_header(&[0x96, 0x10, b'v', b'p', b'0', b'9'], 6, 6, never).is_err());
    }

    #[test]
    fn track_count_is_bounded() {
        // ManyTracks with empty tracks: 4 bytes each, far more than MAX_TRACKS.
        let mut body = vec![0x96, 0x11, b'a', b'v', b'0', b'1'];
        for i in 0..1000u32 {
            body.extend_from_slice(&[(i % 256) as u8, 0, 0, 0]);
        }
        let h = read_ex_header(&body, 6, 6, never).unwrap();
        assert_eq!(h.tracks.len(), MAX_TRACKS);
    }
}

//! The Enhanced RTMP (v1 and v2) part of an audio or video tag header: ModEx prefixes, the
//! FourCC, and multitrack layouts with their track ids. Shared by audio and video, which lay
//! these out the same way (veovera's enhanced-rtmp-v2 spec, "ExVideoTagHeader" and
//! "ExAudioTagHeader").

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use super::hex::HexBytes;
use super::media::MediaError;

/// `PacketType.ModEx`, the same value for audio and video.
pub const PACKET_MODEX: u8 = 7;
/// `PacketType.SequenceStart`.
pub const PACKET_SEQUENCE_START: u8 = 0;
/// `ModExType.TimestampOffsetNano`.
const MODEX_TIMESTAMP_OFFSET_NANO: u8 = 0;

/// Multitrack layouts (`AvMultitrackType`).
pub const MULTITRACK_ONE_TRACK: u8 = 0;
pub const MULTITRACK_MANY_TRACKS: u8 = 1;
pub const MULTITRACK_MANY_TRACKS_MANY_CODECS: u8 = 2;

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
    pub fourcc: String,
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
    pub fourcc: Option<String>,
    pub tracks: Vec<MediaTrack>,
    /// Single track: the bytes after the FourCC (composition time, record, frame data).
    pub payload: &'a [u8],
}

struct Cursor<'a> {
    body: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], MediaError> {
        let end = self.at.saturating_add(n);
        let bytes = self.body.get(self.at..end).ok_or(MediaError::Short {
            what,
            needed: end,
            have: self.body.len(),
        })?;
        self.at = end;
        Ok(bytes)
    }

    fn u8(&mut self, what: &'static str) -> Result<u8, MediaError> {
        Ok(self.take(1, what)?.first().copied().unwrap_or_default())
    }

    fn uint(&mut self, n: usize, what: &'static str) -> Result<u32, MediaError> {
        Ok(self
            .take(n, what)?
            .iter()
            .fold(0u32, |v, &b| (v << 8) | u32::from(b)))
    }

    fn fourcc(&mut self, what: &'static str) -> Result<String, MediaError> {
        Ok(self.take(4, what)?.iter().map(|&c| char::from(c)).collect())
    }

    fn rest(&self) -> &'a [u8] {
        self.body.get(self.at..).unwrap_or_default()
    }
}

/// Reads an Enhanced RTMP tag header: `body` is the whole (kept) body, `packet_type` the low
/// nibble of its first byte, `multitrack` the packet type that means Multitrack for this media
/// kind. `with_composition_time` says whether a track's CodedFrames start with a composition
/// time for a FourCC (avc1 and hvc1 video).
pub fn read_ex_header<'a>(
    body: &'a [u8],
    packet_type: u8,
    multitrack: u8,
    with_composition_time: fn(&str, u8) -> bool,
) -> Result<ExHeader<'a>, MediaError> {
    let mut r = Cursor { body, at: 1 };
    let mut h = ExHeader {
        packet_type,
        ..ExHeader::default()
    };
    while h.packet_type == PACKET_MODEX {
        h.mod_ex = true;
        let mut size = usize::from(r.u8("ModEx data size")?) + 1;
        if size == 256 {
            size = r.uint(2, "ModEx data size (16 bit)")? as usize + 1;
        }
        let data = r.take(size, "ModEx data")?;
        let byte = r.u8("ModEx type and packet type")?;
        if byte >> 4 == MODEX_TIMESTAMP_OFFSET_NANO {
            if let Some(&[a, b, c]) = data.get(..3) {
                h.timestamp_offset_nano =
                    Some(u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c));
            }
        }
        h.packet_type = byte & 0x0f;
    }
    if h.packet_type != multitrack {
        h.fourcc = Some(r.fourcc("Enhanced RTMP FourCC")?);
        h.payload = r.rest();
        return Ok(h);
    }
    let byte = r.u8("multitrack type and packet type")?;
    let (layout, track_type) = (byte >> 4, byte & 0x0f);
    h.multitrack_type = Some(layout);
    h.track_packet_type = Some(track_type);
    if layout != MULTITRACK_MANY_TRACKS_MANY_CODECS {
        h.fourcc = Some(r.fourcc("multitrack FourCC")?);
    }
    // The first track's header must be there; later ones only as far as the body was kept.
    while h.tracks.len() < MAX_TRACKS && (h.tracks.is_empty() || r.at < body.len()) {
        let first = h.tracks.is_empty();
        match read_track(&mut r, &h, layout, track_type, with_composition_time) {
            Ok(track) => h.tracks.push(track),
            Err(e) if first => return Err(e),
            Err(_) => break,
        }
        if layout == MULTITRACK_ONE_TRACK {
            break;
        }
    }
    Ok(h)
}

fn read_track(
    r: &mut Cursor<'_>,
    h: &ExHeader<'_>,
    layout: u8,
    track_type: u8,
    with_composition_time: fn(&str, u8) -> bool,
) -> Result<MediaTrack, MediaError> {
    let fourcc = match &h.fourcc {
        Some(shared) => shared.clone(),
        None => r.fourcc("track FourCC")?,
    };
    let track_id = r.u8("track id")?;
    let size = if layout == MULTITRACK_ONE_TRACK {
        None
    } else {
        Some(r.uint(3, "track size")?)
    };
    let data_start = r.at;
    let available = r.rest();
    let data = match size {
        Some(n) => available.get(..n as usize).unwrap_or(available),
        None => available,
    };
    let composition_time = if with_composition_time(&fourcc, track_type) {
        data.get(..3).map(|b| {
            let v = b.iter().fold(0i32, |v, &x| (v << 8) | i32::from(x));
            (v << 8) >> 8
        })
    } else {
        None
    };
    let config = (track_type == PACKET_SEQUENCE_START).then(|| HexBytes::from(data));
    // Skip to the next track; past the kept bytes the walk ends in the caller.
    r.at = match size {
        Some(n) => data_start.saturating_add(n as usize),
        None => r.body.len(),
    };
    Ok(MediaTrack {
        track_id,
        fourcc,
        size,
        composition_time,
        config,
    })
}

/// The packet type a tag's kept prefix starts with, ModEx prefixes skipped, and for multitrack
/// tags the packet type the tracks share: `(packet type, track packet type)`. `None` when the
/// prefix is too short to tell.
pub fn peek_packet_types(prefix: &[u8], multitrack: u8) -> Option<(u8, Option<u8>)> {
    let mut r = Cursor {
        body: prefix,
        at: 1,
    };
    let mut packet_type = prefix.first()? & 0x0f;
    while packet_type == PACKET_MODEX {
        let mut size = usize::from(r.u8("").ok()?) + 1;
        if size == 256 {
            size = r.uint(2, "").ok()? as usize + 1;
        }
        r.take(size, "").ok()?;
        packet_type = r.u8("").ok()? & 0x0f;
    }
    if packet_type != multitrack {
        return Some((packet_type, None));
    }
    Some((packet_type, Some(r.u8("").ok()? & 0x0f)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn never(_: &str, _: u8) -> bool {
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
        assert_eq!(h.fourcc.as_deref(), Some("vp09"));
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
        let tracks: Vec<_> = h.tracks.iter().map(|t| (t.track_id, &*t.fourcc)).collect();
        assert_eq!(tracks, [(0, "Opus"), (1, "fLaC")]);
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

//! Finding the configuration records inside RTMP audio/video message bodies (FLV tag bodies):
//! legacy AVC/HEVC/AAC sequence headers and Enhanced RTMP `SequenceStart` packets, including the
//! v2 ModEx prefix and multitrack messages (walked by [`super::ex_tag`]). Only the tag header is
//! read here; the records are decoded by [`SequenceRecord::decode`].

use super::bits::ByteReader;
use super::ex_tag::{ExShort, ExTag, PACKET_SEQUENCE_START};
use super::{decode_audio_config, decode_video_config, CodecConfig, CodecError, MAX_LISTED};

const VIDEO: &str = "FLV video tag";
const AUDIO: &str = "FLV audio tag";
const VIDEO_PACKET_METADATA: u8 = 4;
const VIDEO_PACKET_MULTITRACK: u8 = 6;
const AUDIO_PACKET_MULTITRACK: u8 = 5;
const VIDEO_FRAME_COMMAND: u8 = 5;
const SOUND_FORMAT_AAC: u8 = 10;
const SOUND_FORMAT_EX_HEADER: u8 = 9;

/// A configuration record found in a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SequenceRecord<'a> {
    pub is_video: bool,
    /// The Enhanced RTMP FourCC, or the one a legacy codec id stands for.
    pub fourcc: [u8; 4],
    /// The track id of a multitrack message.
    pub track_id: Option<u8>,
    /// The record itself.
    pub data: &'a [u8],
}

impl SequenceRecord<'_> {
    /// The FourCC as text ("avc1", "Opus", ...).
    pub fn fourcc_str(&self) -> String {
        String::from_utf8_lossy(&self.fourcc).into_owned()
    }

    pub fn decode(&self) -> Result<CodecConfig, CodecError> {
        let fourcc = self.fourcc_str();
        if self.is_video {
            decode_video_config(&fourcc, self.data)
        } else {
            decode_audio_config(&fourcc, self.data)
        }
    }
}

/// The configuration records in a video message body: none when the message is not a sequence
/// header (coded frames, end of sequence, commands, metadata, other codecs), one per track for
/// a multitrack sequence start (at most [`MAX_LISTED`]).
pub fn video_sequence_records(body: &[u8]) -> Result<Vec<SequenceRecord<'_>>, CodecError> {
    let mut r = ByteReader::new(VIDEO, body);
    let first = r.u8("frame type/codec id")?;
    if first & 0x80 == 0 {
        let fourcc: [u8; 4] = match first & 0x0f {
            7 => *b"avc1",
            12 => *b"hvc1",
            _ => return Ok(Vec::new()),
        };
        if r.u8("AVCPacketType")? != PACKET_SEQUENCE_START {
            return Ok(Vec::new());
        }
        r.u24("CompositionTime")?;
        return Ok(vec![single(true, fourcc, r.rest())]);
    }
    let frame_type = (first >> 4) & 0x07;
    let mut tag = ExTag::start(body, first & 0x0f).map_err(|e| truncated(VIDEO, e))?;
    if frame_type == VIDEO_FRAME_COMMAND && tag.packet_type != VIDEO_PACKET_METADATA {
        return Ok(Vec::new());
    }
    ex_records(&mut tag, true, VIDEO_PACKET_MULTITRACK).map_err(|e| truncated(VIDEO, e))
}

/// The configuration records in an audio message body, like [`video_sequence_records`].
pub fn audio_sequence_records(body: &[u8]) -> Result<Vec<SequenceRecord<'_>>, CodecError> {
    let mut r = ByteReader::new(AUDIO, body);
    let first = r.u8("sound format")?;
    match first >> 4 {
        SOUND_FORMAT_AAC => {
            if r.u8("AACPacketType")? != PACKET_SEQUENCE_START {
                return Ok(Vec::new());
            }
            Ok(vec![single(false, *b"mp4a", r.rest())])
        }
        SOUND_FORMAT_EX_HEADER => {
            let mut tag = ExTag::start(body, first & 0x0f).map_err(|e| truncated(AUDIO, e))?;
            ex_records(&mut tag, false, AUDIO_PACKET_MULTITRACK).map_err(|e| truncated(AUDIO, e))
        }
        _ => Ok(Vec::new()),
    }
}

fn single(is_video: bool, fourcc: [u8; 4], data: &[u8]) -> SequenceRecord<'_> {
    SequenceRecord {
        is_video,
        fourcc,
        track_id: None,
        data,
    }
}

fn truncated(record: &'static str, e: ExShort) -> CodecError {
    CodecError::Truncated {
        record,
        field: e.field,
        offset: e.offset,
        needed: e.needed,
        available: e.body_len.saturating_sub(e.offset),
    }
}

/// The records of an Enhanced RTMP tag read up to its packet type: none unless it is a
/// sequence start; a multitrack one's tracks must be whole.
fn ex_records<'a>(
    tag: &mut ExTag<'a>,
    is_video: bool,
    multitrack: u8,
) -> Result<Vec<SequenceRecord<'a>>, ExShort> {
    tag.read_multitrack(multitrack)?;
    if tag.track_packet_type.unwrap_or(tag.packet_type) != PACKET_SEQUENCE_START {
        return Ok(Vec::new());
    }
    tag.read_fourcc()?;
    if let Some(fourcc) = tag.fourcc.filter(|_| tag.multitrack_type.is_none()) {
        return Ok(vec![single(is_video, fourcc.0, tag.payload())]);
    }
    let tracks = tag.tracks();
    if tracks.at_end() {
        return Ok(Vec::new());
    }
    tracks
        .take(MAX_LISTED)
        .map(|track| {
            let track = track?;
            Ok(SequenceRecord {
                is_video,
                fourcc: track.fourcc.0,
                track_id: Some(track.track_id),
                data: track.whole_data()?,
            })
        })
        .collect()
}

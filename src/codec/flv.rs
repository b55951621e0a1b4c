//! Finding the configuration records inside RTMP audio/video message bodies (FLV tag bodies):
//! legacy AVC/HEVC/AAC sequence headers and Enhanced RTMP `SequenceStart` packets, including the
//! v2 ModEx prefix and multitrack messages. Only the tag header is read here; the records are
//! decoded by [`SequenceRecord::decode`].

use super::bits::ByteReader;
use super::{decode_audio_config, decode_video_config, CodecConfig, CodecError, MAX_LISTED};

const VIDEO: &str = "FLV video tag";
const AUDIO: &str = "FLV audio tag";
const PACKET_SEQUENCE_START: u8 = 0;
const VIDEO_PACKET_METADATA: u8 = 4;
const VIDEO_PACKET_MULTITRACK: u8 = 6;
const AUDIO_PACKET_MULTITRACK: u8 = 5;
const PACKET_MODEX: u8 = 7;
const VIDEO_FRAME_COMMAND: u8 = 5;
const SOUND_FORMAT_AAC: u8 = 10;
const SOUND_FORMAT_EX_HEADER: u8 = 9;
const MULTITRACK_ONE_TRACK: u8 = 0;
const MULTITRACK_MANY_CODECS: u8 = 2;

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
    let packet_type = skip_modex(&mut r, first & 0x0f)?;
    if frame_type == VIDEO_FRAME_COMMAND && packet_type != VIDEO_PACKET_METADATA {
        return Ok(Vec::new());
    }
    read_ex_body(&mut r, true, packet_type, VIDEO_PACKET_MULTITRACK)
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
            let packet_type = skip_modex(&mut r, first & 0x0f)?;
            read_ex_body(&mut r, false, packet_type, AUDIO_PACKET_MULTITRACK)
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

/// Skips ModEx prefixes (E-RTMP v2), returning the real packet type.
fn skip_modex(r: &mut ByteReader<'_>, mut packet_type: u8) -> Result<u8, CodecError> {
    while packet_type == PACKET_MODEX {
        let mut size = usize::from(r.u8("modExDataSize")?) + 1;
        if size == 256 {
            size = usize::from(r.u16("modExDataSize")?) + 1;
        }
        r.take(size, "modExData")?;
        packet_type = r.u8("packetModExType/packetType")? & 0x0f;
    }
    Ok(packet_type)
}

fn fourcc(r: &mut ByteReader<'_>) -> Result<[u8; 4], CodecError> {
    Ok(r.u32("FourCC")?.to_be_bytes())
}

fn read_ex_body<'a>(
    r: &mut ByteReader<'a>,
    is_video: bool,
    packet_type: u8,
    multitrack_type: u8,
) -> Result<Vec<SequenceRecord<'a>>, CodecError> {
    if packet_type != multitrack_type {
        if packet_type != PACKET_SEQUENCE_START {
            return Ok(Vec::new());
        }
        let fourcc = fourcc(r)?;
        return Ok(vec![single(is_video, fourcc, r.rest())]);
    }
    let byte = r.u8("multitrack type/packet type")?;
    let (layout, packet_type) = (byte >> 4, byte & 0x0f);
    if packet_type != PACKET_SEQUENCE_START {
        return Ok(Vec::new());
    }
    let mut shared_fourcc = None;
    if layout != MULTITRACK_MANY_CODECS {
        shared_fourcc = Some(fourcc(r)?);
    }
    let mut records = Vec::new();
    while r.remaining() > 0 && records.len() < MAX_LISTED {
        let fourcc = match shared_fourcc {
            Some(code) => code,
            None => fourcc(r)?,
        };
        let track_id = r.u8("trackId")?;
        let data = if layout == MULTITRACK_ONE_TRACK {
            r.rest()
        } else {
            let size = r.u24("sizeOfTrack")? as usize;
            r.take(size, "track body")?
        };
        records.push(SequenceRecord {
            is_video,
            fourcc,
            track_id: Some(track_id),
            data,
        });
        if layout == MULTITRACK_ONE_TRACK {
            break;
        }
    }
    Ok(records)
}

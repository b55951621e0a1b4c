//! The spec's names for the ids in audio and video tag headers.

use super::media::FourCc;

pub fn sound_format_name(format: u8) -> &'static str {
    match format {
        0 => "Linear PCM, platform endian",
        1 => "ADPCM",
        2 => "MP3",
        3 => "Linear PCM, little endian",
        4 => "Nellymoser 16 kHz mono",
        5 => "Nellymoser 8 kHz mono",
        6 => "Nellymoser",
        7 => "G.711 A-law",
        8 => "G.711 mu-law",
        9 => "ExHeader",
        10 => "AAC",
        11 => "Speex",
        14 => "MP3 8 kHz",
        15 => "Device-specific",
        _ => "reserved",
    }
}

pub fn video_codec_name(codec: u8) -> &'static str {
    match codec {
        1 => "JPEG",
        2 => "Sorenson H.263",
        3 => "Screen video",
        4 => "On2 VP6",
        5 => "On2 VP6 with alpha",
        6 => "Screen video v2",
        7 => "AVC",
        12 => "HEVC",
        13 => "AV1",
        _ => "unknown",
    }
}

/// The codec an Enhanced RTMP video FourCC stands for.
pub fn video_fourcc_name(fourcc: FourCc) -> &'static str {
    match &fourcc.0 {
        b"avc1" => "AVC",
        b"hvc1" => "HEVC",
        b"av01" => "AV1",
        b"vp09" => "VP9",
        b"vp08" => "VP8",
        b"vvc1" => "VVC",
        _ => "unknown",
    }
}

pub fn frame_type_name(frame_type: u8) -> &'static str {
    match frame_type {
        1 => "keyframe",
        2 => "inter frame",
        3 => "disposable inter frame",
        4 => "generated keyframe",
        5 => "video info/command frame",
        _ => "reserved",
    }
}

pub fn audio_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "SequenceStart",
        1 => "CodedFrames",
        2 => "SequenceEnd",
        4 => "MultichannelConfig",
        5 => "Multitrack",
        7 => "ModEx",
        _ => "reserved",
    }
}

pub fn video_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "SequenceStart",
        1 => "CodedFrames",
        2 => "SequenceEnd",
        3 => "CodedFramesX",
        4 => "Metadata",
        5 => "MPEG2TSSequenceStart",
        6 => "Multitrack",
        7 => "ModEx",
        _ => "reserved",
    }
}

pub fn avc_packet_type_name(t: u8) -> &'static str {
    match t {
        0 => "sequence header",
        1 => "NALU",
        2 => "end of sequence",
        _ => "reserved",
    }
}

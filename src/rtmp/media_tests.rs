//! Tests of the audio and video tag header decoders.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::amf::AmfValue;

#[test]
fn aac_audio() {
    // ffmpeg's AAC: 0xaf = AAC, 44 kHz, 16 bit, stereo.
    let h = decode_audio(&[0xaf, 0x00, 0x12, 0x10]).unwrap();
    assert_eq!(h.sound_format, 10);
    assert_eq!(h.format_name(), "AAC");
    assert_eq!(
        (h.rate_hz, h.sample_bits, h.stereo),
        (Some(44100), Some(16), Some(true))
    );
    assert_eq!(h.aac_packet_type, Some(0));
    assert!(h.sequence_header);
    let h = decode_audio(&[0xae, 0x01, 0x21]).unwrap();
    assert_eq!((h.stereo, h.aac_packet_type), (Some(false), Some(1)));
    assert!(!h.sequence_header);
    assert!(decode_audio(&[0xaf]).is_err());
    assert!(decode_audio(&[]).is_err());
}

#[test]
fn legacy_audio_formats() {
    // MP3, 22 kHz, 8 bit, mono.
    let h = decode_audio(&[0x28]).unwrap();
    assert_eq!(
        (h.format_name(), h.rate_hz, h.sample_bits, h.stereo),
        ("MP3", Some(22050), Some(8), Some(false))
    );
    assert_eq!(h.aac_packet_type, None);
    assert_eq!(decode_audio(&[0xb2]).unwrap().format_name(), "Speex");
    assert_eq!(decode_audio(&[0x06]).unwrap().rate_hz, Some(11025));
}

#[test]
fn enhanced_audio() {
    let h = decode_audio(&[0x90, b'O', b'p', b'u', b's', 1, 2]).unwrap();
    assert_eq!(h.packet_type, Some(0));
    assert_eq!(h.fourcc, Some(FourCc(*b"Opus")));
    assert!(h.sequence_header);
    assert_eq!(h.rate_hz, None);
    let h = decode_audio(&[0x91, b'm', b'p', b'4', b'a']).unwrap();
    assert_eq!(h.packet_type_name(), Some("CodedFrames"));
    assert!(!h.sequence_header);
    let h = decode_audio(&[0x95, 0x01, b'f', b'L', b'a', b'C', 0]).unwrap();
    assert!(h.multitrack);
    assert_eq!(h.fourcc, Some(FourCc(*b"fLaC")));
    assert!(decode_audio(&[0x91, b'm']).is_err());
}

#[test]
fn avc_video() {
    let h = decode_video(&[0x17, 0x00, 0x00, 0x00, 0x00, 0x01]).unwrap();
    assert_eq!((h.frame_type, h.codec_id), (1, Some(7)));
    assert!(h.keyframe && h.sequence_header);
    assert_eq!(h.composition_time, Some(0));
    let h = decode_video(&[0x27, 0x01, 0x00, 0x00, 0x43, 0x00]).unwrap();
    assert_eq!(h.packet_type_name(), Some("NALU"));
    assert_eq!(h.composition_time, Some(67));
    assert!(!h.keyframe);
    // Negative composition time.
    let h = decode_video(&[0x27, 0x01, 0xff, 0xff, 0xdf]).unwrap();
    assert_eq!(h.composition_time, Some(-33));
    assert!(decode_video(&[0x27, 0x01, 0x00]).is_err());
}

#[test]
fn legacy_video_without_packet_type() {
    let h = decode_video(&[0x22, 0x00]).unwrap();
    assert_eq!(h.codec_name(), "Sorenson H.263");
    assert_eq!(h.packet_type, None);
    let h = decode_video(&[0x52, 0x01]).unwrap();
    assert_eq!(h.command, Some(1));
    assert_eq!(h.frame_type_name(), "video info/command frame");
}

#[test]
fn enhanced_video() {
    // Keyframe, SequenceStart, hvc1.
    let h = decode_video(&[0x90, b'h', b'v', b'c', b'1', 0x01]).unwrap();
    assert!(h.enhanced && h.keyframe && h.sequence_header);
    assert_eq!(h.codec_name(), "HEVC");
    assert_eq!(h.composition_time, None);
    // Inter frame, CodedFrames with composition time.
    let h = decode_video(&[0xa1, b'h', b'v', b'c', b'1', 0x00, 0x00, 0x21]).unwrap();
    assert_eq!((h.frame_type, h.composition_time), (2, Some(33)));
    // CodedFramesX has no composition time.
    let h = decode_video(&[0x93, b'a', b'v', b'0', b'1']).unwrap();
    assert_eq!((h.codec_name(), h.composition_time), ("AV1", None));
    assert!(decode_video(&[0xa1, b'h', b'v', b'c', b'1', 0x00]).is_err());
    assert!(decode_video(&[0x91, b'h']).is_err());
}

#[test]
fn sequence_headers_carry_their_configuration_record() {
    let h = decode_audio(&[0xaf, 0x00, 0x12, 0x10]).unwrap();
    assert_eq!(h.config(), Some(&HexBytes(vec![0x12, 0x10])));
    assert_eq!(
        decode_audio(&[0xaf, 0x01, 0x21]).unwrap().config().cloned(),
        None
    );
    let h = decode_audio(&[0x90, b'O', b'p', b'u', b's', 1, 2]).unwrap();
    assert_eq!(h.config(), Some(&HexBytes(vec![1, 2])));
    let h = decode_video(&[0x17, 0x00, 0x00, 0x00, 0x00, 0x01, 0x64]).unwrap();
    assert_eq!(h.config(), Some(&HexBytes(vec![0x01, 0x64])));
    assert_eq!(
        decode_video(&[0x27, 0x01, 0, 0, 0, 9])
            .unwrap()
            .config()
            .cloned(),
        None
    );
    let h = decode_video(&[0x90, b'h', b'v', b'c', b'1', 0x01]).unwrap();
    assert_eq!(h.config(), Some(&HexBytes(vec![0x01])));
}

#[test]
fn config_prefixes() {
    assert!(is_config_prefix(TYPE_AUDIO, &[0xaf, 0x00]));
    assert!(!is_config_prefix(TYPE_AUDIO, &[0xaf, 0x01]));
    assert!(!is_config_prefix(TYPE_AUDIO, &[0xaf]));
    assert!(is_config_prefix(TYPE_VIDEO, &[0x17, 0x00]));
    assert!(!is_config_prefix(TYPE_VIDEO, &[0x17, 0x01]));
    assert!(is_config_prefix(TYPE_VIDEO, &[0x90, b'h']));
    assert!(!is_config_prefix(18, &[0x17, 0x00]));
}

#[test]
fn modex_and_multitrack_headers() {
    // ModEx with a TimestampOffsetNano of 500 000 ns around CodedFrames of avc1: the
    // composition time comes after the prefix.
    let body = [
        0x97, 0x02, 0x07, 0xa1, 0x20, 0x01, b'a', b'v', b'c', b'1', 0x00, 0x00, 0x21, 0x65,
    ];
    let h = decode_video(&body).unwrap();
    assert_eq!(h.packet_type_name(), Some("CodedFrames"));
    assert_eq!(h.composition_time, Some(33));
    assert!(h.keyframe && h.is_coded_frame());
    let ex = h.ex.as_deref().unwrap();
    assert_eq!(ex.timestamp_offset_nano, Some(500_000));
    assert!(ex.mod_ex && ex.tracks.is_empty());
    // A multitrack sequence start (ManyTracks, hvc1) is a sequence header, kept whole.
    let body = [
        0x96, 0x10, b'h', b'v', b'c', b'1', 0, 0, 0, 1, 0x01, 1, 0, 0, 1, 0x02,
    ];
    assert!(is_config_prefix(TYPE_VIDEO, &body[..2]));
    let h = decode_video(&body).unwrap();
    assert!(h.sequence_header && !h.is_coded_frame());
    assert_eq!(h.codec_name(), "HEVC");
    assert_eq!(h.packet_type_name(), Some("Multitrack"));
    let ex = h.ex.as_deref().unwrap();
    assert_eq!(ex.multitrack_type, Some(1));
    assert_eq!(ex.track_packet_type, Some(0));
    let ids: Vec<_> = h.tracks().iter().map(|t| t.track_id).collect();
    assert_eq!(ids, [0, 1]);
    // Multitrack coded frames are frames; a ModEx-wrapped audio sequence start is a config.
    let h = decode_video(&[0x96, 0x11, b'a', b'v', b'0', b'1', 3, 0, 0, 0]).unwrap();
    assert!(h.is_coded_frame() && !h.sequence_header);
    assert_eq!(h.tracks()[0].track_id, 3);
    let body = [0x97, 0x00, 0x00, 0x10, b'O', b'p', b'u', b's', 1];
    assert!(is_config_prefix(TYPE_AUDIO, &body));
    let h = decode_audio(&body).unwrap();
    assert!(h.sequence_header);
    assert_eq!(h.config(), Some(&HexBytes(vec![1])));
    // Many codecs: the header names none.
    let body = [
        0x95, 0x21, b'O', b'p', b'u', b's', 0, 0, 0, 1, 0x55, b'f', b'L', b'a', b'C', 1, 0, 0, 1,
        0x66,
    ];
    let h = decode_audio(&body).unwrap();
    assert!(h.multitrack && h.is_coded_frame());
    assert_eq!(h.fourcc, None);
    assert_eq!(h.tracks().len(), 2);
}

#[test]
fn enhanced_fields_round_trip_through_json() {
    let body = [0x96, 0x10, b'v', b'p', b'0', b'9', 2, 0, 0, 1, 0xaa];
    let h = decode_video(&body).unwrap();
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["multitrack_type_name"], "ManyTracks");
    assert_eq!(json["tracks"][0]["track_id"], 2);
    assert_eq!(json["tracks"][0]["config"], "aa");
    let back: VideoTagHeader = serde_json::from_value(json).unwrap();
    assert_eq!(back, h);
    // Headers without Enhanced v2 fields serialize as before (no extra keys).
    let h = decode_video(&[0x17, 0x01, 0, 0, 0]).unwrap();
    let json = serde_json::to_value(&h).unwrap();
    assert!(json.get("tracks").is_none() && json.get("mod_ex").is_none());
    let back: VideoTagHeader = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, h);
    let back: VideoTagHeader = serde_json::from_str(&json.to_string()).unwrap();
    assert_eq!(back.ex, None);
}

/// Keyframe | Metadata, hvc1, AMF0 "colorInfo" {colorConfig: {bitDepth: 10}} (also read by the
/// analysis tests).
pub(crate) fn color_info_metadata_body() -> Vec<u8> {
    let mut body = vec![0x94, b'h', b'v', b'c', b'1', 0x02, 0, 9];
    body.extend(b"colorInfo");
    body.extend([0x03, 0, 11]);
    body.extend(b"colorConfig");
    body.extend([0x03, 0, 8]);
    body.extend(b"bitDepth");
    body.push(0x00);
    body.extend(10f64.to_be_bytes());
    body.extend([0, 0, 9, 0, 0, 9]);
    body
}

#[test]
fn video_metadata_carries_color_info() {
    let body = color_info_metadata_body();
    assert!(is_kept_whole_prefix(TYPE_VIDEO, &body[..2]));
    let h = decode_video(&body).unwrap();
    assert_eq!(h.packet_type_name(), Some("Metadata"));
    assert!(!h.sequence_header && !h.is_coded_frame());
    let meta = &h.ex.as_deref().unwrap().metadata;
    assert_eq!(meta[0], AmfValue::String("colorInfo".into()));
    let json = serde_json::to_value(&meta[1]).unwrap();
    assert_eq!(json["colorConfig"]["bitDepth"], 10.0);
}

#[test]
fn audio_multichannel_config() {
    // Native order, 6 channels, mask 0x3f (FL FR FC LFE BL BR).
    let h = decode_audio(&[0x94, b'O', b'p', b'u', b's', 1, 6, 0, 0, 0, 0x3f]).unwrap();
    assert!(h.sequence_header && !h.is_coded_frame());
    let mc = h.ex.as_ref().unwrap().multichannel.as_ref().unwrap();
    assert_eq!((mc.channel_order_name(), mc.channel_count), ("Native", 6));
    assert_eq!(mc.channel_flags, Some(0x3f));
    // Custom order: one AudioChannel per channel.
    let h = decode_audio(&[0x94, b'f', b'L', b'a', b'C', 2, 2, 1, 0]).unwrap();
    let mc = h.ex.as_ref().unwrap().multichannel.as_ref().unwrap();
    assert_eq!(mc.channel_mapping, [1, 0]);
    // Cut short: no layout, no error (the header itself is fine).
    let h = decode_audio(&[0x94, b'f', b'L', b'a', b'C', 2, 5, 1]).unwrap();
    assert_eq!(h.ex, None);
}

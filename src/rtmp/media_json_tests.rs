//! The JSON of audio and video tag headers of every shape (legacy, Enhanced v1, ModEx, the three
//! multitrack layouts, metadata, multichannel, odd FourCC bytes), as the report has always
//! written it: the in-memory layout of the headers may change, this may not. Each also reads
//! back into the same header.

#![allow(clippy::unwrap_used)]

use crate::rtmp::media::{decode_audio, decode_video, AudioTagHeader, VideoTagHeader};

#[rustfmt::skip]
const AUDIO: &[(&[u8], &str)] = &[
    (b"\xaf\x00\x12\x10", r#"{"sound_format":10,"format_name":"AAC","rate_hz":44100,"sample_bits":16,"stereo":true,"aac_packet_type":0,"multitrack":false,"sequence_header":true,"config":"1210"}"#),
    (b"\xaf\x01\x21", r#"{"sound_format":10,"format_name":"AAC","rate_hz":44100,"sample_bits":16,"stereo":true,"aac_packet_type":1,"multitrack":false,"sequence_header":false}"#),
    (b"\x28", r#"{"sound_format":2,"format_name":"MP3","rate_hz":22050,"sample_bits":8,"stereo":false,"multitrack":false,"sequence_header":false}"#),
    (b"\x90Opus\x01\x02", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":0,"packet_type_name":"SequenceStart","fourcc":"Opus","multitrack":false,"sequence_header":true,"config":"0102"}"#),
    (b"\x91mp4a\x09", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":1,"packet_type_name":"CodedFrames","fourcc":"mp4a","multitrack":false,"sequence_header":false}"#),
    (b"\x92fLaC", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":2,"packet_type_name":"SequenceEnd","fourcc":"fLaC","multitrack":false,"sequence_header":false}"#),
    (b"\x93fLaC", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":3,"packet_type_name":"reserved","fourcc":"fLaC","multitrack":false,"sequence_header":false}"#),
    (b"\x91\xff\x00a\xe9", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":1,"packet_type_name":"CodedFrames","fourcc":"ÿ\u0000aé","multitrack":false,"sequence_header":false}"#),
    (b"\x95\x01fLaC\x00", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":5,"packet_type_name":"Multitrack","fourcc":"fLaC","multitrack":true,"sequence_header":false,"multitrack_type":0,"multitrack_type_name":"OneTrack","track_packet_type":1,"track_packet_type_name":"CodedFrames","tracks":[{"track_id":0,"fourcc":"fLaC"}]}"#),
    (b"\x97\x00\x00\x10Opus\x01", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":0,"packet_type_name":"SequenceStart","fourcc":"Opus","multitrack":false,"sequence_header":true,"config":"01","mod_ex":true}"#),
    (b"\x97\x02\x00\x124\x01Opus\x01", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":1,"packet_type_name":"CodedFrames","fourcc":"Opus","multitrack":false,"sequence_header":false,"mod_ex":true,"timestamp_offset_nano":4660}"#),
    (b"\x95\x21Opus\x00\x00\x00\x01UfLaC\x01\x00\x00\x01f", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":5,"packet_type_name":"Multitrack","multitrack":true,"sequence_header":false,"multitrack_type":2,"multitrack_type_name":"ManyTracksManyCodecs","track_packet_type":1,"track_packet_type_name":"CodedFrames","tracks":[{"track_id":0,"fourcc":"Opus","size":1},{"track_id":1,"fourcc":"fLaC","size":1}]}"#),
    (b"\x95\x10Opus\x00\x00\x00\x02\xaa\xbb\x01\x00\x00\x01\xcc", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":5,"packet_type_name":"Multitrack","fourcc":"Opus","multitrack":true,"sequence_header":true,"multitrack_type":1,"multitrack_type_name":"ManyTracks","track_packet_type":0,"track_packet_type_name":"SequenceStart","tracks":[{"track_id":0,"fourcc":"Opus","size":2,"config":"aabb"},{"track_id":1,"fourcc":"Opus","size":1,"config":"cc"}]}"#),
    (b"\x95\x3fOpus\x07\x00\x00\x00", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":5,"packet_type_name":"Multitrack","fourcc":"Opus","multitrack":true,"sequence_header":false,"multitrack_type":3,"multitrack_type_name":"reserved","track_packet_type":15,"track_packet_type_name":"reserved","tracks":[{"track_id":7,"fourcc":"Opus","size":0}]}"#),
    (b"\x94Opus\x01\x06\x00\x00\x00\x3f", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":4,"packet_type_name":"MultichannelConfig","fourcc":"Opus","multitrack":false,"sequence_header":true,"multichannel":{"channel_order":1,"channel_order_name":"Native","channel_count":6,"channel_flags":63}}"#),
    (b"\x94fLaC\x02\x02\x01\x00", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":4,"packet_type_name":"MultichannelConfig","fourcc":"fLaC","multitrack":false,"sequence_header":true,"multichannel":{"channel_order":2,"channel_order_name":"Custom","channel_count":2,"channel_mapping":[1,0]}}"#),
    (b"\x94fLaC\x00\x02", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":4,"packet_type_name":"MultichannelConfig","fourcc":"fLaC","multitrack":false,"sequence_header":true,"multichannel":{"channel_order":0,"channel_order_name":"Unspecified","channel_count":2}}"#),
    (b"\x94fLaC\x09\x02", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":4,"packet_type_name":"MultichannelConfig","fourcc":"fLaC","multitrack":false,"sequence_header":true,"multichannel":{"channel_order":9,"channel_order_name":"reserved","channel_count":2}}"#),
    (b"\x94fLaC\x02\x05\x01", r#"{"sound_format":9,"format_name":"ExHeader","packet_type":4,"packet_type_name":"MultichannelConfig","fourcc":"fLaC","multitrack":false,"sequence_header":true}"#),
];

#[rustfmt::skip]
const VIDEO: &[(&[u8], &str)] = &[
    (b"\x17\x00\x00\x00\x00\x01d", r#"{"enhanced":false,"frame_type":1,"frame_type_name":"keyframe","codec_id":7,"codec_name":"AVC","packet_type":0,"packet_type_name":"sequence header","composition_time":0,"keyframe":true,"sequence_header":true,"config":"0164"}"#),
    (b"\x27\x01\x00\x00C\x00", r#"{"enhanced":false,"frame_type":2,"frame_type_name":"inter frame","codec_id":7,"codec_name":"AVC","packet_type":1,"packet_type_name":"NALU","composition_time":67,"keyframe":false,"sequence_header":false}"#),
    (b"\x27\x02\xff\xff\xdf", r#"{"enhanced":false,"frame_type":2,"frame_type_name":"inter frame","codec_id":7,"codec_name":"AVC","packet_type":2,"packet_type_name":"end of sequence","composition_time":-33,"keyframe":false,"sequence_header":false}"#),
    (b"\x22\x00", r#"{"enhanced":false,"frame_type":2,"frame_type_name":"inter frame","codec_id":2,"codec_name":"Sorenson H.263","keyframe":false,"sequence_header":false}"#),
    (b"R\x01", r#"{"enhanced":false,"frame_type":5,"frame_type_name":"video info/command frame","codec_id":2,"codec_name":"Sorenson H.263","command":1,"keyframe":false,"sequence_header":false}"#),
    (b"\x5c", r#"{"enhanced":false,"frame_type":5,"frame_type_name":"video info/command frame","codec_id":12,"codec_name":"HEVC","keyframe":false,"sequence_header":false}"#),
    (b"\x1d\x00\x00\x00\x00\x07", r#"{"enhanced":false,"frame_type":1,"frame_type_name":"keyframe","codec_id":13,"codec_name":"AV1","packet_type":0,"packet_type_name":"sequence header","composition_time":0,"keyframe":true,"sequence_header":true,"config":"07"}"#),
    (b"\x90hvc1\x01", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"HEVC","fourcc":"hvc1","packet_type":0,"packet_type_name":"SequenceStart","keyframe":true,"sequence_header":true,"config":"01"}"#),
    (b"\xa1hvc1\x00\x00\x21", r#"{"enhanced":true,"frame_type":2,"frame_type_name":"inter frame","codec_name":"HEVC","fourcc":"hvc1","packet_type":1,"packet_type_name":"CodedFrames","composition_time":33,"keyframe":false,"sequence_header":false}"#),
    (b"\x93av01", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AV1","fourcc":"av01","packet_type":3,"packet_type_name":"CodedFramesX","keyframe":true,"sequence_header":false}"#),
    (b"\xb2vp09", r#"{"enhanced":true,"frame_type":3,"frame_type_name":"disposable inter frame","codec_name":"VP9","fourcc":"vp09","packet_type":2,"packet_type_name":"SequenceEnd","keyframe":false,"sequence_header":false}"#),
    (b"\x95avc1\x01", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AVC","fourcc":"avc1","packet_type":5,"packet_type_name":"MPEG2TSSequenceStart","keyframe":true,"sequence_header":true}"#),
    (b"\xd8xy\xe9\x21", r#"{"enhanced":true,"frame_type":5,"frame_type_name":"video info/command frame","codec_name":"unknown","fourcc":"xyé!","packet_type":8,"packet_type_name":"reserved","keyframe":false,"sequence_header":false}"#),
    (b"\xd1\x01\x02\x03\x04", r#"{"enhanced":true,"frame_type":5,"frame_type_name":"video info/command frame","codec_name":"unknown","fourcc":"\u0001\u0002\u0003\u0004","packet_type":1,"packet_type_name":"CodedFrames","keyframe":false,"sequence_header":false}"#),
    (b"\x97\x02\x07\xa1\x20\x01avc1\x00\x00\x21e", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AVC","fourcc":"avc1","packet_type":1,"packet_type_name":"CodedFrames","composition_time":33,"keyframe":true,"sequence_header":false,"mod_ex":true,"timestamp_offset_nano":500000}"#),
    (b"\x96\x10hvc1\x00\x00\x00\x01\x01\x01\x00\x00\x01\x02", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"HEVC","fourcc":"hvc1","packet_type":6,"packet_type_name":"Multitrack","keyframe":true,"sequence_header":true,"multitrack_type":1,"multitrack_type_name":"ManyTracks","track_packet_type":0,"track_packet_type_name":"SequenceStart","tracks":[{"track_id":0,"fourcc":"hvc1","size":1,"config":"01"},{"track_id":1,"fourcc":"hvc1","size":1,"config":"02"}]}"#),
    (b"\x96\x11av01\x03\x00\x00\x00", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AV1","fourcc":"av01","packet_type":6,"packet_type_name":"Multitrack","keyframe":true,"sequence_header":false,"multitrack_type":1,"multitrack_type_name":"ManyTracks","track_packet_type":1,"track_packet_type_name":"CodedFrames","tracks":[{"track_id":3,"fourcc":"av01","size":0}]}"#),
    (b"\x96\x01avc1\x05\x00\x00\x21\x99", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AVC","fourcc":"avc1","packet_type":6,"packet_type_name":"Multitrack","keyframe":true,"sequence_header":false,"multitrack_type":0,"multitrack_type_name":"OneTrack","track_packet_type":1,"track_packet_type_name":"CodedFrames","tracks":[{"track_id":5,"fourcc":"avc1","composition_time":33}]}"#),
    (b"\x96\x21hvc1\x00\x00\x00\x01Uav01\x01\x00\x00\x09f", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"several codecs","packet_type":6,"packet_type_name":"Multitrack","keyframe":true,"sequence_header":false,"multitrack_type":2,"multitrack_type_name":"ManyTracksManyCodecs","track_packet_type":1,"track_packet_type_name":"CodedFrames","tracks":[{"track_id":0,"fourcc":"hvc1","size":1},{"track_id":1,"fourcc":"av01","size":9}]}"#),
    (b"\x96\x3eav01\x07\x00\x00\x00", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"AV1","fourcc":"av01","packet_type":6,"packet_type_name":"Multitrack","keyframe":true,"sequence_header":false,"multitrack_type":3,"multitrack_type_name":"reserved","track_packet_type":14,"track_packet_type_name":"reserved","tracks":[{"track_id":7,"fourcc":"av01","size":0}]}"#),
    (b"\x94hvc1\x02\x00\x09colorInfo\x03\x00\x0bcolorConfig\x03\x00\x08bitDepth\x00\x40\x24\x00\x00\x00\x00\x00\x00\x00\x00\x09\x00\x00\x09", r#"{"enhanced":true,"frame_type":1,"frame_type_name":"keyframe","codec_name":"HEVC","fourcc":"hvc1","packet_type":4,"packet_type_name":"Metadata","keyframe":true,"sequence_header":false,"metadata":["colorInfo",{"colorConfig":{"bitDepth":10}}]}"#),
];

#[test]
fn audio_headers_serialize_as_always() {
    for &(body, expected) in AUDIO {
        let h = decode_audio(body).unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), expected, "{body:02x?}");
        let back: AudioTagHeader = serde_json::from_str(expected).unwrap();
        assert_eq!(back, h, "{body:02x?}");
    }
}

#[test]
fn video_headers_serialize_as_always() {
    for &(body, expected) in VIDEO {
        let h = decode_video(body).unwrap();
        assert_eq!(serde_json::to_string(&h).unwrap(), expected, "{body:02x?}");
        let back: VideoTagHeader = serde_json::from_str(expected).unwrap();
        assert_eq!(back, h, "{body:02x?}");
    }
}

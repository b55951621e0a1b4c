//! Codec names for rules: one canonical spelling per codec, from a FourCC (Enhanced RTMP) or a
//! legacy FLV codec id, and from what people type (`h264`, `AVC`, `hevc`, `aac`...).

use crate::rtmp::media::{AudioTagHeader, VideoTagHeader};

/// The canonical name of a video codec named in a rule, or `None` when the name is unknown.
/// Any other four-character string is taken as a FourCC, so codecs newer than this table work.
pub fn canonical_video(name: &str) -> Option<String> {
    let known = match name.to_ascii_lowercase().as_str() {
        "avc1" | "avc" | "h264" | "h.264" | "x264" => "avc1",
        "hvc1" | "hev1" | "hevc" | "h265" | "h.265" | "x265" => "hvc1",
        "av01" | "av1" => "av01",
        "vp09" | "vp9" => "vp09",
        "vp08" | "vp8" => "vp08",
        "vp6" | "on2 vp6" => "vp6",
        "vp6a" | "vp6 alpha" => "vp6a",
        "h263" | "h.263" | "sorenson" | "sorenson h.263" | "flv1" => "h263",
        "screen" | "screen video" => "screen",
        "screen2" | "screen video v2" => "screen2",
        "jpeg" => "jpeg",
        _ if name.chars().count() == 4 => return Some(name.to_string()),
        _ => return None,
    };
    Some(known.to_string())
}

/// The canonical name of an audio codec named in a rule (see [`canonical_video`]).
pub fn canonical_audio(name: &str) -> Option<String> {
    let known = match name.to_ascii_lowercase().as_str() {
        "mp4a" | "aac" => "mp4a",
        ".mp3" | "mp3" => ".mp3",
        "opus" => "Opus",
        "flac" => "fLaC",
        "ac-3" | "ac3" => "ac-3",
        "ec-3" | "eac3" | "e-ac-3" => "ec-3",
        "speex" => "speex",
        "nellymoser" => "nellymoser",
        "pcm" | "lpcm" => "pcm",
        "adpcm" => "adpcm",
        "alaw" | "g711a" | "pcma" => "alaw",
        "ulaw" | "mulaw" | "g711u" | "pcmu" => "ulaw",
        _ if name.chars().count() == 4 => return Some(name.to_string()),
        _ => return None,
    };
    Some(known.to_string())
}

/// Canonical codec of a video tag header: the FourCC of an Enhanced RTMP header, or the legacy
/// codec id's name. `None` for headers that name no codec (multitrack with a codec per track).
pub fn video_codec_of(header: &VideoTagHeader) -> Option<String> {
    if let Some(fourcc) = header.fourcc {
        return canonical_video(&fourcc.to_string());
    }
    let name = match header.codec_id? {
        1 => "jpeg",
        2 => "h263",
        3 => "screen",
        4 => "vp6",
        5 => "vp6a",
        6 => "screen2",
        7 => "avc1",
        12 => "hvc1",
        13 => "av01",
        id => return Some(format!("codec id {id}")),
    };
    Some(name.to_string())
}

/// Canonical codec of an audio tag header (see [`video_codec_of`]).
pub fn audio_codec_of(header: &AudioTagHeader) -> Option<String> {
    if header.sound_format == 9 {
        return header
            .fourcc
            .and_then(|fourcc| canonical_audio(&fourcc.to_string()));
    }
    let name = match header.sound_format {
        0 | 3 => "pcm",
        1 => "adpcm",
        2 | 14 => ".mp3",
        4..=6 => "nellymoser",
        7 => "alaw",
        8 => "ulaw",
        10 => "mp4a",
        11 => "speex",
        f => return Some(format!("sound format {f}")),
    };
    Some(name.to_string())
}

/// Whether two canonical names are the same codec (FourCCs compare case-insensitively: `opus`
/// in a rule matches `Opus` in a header).
pub fn same_codec(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rtmp::media::{decode_audio, decode_video};

    #[test]
    fn names_people_type() {
        assert_eq!(canonical_video("H264").as_deref(), Some("avc1"));
        assert_eq!(canonical_video("avc1").as_deref(), Some("avc1"));
        assert_eq!(canonical_video("HEVC").as_deref(), Some("hvc1"));
        assert_eq!(canonical_video("hev1").as_deref(), Some("hvc1"));
        assert_eq!(canonical_video("av1").as_deref(), Some("av01"));
        assert_eq!(canonical_video("vvc1").as_deref(), Some("vvc1"));
        assert_eq!(canonical_video("mpeg2video"), None);
        assert_eq!(canonical_audio("AAC").as_deref(), Some("mp4a"));
        assert_eq!(canonical_audio("opus").as_deref(), Some("Opus"));
        assert_eq!(canonical_audio("mp3").as_deref(), Some(".mp3"));
        assert_eq!(canonical_audio("vorbis"), None);
    }

    #[test]
    fn codecs_of_headers() {
        let avc = decode_video(&[0x17, 0x00, 0, 0, 0]).unwrap();
        assert_eq!(video_codec_of(&avc).as_deref(), Some("avc1"));
        let hevc = decode_video(&[0x90, b'h', b'v', b'c', b'1']).unwrap();
        assert_eq!(video_codec_of(&hevc).as_deref(), Some("hvc1"));
        let vp6 = decode_video(&[0x24, 0x00]).unwrap();
        assert_eq!(video_codec_of(&vp6).as_deref(), Some("vp6"));
        let aac = decode_audio(&[0xaf, 0x01]).unwrap();
        assert_eq!(audio_codec_of(&aac).as_deref(), Some("mp4a"));
        let opus = decode_audio(&[0x91, b'O', b'p', b'u', b's']).unwrap();
        assert_eq!(audio_codec_of(&opus).as_deref(), Some("Opus"));
        assert!(same_codec("Opus", "opus"));
        assert!(!same_codec("avc1", "hvc1"));
    }
}

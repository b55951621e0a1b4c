//! Finding configuration records in whole RTMP audio/video message bodies: legacy FLV tags from
//! the captures, Enhanced RTMP tags as FFmpeg 9 writes them, and hand-built ModEx and multitrack
//! messages (E-RTMP v2).

use rtmpscope::codec::{
    audio_sequence_records, video_sequence_records, CodecConfig, SequenceRecord,
};

fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

const AVC_RECORD: &str =
    "0164001effe1001a6764001eacd940a02ff970110000030001000003003c0f162d9601000468efbcb0fdf8f800";
const VP9_RECORD: &str = "010000000014820202020000";
const OPUS_HEAD: &str = "4f707573486561640102380180bb0000000000";
const FLAC_STREAMINFO: &str =
    "040004000000000010980ac442f00000000000000000000000000000000000000000";

fn summaries(records: &[SequenceRecord<'_>]) -> Vec<String> {
    records
        .iter()
        .map(|r| match r.decode() {
            Ok(config) => format!("{:?} {}: {}", r.track_id, r.fourcc_str(), config.summary()),
            Err(e) => format!("{:?} {}: error {e}", r.track_id, r.fourcc_str()),
        })
        .collect()
}

#[test]
fn legacy_avc_and_aac_from_the_capture() {
    // nginx-ffmpeg-publish.pcap, first video and audio messages.
    let video = hex(&format!("1700000000{AVC_RECORD}"));
    let records = video_sequence_records(&video).expect("parses");
    assert_eq!(records.len(), 1);
    assert_eq!(
        (
            records[0].fourcc_str(),
            records[0].track_id,
            records[0].is_video
        ),
        ("avc1".to_string(), None, true)
    );
    assert_eq!(
        summaries(&records),
        ["None avc1: H.264 High 3.0, 640x360, 30 fps, 4:2:0 8-bit"]
    );
    let audio = hex("af00120856e500");
    assert_eq!(
        summaries(&audio_sequence_records(&audio).expect("parses")),
        ["None mp4a: AAC LC, 44100 Hz, 1 ch"]
    );
}

#[test]
fn messages_without_a_sequence_header() {
    for video in [
        "1701000000aabb",
        "2701000000",
        "1702000000",
        "1200",
        "91687663310000",
        "d000",
        "d4617630310000",
    ] {
        assert_eq!(
            video_sequence_records(&hex(video)).expect("parses"),
            [],
            "{video}"
        );
    }
    for audio in ["af01aabb", "2fff", "91664c6143", "b2"] {
        assert_eq!(
            audio_sequence_records(&hex(audio)).expect("parses"),
            [],
            "{audio}"
        );
    }
}

#[test]
fn enhanced_rtmp_sequence_starts() {
    // FFmpeg 9: 0x90 = IsExHeader, key frame, SequenceStart; then the FourCC.
    let body = hex(&format!("9076703039{VP9_RECORD}"));
    assert_eq!(
        summaries(&video_sequence_records(&body).expect("parses")),
        ["None vp09: VP9 Profile 0 2.0, 4:2:0 8-bit"]
    );
    // Legacy codec id 12 (HEVC) has the AVC layout.
    let hvcc = "0101600000009000000000003cf000fcfdf8f800000f00";
    let body = hex(&format!("1c00000000{hvcc}"));
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!(records[0].fourcc_str(), "hvc1");
    // Audio: sound format 9 (ExHeader), SequenceStart.
    let body = hex(&format!("904f707573{OPUS_HEAD}"));
    assert_eq!(
        summaries(&audio_sequence_records(&body).expect("parses")),
        ["None Opus: Opus, 2 ch, 48000 Hz (input 48000 Hz), pre-skip 312"]
    );
    let body = hex(&format!("90664c6143{FLAC_STREAMINFO}"));
    let records = audio_sequence_records(&body).expect("parses");
    assert!(matches!(records[0].decode(), Ok(CodecConfig::Flac(_))));
    // FFmpeg's first av01 sequence start is empty: found, but not decodable.
    let body = hex("9061763031");
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!(records[0].data, []);
    assert!(records[0].decode().is_err());
}

#[test]
fn modex_prefixes_are_skipped() {
    // 0x97: ModEx; 3 bytes of TimestampOffsetNano; then type 0 / SequenceStart; FourCC; record.
    let body = hex(&format!("97020012340076703039{VP9_RECORD}"));
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!(
        summaries(&records),
        ["None vp09: VP9 Profile 0 2.0, 4:2:0 8-bit"]
    );
    // A 16-bit ModEx size (0xff escape, then 0x0001 + 1 = 2 bytes), twice in a row, on audio.
    let body = hex(&format!("97ff0001abcd0702aaaaaa004f707573{OPUS_HEAD}"));
    assert_eq!(audio_sequence_records(&body).expect("parses").len(), 1);
    // ModEx data running past the end.
    assert!(video_sequence_records(&hex("9710aabb")).is_err());
}

#[test]
fn multitrack_sequence_starts() {
    let vp9_len = format!("{:06x}", VP9_RECORD.len() / 2);
    // ManyTracks (1), one codec for all.
    let body = hex(
        &format!("961076703039 00{vp9_len}{VP9_RECORD} 01{vp9_len}{VP9_RECORD}").replace(' ', ""),
    );
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!(
        records.iter().map(|r| r.track_id).collect::<Vec<_>>(),
        [Some(0), Some(1)]
    );
    assert!(records.iter().all(|r| r.decode().is_ok()));
    // OneTrack (0).
    let body = hex(&format!("96007670303905{VP9_RECORD}"));
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!((records.len(), records[0].track_id), (1, Some(5)));
    // ManyTracksManyCodecs (2) on audio: each track names its codec.
    let opus_len = format!("{:06x}", OPUS_HEAD.len() / 2);
    let flac_len = format!("{:06x}", FLAC_STREAMINFO.len() / 2);
    let body = hex(&format!(
        "95204f70757300{opus_len}{OPUS_HEAD}664c614301{flac_len}{FLAC_STREAMINFO}"
    ));
    let records = audio_sequence_records(&body).expect("parses");
    assert_eq!(
        summaries(&records),
        [
            "Some(0) Opus: Opus, 2 ch, 48000 Hz (input 48000 Hz), pre-skip 312",
            "Some(1) fLaC: FLAC, 44100 Hz, 2 ch, 16-bit",
        ]
    );
    // Multitrack coded frames: nothing to find.
    assert_eq!(
        video_sequence_records(&hex("961176703039000000")).expect("parses"),
        []
    );
    // A track claiming more bytes than the message has.
    assert!(video_sequence_records(&hex("96107670303900ffffff00")).is_err());
}

#[test]
fn truncated_message_bodies_never_panic() {
    let vp9_len = format!("{:06x}", VP9_RECORD.len() / 2);
    let bodies = [
        hex(&format!("1700000000{AVC_RECORD}")),
        hex(&format!("97020012340076703039{VP9_RECORD}")),
        hex(&format!(
            "96107670303900{vp9_len}{VP9_RECORD}01{vp9_len}{VP9_RECORD}"
        )),
        hex(&format!("95204f70757300000013{OPUS_HEAD}")),
    ];
    for body in &bodies {
        for len in 0..body.len() {
            let found = [
                video_sequence_records(&body[..len]),
                audio_sequence_records(&body[..len]),
            ];
            for record in found.into_iter().flatten().flatten() {
                let _ = record.decode();
            }
        }
    }
    // Many tiny tracks: the list is capped.
    let mut body = hex("961076703039");
    for id in 0..200u8 {
        body.extend([id, 0, 0, 0]);
    }
    let records = video_sequence_records(&body).expect("parses");
    assert_eq!(records.len(), rtmpscope::codec::MAX_LISTED);
}

//! FLV export of real captures, read back by our own FLV walker and by ffprobe/ffmpeg.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rtmpscope::export::{flv_from_capture, write_flv, ExportError, ExportOptions, FlvExporter};

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(common::data(name)).expect("read capture")
}

/// One tag of an FLV file.
#[derive(Debug)]
struct Tag {
    kind: u8,
    timestamp: u32,
    data: Vec<u8>,
}

/// Walks an FLV file, checking the header and every PreviousTagSize on the way.
fn parse_flv(bytes: &[u8]) -> (u8, Vec<Tag>) {
    assert_eq!(&bytes[..4], b"FLV\x01", "signature and version");
    assert_eq!(&bytes[5..9], &9u32.to_be_bytes(), "header size");
    assert_eq!(&bytes[9..13], &[0, 0, 0, 0], "PreviousTagSize0");
    let mut tags = Vec::new();
    let mut pos = 13;
    while pos < bytes.len() {
        let h = &bytes[pos..pos + 11];
        let size = u32::from_be_bytes([0, h[1], h[2], h[3]]) as usize;
        let timestamp = u32::from_be_bytes([h[7], h[4], h[5], h[6]]);
        assert_eq!(&h[8..11], &[0, 0, 0], "stream id");
        let data = bytes[pos + 11..pos + 11 + size].to_vec();
        let back = &bytes[pos + 11 + size..pos + 15 + size];
        assert_eq!(back, &(11 + size as u32).to_be_bytes(), "PreviousTagSize");
        tags.push(Tag {
            kind: h[0],
            timestamp,
            data,
        });
        pos += 15 + size;
    }
    assert_eq!(pos, bytes.len());
    (bytes[4], tags)
}

fn count(tags: &[Tag], kind: u8) -> usize {
    tags.iter().filter(|t| t.kind == kind).count()
}

#[test]
fn ffmpeg_publish_exports_every_tag() {
    let flv = flv_from_capture(&capture("nginx-ffmpeg-publish.pcap"), 0, 1).expect("export");
    let (flags, tags) = parse_flv(&flv);
    assert_eq!(flags, 0x05, "audio and video");
    // 152 video (sequence header, 150 frames, end of sequence), 218 audio, 1 onMetaData.
    assert_eq!(
        (count(&tags, 9), count(&tags, 8), count(&tags, 18)),
        (152, 218, 1)
    );
    // @setDataFrame is unwrapped: the script tag starts with the string "onMetaData".
    let script = tags.iter().find(|t| t.kind == 18).expect("script tag");
    assert_eq!(&script.data[..13], b"\x02\x00\x0aonMetaData");
    assert_eq!(script.data[13], 0x08, "ECMA array follows");
    // The AVC sequence header comes first among the video tags, and is a keyframe.
    let first_video = tags.iter().find(|t| t.kind == 9).expect("video");
    assert_eq!(&first_video.data[..2], &[0x17, 0x00]);
    assert_eq!(first_video.timestamp, 0);
    // Timestamps do not go backwards within a track and end near 5 s.
    for kind in [8, 9] {
        let ts: Vec<u32> = tags
            .iter()
            .filter(|t| t.kind == kind)
            .map(|t| t.timestamp)
            .collect();
        assert!(ts.windows(2).all(|w| w[0] <= w[1]), "track {kind}");
        assert!(
            (4900..=5100).contains(ts.last().expect("tags")),
            "{:?}",
            ts.last()
        );
    }
    // Tag bodies are the RTMP bodies: their sizes are the message lengths of the report.
    let report =
        rtmpscope::analyze_bytes(&capture("nginx-ffmpeg-publish.pcap"), Default::default())
            .expect("analyze");
    let lengths: Vec<usize> = report
        .messages
        .iter()
        .filter(|r| r.message.msid == 1 && r.message.type_id == 9)
        .map(|r| r.message.length as usize)
        .collect();
    let sizes: Vec<usize> = tags
        .iter()
        .filter(|t| t.kind == 9)
        .map(|t| t.data.len())
        .collect();
    assert_eq!(lengths, sizes);
}

#[test]
fn pieces_of_any_size_give_the_same_file() {
    let bytes = capture("nginx-ffmpeg-publish.pcap");
    let whole = flv_from_capture(&bytes, 0, 1).expect("export");
    let report = rtmpscope::analyze_bytes(&bytes, Default::default()).expect("analyze");
    let plan =
        rtmpscope::export::ExportPlan::new(&report, 0, 1, ExportOptions::default()).expect("plan");
    let mut exporter = FlvExporter::new(plan, Vec::new()).expect("header");
    for piece in bytes.chunks(977) {
        exporter.feed(piece).expect("feed");
    }
    let (summary, pieces) = exporter.finish().expect("finish");
    assert!(pieces == whole);
    assert_eq!(summary.bytes, whole.len() as u64);
    assert_eq!(
        (summary.video_tags, summary.audio_tags, summary.script_tags),
        (152, 218, 1)
    );
    assert_eq!(summary.skipped_damaged, 0);
}

#[test]
fn lossy_capture_exports_whole() {
    // Loss, duplicates and reordering, all repaired by retransmissions: nothing is missing.
    let bytes = capture("nginx-ffmpeg-publish-lossy.pcap");
    let mut flv = Vec::new();
    let summary = write_flv(&bytes, 0, 1, &ExportOptions::default(), &mut flv).expect("export");
    assert_eq!(summary.skipped_damaged, 0);
    // The capture's 8 s publish: 242 video and 347 audio messages.
    assert_eq!((summary.video_tags, summary.audio_tags), (242, 347));
    let (_, tags) = parse_flv(&flv);
    assert_eq!(count(&tags, 9), 242);
    assert!(
        (7900..=8100).contains(&summary.last_timestamp),
        "{}",
        summary.last_timestamp
    );
}

#[test]
fn snap200_capture_is_refused_with_a_reason() {
    let bytes = capture("nginx-ffmpeg-publish-snap200.pcap");
    let error = flv_from_capture(&bytes, 0, 1).expect_err("payloads cut at 200 bytes");
    let text = error.to_string();
    match &error {
        // The media messages are not in the report at all...
        ExportError::NoSuchStream { missing_bytes, .. } => {
            assert!(*missing_bytes > 500_000, "{text}");
            assert!(text.contains("missing from the capture"), "{text}");
        }
        // ...or they are, with bytes missing.
        ExportError::MissingData { damaged, .. } => {
            assert!(*damaged > 0, "{text}");
            assert!(text.contains("incomplete in the capture"), "{text}");
        }
        other => panic!("unexpected error {other:?}"),
    }
}

#[test]
fn wrong_stream_or_connection_says_what_exists() {
    let bytes = capture("nginx-ffmpeg-publish.pcap");
    let text = flv_from_capture(&bytes, 0, 7)
        .expect_err("no stream 7")
        .to_string();
    assert!(text.contains("conn 0 stream 1 'stream'"), "{text}");
    let error = flv_from_capture(&bytes, 3, 1).expect_err("no connection 3");
    assert!(matches!(
        error,
        ExportError::NoSuchConnection {
            conn: 3,
            connections: 1
        }
    ));
    let error = flv_from_capture(b"not a capture at all", 0, 1).expect_err("not a capture");
    assert!(matches!(error, ExportError::Capture(_)));
}

// ffprobe/ffmpeg read the exported files. scripts/test.sh installs ffmpeg; without it these
// tests fail unless RTMPSCOPE_SKIP_FFPROBE is set.

fn ffmpeg_tool(name: &str) -> Option<PathBuf> {
    let found = Command::new(name).arg("-version").output();
    if found.is_ok_and(|out| out.status.success()) {
        return Some(PathBuf::from(name));
    }
    assert!(
        std::env::var_os("RTMPSCOPE_SKIP_FFPROBE").is_some(),
        "{name} is not installed (scripts/test.sh installs ffmpeg); \
         set RTMPSCOPE_SKIP_FFPROBE=1 to skip"
    );
    None
}

fn export_to_file(name: &str, file: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rtmpscope-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let path = dir.join(file);
    let out = Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
        .args(["export", common::data(name).to_str().expect("path")])
        .args(["--conn", "0", "--stream", "1", "-o"])
        .arg(&path)
        .output()
        .expect("run rtmpscope");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("wrote "), "{stdout}");
    path
}

fn ffprobe(ffprobe: &Path, flv: &Path) -> serde_json::Value {
    let out = Command::new(ffprobe)
        .args(["-v", "error", "-count_frames", "-of", "json"])
        .args([
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames:format=duration",
        ])
        .arg(flv)
        .output()
        .expect("run ffprobe");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ffprobe json")
}

fn stream<'a>(probe: &'a serde_json::Value, codec: &str) -> &'a serde_json::Value {
    probe["streams"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["codec_name"] == codec))
        .unwrap_or_else(|| panic!("no {codec} stream in {probe}"))
}

fn frames(stream: &serde_json::Value) -> u64 {
    stream["nb_read_frames"]
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("nb_read_frames")
}

#[test]
fn ffprobe_reads_the_ffmpeg_publish_as_sent() {
    let Some(probe) = ffmpeg_tool("ffprobe") else {
        return;
    };
    let flv = export_to_file("nginx-ffmpeg-publish.pcap", "publish.flv");
    let p = ffprobe(&probe, &flv);
    // tests/data/README.md: testsrc2 640x360 at 30 fps for 5 s, libx264 + aac.
    let video = stream(&p, "h264");
    assert_eq!(
        (video["width"].as_u64(), video["height"].as_u64()),
        (Some(640), Some(360))
    );
    assert_eq!(frames(video), 150);
    let audio = stream(&p, "aac");
    assert!((210..=220).contains(&frames(audio)), "{}", frames(audio));
    let duration: f64 = p["format"]["duration"]
        .as_str()
        .and_then(|d| d.parse().ok())
        .expect("duration");
    assert!((4.9..=5.1).contains(&duration), "{duration}");
    // ffmpeg decodes every frame without complaint.
    if let Some(ffmpeg) = ffmpeg_tool("ffmpeg") {
        let out = Command::new(ffmpeg)
            .args(["-v", "error", "-i"])
            .arg(&flv)
            .args(["-f", "null", "-"])
            .output()
            .expect("run ffmpeg");
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn ffprobe_reads_the_lossy_and_play_exports() {
    let Some(probe) = ffmpeg_tool("ffprobe") else {
        return;
    };
    let lossy = ffprobe(
        &probe,
        &export_to_file("nginx-ffmpeg-publish-lossy.pcap", "lossy.flv"),
    );
    let video = stream(&lossy, "h264");
    assert_eq!(video["width"].as_u64(), Some(640));
    assert_eq!(frames(video), 240);
    // A player's view (nginx → rtmpdump): the stream as played, metadata included.
    let play = ffprobe(
        &probe,
        &export_to_file("nginx-rtmpdump-play.pcap", "play.flv"),
    );
    let video = stream(&play, "h264");
    assert_eq!(video["height"].as_u64(), Some(360));
    assert!(frames(video) >= 100, "{}", frames(video));
    stream(&play, "aac");
}

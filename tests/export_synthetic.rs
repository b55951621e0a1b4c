//! FLV export of hand-built captures: aggregate messages, timestamp rebasing, a message cut by
//! the end of the capture, and the command line.

mod common;

use std::process::Command;

use rtmpscope::export::{write_flv, ExportError, ExportOptions};

/// Builds a raw-IPv4 pcap of one TCP connection 10.0.0.1:40000 → 10.0.0.2:1935.
struct PcapBuilder {
    out: Vec<u8>,
    seq: [u32; 2],
    usec: u32,
}

impl PcapBuilder {
    fn new() -> Self {
        let mut out = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
        out.extend([0; 8]);
        out.extend(65535u32.to_le_bytes());
        out.extend(101u32.to_le_bytes()); // LINKTYPE_RAW
        let mut b = PcapBuilder {
            out,
            seq: [1000, 5000],
            usec: 0,
        };
        b.segment(0, 0x02, &[]); // SYN
        b.segment(1, 0x12, &[]); // SYN-ACK
        b.seq = [1001, 5001];
        b
    }

    /// One TCP segment from the client (`side` 0) or the server (1).
    fn segment(&mut self, side: usize, flags: u8, payload: &[u8]) {
        let (src, dst, sport, dport) = if side == 0 {
            ([10, 0, 0, 1], [10, 0, 0, 2], 40000u16, 1935u16)
        } else {
            ([10, 0, 0, 2], [10, 0, 0, 1], 1935, 40000)
        };
        let total = 40 + payload.len();
        let mut p = vec![
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ];
        p.extend(src);
        p.extend(dst);
        p.extend(sport.to_be_bytes());
        p.extend(dport.to_be_bytes());
        p.extend(self.seq[side].to_be_bytes());
        p.extend(self.seq[1 - side].to_be_bytes());
        p.extend([
            0x50,
            flags | (0x10 * u8::from(flags != 0x02)),
            0xff,
            0xff,
            0,
            0,
            0,
            0,
        ]);
        p.extend(payload);
        self.seq[side] = self.seq[side].wrapping_add(payload.len() as u32);
        self.usec += 1000;
        self.out.extend(1_800_000_000u32.to_le_bytes());
        self.out.extend(self.usec.to_le_bytes());
        self.out.extend((p.len() as u32).to_le_bytes());
        self.out.extend((p.len() as u32).to_le_bytes());
        self.out.extend(p);
    }

    fn data(&mut self, side: usize, payload: &[u8]) {
        for piece in payload.chunks(1400) {
            self.segment(side, 0x18, piece);
        }
    }

    /// Simple handshake.
    fn handshake(&mut self) {
        let mut c0c1 = vec![3u8];
        c0c1.extend(vec![0u8; 1536]);
        self.data(0, &c0c1);
        let mut s0s1s2 = vec![3u8];
        s0s1s2.extend(vec![0u8; 3072]);
        self.data(1, &s0s1s2);
        self.data(0, &[0u8; 1536]);
    }

    fn finish(mut self) -> Vec<u8> {
        self.segment(0, 0x11, &[]); // FIN
        self.seq[0] += 1;
        self.segment(1, 0x11, &[]);
        self.out
    }
}

/// One RTMP message in a single fmt 0 chunk on chunk stream 4 (body ≤ 128 bytes).
fn message(type_id: u8, timestamp: u32, msid: u32, body: &[u8]) -> Vec<u8> {
    assert!(body.len() <= 128);
    let mut m = vec![0x04];
    m.extend(&timestamp.to_be_bytes()[1..]);
    m.extend(&(body.len() as u32).to_be_bytes()[1..]);
    m.push(type_id);
    m.extend(msid.to_le_bytes());
    m.extend(body);
    m
}

/// An FLV tag inside an aggregate: header, data, back pointer.
fn sub_tag(type_id: u8, timestamp: u32, data: &[u8]) -> Vec<u8> {
    let mut t = vec![type_id];
    t.extend(&(data.len() as u32).to_be_bytes()[1..]);
    t.extend(&timestamp.to_be_bytes()[1..]);
    t.push((timestamp >> 24) as u8);
    t.extend([0, 0, 0]);
    t.extend(data);
    t.extend((11 + data.len() as u32).to_be_bytes());
    t
}

const KEYFRAME: &[u8] = &[0x17, 0x01, 0, 0, 0, 0xaa, 0xbb];
const AUDIO: &[u8] = &[0xaf, 0x01, 0x21, 0x22];
const INTER: &[u8] = &[0x27, 0x01, 0, 0, 0, 0xcc];

fn capture_with_aggregate() -> Vec<u8> {
    let mut b = PcapBuilder::new();
    b.handshake();
    // @setDataFrame("onMetaData", {}) at 0, a keyframe at 4900, then an aggregate whose tags
    // are at 1000 and 1033 of their own clock: 5000 and 5033 on the message's.
    let mut meta = b"\x02\x00\x0d@setDataFrame\x02\x00\x0aonMetaData".to_vec();
    meta.extend([0x08, 0, 0, 0, 0, 0, 0, 0x09]);
    let mut aggregate = sub_tag(8, 1000, AUDIO);
    aggregate.extend(sub_tag(9, 1033, INTER));
    let mut stream = message(18, 0, 1, &meta);
    stream.extend(message(9, 4900, 1, KEYFRAME));
    stream.extend(message(22, 5000, 1, &aggregate));
    b.data(0, &stream);
    b.finish()
}

/// (type, timestamp, data) of each tag.
fn tags(flv: &[u8]) -> Vec<(u8, u32, Vec<u8>)> {
    let mut out = Vec::new();
    let mut pos = 13;
    while pos + 11 <= flv.len() {
        let h = &flv[pos..pos + 11];
        let size = u32::from_be_bytes([0, h[1], h[2], h[3]]) as usize;
        let ts = u32::from_be_bytes([h[7], h[4], h[5], h[6]]);
        out.push((h[0], ts, flv[pos + 11..pos + 11 + size].to_vec()));
        pos += 15 + size;
    }
    out
}

#[test]
fn aggregates_are_split_and_timestamps_rebased() {
    let capture = capture_with_aggregate();
    let mut flv = Vec::new();
    let summary = write_flv(&capture, 0, 1, &ExportOptions::default(), &mut flv).expect("export");
    assert_eq!(
        flv[4], 0x05,
        "audio and video flags from the aggregate's tags"
    );
    let t = tags(&flv);
    let onmeta = b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x00\x00\x00\x09".to_vec();
    assert_eq!(
        t,
        vec![
            (18, 0, onmeta),
            (9, 0, KEYFRAME.to_vec()),
            (8, 100, AUDIO.to_vec()),
            (9, 133, INTER.to_vec()),
        ]
    );
    assert_eq!(
        (summary.video_tags, summary.audio_tags, summary.script_tags),
        (2, 1, 1)
    );
    assert_eq!((summary.first_timestamp, summary.last_timestamp), (0, 133));
}

#[test]
fn a_message_cut_by_the_end_of_the_capture_is_refused_or_left_out() {
    let mut b = PcapBuilder::new();
    b.handshake();
    let mut stream = message(9, 0, 1, KEYFRAME);
    // A 100-byte video message of which only 20 body bytes are in the capture.
    let cut = message(9, 40, 1, &[0x27; 100]);
    stream.extend(&cut[..12 + 20]);
    b.data(0, &stream);
    let capture = b.out; // no FIN: the capture just stops
    let error = write_flv(&capture, 0, 1, &ExportOptions::default(), Vec::new())
        .expect_err("incomplete message");
    assert!(
        matches!(
            error,
            ExportError::MissingData {
                damaged: 1,
                total: 2,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.to_string().contains("1 of 2 messages"), "{error}");
    let mut flv = Vec::new();
    let options = ExportOptions {
        allow_damaged: true,
    };
    let summary = write_flv(&capture, 0, 1, &options, &mut flv).expect("allowed");
    assert_eq!((summary.video_tags, summary.skipped_damaged), (1, 1));
    assert_eq!(flv[4], 0x01, "video only");
    assert_eq!(tags(&flv), vec![(9, 0, KEYFRAME.to_vec())]);
}

#[test]
fn cli_export_writes_the_file_and_cleans_up_on_error() {
    let dir = std::env::temp_dir().join(format!("rtmpscope-export-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let capture = dir.join("aggregate.pcap");
    std::fs::write(&capture, capture_with_aggregate()).expect("write capture");
    let flv = dir.join("out.flv");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_rtmpscope"))
            .args(args)
            .output()
            .expect("run rtmpscope")
    };
    let (capture_arg, flv_arg) = (capture.to_str().expect("path"), flv.to_str().expect("path"));
    // One stream in the capture: --conn and --stream may be left out.
    let out = run(&["export", capture_arg, "-o", flv_arg]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("2 video, 1 audio, 1 script tags"),
        "{stdout}"
    );
    assert_eq!(tags(&std::fs::read(&flv).expect("flv")).len(), 4);
    // To standard output.
    let out = run(&[
        "export",
        capture_arg,
        "--conn",
        "0",
        "--stream",
        "1",
        "-o",
        "-",
    ]);
    assert!(out.status.success());
    assert_eq!(&out.stdout[..3], b"FLV");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("wrote -"));
    // A stream that does not exist: exit 2, one line, no file left behind.
    std::fs::remove_file(&flv).expect("rm");
    let out = run(&[
        "export",
        capture_arg,
        "--conn",
        "0",
        "--stream",
        "5",
        "-o",
        flv_arg,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("no audio, video or data on message stream 5"),
        "{err}"
    );
    assert!(err.contains("streams with media: conn 0 stream 1"), "{err}");
    assert!(!flv.exists());
    // Not a capture.
    let out = run(&[
        "export",
        common::data("README.md").to_str().expect("p"),
        "-o",
        flv_arg,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!flv.exists());
    let _ = std::fs::remove_dir_all(dir);
}

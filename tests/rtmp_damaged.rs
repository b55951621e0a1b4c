//! Captures where Wireshark is wrong (tests/data/README.md): assert what is right instead.
#![allow(clippy::unwrap_used)]

mod common;

use rtmpscope::rtmp::MessageBody;
use rtmpscope::Report;

fn analyze(name: &str) -> Report {
    rtmpscope::analyze_path(&common::data(name)).expect("capture analyzes")
}

/// (dir, type id, msid, csid, length, command name) of every non-media message.
fn control_plane(report: &Report) -> Vec<(String, u8, u32, u32, u32, Option<String>)> {
    let mut rows: Vec<_> = report
        .messages
        .iter()
        .filter(|r| !matches!(r.message.type_id, 8 | 9))
        .map(|r| {
            let m = &r.message;
            let name = match &m.body {
                MessageBody::Command(c) => Some(c.name.clone()),
                _ => None,
            };
            (
                m.dir.as_str().to_string(),
                m.type_id,
                m.msid,
                m.csid,
                m.length,
                name,
            )
        })
        .collect();
    // Directions complete independently; compare each direction's order.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows
}

/// snaplen 200: the same publish as nginx-ffmpeg-publish.pcap (same ffmpeg, same server), with
/// every payload cut at 200 bytes. Wireshark loses sync and prints garbage; the right answer is
/// every control and command message of the publish, the cut ones marked damaged, and nothing
/// invented.
#[test]
fn snap200_decodes_what_fits_and_invents_nothing() {
    let cut = analyze("nginx-ffmpeg-publish-snap200.pcap");
    let whole = analyze("nginx-ffmpeg-publish.pcap");
    assert_eq!(control_plane(&cut), control_plane(&whole));

    let session = &cut.sessions[0];
    let handshake = session.handshake.as_ref().expect("handshake");
    assert!(handshake.missing_bytes > 0, "the handshake was cut too");
    let stream = session
        .streams
        .iter()
        .find(|s| s.msid == 1)
        .expect("stream 1");
    assert_eq!(stream.name.as_deref(), Some("stream"));
    assert_eq!(
        stream.status_codes,
        ["NetStream.Publish.Start", "NetStream.Unpublish.Success"]
    );

    // connect (139 bytes) and @setDataFrame (309 bytes) do not fit in 200-byte packets: they
    // are reported damaged with the number of missing bytes, never silently completed.
    for r in &cut.messages {
        let m = &r.message;
        if m.damaged {
            assert!(m.missing_bytes > 0);
        }
        if let MessageBody::Command(c) = &m.body {
            if c.name == "connect" {
                assert!(m.damaged, "connect lost bytes to the snap length");
            }
        }
        if matches!(m.type_id, 8 | 9) {
            assert_eq!(m.msid, 1, "media only on the published stream");
        }
    }
    assert!(cut.diagnostics.iter().any(|d| d.code.contains("gap")));
}

/// TCP segments from the client whose captured payload is one whole fmt 1 chunk header on
/// chunk stream 4 (audio) or 6 (video): ffmpeg writes a message's first chunk header in a write
/// of its own, so each such 8-byte segment starts a message. Read from the pcap bytes directly.
fn header_only_segments(pcap: &[u8]) -> (usize, usize) {
    let (mut audio, mut video) = (0, 0);
    let mut pos = 24;
    while pos + 16 <= pcap.len() {
        let incl = u32::from_le_bytes(pcap[pos + 8..pos + 12].try_into().unwrap()) as usize;
        let frame = &pcap[pos + 16..pos + 16 + incl];
        pos += 16 + incl;
        let ip = &frame[14..];
        let ihl = usize::from(ip[0] & 15) * 4;
        let total = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
        let tcp = &ip[ihl..];
        let dport = u16::from_be_bytes([tcp[2], tcp[3]]);
        let doff = usize::from(tcp[12] >> 4) * 4;
        if dport != 1935 || total - ihl - doff != 8 {
            continue;
        }
        let head = &tcp[doff..doff + 8];
        match (head[0], head[7]) {
            (0x44, 8) => audio += 1,
            (0x46, 9) => video += 1,
            _ => {}
        }
    }
    (audio, video)
}

/// snaplen 200, media: each segment's first 134 payload bytes are in the capture. A chain of
/// chunk headers is followed across the cut-off parts (their lengths are known from the TCP
/// sequence numbers), so every message whose first header was captured comes out, damaged,
/// with its stream, type, timestamp delta and tag header; none is invented.
#[test]
fn snap200_recovers_the_media_whose_headers_were_captured() {
    let path = common::data("nginx-ffmpeg-publish-snap200.pcap");
    let (audio_heads, video_heads) = header_only_segments(&std::fs::read(&path).unwrap());
    assert!(
        audio_heads > 150 && video_heads > 90,
        "{audio_heads} {video_heads}"
    );
    let cut = analyze("nginx-ffmpeg-publish-snap200.pcap");
    let whole = analyze("nginx-ffmpeg-publish.pcap");
    let media = |r: &Report, t: u8| {
        r.messages
            .iter()
            .map(|m| &m.message)
            .filter(|m| m.type_id == t)
            .count()
    };
    let (audio, video) = (media(&cut, 8), media(&cut, 9));
    // At least one per header-only segment (a few more start inside captured heads), at most
    // what the same publish sent when captured whole (218 audio, 152 video).
    assert!(
        (audio_heads..=media(&whole, 8)).contains(&audio),
        "{audio} audio ({audio_heads} header-only segments)"
    );
    assert!(
        (video_heads..=media(&whole, 9)).contains(&video),
        "{video} video ({video_heads} header-only segments)"
    );
    // Timestamp deltas are ffmpeg's frame durations (23/24 ms AAC, 33/34 ms video at 30 fps),
    // but for the first audio message (44 ms after the AAC sequence header, as in the whole
    // capture).
    let mut odd_deltas = 0;
    for r in &cut.messages {
        let m = &r.message;
        match &m.body {
            MessageBody::Audio(a) => {
                assert_eq!((m.msid, m.csid), (1, 4));
                assert_eq!((a.sound_format, a.stereo), (10, Some(true)), "AAC");
                assert!(m.length < 2000, "{m:?}");
                odd_deltas += usize::from(m.timestamp_delta.is_some_and(|d| d > 24));
            }
            MessageBody::Video(v) => {
                assert_eq!((m.msid, m.csid), (1, 6));
                assert_eq!(v.codec_id, Some(7), "AVC");
                odd_deltas += usize::from(m.timestamp_delta.is_some_and(|d| d > 34));
            }
            // Media whose body was not captured at all has no tag header to show.
            MessageBody::Invalid { .. } => {
                assert!(matches!(m.type_id, 8 | 9) && m.damaged, "{m:?}")
            }
            _ => assert!(!matches!(m.type_id, 8 | 9)),
        }
        if m.damaged {
            assert!(m.missing_bytes > 0);
        }
    }
    assert!(odd_deltas <= 1, "{odd_deltas}");
    // The per-stream counts agree with the messages.
    let stream = cut.sessions[0]
        .streams
        .iter()
        .find(|s| s.msid == 1)
        .unwrap();
    assert_eq!(
        (stream.audio_messages, stream.video_messages),
        (audio as u64, video as u64)
    );
}

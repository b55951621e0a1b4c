//! The capture generator (`rtmpscope::synth`): what it writes is what rtmpscope reads back,
//! message for message, with nothing to complain about.

use rtmpscope::analysis::{MessageRecord, Protocol, StreamRole};
use rtmpscope::rtmp::{Dir, MessageBody};
use rtmpscope::synth::{generate, SynthConfig, SynthMessage, SynthSummary};
use rtmpscope::{analyze_bytes, AnalyzerOptions, Report};

fn config(duration_ms: u64) -> SynthConfig {
    SynthConfig {
        duration_ms,
        record_messages: true,
        ..SynthConfig::default()
    }
}

fn analyze(bytes: &[u8]) -> Report {
    analyze_bytes(bytes, AnalyzerOptions::default()).expect("a capture")
}

fn as_written(r: &MessageRecord) -> SynthMessage {
    let m = &r.message;
    SynthMessage {
        dir: m.dir,
        csid: m.csid,
        msid: m.msid,
        type_id: m.type_id,
        timestamp: m.timestamp,
        length: m.length,
        fmt: m.fmt,
        chunks: m.chunks,
    }
}

/// The report has exactly the generator's messages, no diagnostics, one clean connection.
fn assert_reads_back(bytes: &[u8], summary: &SynthSummary) -> Report {
    let report = analyze(bytes);
    assert!(
        report.diagnostics.is_empty(),
        "diagnostics: {:#?}",
        report.diagnostics
    );
    assert_eq!(report.capture.summary.packets, summary.packets);
    assert_eq!(report.capture.summary.file_bytes, summary.file_bytes);
    assert_eq!(report.connections.len(), 1);
    let conn = &report.connections[0];
    assert_eq!(conn.protocol, Protocol::Rtmp);
    assert!(conn.tcp.syn_seen);
    for side in [&conn.tcp.c2s, &conn.tcp.s2c] {
        assert_eq!(side.gaps, 0);
        assert_eq!(side.retransmitted_segments + side.out_of_order_segments, 0);
        assert!(side.fin && side.closed.is_some());
    }
    assert_eq!(conn.tcp.c2s.stream_bytes, summary.stream_bytes[0]);
    assert_eq!(conn.tcp.s2c.stream_bytes, summary.stream_bytes[1]);
    let got: Vec<SynthMessage> = report.messages.iter().map(as_written).collect();
    assert_eq!(got.len(), summary.log.len());
    for (i, (g, w)) in got.iter().zip(&summary.log).enumerate() {
        assert_eq!(g, w, "message {i}");
    }
    assert!(report.messages.iter().all(|r| !r.message.damaged));
    report
}

#[test]
fn a_ten_second_publish_reads_back_exactly() {
    let (bytes, summary) = generate(&config(10_000));
    let report = assert_reads_back(&bytes, &summary);

    // 30 fps for 10 s, AAC frames of 1024 samples at 44.1 kHz, one onFI per 5 s.
    assert_eq!(summary.video_frames, 300);
    assert_eq!(summary.keyframes, 5);
    assert_eq!(summary.audio_frames, 431);
    assert_eq!(summary.last_video_timestamp, 9967);
    assert_eq!(summary.last_audio_timestamp, 9985);
    // connect, releaseStream, FCPublish, createStream, publish, FCUnpublish, deleteStream
    // from the client; 2 × _result and 2 × onStatus from the server.
    assert_eq!(summary.by_type.get(&20), Some(&11));
    // onMetaData + onFI at 5 s.
    assert_eq!(summary.by_type.get(&18), Some(&2));
    // 300 frames + sequence header + end of sequence; 431 + sequence header.
    assert_eq!(summary.by_type.get(&9), Some(&302));
    assert_eq!(summary.by_type.get(&8), Some(&432));
    assert_eq!(summary.messages, report.messages.len() as u64);

    let session = &report.sessions[0];
    assert_eq!(session.app.as_deref(), Some("live"));
    let handshake = session.handshake.as_ref().expect("handshake");
    assert!(handshake.client_digest.is_some() && handshake.server_digest.is_some());
    assert_eq!(handshake.c2_signature_ok, Some(true));
    assert_eq!(handshake.s2_signature_ok, Some(true));
    let stream = session.stream(1).expect("stream 1");
    assert_eq!(stream.name.as_deref(), Some("stream"));
    assert_eq!(stream.role, Some(StreamRole::Publish));
    assert_eq!(stream.video_messages, 302);
    assert_eq!(stream.audio_messages, 432);
    assert_eq!(
        stream.status_codes,
        ["NetStream.Publish.Start", "NetStream.Unpublish.Success"]
    );
    let data_bytes: u64 = summary
        .log
        .iter()
        .filter(|m| m.type_id == 18)
        .map(|m| u64::from(m.length))
        .sum();
    assert_eq!(stream.media_bytes, summary.media_bytes + data_bytes);
    let keyframes = report
        .messages
        .iter()
        .filter(|r| matches!(&r.message.body, MessageBody::Video(v) if v.keyframe && !v.sequence_header && v.packet_type == Some(1)))
        .count();
    assert_eq!(keyframes as u64, summary.keyframes);
    let names: Vec<&str> = report
        .messages
        .iter()
        .filter_map(|r| r.message.command().map(|c| c.name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            "connect",
            "_result",
            "releaseStream",
            "FCPublish",
            "createStream",
            "_result",
            "publish",
            "onStatus",
            "FCUnpublish",
            "deleteStream",
            "onStatus"
        ]
    );
}

#[test]
fn segment_size_changes_the_packets_not_the_messages() {
    let ethernet = generate(&config(3_000));
    let loopback = generate(&SynthConfig {
        mss: SynthConfig::LOOPBACK_MSS,
        ..config(3_000)
    });
    assert!(loopback.1.packets * 3 < ethernet.1.packets);
    assert_eq!(ethernet.1.log, loopback.1.log);
    assert_reads_back(&loopback.0, &loopback.1);
}

#[test]
fn the_seed_decides_every_byte() {
    let a = generate(&config(1_000)).0;
    assert_eq!(a, generate(&config(1_000)).0);
    let other = generate(&SynthConfig {
        seed: 2,
        ..config(1_000)
    })
    .0;
    assert_ne!(a, other);
}

#[test]
fn a_size_limit_ends_the_media_early_and_cleanly() {
    let limit = 3 << 20;
    let (bytes, summary) = generate(&SynthConfig {
        duration_ms: u64::MAX / 4,
        max_bytes: Some(limit),
        ..config(0)
    });
    assert!(bytes.len() as u64 >= limit && (bytes.len() as u64) < limit + (1 << 20));
    assert_eq!(bytes.len() as u64, summary.file_bytes);
    let report = assert_reads_back(&bytes, &summary);
    let last = report.messages.last().expect("messages");
    assert_eq!(
        last.message.command().map(|c| c.name.as_str()),
        Some("onStatus")
    );
}

#[test]
fn the_server_acknowledges_each_window() {
    let window = 200_000;
    let (bytes, summary) = generate(&SynthConfig {
        ack_window: window,
        ..config(4_000)
    });
    let report = assert_reads_back(&bytes, &summary);
    let acks: Vec<&MessageRecord> = report
        .messages
        .iter()
        .filter(|r| r.message.type_id == 3)
        .collect();
    assert!(!acks.is_empty());
    assert!(acks.iter().all(|r| r.message.dir == Dir::S2C));
    // Each acknowledgement comes after at least one more window of client bytes.
    let expected = summary.stream_bytes[0] / u64::from(window);
    assert!(acks.len() as u64 <= expected && acks.len() as u64 + 2 >= expected);
}

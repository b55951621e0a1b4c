//! Memory budgets on hostile input, measured with a heap-counting allocator (per test thread).
//! Each test states the budget the library documents and checks the peak heap against it.
#![allow(clippy::unwrap_used)]

mod robust_support;
mod rtmp_support;

use robust_support::*;
use rtmpscope::analysis::Protocol;
use rtmpscope::rtmp::header::encode_chunk_header;
use rtmpscope::rtmp::{ChunkStreamDemuxer, Dir, Origin, RtmpConfig};
use rtmpscope::{Analyzer, AnalyzerOptions};

#[global_allocator]
static ALLOC: CountingAllocator = CountingAllocator;

const MB: usize = 1 << 20;

/// `n` tiny connections, each SYN / SYN-ACK / 10 bytes of data / FIN / FIN, fed to an
/// analyzer in pieces as they are generated (the capture never exists whole).
fn tiny_connections(n: u32) -> (rtmpscope::Report, usize, usize) {
    let base = reset_peak();
    let mut analyzer = Analyzer::new(AnalyzerOptions::default());
    let mut w = PcapWriter::new(65535);
    let mut usec = 0;
    for i in 0..n {
        let port = 1024 + (i % 60000) as u16;
        let ip = [10, 1 + (i / 60000 / 250) as u8, (i / 60000 % 250) as u8, 1];
        let c = (ip, port);
        let s = (SERVER, 1935);
        w.tcp(usec, c, s, 100, 0, SYN, &[]);
        w.tcp(usec + 1, s, c, 500, 101, SYN | ACK, &[]);
        w.tcp(usec + 2, c, s, 101, 501, PSH_ACK, b"GET / HTTP");
        w.tcp(usec + 3, c, s, 111, 501, FIN_ACK, &[]);
        w.tcp(usec + 4, s, c, 501, 112, FIN_ACK, &[]);
        usec += 10;
        if w.out.len() > 1 << 16 {
            analyzer.feed(&w.take()).unwrap();
        }
    }
    analyzer.feed(&w.take()).unwrap();
    let before_finish = heap_now() - base;
    let report = analyzer.finish().unwrap();
    (report, before_finish.max(0) as usize, heap_peak_since(base))
}

/// Per connection, what stays while the capture is read: its TCP stats (344 bytes, which the
/// report's connection entry copies), its 4-tuple in the lookup table (late retransmissions must
/// find it), its slot and protocol verdict; plus the growth slack of those tables. RTMP decoder
/// state is freed when both directions close, and a non-RTMP verdict adds no diagnostic.
const BUDGET_PER_CONNECTION: usize = 640;

#[test]
fn many_tiny_connections_cost_only_what_the_report_holds() {
    check_tiny_connections(100_000);
}

/// The same with a million connections (5 million packets): about 100 s in a debug build, so
/// run on demand: `cargo test --release --test robust_memory -- --ignored`.
#[test]
#[ignore]
fn a_million_tiny_connections() {
    check_tiny_connections(1_000_000);
}

fn check_tiny_connections(n: u32) {
    let (report, held, peak) = tiny_connections(n);
    assert_eq!(report.connections.len(), n as usize);
    assert!(report
        .connections
        .iter()
        .all(|c| c.protocol == Protocol::NotRtmp));
    let per_conn = held / n as usize;
    eprintln!(
        "{n} connections: {held} bytes held before finish ({per_conn}/connection), peak {peak}"
    );
    assert!(
        per_conn <= BUDGET_PER_CONNECTION,
        "{per_conn} bytes per connection"
    );
    // The report itself (the connection list) is most of it; building it at most doubles it.
    assert!(peak <= 2 * held + 8 * MB, "peak {peak}, held {held}");
}

#[test]
fn sixty_five_thousand_chunk_streams_declaring_16_mb() {
    // Every chunk stream id, each opening a 16 MB video message and a 4 MB data message:
    // chunk-stream state is bounded by the id space, bodies by max_buffered.
    const BUDGET_PER_CHUNK_STREAM: usize = 600;
    let config = RtmpConfig::default();
    let mut bytes = Vec::new();
    for csid in 3..=65599u32 {
        let (type_id, len) = if csid % 2 == 0 {
            (9, 0xff_ffff)
        } else {
            (18, 4 << 20)
        };
        encode_chunk_header(0, csid, 0, len, type_id, 1, None, &mut bytes);
        // A sequence-header prefix makes the demuxer want to keep up to 64 KB of each.
        bytes.extend([0x17, 0, 0, 0, 0]);
        bytes.extend([2; 123]);
    }
    let base = reset_peak();
    let mut d = ChunkStreamDemuxer::new(Dir::C2S, config.clone());
    let mut messages = 0;
    for (i, piece) in bytes.chunks(1460).enumerate() {
        d.feed(
            piece,
            Origin::new(i as u64, Default::default(), 0, None),
            &mut |_| {},
        );
    }
    assert_eq!(d.chunk_stream_count(), 65597);
    assert!(d.buffered_bytes() <= config.max_buffered);
    let peak = heap_peak_since(base);
    d.finish(Origin::default(), &mut |_| messages += 1);
    assert!(messages >= 65597);
    let budget = config.max_buffered + 65597 * BUDGET_PER_CHUNK_STREAM;
    eprintln!(
        "65597 chunk streams: peak {peak} bytes (budget {budget}), buffered {}",
        d.buffered_bytes()
    );
    assert!(peak <= budget, "peak {peak} > {budget}");
}

#[test]
fn records_of_the_largest_allowed_size_are_buffered_once() {
    // pcapng: an interface, then Enhanced Packet Blocks of 16 MiB (the largest record the
    // reader takes), fed in 4 KB pieces: the reader holds one record at a time.
    let mut ng = pcapng_start(0);
    let payload_len = rtmpscope::capture::MAX_RECORD_LEN as usize - 64;
    for _ in 0..3 {
        pcapng_epb(&mut ng, payload_len as u32, &vec![0x45; payload_len]);
    }
    let base = reset_peak();
    let mut analyzer = Analyzer::new(AnalyzerOptions::default());
    for piece in ng.chunks(4096) {
        analyzer.feed(piece).unwrap();
    }
    let report = analyzer.finish().unwrap();
    let peak = heap_peak_since(base);
    assert_eq!(report.capture.summary.packets, 3);
    let budget = rtmpscope::capture::MAX_RECORD_LEN as usize + MB;
    eprintln!("three 16 MiB records: peak {peak} (budget {budget})");
    assert!(peak <= budget, "peak {peak}");
}

#[test]
fn deep_and_self_referencing_amf_bodies_stay_small() {
    use rtmpscope::rtmp::message::decode_body;
    // AMF0: a command whose argument is 100 000 nested strict arrays.
    let mut deep = vec![2, 0, 4];
    deep.extend(b"deep");
    deep.extend([0, 0, 0, 0, 0, 0, 0, 0, 0, 5]);
    for _ in 0..100_000 {
        deep.extend([0x0a, 0, 0, 0, 1]);
    }
    // AMF3: an object whose member is a reference to itself, then many references to it.
    let mut cyclic = vec![0, 2, 0, 1, b'x', 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0x11];
    cyclic.extend([0x0a, 0x0b, 0x01, 0x03, b'a', 0x0a, 0x00, 0x01]);
    for _ in 0..100_000 {
        cyclic.extend([0x0a, 0x00]);
    }
    // AMF0 data of one-byte values (null): each becomes a value in the report.
    let mut nulls = vec![2, 0, 1, b'x'];
    nulls.extend(vec![5; 100_000]);
    for (type_id, body) in [(20u8, &deep), (17, &cyclic), (18, &nulls)] {
        let base = reset_peak();
        let (decoded, _) = decode_body(type_id, body, 0);
        let peak = heap_peak_since(base);
        eprintln!("type {type_id}: {} body bytes, peak {peak}", body.len());
        assert!(peak <= 8 * MB, "type {type_id}: peak {peak}");
        drop(decoded);
    }
}

#[test]
fn one_byte_messages_are_counted_past_the_report_cap() {
    // A zero-length audio message on chunk stream 4, then a million 1-byte fmt 3 headers, each a
    // new zero-length message: a million messages from 1 MB.
    let mut chunks = Vec::new();
    encode_chunk_header(0, 4, 0, 0, 8, 1, None, &mut chunks);
    chunks.extend(vec![0xc4; 1_000_000]);
    let pcap = rtmp_capture(&chunks, 60_000, 1000);
    let max_messages = 10_000;
    let options = AnalyzerOptions {
        rtmp: RtmpConfig {
            max_messages,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    };
    let base = reset_peak();
    let report = rtmpscope::analyze_bytes(&pcap, options).unwrap();
    let peak = heap_peak_since(base);
    assert_eq!(report.messages.len(), max_messages);
    assert_eq!(report.sessions[0].messages, 1_000_001);
    assert!(report
        .diagnostics
        .iter()
        .any(|d| d.code == "report.messages_capped"));
    let budget = max_messages * 512 + 4 * MB;
    eprintln!("1 000 001 messages, {max_messages} kept: peak {peak} (budget {budget})");
    assert!(peak <= budget, "peak {peak}");
}

/// Found while writing these tests, in code this helper does not own (src/analysis/series.rs,
/// session.rs): every message stream id gets a bitrate series of up to 100 000 one-second
/// buckets (32 bytes each) over capture time, and a session may have any number of streams.
/// 40 one-byte audio messages on 40 stream ids, spread over 27 hours of capture time, take
/// ~60 MB here; 65 536 stream ids over the same span would ask for ~200 GB from a few MB of
/// capture. Ignored until the series have a shared budget.
#[test]
#[ignore = "bitrate series are not bounded per session yet (src/analysis/series.rs)"]
fn many_streams_over_a_long_capture_stay_bounded() {
    let streams = 40u32;
    let mut chunks = Vec::new();
    for msid in 1..=streams {
        encode_chunk_header(0, 4, 0, 2, 8, msid, None, &mut chunks);
        chunks.extend([0xaf, 1]);
    }
    // One message per segment, the segments spread over 27 hours.
    let step = 27 * 3600 * 1_000_000 / u64::from(streams);
    let pcap = rtmp_capture(&chunks, 14, step);
    let base = reset_peak();
    let report = rtmpscope::analyze_bytes(&pcap, AnalyzerOptions::default()).unwrap();
    let peak = heap_peak_since(base);
    eprintln!("{streams} streams over 27 h: peak {peak}");
    assert_eq!(report.sessions[0].streams.len(), streams as usize);
    assert!(peak <= 16 * MB, "peak {peak}");
}

#[test]
fn many_connections_share_one_budget() {
    // 40 connections, interleaved, each with an AMF0 data message declared at 4 MB of which 1 MB
    // arrives: 40 MB of unfinished bodies the decoders would keep, each within its own limits.
    // Past the shared budget the connection that grows sheds its body.
    let conns = 40u16;
    let mut w = PcapWriter::new(65535);
    let mut seqs = vec![1000u32; usize::from(conns)];
    let mut usec = 0;
    let client = |i: u16| (CLIENT, 40000 + i);
    let s = (SERVER, 1935);
    let mut handshake = vec![3];
    handshake.extend(vec![0; 1536]);
    let mut s0s1s2 = vec![3];
    s0s1s2.extend(vec![0; 3072]);
    let mut header = vec![0; 1536];
    encode_chunk_header(0, 2, 0, 4, 1, 0, None, &mut header);
    header.extend(0x7fff_ffffu32.to_be_bytes());
    encode_chunk_header(0, 3, 0, 4 << 20, 18, 1, None, &mut header);
    // A long string that fills the body: what is kept decodes to one value of its size.
    header.extend([2, 0, 10]);
    header.extend(b"onMetaData");
    header.push(0x0c);
    header.extend(((4u32 << 20) - 18).to_be_bytes());
    for i in 0..conns {
        w.tcp(usec, client(i), s, 999, 0, SYN, &[]);
        w.tcp(usec, s, client(i), 4999, 1000, SYN | ACK, &[]);
        w.tcp(usec, client(i), s, 1000, 5000, PSH_ACK, &handshake);
        w.tcp(usec, s, client(i), 5000, 2537, PSH_ACK, &s0s1s2);
        w.tcp(usec, client(i), s, 2537, 8073, PSH_ACK, &header);
        seqs[usize::from(i)] = 2537 + header.len() as u32;
        usec += 1;
    }
    let filler = vec![b'A'; 8192];
    let mut pieces = Vec::new();
    for _ in 0..128 {
        for i in 0..conns {
            let seq = &mut seqs[usize::from(i)];
            w.tcp(usec, client(i), s, *seq, 8073, PSH_ACK, &filler);
            *seq += filler.len() as u32;
            usec += 1;
        }
        pieces.push(w.take());
    }
    let max_held = 8 * MB;
    let options = AnalyzerOptions {
        rtmp: RtmpConfig {
            max_held_total: max_held,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    };
    let base = reset_peak();
    let mut analyzer = Analyzer::new(options);
    for piece in &pieces {
        analyzer.feed(piece).unwrap();
    }
    let report = analyzer.finish().unwrap();
    let peak = heap_peak_since(base);
    let data: Vec<_> = report
        .messages
        .iter()
        .filter(|m| m.message.type_id == 18)
        .collect();
    assert_eq!(data.len(), usize::from(conns));
    // Together they stay within the budget: the connections that grew past it gave up their
    // bodies (kept as a prefix, marked truncated); the rest fit.
    assert!(data.iter().all(|m| m.message.damaged));
    let shed = data.iter().filter(|m| m.message.truncated).count();
    assert!(shed >= usize::from(conns) / 2, "{shed}");
    eprintln!(
        "{conns} connections x 1 MB of unfinished body: peak {peak} (shared budget {max_held})"
    );
    // Held bodies (with their growth slack), plus what the report keeps of the unshed ones.
    assert!(peak <= 3 * max_held + 4 * MB, "peak {peak}");
}

#[test]
fn decoded_amf_values_share_one_budget() {
    // 60 data messages of 64 KB, each a name then AMF0 nulls: one byte of body becomes a value
    // of some 60 bytes in the report, ~4 MB per message decoded freely.
    let mut w = rtmp_support::ChunkWriter::new();
    w.set_chunk_size(65536);
    let mut body = vec![2, 0, 10];
    body.extend(b"onMetaData");
    body.extend(vec![5; 64 << 10]);
    for _ in 0..60 {
        w.message(0, 4, 0, 18, 1, &body, None);
    }
    let pcap = rtmp_capture(&w.out, 60_000, 1000);
    let max_amf_total = 16 * MB;
    let options = AnalyzerOptions {
        rtmp: RtmpConfig {
            max_amf_total,
            ..RtmpConfig::default()
        },
        ..AnalyzerOptions::default()
    };
    let base = reset_peak();
    let report = rtmpscope::analyze_bytes(&pcap, options).unwrap();
    let peak = heap_peak_since(base);
    let data: Vec<_> = report
        .messages
        .iter()
        .filter_map(|m| match &m.message.body {
            rtmpscope::rtmp::MessageBody::Data(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(data.len(), 60);
    // The first ones decode whole, the later ones as far as the allowance reaches: the name
    // is there, and the error says why the rest is not.
    assert!(data[0].error.is_none());
    let last = data[59];
    assert_eq!(last.values[0].as_str(), Some("onMetaData"));
    assert!(last.error.is_some());
    let heap: usize = report
        .messages
        .iter()
        .map(|m| rtmpscope::rtmp::decode_budget::body_heap(&m.message.body))
        .sum();
    eprintln!("60 x 64 KB of AMF nulls: decoded {heap} (budget {max_amf_total}), peak {peak}");
    assert!(heap <= max_amf_total + 60 * rtmpscope::rtmp::decode_budget::SPENT_ALLOWANCE + 8 * MB);
    assert!(peak <= 2 * max_amf_total + 16 * MB, "peak {peak}");
}

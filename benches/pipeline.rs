//! Criterion benchmarks of each pipeline stage and the whole analysis, on a generated publish
//! capture (`rtmpscope::synth`): capture reading, TCP reassembly, chunk demultiplexing, AMF
//! decoding, and `analyze_bytes`. Throughput is in bytes of input per stage.
//!
//! `cargo bench --bench pipeline` measures; under `cargo test` each benchmark runs once on a
//! smaller capture.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rtmpscope::amf::{decode_message_body, AmfLimits};
use rtmpscope::capture::{read_bytes, CaptureReader};
use rtmpscope::net::{decode_tcp, TcpSegment};
use rtmpscope::rtmp::{ChunkStreamDemuxer, DemuxEvent, Dir, Origin, RtmpConfig};
use rtmpscope::synth::{generate, SynthConfig};
use rtmpscope::tcp::{Direction, FlowEvent, FlowTable, PacketMeta, TcpConfig};
use rtmpscope::{analyze_bytes, AnalyzerOptions};

/// RTMP handshake bytes at the start of the client's stream (C0+C1+C2).
const CLIENT_HANDSHAKE: usize = 1 + 2 * 1536;

fn capture() -> Vec<u8> {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let config = SynthConfig {
        duration_ms: if benchmarking { 10_000 } else { 1_000 },
        ..SynthConfig::default()
    };
    generate(&config).0
}

fn segments(bytes: &[u8]) -> Vec<(PacketMeta, TcpSegment<'_>)> {
    // The reader lends each packet only for the callback; its bytes are `bytes[file_offset..]`
    // (the whole file is in memory), so keep positions and slice afterwards.
    let mut reader = CaptureReader::new();
    let mut packets = Vec::new();
    let _ = reader.feed(bytes, &mut |p| {
        let meta = PacketMeta {
            frame: p.frame,
            time: p.time,
            file_offset: p.file_offset,
            wire_len: p.orig_len,
        };
        packets.push((meta, p.link, p.data.len()));
    });
    let mut out = Vec::new();
    for (meta, link, len) in packets {
        let start = meta.file_offset as usize;
        let Some(data) = bytes.get(start..start + len) else {
            continue;
        };
        if let Ok(Some(seg)) = decode_tcp(link, data) {
            out.push((meta, seg));
        }
    }
    out
}

/// The client's reassembled byte stream after the handshake.
fn client_chunk_stream(segments: &[(PacketMeta, TcpSegment<'_>)]) -> Vec<u8> {
    let mut stream = Vec::new();
    let mut flows = FlowTable::new(TcpConfig::default());
    for (meta, seg) in segments {
        flows.push(*meta, seg, &mut |e| {
            if let FlowEvent::Data {
                dir: Direction::ClientToServer,
                data,
                ..
            } = e
            {
                stream.extend_from_slice(data);
            }
        });
    }
    stream.split_off(CLIENT_HANDSHAKE.min(stream.len()))
}

fn stages(c: &mut Criterion) {
    let bytes = capture();
    let segs = segments(&bytes);
    let stream = client_chunk_stream(&segs);
    let mut amf_bodies = Vec::new();
    ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default()).feed(
        &stream,
        Origin::default(),
        &mut |e| {
            if let DemuxEvent::Message(m) = e {
                if m.type_id == 18 || m.type_id == 20 {
                    amf_bodies.push(m.body);
                }
            }
        },
    );

    let mut g = c.benchmark_group("stages");
    g.sample_size(20);
    g.measurement_time(Duration::from_secs(3));
    g.warm_up_time(Duration::from_secs(1));

    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("capture_read", |b| {
        b.iter(|| {
            let mut n = 0u64;
            let _ = read_bytes(black_box(&bytes), |p| n += p.data.len() as u64);
            n
        })
    });
    g.bench_function("capture_read_and_decode_tcp", |b| {
        b.iter(|| {
            let mut n = 0u64;
            let _ = read_bytes(black_box(&bytes), |p| {
                if let Ok(Some(s)) = decode_tcp(p.link, p.data) {
                    n += s.payload.len() as u64;
                }
            });
            n
        })
    });
    g.bench_function("tcp_reassembly", |b| {
        b.iter(|| {
            let mut flows = FlowTable::new(TcpConfig::default());
            let mut n = 0u64;
            for (meta, seg) in &segs {
                flows.push(*meta, seg, &mut |e| {
                    if let FlowEvent::Data { data, .. } = e {
                        n += data.len() as u64;
                    }
                });
            }
            n
        })
    });

    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("chunk_demux", |b| {
        b.iter(|| {
            let mut d = ChunkStreamDemuxer::new(Dir::C2S, RtmpConfig::default());
            let mut n = 0u64;
            // In pieces of one Ethernet segment, as the TCP layer hands them over.
            for (i, piece) in stream.chunks(1448).enumerate() {
                let origin = Origin {
                    stream_offset: (i * 1448) as u64,
                    ..Origin::default()
                };
                d.feed(piece, origin, &mut |e| {
                    n += matches!(e, DemuxEvent::Message(_)) as u64
                });
            }
            n
        })
    });

    let amf_len: usize = amf_bodies.iter().map(Vec::len).sum();
    g.throughput(Throughput::Bytes(amf_len as u64));
    g.bench_function("amf_command_and_data_bodies", |b| {
        b.iter(|| {
            amf_bodies
                .iter()
                .map(|body| decode_message_body(black_box(body), false, AmfLimits::default()))
                .map(|d| d.values.len())
                .sum::<usize>()
        })
    });

    g.throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("analyze_bytes", |b| {
        b.iter(|| {
            analyze_bytes(black_box(&bytes), AnalyzerOptions::default())
                .map(|r| r.messages.len())
                .unwrap_or(0)
        })
    });
    g.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);

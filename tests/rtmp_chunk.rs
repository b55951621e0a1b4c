//! Chunk stream demultiplexing: header forms, timestamps, chunk sizes, interleaving, Abort.
#![allow(clippy::unwrap_used)]

mod rtmp_support;

use rtmp_support::{body, demux, ChunkWriter};

#[test]
fn header_forms_accumulate_timestamps() {
    let mut w = ChunkWriter::new();
    w.message(0, 4, 1000, 8, 1, &[0xaf, 1, 2], None)
        .message(1, 4, 23, 8, 0, &[0xaf, 1, 2, 3], None)
        .message(2, 4, 20, 8, 0, &[0xaf, 1, 9, 9], None)
        .message(3, 4, 0, 8, 0, &[0xaf, 1, 7, 7], None);
    let c = demux(&w.out, 1000);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let got: Vec<_> = c
        .messages
        .iter()
        .map(|m| {
            (
                m.first_fmt,
                m.timestamp,
                m.timestamp_delta,
                m.length,
                m.msid,
                m.type_id,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, 1000, None, 3, 1, 8),
            (1, 1023, Some(23), 4, 1, 8),
            (2, 1043, Some(20), 4, 1, 8),
            // fmt 3 starting a new message reuses the last delta.
            (3, 1063, Some(20), 4, 1, 8),
        ]
    );
    assert_eq!(c.messages[3].body, vec![0xaf, 1, 7, 7]);
    assert!(c.messages.iter().all(|m| m.complete && !m.damaged()));
}

#[test]
fn fmt3_after_fmt0_reuses_the_absolute_timestamp_as_delta() {
    // Spec 5.3.1.2.4: after a type 0 chunk the delta of a following type 3 chunk is the type 0
    // chunk's timestamp.
    let mut w = ChunkWriter::new();
    w.message(0, 3, 500, 20, 0, &body(10, 1), None)
        .message(3, 3, 0, 20, 0, &body(10, 2), None);
    let c = demux(&w.out, 7);
    let ts: Vec<_> = c.messages.iter().map(|m| m.timestamp).collect();
    assert_eq!(ts, vec![500, 1000]);
}

#[test]
fn csid_boundaries_in_all_basic_header_forms() {
    for csid in [2u32, 3, 63, 64, 65, 319, 320, 321, 65599] {
        let mut w = ChunkWriter::new();
        let long = body(300, csid as u8);
        w.message(0, csid, 10, 18, 1, &long, None)
            .message(1, csid, 5, 18, 0, &body(20, 3), None);
        let c = demux(&w.out, 13);
        assert!(c.diagnostics.is_empty(), "csid {csid}: {:?}", c.diagnostics);
        assert_eq!(c.messages.len(), 2, "csid {csid}");
        assert_eq!(c.messages[0].csid, csid);
        assert_eq!(c.messages[0].chunks, 3);
        assert_eq!(c.messages[0].body, long);
        assert_eq!((c.messages[1].csid, c.messages[1].timestamp), (csid, 15));
    }
}

#[test]
fn extended_timestamp_on_fmt0_with_continuations() {
    let ts = 0x0123_4567;
    let data = body(300, 9);
    let mut w = ChunkWriter::new();
    w.message(0, 5, ts, 18, 1, &data, Some(ts));
    let c = demux(&w.out, 5);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let m = &c.messages[0];
    assert_eq!((m.timestamp, m.extended_timestamp, m.chunks), (ts, true, 3));
    assert_eq!(m.body, data);
}

#[test]
fn extended_timestamp_on_fmt1_and_fmt2_deltas() {
    let mut w = ChunkWriter::new();
    let big = 0x0100_0000;
    w.message(0, 6, 100, 9, 1, &[0x27, 1, 0, 0, 0], None)
        .message(1, 6, big, 9, 0, &body(200, 1), Some(big))
        .message(2, 6, big + 1, 9, 0, &body(200, 2), Some(big + 1));
    let c = demux(&w.out, 3);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let ts: Vec<_> = c.messages.iter().map(|m| m.timestamp).collect();
    assert_eq!(ts, vec![100, 100 + big, 100 + big + big + 1]);
    assert!(c.messages[1].extended_timestamp && c.messages[2].extended_timestamp);
    assert_eq!(c.messages[2].length, 200);
}

#[test]
fn fmt3_new_message_carries_the_extended_timestamp() {
    let delta = 0x0100_0005;
    let mut w = ChunkWriter::new();
    w.message(0, 7, 0, 18, 1, &body(50, 1), None)
        .message(1, 7, delta, 18, 0, &body(50, 2), None)
        // A new message on a fmt 3 header: 4 bytes of extended timestamp follow it.
        .message(3, 7, 0, 18, 0, &body(50, 3), Some(delta));
    let c = demux(&w.out, 1);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let ts: Vec<_> = c.messages.iter().map(|m| m.timestamp).collect();
    assert_eq!(ts, vec![0, delta, delta.wrapping_mul(2)]);
    assert_eq!(c.messages[2].body, body(50, 3));
    assert!(c.messages[2].extended_timestamp);
}

#[test]
fn continuation_without_extended_timestamp_is_detected() {
    // Some senders leave the 4 bytes out of fmt 3 continuation headers.
    let ts = 0x0200_0000;
    let data = body(300, 4);
    let mut w = ChunkWriter::new();
    w.message(0, 4, ts, 18, 1, &data, None);
    let c = demux(&w.out, 2);
    assert_eq!(c.messages.len(), 1);
    assert_eq!(c.messages[0].body, data);
    assert_eq!(c.codes(), vec!["chunk.extended_timestamp_omitted"]);
    // Also on a fmt 3 header that starts a new message.
    let mut w = ChunkWriter::new();
    w.message(0, 4, ts, 18, 1, &body(10, 1), Some(ts))
        .message(3, 4, 0, 18, 0, &body(10, 2), None);
    let c = demux(&w.out, 64);
    assert_eq!(c.messages.len(), 2);
    assert_eq!(c.messages[1].body, body(10, 2));
    assert_eq!(c.messages[1].timestamp, ts.wrapping_mul(2));
}

#[test]
fn chunk_size_change_takes_effect_mid_segment() {
    let mut w = ChunkWriter::new();
    let big = body(1000, 5);
    w.set_chunk_size(300).message(0, 3, 0, 20, 0, &big, None);
    // 1000 bytes in 300-byte chunks: 4 chunks.
    let c = demux(&w.out, w.out.len());
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.messages.len(), 2);
    assert_eq!(c.messages[1].chunks, 4);
    assert_eq!(c.messages[1].body, big);
}

#[test]
fn chunk_size_change_between_chunks_of_another_message() {
    // csid 5 sends its first 128-byte chunk, then the chunk size grows to 256 and the rest of
    // the csid 5 message comes in 256-byte chunks.
    let data = body(700, 7);
    let mut w = ChunkWriter::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 5, 0, 700, 18, 1, None, &mut w.out);
    w.raw(&data[..128]);
    w.set_chunk_size(256);
    w.continuation(5, None).raw(&data[128..384]);
    w.continuation(5, None).raw(&data[384..640]);
    w.continuation(5, None).raw(&data[640..]);
    for piece in [1, 100, 5000] {
        let c = demux(&w.out, piece);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.messages[0].type_id, 1);
        assert_eq!((c.messages[1].csid, c.messages[1].chunks), (5, 4));
        assert_eq!(c.messages[1].body, data);
    }
}

#[test]
fn set_chunk_size_with_top_bit_or_zero() {
    let mut w = ChunkWriter::new();
    w.set_chunk_size(0x8000_0100)
        .message(0, 3, 0, 20, 0, &body(600, 1), None);
    let c = demux(&w.out, 50);
    assert_eq!(c.codes(), vec!["chunk.size_invalid"]);
    assert_eq!(c.messages[1].chunks, 3);
    let mut w = ChunkWriter::new();
    w.message(0, 2, 0, 1, 0, &[0, 0, 0, 0], None)
        .message(0, 3, 0, 20, 0, &body(300, 1), None);
    let c = demux(&w.out, 50);
    assert_eq!(c.codes(), vec!["chunk.size_invalid"]);
    assert_eq!(c.messages[1].chunks, 3, "chunk size stays 128");
}

#[test]
fn abort_discards_the_partial_message() {
    let mut w = ChunkWriter::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 6, 0, 500, 9, 1, None, &mut w.out);
    w.raw(&body(128, 1));
    w.message(0, 2, 0, 2, 0, &6u32.to_be_bytes(), None).message(
        0,
        6,
        40,
        9,
        1,
        &[0x27, 1, 0, 0, 0],
        None,
    );
    let c = demux(&w.out, 9);
    assert_eq!(c.codes(), vec!["chunk.aborted"]);
    let got: Vec<_> = c
        .messages
        .iter()
        .map(|m| (m.csid, m.type_id, m.length))
        .collect();
    assert_eq!(got, vec![(2, 2, 4), (6, 9, 5)]);
    assert!(!c.messages[1].damaged());
}

#[test]
fn interleaved_chunk_streams() {
    let video = body(400, 2);
    let mut w = ChunkWriter::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 4, 33, 400, 9, 1, None, &mut w.out);
    w.raw(&video[..128]);
    w.message(0, 3, 0, 20, 0, &body(50, 1), None);
    w.continuation(4, None).raw(&video[128..256]);
    w.message(0, 8, 30, 8, 1, &[0xaf, 1, 0x21], None);
    w.continuation(4, None).raw(&video[256..384]);
    w.continuation(4, None).raw(&video[384..]);
    let c = demux(&w.out, 17);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let got: Vec<_> = c
        .messages
        .iter()
        .map(|m| (m.csid, m.type_id, m.chunks))
        .collect();
    assert_eq!(got, vec![(3, 20, 1), (8, 8, 1), (4, 9, 4)]);
    assert_eq!(c.messages[2].body.len(), 32, "media keeps a prefix");
    assert_eq!(c.messages[2].body[..], video[..32]);
}

#[test]
fn zero_length_message() {
    let mut w = ChunkWriter::new();
    w.message(0, 4, 7, 8, 1, &[], None)
        .message(1, 4, 1, 8, 0, &[0xaf], None);
    let c = demux(&w.out, 1);
    assert_eq!(c.messages.len(), 2);
    assert_eq!((c.messages[0].length, c.messages[0].chunks), (0, 1));
    assert!(c.messages[0].complete);
}

#[test]
fn new_header_on_a_stream_with_an_unfinished_message() {
    let mut w = ChunkWriter::new();
    rtmpscope::rtmp::header::encode_chunk_header(0, 4, 0, 300, 18, 1, None, &mut w.out);
    w.raw(&body(128, 0));
    w.message(0, 4, 10, 18, 1, &body(10, 1), None);
    let c = demux(&w.out, 64);
    assert_eq!(c.codes(), vec!["chunk.interrupted"]);
    assert_eq!(c.messages.len(), 2);
    assert!(c.messages[0].damaged() && !c.messages[0].complete);
    assert_eq!(c.messages[0].missing, 172);
    assert!(!c.messages[1].damaged());
}

#[test]
fn stream_ending_inside_a_message() {
    let mut w = ChunkWriter::new();
    w.message(0, 4, 0, 18, 1, &body(300, 0), None);
    w.out.truncate(200);
    let c = demux(&w.out, 64);
    assert_eq!(c.codes(), vec!["chunk.incomplete"]);
    assert_eq!(c.messages.len(), 1);
    assert!(!c.messages[0].complete);
    assert_eq!(c.messages[0].missing, 300 - (200 - 12 - 1));
}

#[test]
fn origins_of_first_and_last_bytes() {
    let mut w = ChunkWriter::new();
    w.raw(&[]).message(0, 3, 0, 20, 0, &body(300, 0), None);
    // Pieces of 100 bytes: frames 1, 2, 3, 4 (the message is 12 + 300 + 2 bytes).
    let c = demux(&w.out, 100);
    let m = &c.messages[0];
    assert_eq!((m.first.frame, m.first.stream_offset), (1, 0));
    assert_eq!(m.first.file_offset, Some(10_000));
    assert_eq!(m.last.frame, 4);
    assert_eq!(m.last.stream_offset, 313);
}

#[test]
fn byte_by_byte_equals_whole() {
    let mut w = ChunkWriter::new();
    let ext = 0x0100_0000;
    w.message(0, 3, 0, 20, 0, &body(200, 1), None)
        .set_chunk_size(100)
        .message(0, 4, ext, 18, 1, &body(250, 2), Some(ext))
        .message(3, 4, 0, 18, 1, &body(250, 3), Some(ext))
        .message(0, 320, 5, 9, 1, &body(330, 4), None)
        .message(1, 320, 40, 9, 0, &body(30, 5), None)
        .message(0, 2, 0, 2, 0, &9u32.to_be_bytes(), None)
        .set_chunk_size(4096)
        .message(2, 320, 40, 9, 0, &body(30, 6), None);
    let whole = demux(&w.out, w.out.len());
    assert!(whole.diagnostics.is_empty(), "{:?}", whole.diagnostics);
    assert_eq!(whole.messages.len(), 9);
    for piece in [1, 2, 3, 5, 11, 17, 100, 129] {
        let split = demux(&w.out, piece);
        assert_eq!(split.summary(), whole.summary(), "piece {piece}");
        assert!(split.diagnostics.is_empty());
    }
}

#[test]
fn aggregate_message_is_split_into_its_tags() {
    use rtmpscope::rtmp::aggregate::encode_tag;
    use rtmpscope::rtmp::{MessageBody, RtmpMessage};
    let mut agg = Vec::new();
    encode_tag(9, 1000, 1, &[0x17, 0x01, 0, 0, 0x42, 0x65, 0x88], &mut agg);
    encode_tag(8, 1010, 1, &[0xaf, 0x01, 0x21, 0x10], &mut agg);
    encode_tag(
        18,
        1020,
        1,
        &[0x02, 0x00, 0x04, b't', b'e', b's', b't'],
        &mut agg,
    );
    encode_tag(9, 1033, 1, &body(300, 1), &mut agg);
    let mut w = ChunkWriter::new();
    w.message(0, 5, 7000, 22, 1, &agg, None);
    let c = demux(&w.out, 100);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let raw = c.messages[0].clone();
    assert_eq!(raw.body.len(), agg.len(), "aggregates are kept whole");
    let (msg, _) = RtmpMessage::from_raw(raw, rtmpscope::rtmp::Dir::S2C);
    let MessageBody::Aggregate(a) = &msg.body else {
        panic!("{:?}", msg.body)
    };
    assert_eq!(a.error, None);
    let parts: Vec<_> = a
        .parts
        .iter()
        .map(|p| (p.type_id, p.timestamp, p.length))
        .collect();
    assert_eq!(
        parts,
        vec![(9, 7000, 7), (8, 7010, 4), (18, 7020, 7), (9, 7033, 300)]
    );
    assert!(a.parts.iter().all(|p| p.back_pointer_ok == Some(true)));
    match &a.parts[2].body {
        MessageBody::Data(d) => assert_eq!(d.handler(), Some("test")),
        other => panic!("{other:?}"),
    }
}

//! One RTMP connection, both directions, from the handshake (or without one) to messages:
//! segments, gaps and closes in the order the input says. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtmpscope::capture::Timestamp;
use rtmpscope::rtmp::{Dir, Origin, RtmpConfig, RtmpConnection};

fuzz_target!(|data: &[u8]| {
    let Some((&[start], mut rest)) = data.split_first_chunk::<1>() else {
        return;
    };
    let config = RtmpConfig {
        max_body: 4096,
        max_buffered: 16384,
        max_resync_buffer: 8192,
        probe_limit: 16384,
        ..RtmpConfig::default()
    };
    let mut conn = RtmpConnection::new(config);
    conn.set_start(start & 1 != 0, start & 2 != 0);
    let mut offsets = [0u64; 2];
    let mut frame = 0;
    let mut events = 0usize;
    let mut sink = |_| events += 1;
    // Each step: a control byte (direction, kind, length), then that many bytes of data.
    while let Some((&ctl, tail)) = rest.split_first() {
        frame += 1;
        let dir = if ctl & 0x80 == 0 { Dir::C2S } else { Dir::S2C };
        let i = usize::from(ctl & 0x80 != 0);
        let len = usize::from(ctl & 0x3f) * 24 + 1;
        let at = Origin::new(frame, Timestamp::default(), offsets[i], None);
        if ctl & 0x40 != 0 && ctl & 0x3f == 0x3f {
            conn.on_close(dir, &mut sink);
            rest = tail;
        } else if ctl & 0x40 != 0 {
            conn.on_gap(
                dir,
                offsets[i],
                len as u64,
                frame,
                Timestamp::default(),
                &mut sink,
            );
            offsets[i] += len as u64;
            rest = tail;
        } else {
            let part = tail.get(..len).unwrap_or(tail);
            conn.on_data(dir, part, at, &mut sink);
            offsets[i] += part.len() as u64;
            rest = tail.get(part.len()..).unwrap_or_default();
        }
    }
    conn.finish(&mut sink);
});

//! Randomised conversations checked against a model: a client stream is cut into segments,
//! retransmitted with other boundaries, reordered, partly missed by the capture, and ACKed by a
//! server that receives everything. Every byte must come out as data exactly when a captured
//! copy arrived before an ACK covered it, and as a gap otherwise.

use super::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[derive(Debug, Clone, Copy)]
enum Step {
    /// The client sends `start..end` (FIN after it when `fin`); `captured` says whether the
    /// capture saw it. The server receives it either way.
    Send {
        start: usize,
        end: usize,
        fin: bool,
        captured: bool,
    },
    /// The server acknowledges everything it has received contiguously.
    Ack,
}

fn schedule(rng: &mut Rng, len: usize) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut sent = 0;
    while sent < len {
        let end = (sent + 1 + rng.below(1500) as usize).min(len);
        steps.push(Step::Send {
            start: sent,
            end,
            fin: false,
            captured: true,
        });
        sent = end;
        if rng.chance(10) {
            // a retransmission with its own boundaries, possibly reaching into new bytes
            let start = rng.below(sent as u64) as usize;
            let end = (start + 1 + rng.below(3000) as usize).min(len);
            steps.push(Step::Send {
                start,
                end,
                fin: false,
                captured: true,
            });
            sent = sent.max(end);
        }
        if rng.chance(30) {
            steps.push(Step::Ack);
        }
    }
    steps.push(Step::Send {
        start: len,
        end: len,
        fin: true,
        captured: true,
    });
    // reorder locally, then let the capture miss some data segments
    for i in 0..steps.len() {
        if rng.chance(10) {
            let j = (i + 1 + rng.below(4) as usize).min(steps.len() - 1);
            steps.swap(i, j);
        }
    }
    for step in &mut steps {
        if let Step::Send {
            captured,
            fin: false,
            ..
        } = step
        {
            *captured = !rng.chance(4);
        }
    }
    if rng.chance(50) {
        steps.push(Step::Ack);
    }
    steps
}

/// Play one conversation; returns the client's reassembled stream and what the model expects.
fn play(seed: u64, config: TcpConfig) -> (Harness, Vec<u8>, Vec<Option<bool>>) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let len = 1 + rng.below(30_000) as usize;
    let content: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
    let isn = if rng.chance(30) {
        u32::MAX - rng.below(20_000) as u32
    } else {
        rng.next() as u32
    };
    let data_seq = |offset: usize| isn.wrapping_add(1).wrapping_add(offset as u32);
    let steps = schedule(&mut rng, len);

    let mut h = Harness::with_config(config);
    h.handshake(isn, 0);
    // model: when each byte was first captured and first acknowledged (step index)
    let mut received = vec![false; len];
    let mut fin_received = false;
    let mut prefix = 0;
    let mut captured_at = vec![usize::MAX; len];
    let mut acked_at = vec![usize::MAX; len];
    let mut fin_captured = false;
    for (i, step) in steps.iter().enumerate() {
        match *step {
            Step::Send {
                start,
                end,
                fin,
                captured,
            } => {
                received[start..end].iter_mut().for_each(|r| *r = true);
                fin_received |= fin;
                if captured {
                    for at in &mut captured_at[start..end] {
                        *at = (*at).min(i);
                    }
                    fin_captured |= fin;
                    let flags = if fin { "FA" } else { "PA" };
                    h.send(
                        Host::Client,
                        data_seq(start),
                        1,
                        flags,
                        &content[start..end],
                    );
                }
            }
            Step::Ack => {
                while prefix < len && received[prefix] {
                    acked_at[prefix] = acked_at[prefix].min(i);
                    prefix += 1;
                }
                let ack = data_seq(prefix).wrapping_add(u32::from(prefix == len && fin_received));
                h.send(Host::Server, 1, ack, "A", b"");
            }
        }
    }
    h.finish();
    // a byte is data if a captured copy came before any ACK covering it; it is reported at all if
    // it lies before the FIN (which is always captured) or before the furthest ACK
    let expected = (0..len)
        .map(|b| {
            let reported =
                fin_captured || acked_at[b] != usize::MAX || captured_at[b] != usize::MAX;
            reported.then_some(captured_at[b] < acked_at[b])
        })
        .collect();
    (h, content, expected)
}

/// For each client byte: data (`Some(true)`), gap (`Some(false)`) or not reported.
fn byte_status(h: &Harness, len: usize) -> Vec<Option<bool>> {
    let mut status = vec![None; len];
    for e in &h.events {
        let (at, n, data) = match e {
            Ev::Data {
                dir: C2S,
                at,
                bytes,
                ..
            } => (*at as usize, bytes.len(), true),
            Ev::Gap {
                dir: C2S, at, len, ..
            } => (*at as usize, *len as usize, false),
            _ => continue,
        };
        status[at..at + n].fill(Some(data));
    }
    status
}

fn check_content(h: &Harness, content: &[u8]) {
    for e in &h.events {
        if let Ev::Data {
            dir: C2S,
            at,
            bytes,
            ..
        } = e
        {
            let at = *at as usize;
            assert_eq!(&content[at..at + bytes.len()], &bytes[..], "data at {at}");
        }
    }
}

#[test]
fn randomised_conversations_match_the_model() {
    // (gap bytes, out-of-order, retransmitted, overlapping) over all runs: each must occur
    let mut seen = (0, 0, 0, 0);
    for seed in 0..150 {
        let (h, content, expected) = play(seed, TcpConfig::default());
        let rebuilt = h.stream_bytes(0, C2S);
        check_content(&h, &content);
        let is_data = byte_status(&h, content.len());
        assert!(
            rebuilt.len() <= content.len(),
            "seed {seed}: nothing past the FIN"
        );
        let first_wrong = (0..content.len()).find(|&b| is_data[b] != expected[b]);
        assert_eq!(
            first_wrong, None,
            "seed {seed}: byte status differs from the model"
        );
        let s = &h.stats(0).c2s;
        let data_bytes = is_data.iter().filter(|d| **d == Some(true)).count() as u64;
        let gap_bytes = is_data.iter().filter(|d| **d == Some(false)).count() as u64;
        assert_eq!(
            (s.stream_bytes, s.gap_bytes),
            (data_bytes, gap_bytes),
            "seed {seed}"
        );
        assert_eq!(
            h.closes(),
            vec![(0, C2S, CloseReason::Fin, h.closes()[0].3)],
            "seed {seed}"
        );
        assert_eq!(h.table.buffered_bytes(), 0);
        seen.0 += s.gap_bytes;
        seen.1 += s.out_of_order_segments;
        seen.2 += s.retransmitted_segments;
        seen.3 += s.overlapping_segments;
    }
    assert!(
        seen.0 > 0 && seen.1 > 0 && seen.2 > 0 && seen.3 > 0,
        "{seen:?}"
    );
}

#[test]
fn randomised_conversations_under_a_tiny_buffer_cap() {
    let cap = 3000;
    let mut limited = 0;
    for seed in 1000..1100 {
        let config = TcpConfig {
            max_buffered_per_direction: cap,
            max_buffered_total: cap * 2,
        };
        let (h, content, expected) = play(seed, config);
        let _ = h.stream_bytes(0, C2S); // checks the tiling
        check_content(&h, &content);
        // giving up early only turns would-be data into gaps, never the reverse
        let is_data = byte_status(&h, content.len());
        for (b, status) in is_data.iter().enumerate() {
            if *status == Some(true) {
                assert_eq!(
                    expected[b],
                    Some(true),
                    "seed {seed}: byte {b} was never captured"
                );
            }
        }
        limited += h
            .gaps()
            .iter()
            .filter(|g| g.2 == GapReason::BufferLimit)
            .count();
    }
    assert!(limited > 0);
}

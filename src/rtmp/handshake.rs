//! The RTMP handshake: C0 C1 C2 from the client, S0 S1 S2 from the server (1 + 1536 + 1536
//! bytes each way), and the digest ("complex", Flash Player 9+) variant on top of it.
//!
//! In the digest handshake C1 and S1 carry an HMAC-SHA256 digest at an offset computed from
//! four bytes of the block: scheme 0 sums bytes 8..12 (`offset = sum % 728 + 12`), scheme 1 sums
//! bytes 772..776 (`offset = sum % 728 + 776`). The digest covers the block minus those 32 bytes,
//! keyed with the first 30 bytes of the player key (C1) or the first 36 of the server key (S1).
//! S2 ends with HMAC(HMAC(server key, C1 digest), S2[..1504]); C2 the same with the player key
//! and the S1 digest.

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::Origin;

pub const BLOCK_LEN: usize = 1536;
/// C0 + C1 + C2 (or S0 + S1 + S2).
pub const SIDE_LEN: usize = 1 + 2 * BLOCK_LEN;
const DIGEST_LEN: usize = 32;

const KEY_TAIL: [u8; 32] = [
    0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
    0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];
const PLAYER_KEY_TEXT: &[u8; 30] = b"Genuine Adobe Flash Player 001";
const SERVER_KEY_TEXT: &[u8; 36] = b"Genuine Adobe Flash Media Server 001";

fn full_key(text: &[u8]) -> Vec<u8> {
    let mut k = text.to_vec();
    k.extend_from_slice(&KEY_TAIL);
    k
}

/// Where C1/S1 keep their digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigestScheme {
    /// Offset from bytes 8..12 (digest in the first half).
    #[serde(rename = "scheme0")]
    Scheme0,
    /// Offset from bytes 772..776 (digest in the second half).
    #[serde(rename = "scheme1")]
    Scheme1,
}

impl DigestScheme {
    pub fn offset(self, block: &[u8]) -> Option<usize> {
        let (base, at) = match self {
            DigestScheme::Scheme0 => (12, 8),
            DigestScheme::Scheme1 => (776, 772),
        };
        let sum: usize = block.get(at..at + 4)?.iter().map(|&b| usize::from(b)).sum();
        Some(sum % 728 + base)
    }
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

/// The digest of a C1/S1 block under `scheme`, if it verifies with `key`.
fn block_digest(block: &[u8], scheme: DigestScheme, key: &[u8]) -> Option<[u8; 32]> {
    let off = scheme.offset(block)?;
    let digest = block.get(off..off + DIGEST_LEN)?;
    let before = block.get(..off)?;
    let after = block.get(off + DIGEST_LEN..)?;
    let expected = hmac_sha256(key, &[before, after]);
    (expected.as_slice() == digest).then_some(expected)
}

/// Which digest scheme a C1 (client) or S1 (server) block verifies under, and its digest.
pub fn find_digest(block: &[u8], server: bool) -> Option<(DigestScheme, [u8; 32])> {
    let key: &[u8] = if server {
        SERVER_KEY_TEXT
    } else {
        PLAYER_KEY_TEXT
    };
    [DigestScheme::Scheme0, DigestScheme::Scheme1]
        .into_iter()
        .find_map(|s| block_digest(block, s, key).map(|d| (s, d)))
}

/// Whether a C2/S2 block ends with the signature derived from the peer's C1/S1 digest.
/// `server`: the block is S2 (signed with the server key).
pub fn response_signature_ok(block: &[u8], peer_digest: &[u8; 32], server: bool) -> bool {
    let key = full_key(if server {
        SERVER_KEY_TEXT
    } else {
        PLAYER_KEY_TEXT
    });
    let derived = hmac_sha256(&key, &[peer_digest]);
    match (
        block.get(..BLOCK_LEN - DIGEST_LEN),
        block.get(BLOCK_LEN - DIGEST_LEN..BLOCK_LEN),
    ) {
        (Some(signed), Some(sig)) => hmac_sha256(&derived, &[signed]).as_slice() == sig,
        _ => false,
    }
}

/// Puts a valid digest into a C1/S1 block (for tests and fixtures).
pub fn sign_block(block: &mut [u8], scheme: DigestScheme, server: bool) {
    let key: &[u8] = if server {
        SERVER_KEY_TEXT
    } else {
        PLAYER_KEY_TEXT
    };
    let Some(off) = scheme.offset(block) else {
        return;
    };
    let (Some(before), Some(after)) = (block.get(..off), block.get(off + DIGEST_LEN..)) else {
        return;
    };
    let digest = hmac_sha256(key, &[before, after]);
    if let Some(slot) = block.get_mut(off..off + DIGEST_LEN) {
        slot.copy_from_slice(&digest);
    }
}

/// Writes the C2/S2 signature answering the peer's digest (for tests and fixtures).
pub fn sign_response(block: &mut [u8], peer_digest: &[u8; 32], server: bool) {
    if block.len() < BLOCK_LEN {
        return;
    }
    let key = full_key(if server {
        SERVER_KEY_TEXT
    } else {
        PLAYER_KEY_TEXT
    });
    let derived = hmac_sha256(&key, &[peer_digest]);
    let Some(signed) = block.get(..BLOCK_LEN - DIGEST_LEN) else {
        return;
    };
    let sig = hmac_sha256(&derived, &[signed]);
    if let Some(slot) = block.get_mut(BLOCK_LEN - DIGEST_LEN..BLOCK_LEN) {
        slot.copy_from_slice(&sig);
    }
}

/// What the handshake showed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeInfo {
    /// C0: the RTMP version the client asks for (3).
    pub c0: u8,
    /// S0, once seen.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s0: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c1_time: Option<u32>,
    /// C1 bytes 4..8 as a dotted version ("0.0.0.0" = simple handshake; Flash Player / ffmpeg
    /// send e.g. "9.0.124.2").
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c1_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s1_time: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s1_version: Option<String>,
    /// The scheme under which C1's digest verified (digest handshake), if any.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_digest: Option<DigestScheme>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server_digest: Option<DigestScheme>,
    /// Simple handshake: C2 echoes S1's random bytes (8..1536) / S2 echoes C1's.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c2_echoes_s1: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s2_echoes_c1: Option<bool>,
    /// Digest handshake: C2 / S2 carry the signature derived from S1's / C1's digest.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c2_signature_ok: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s2_signature_ok: Option<bool>,
    /// First frames of C0+C1, S0+S1(+S2), C2.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c0_frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub s0_frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub c2_frame: Option<u64>,
    /// Frame completing each side's part.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub client_done_frame: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server_done_frame: Option<u64>,
    /// Both sides sent all 3073 bytes.
    pub complete: bool,
    /// Handshake bytes lost in TCP gaps (checks that needed them are left out).
    #[serde(default)]
    pub missing_bytes: u64,
    #[serde(default)]
    pub roles_swapped: bool,
}

/// One side's handshake bytes as they arrive.
#[derive(Debug, Default)]
pub struct HandshakeSide {
    /// Bytes received (zeros where a gap was); at most [`SIDE_LEN`].
    bytes: Vec<u8>,
    /// Byte ranges lost in gaps.
    lost: Vec<(usize, usize)>,
    /// Origin of bytes 0 (X0), 1537 (X2).
    first: Option<Origin>,
    second_block: Option<Origin>,
    done: Option<Origin>,
    /// `(bytes received, first byte)` after [`HandshakeSide::release`].
    released: Option<(usize, u8)>,
}

impl HandshakeSide {
    pub fn is_done(&self) -> bool {
        self.received() >= SIDE_LEN
    }

    pub fn received(&self) -> usize {
        self.released.map_or(self.bytes.len(), |(n, _)| n)
    }

    /// Bytes held (until [`HandshakeSide::release`]).
    pub fn held_bytes(&self) -> usize {
        self.bytes.capacity()
    }

    /// Frees the kept bytes once the handshake was analysed (the counts stay).
    pub fn release(&mut self) {
        let n = self.bytes.len();
        let first = self.first_byte();
        self.bytes = Vec::new();
        self.lost = Vec::new();
        self.released = Some((n, first));
    }

    /// C0 / S0 (0 before any byte).
    pub fn first_byte(&self) -> u8 {
        match self.released {
            Some((_, first)) => first,
            None => self.bytes.first().copied().unwrap_or(0),
        }
    }

    /// Takes handshake bytes from `data`; returns how many it used (the rest are chunks).
    pub fn feed(&mut self, data: &[u8], origin: Origin) -> usize {
        if self.released.is_some() {
            return 0;
        }
        let take = (SIDE_LEN - self.bytes.len().min(SIDE_LEN)).min(data.len());
        if take == 0 {
            return 0;
        }
        let start = self.bytes.len();
        if start == 0 {
            self.first = Some(origin);
        }
        if start <= 1 + BLOCK_LEN && start + take > 1 + BLOCK_LEN {
            self.second_block = Some(origin.advanced((1 + BLOCK_LEN - start) as u64));
        }
        self.bytes
            .extend_from_slice(data.get(..take).unwrap_or_default());
        if self.is_done() {
            self.done = Some(origin.advanced(take as u64 - 1));
        }
        take
    }

    /// `len` bytes are missing; returns how many of them fell inside the handshake.
    pub fn gap(&mut self, len: u64, at: Origin) -> u64 {
        if self.released.is_some() {
            return 0;
        }
        let take = ((SIDE_LEN - self.bytes.len().min(SIDE_LEN)) as u64).min(len) as usize;
        if take == 0 {
            return 0;
        }
        let start = self.bytes.len();
        self.lost.push((start, start + take));
        self.bytes.resize(start + take, 0);
        if self.is_done() {
            self.done = Some(at);
        }
        take as u64
    }

    fn intact(&self, from: usize, to: usize) -> Option<&[u8]> {
        if self.lost.iter().any(|&(a, b)| a < to && from < b) {
            return None;
        }
        self.bytes.get(from..to)
    }

    fn block(&self, n: usize) -> Option<&[u8]> {
        let from = 1 + n * BLOCK_LEN;
        self.intact(from, from + BLOCK_LEN)
    }

    fn lost_bytes(&self) -> u64 {
        self.lost.iter().map(|&(a, b)| (b - a) as u64).sum()
    }
}

fn be32(b: &[u8]) -> Option<u32> {
    let b = <[u8; 4]>::try_from(b.get(..4)?).ok()?;
    Some(u32::from_be_bytes(b))
}

fn version(b: &[u8]) -> Option<String> {
    let [a, b, c, d] = <[u8; 4]>::try_from(b.get(4..8)?).ok()?;
    Some(format!("{a}.{b}.{c}.{d}"))
}

/// Everything the two sides' bytes show (either may be incomplete).
pub fn analyze(client: &HandshakeSide, server: &HandshakeSide) -> HandshakeInfo {
    let c1 = client.block(0);
    let c2 = client.block(1);
    let s1 = server.block(0);
    let s2 = server.block(1);
    let client_digest = c1.and_then(|b| find_digest(b, false));
    let server_digest = s1.and_then(|b| find_digest(b, true));
    let echoes = |x: Option<&[u8]>, y: Option<&[u8]>| match (x, y) {
        (Some(x), Some(y)) => Some(x.get(8..) == y.get(8..)),
        _ => None,
    };
    HandshakeInfo {
        c0: client.bytes.first().copied().unwrap_or(0),
        s0: server.intact(0, 1).and_then(|b| b.first().copied()),
        c1_time: c1.and_then(be32),
        c1_version: c1.and_then(version),
        s1_time: s1.and_then(be32),
        s1_version: s1.and_then(version),
        client_digest: client_digest.map(|(s, _)| s),
        server_digest: server_digest.map(|(s, _)| s),
        c2_echoes_s1: echoes(c2, s1),
        s2_echoes_c1: echoes(s2, c1),
        c2_signature_ok: match (c2, server_digest) {
            (Some(c2), Some((_, d))) => Some(response_signature_ok(c2, &d, false)),
            _ => None,
        },
        s2_signature_ok: match (s2, client_digest) {
            (Some(s2), Some((_, d))) => Some(response_signature_ok(s2, &d, true)),
            _ => None,
        },
        c0_frame: client.first.map(|o| o.frame),
        s0_frame: server.first.map(|o| o.frame),
        c2_frame: client.second_block.map(|o| o.frame),
        client_done_frame: client.done.map(|o| o.frame),
        server_done_frame: server.done.map(|o| o.frame),
        complete: client.is_done() && server.is_done(),
        missing_bytes: client.lost_bytes() + server.lost_bytes(),
        roles_swapped: false,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn pseudo_random(seed: u32) -> Vec<u8> {
        let mut x = seed;
        (0..BLOCK_LEN)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect()
    }

    #[test]
    fn key_lengths() {
        assert_eq!(full_key(PLAYER_KEY_TEXT).len(), 62);
        assert_eq!(full_key(SERVER_KEY_TEXT).len(), 68);
    }

    #[test]
    fn digest_offsets() {
        let mut b = vec![0u8; BLOCK_LEN];
        assert_eq!(DigestScheme::Scheme0.offset(&b), Some(12));
        assert_eq!(DigestScheme::Scheme1.offset(&b), Some(776));
        b[8..12].copy_from_slice(&[255, 255, 255, 255]);
        assert_eq!(DigestScheme::Scheme0.offset(&b), Some(1020 % 728 + 12));
        b[772..776].copy_from_slice(&[200, 200, 200, 200]);
        assert_eq!(DigestScheme::Scheme1.offset(&b), Some(800 % 728 + 776));
    }

    #[test]
    fn verifies_both_schemes_and_signatures() {
        for scheme in [DigestScheme::Scheme0, DigestScheme::Scheme1] {
            let mut c1 = pseudo_random(1);
            c1[4..8].copy_from_slice(&[9, 0, 124, 2]);
            sign_block(&mut c1, scheme, false);
            let (found, c1_digest) = find_digest(&c1, false).unwrap();
            assert_eq!(found, scheme);
            // The client key does not verify as a server digest.
            assert_eq!(find_digest(&c1, true).map(|x| x.0), None);
            let mut s2 = pseudo_random(2);
            sign_response(&mut s2, &c1_digest, true);
            assert!(response_signature_ok(&s2, &c1_digest, true));
            assert!(!response_signature_ok(&s2, &c1_digest, false));
            s2[0] ^= 1;
            assert!(!response_signature_ok(&s2, &c1_digest, true));
        }
        assert_eq!(find_digest(&pseudo_random(3), false), None);
    }

    fn side(x0: u8, b1: &[u8], b2: &[u8]) -> Vec<u8> {
        let mut v = vec![x0];
        v.extend_from_slice(b1);
        v.extend_from_slice(b2);
        v
    }

    #[test]
    fn simple_handshake_echoes() {
        let mut c1 = pseudo_random(10);
        c1[4..8].fill(0);
        let mut s1 = pseudo_random(11);
        s1[4..8].fill(0);
        let mut c2 = s1.clone();
        c2[0..4].copy_from_slice(&[0, 0, 0, 9]);
        let s2 = c1.clone();
        let o = Origin::default();
        let mut client = HandshakeSide::default();
        let mut server = HandshakeSide::default();
        let cbytes = side(3, &c1, &c2);
        // Split across many feeds.
        for piece in cbytes.chunks(100) {
            client.feed(piece, o);
        }
        let sbytes = side(3, &s1, &s2);
        let mut with_chunks = sbytes.clone();
        with_chunks.extend([0x02, 0, 0]);
        assert_eq!(server.feed(&with_chunks, o), SIDE_LEN);
        let info = analyze(&client, &server);
        assert!(info.complete);
        assert_eq!((info.c0, info.s0), (3, Some(3)));
        assert_eq!(info.c1_version.as_deref(), Some("0.0.0.0"));
        assert_eq!(info.client_digest, None);
        assert_eq!(info.c2_echoes_s1, Some(true));
        assert_eq!(info.s2_echoes_c1, Some(true));
        assert_eq!(info.c2_signature_ok, None);
    }

    #[test]
    fn gap_inside_handshake() {
        let mut client = HandshakeSide::default();
        let o = Origin::default();
        client.feed(&[3], o);
        assert_eq!(client.gap(100, o), 100);
        client.feed(&vec![0; BLOCK_LEN - 100], o);
        assert_eq!(client.received(), 1 + BLOCK_LEN);
        assert_eq!(client.gap(5000, o), BLOCK_LEN as u64);
        assert!(client.is_done());
        let info = analyze(&client, &HandshakeSide::default());
        assert_eq!(info.missing_bytes, 100 + BLOCK_LEN as u64);
        assert_eq!(info.c1_time, None);
        assert!(!info.complete);
    }
}

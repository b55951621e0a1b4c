//! The digest ("complex") handshake as ffmpeg and nginx-rtmp do it: C1 and S1 carry an
//! HMAC-SHA256 digest at the scheme 0 offset, S2 and C2 end with a digest keyed by the peer's.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::rng::Rng;

const BLOCK: usize = 1536;
const DIGEST: usize = 32;
/// The common tail of both handshake keys (public protocol constants).
const KEY_TAIL: [u8; 32] = [
    0xf0, 0xee, 0xc2, 0x4a, 0x80, 0x68, 0xbe, 0xe8, 0x2e, 0x00, 0xd0, 0xd1, 0x02, 0x9e, 0x7e, 0x57,
    0x6e, 0xec, 0x5d, 0x2d, 0x29, 0x80, 0x6f, 0xab, 0x93, 0xb8, 0xe6, 0x36, 0xcf, 0xeb, 0x31, 0xae,
];
const PLAYER_KEY: &[u8] = b"Genuine Adobe Flash Player 001";
const SERVER_KEY: &[u8] = b"Genuine Adobe Flash Media Server 001";

fn hmac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    for p in parts {
        mac.update(p);
    }
    mac.finalize().into_bytes().into()
}

fn full_key(text: &[u8]) -> Vec<u8> {
    [text, &KEY_TAIL].concat()
}

/// A C1/S1 block with `version` and its digest (scheme 0); returns the block and the digest.
fn signed_block(rng: &mut Rng, version: [u8; 4], key: &[u8]) -> (Vec<u8>, [u8; 32]) {
    let mut block = vec![0u8; BLOCK];
    rng.fill(&mut block);
    block[..4].copy_from_slice(&[0; 4]);
    block[4..8].copy_from_slice(&version);
    let offset = block[8..12].iter().map(|&b| usize::from(b)).sum::<usize>() % 728 + 12;
    let digest = hmac(key, &[&block[..offset], &block[offset + DIGEST..]]);
    block[offset..offset + DIGEST].copy_from_slice(&digest);
    (block, digest)
}

/// A C2/S2 block answering the peer's digest.
fn answer_block(rng: &mut Rng, full_key: &[u8], peer_digest: &[u8; 32]) -> Vec<u8> {
    let mut block = vec![0u8; BLOCK];
    rng.fill(&mut block);
    let key = hmac(full_key, &[peer_digest]);
    let digest = hmac(&key, &[&block[..BLOCK - DIGEST]]);
    block[BLOCK - DIGEST..].copy_from_slice(&digest);
    block
}

/// The three writes of a handshake: C0+C1, S0+S1+S2, C2.
pub(crate) struct Handshake {
    pub c0c1: Vec<u8>,
    pub s0s1s2: Vec<u8>,
    pub c2: Vec<u8>,
}

pub(crate) fn handshake(rng: &mut Rng) -> Handshake {
    let (c1, c1_digest) = signed_block(rng, [9, 0, 124, 2], PLAYER_KEY);
    let (s1, s1_digest) = signed_block(rng, [0x0d, 0x0e, 0x0a, 0x0d], SERVER_KEY);
    let s2 = answer_block(rng, &full_key(SERVER_KEY), &c1_digest);
    let c2 = answer_block(rng, &full_key(PLAYER_KEY), &s1_digest);
    Handshake {
        c0c1: [&[3u8][..], &c1].concat(),
        s0s1s2: [&[3u8][..], &s1, &s2].concat(),
        c2,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rtmp::handshake::{find_digest, DigestScheme};

    #[test]
    fn digests_verify() {
        let h = handshake(&mut Rng::new(1));
        assert_eq!(h.c0c1.len(), 1537);
        assert_eq!(h.s0s1s2.len(), 3073);
        assert_eq!(h.c2.len(), 1536);
        let (scheme, _) = find_digest(&h.c0c1[1..], false).unwrap();
        assert_eq!(scheme, DigestScheme::Scheme0);
        assert!(find_digest(&h.s0s1s2[1..1537], true).is_some());
    }
}

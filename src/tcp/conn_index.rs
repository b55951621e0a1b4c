//! Finding a segment's connection by its 4-tuple. A small direct-mapped cache sits in front of
//! the map: consecutive packets almost always belong to one of a few connections, and the cache
//! hit costs two address comparisons instead of hashing both addresses with SipHash (which stays
//! on the miss path, so hostile captures with colliding tuples still cannot degrade the map).

use std::collections::HashMap;
use std::net::SocketAddr;

use super::ConnId;

const SLOTS: usize = 64;

#[derive(Debug)]
pub(super) struct ConnIndex {
    /// Keyed by the two endpoints in ascending order.
    by_tuple: HashMap<(SocketAddr, SocketAddr), ConnId>,
    /// Recent lookups, at a slot that does not depend on the direction.
    recent: Vec<Option<(SocketAddr, SocketAddr, ConnId)>>,
    /// The last answer: a capture is mostly runs of one connection's packets (data one way,
    /// ACKs the other), and this check costs less than the slot's hash.
    last: Option<(SocketAddr, SocketAddr, ConnId)>,
}

impl Default for ConnIndex {
    fn default() -> Self {
        ConnIndex {
            by_tuple: HashMap::new(),
            recent: vec![None; SLOTS],
            last: None,
        }
    }
}

/// A cheap hash of one endpoint.
fn fold(addr: &SocketAddr) -> u32 {
    let ip = match addr {
        SocketAddr::V4(v4) => u32::from(*v4.ip()),
        SocketAddr::V6(v6) => v6
            .ip()
            .octets()
            .chunks_exact(4)
            .map(|c| u32::from_be_bytes(<[u8; 4]>::try_from(c).unwrap_or_default()))
            .fold(0u32, |h, w| h.rotate_left(5) ^ w),
    };
    ip ^ u32::from(addr.port()).wrapping_mul(0x9e37_79b1)
}

fn slot(a: &SocketAddr, b: &SocketAddr) -> usize {
    // Symmetric in a and b, so both directions share the slot.
    let h = (fold(a) ^ fold(b)).wrapping_mul(0x85eb_ca6b);
    (h >> 26) as usize % SLOTS
}

fn ordered(a: SocketAddr, b: SocketAddr) -> (SocketAddr, SocketAddr) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl ConnIndex {
    /// The connection the tuple currently maps to (either direction).
    #[inline]
    pub fn get(&mut self, src: &SocketAddr, dst: &SocketAddr) -> Option<ConnId> {
        if let Some((x, y, conn)) = &self.last {
            if (x == src && y == dst) || (x == dst && y == src) {
                return Some(*conn);
            }
        }
        self.get_slow(*src, *dst)
    }

    fn get_slow(&mut self, src: SocketAddr, dst: SocketAddr) -> Option<ConnId> {
        let at = slot(&src, &dst);
        if let Some(Some((x, y, conn))) = self.recent.get(at) {
            if (*x == src && *y == dst) || (*x == dst && *y == src) {
                let conn = *conn;
                self.last = Some((src, dst, conn));
                return Some(conn);
            }
        }
        let conn = *self.by_tuple.get(&ordered(src, dst))?;
        if let Some(entry) = self.recent.get_mut(at) {
            *entry = Some((src, dst, conn));
        }
        self.last = Some((src, dst, conn));
        Some(conn)
    }

    /// Maps the tuple (either direction) to `conn` from now on.
    pub fn insert(&mut self, src: SocketAddr, dst: SocketAddr, conn: ConnId) {
        self.by_tuple.insert(ordered(src, dst), conn);
        self.last = Some((src, dst, conn));
        if let Some(entry) = self.recent.get_mut(slot(&src, &dst)) {
            *entry = Some((src, dst, conn));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> SocketAddr {
        s.parse()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    #[test]
    fn both_directions_and_replacement() {
        let mut index = ConnIndex::default();
        let (a, b, c) = (
            addr("10.0.0.1:1935"),
            addr("10.0.0.2:5000"),
            addr("[::1]:7"),
        );
        assert_eq!(index.get(&a, &b), None);
        index.insert(a, b, ConnId(0));
        assert_eq!(index.get(&b, &a), Some(ConnId(0)));
        assert_eq!(index.get(&a, &b), Some(ConnId(0)));
        assert_eq!(index.get(&a, &c), None);
        index.insert(c, a, ConnId(1));
        index.insert(b, a, ConnId(2));
        assert_eq!(index.get(&a, &b), Some(ConnId(2)));
        assert_eq!(index.get(&a, &c), Some(ConnId(1)));
        // Many tuples: whatever the cache holds, the map answers.
        for port in 0..500u16 {
            index.insert(
                a,
                SocketAddr::from(([10, 0, 1, 1], port)),
                ConnId(10 + u32::from(port)),
            );
        }
        for port in (0..500u16).rev() {
            let peer = SocketAddr::from(([10, 0, 1, 1], port));
            assert_eq!(index.get(&peer, &a), Some(ConnId(10 + u32::from(port))));
        }
        assert_eq!(index.get(&b, &a), Some(ConnId(2)));
    }
}

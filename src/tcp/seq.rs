//! Sequence-number arithmetic: placing 32-bit, wrapping sequence numbers on a direction's
//! 64-bit stream-offset axis.

/// The stream offset of `seq` in a direction whose offset 0 has sequence number `base`, taking
/// the candidate nearest to `reference` (normally the next expected offset). Sequence numbers
/// wrap every 2^32 bytes, so only their distance from a known point is meaningful; anything up
/// to 2^31 either side of `reference` is placed correctly. The result is negative for bytes that
/// lie before the stream start.
pub(crate) fn seq_to_offset(base: u32, reference: u64, seq: u32) -> i64 {
    let reference_seq = base.wrapping_add(reference as u32);
    let delta = i64::from(seq.wrapping_sub(reference_seq) as i32);
    i64::try_from(reference)
        .unwrap_or(i64::MAX)
        .saturating_add(delta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_near_the_start() {
        assert_eq!(seq_to_offset(1000, 0, 1000), 0);
        assert_eq!(seq_to_offset(1000, 0, 1500), 500);
        assert_eq!(seq_to_offset(1000, 0, 999), -1);
        assert_eq!(seq_to_offset(1000, 0, 0), -1000);
    }

    #[test]
    fn base_just_below_wrap() {
        let base = u32::MAX - 9;
        assert_eq!(seq_to_offset(base, 0, base), 0);
        assert_eq!(seq_to_offset(base, 0, u32::MAX), 9);
        assert_eq!(seq_to_offset(base, 5, 0), 10);
        assert_eq!(seq_to_offset(base, 5, 100), 110);
    }

    #[test]
    fn stream_longer_than_four_gigabytes() {
        let base = 7;
        let reference = (1u64 << 32) * 3 + 100;
        // the sequence number of `reference` is base + 100
        assert_eq!(seq_to_offset(base, reference, 107), reference as i64);
        assert_eq!(seq_to_offset(base, reference, 57), reference as i64 - 50);
        assert_eq!(
            seq_to_offset(base, reference, 2107),
            reference as i64 + 2000
        );
        // just behind the 2^32 boundary relative to the reference
        let reference = (1u64 << 32) * 2 + 10;
        assert_eq!(
            seq_to_offset(base, reference, base.wrapping_sub(20)),
            reference as i64 - 30
        );
    }

    #[test]
    fn half_space_limit() {
        let half = 1u32 << 31;
        assert_eq!(seq_to_offset(0, 1 << 31, 0), 0);
        assert_eq!(seq_to_offset(0, 0, half - 1), i64::from(half) - 1);
        assert_eq!(seq_to_offset(0, 0, half), -i64::from(half));
    }
}

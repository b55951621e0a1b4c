//! Aggregate messages (type 22): FLV tags back to back, each an 11-byte tag header, the data and
//! a 4-byte back pointer (11 + data size).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::amf::AmfLimits;

use super::decode_budget;
use super::message::{decode_body_with, type_name, MessageBody};

/// One sub-message of an aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregatePart {
    pub type_id: u8,
    pub type_name: Cow<'static, str>,
    /// Absolute timestamp: the aggregate's timestamp plus this tag's offset from the first tag.
    pub timestamp: u32,
    /// The FLV tag's own timestamp (lower 24 bits + extension byte).
    pub tag_timestamp: u32,
    pub stream_id: u32,
    pub length: u32,
    /// Offset of the tag header in the aggregate's body.
    pub offset: u32,
    /// The back pointer after the data equals 11 + data size (`None` when it was cut off).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub back_pointer_ok: Option<bool>,
    /// Only part of the data was available to decode.
    #[serde(default)]
    pub truncated: bool,
    pub body: MessageBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Aggregate {
    pub parts: Vec<AggregatePart>,
    /// Why splitting stopped early, if it did.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
}

const TAG_HEADER_LEN: usize = 11;

fn be24(b: &[u8]) -> u32 {
    b.iter()
        .take(3)
        .fold(0, |acc, &x| (acc << 8) | u32::from(x))
}

/// Splits an aggregate body. `body` may be a prefix of a body of `length` bytes; tags past the
/// prefix are not listed, the one it cuts is decoded from what is there.
pub fn split_aggregate(body: &[u8], length: u32, timestamp: u32) -> Aggregate {
    split_aggregate_with(body, length, timestamp, AmfLimits::default())
}

/// [`split_aggregate`] with the AMF decoder's limits given: they bound the data tags together
/// (each tag gets what the ones before it left).
pub fn split_aggregate_with(
    body: &[u8],
    length: u32,
    timestamp: u32,
    limits: AmfLimits,
) -> Aggregate {
    let mut left = limits.max_bytes;
    let mut parts = Vec::new();
    let mut pos = 0usize;
    let mut first_tag_ts: Option<u32> = None;
    let mut error = None;
    while pos < body.len() {
        let Some(&[t0, s0, s1, s2, ts0, ts1, ts2, ts3, id0, id1, id2]) =
            body.get(pos..pos + TAG_HEADER_LEN)
        else {
            if (body.len() as u64) >= u64::from(length) {
                error = Some(format!(
                    "{} bytes at offset {pos} are too short for a tag header",
                    body.len() - pos
                ));
            }
            break;
        };
        let type_id = t0 & 0x1f;
        let data_size = be24(&[s0, s1, s2]);
        let tag_timestamp = be24(&[ts0, ts1, ts2]) | (u32::from(ts3) << 24);
        let stream_id = be24(&[id0, id1, id2]);
        let base = *first_tag_ts.get_or_insert(tag_timestamp);
        let data_start = pos + TAG_HEADER_LEN;
        let data_end = data_start.saturating_add(data_size as usize);
        let data = body
            .get(data_start..data_end.min(body.len()))
            .unwrap_or_default();
        let truncated = data.len() < data_size as usize;
        let back_pointer = body
            .get(data_end..data_end.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes);
        let abs = timestamp.wrapping_add(tag_timestamp.wrapping_sub(base));
        let (decoded, _) = if matches!(type_id, 8 | 9 | 15 | 18) {
            let tag_limits = AmfLimits {
                max_bytes: left.max(decode_budget::SPENT_ALLOWANCE),
                max_values: limits.max_values,
                ..limits
            };
            let decoded = decode_body_with(type_id, data, abs, tag_limits);
            left = left.saturating_sub(decode_budget::body_heap(&decoded.0));
            decoded
        } else {
            (
                MessageBody::Unknown {
                    prefix: data.get(..data.len().min(16)).unwrap_or_default().into(),
                },
                None,
            )
        };
        parts.push(AggregatePart {
            type_id,
            type_name: Cow::Borrowed(type_name(type_id)),
            timestamp: abs,
            tag_timestamp,
            stream_id,
            length: data_size,
            offset: pos as u32,
            back_pointer_ok: back_pointer.map(|bp| bp == data_size + TAG_HEADER_LEN as u32),
            truncated,
            body: decoded,
        });
        if data_end as u64 > u64::from(length) {
            error = Some(format!(
                "tag at offset {pos} declares {data_size} bytes, past the aggregate's end"
            ));
            break;
        }
        pos = data_end.saturating_add(4);
    }
    Aggregate { parts, error }
}

/// Writes one FLV tag (for tests): header, data, back pointer.
pub fn encode_tag(type_id: u8, timestamp: u32, stream_id: u32, data: &[u8], out: &mut Vec<u8>) {
    out.push(type_id);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&timestamp.to_be_bytes()[1..]);
    out.push((timestamp >> 24) as u8);
    out.extend_from_slice(&stream_id.to_be_bytes()[1..]);
    out.extend_from_slice(data);
    out.extend_from_slice(&(data.len() as u32 + 11).to_be_bytes());
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn splits_audio_and_video_with_relative_timestamps() {
        let mut body = Vec::new();
        encode_tag(9, 5000, 1, &[0x17, 0x01, 0, 0, 0x21, 0xaa], &mut body);
        encode_tag(8, 5023, 1, &[0xaf, 0x01, 0x21], &mut body);
        encode_tag(9, 0x0100_0010, 1, &[0x27, 0x01, 0, 0, 0], &mut body);
        let agg = split_aggregate(&body, body.len() as u32, 70_000);
        assert_eq!(agg.error, None);
        assert_eq!(agg.parts.len(), 3);
        let p = &agg.parts[0];
        assert_eq!(
            (p.type_id, p.timestamp, p.tag_timestamp, p.length),
            (9, 70_000, 5000, 6)
        );
        assert_eq!(p.back_pointer_ok, Some(true));
        match &p.body {
            MessageBody::Video(v) => assert_eq!(v.composition_time, Some(33)),
            other => panic!("{other:?}"),
        }
        assert_eq!(agg.parts[1].timestamp, 70_023);
        assert!(matches!(agg.parts[1].body, MessageBody::Audio(_)));
        // The extension byte makes the tag timestamp 32-bit.
        assert_eq!(agg.parts[2].tag_timestamp, 0x0100_0010);
        assert_eq!(agg.parts[2].timestamp, 70_000 + 0x0100_0010 - 5000);
        assert_eq!(agg.parts[2].offset as usize, 21 + 18);
    }

    #[test]
    fn prefix_and_errors() {
        let mut body = Vec::new();
        encode_tag(9, 0, 1, &[0x17, 0x01, 0, 0, 0, 1, 2, 3], &mut body);
        encode_tag(8, 10, 1, &[0xaf, 0x01], &mut body);
        // Only a prefix was kept: the first tag is cut, nothing more listed, no error.
        let agg = split_aggregate(&body[..14], body.len() as u32, 0);
        assert_eq!(agg.parts.len(), 1);
        assert!(agg.parts[0].truncated);
        assert_eq!(agg.parts[0].back_pointer_ok, None);
        assert_eq!(agg.error, None);
        // A wrong back pointer is reported per part.
        let mut bad = body.clone();
        bad[19 + 3] ^= 1;
        assert_eq!(
            split_aggregate(&bad, bad.len() as u32, 0).parts[0].back_pointer_ok,
            Some(false)
        );
        // A tag declaring more than the aggregate holds.
        let mut over = Vec::new();
        encode_tag(8, 0, 1, &[0xaf, 0x01], &mut over);
        over[3] = 200;
        let agg = split_aggregate(&over, over.len() as u32, 0);
        assert!(agg.error.is_some());
        // Trailing bytes too short for a header.
        let mut tail = body.clone();
        tail.extend([1, 2, 3]);
        assert!(split_aggregate(&tail, tail.len() as u32, 0).error.is_some());
    }
}

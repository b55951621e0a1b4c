//! Enhanced RTMP capability negotiation: `fourCcList`, `videoFourCcInfoMap`,
//! `audioFourCcInfoMap` and `capsEx` in the `connect` command object (client) and in the
//! `_result` (server).

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use serde::{Deserialize, Serialize};

use crate::amf::AmfValue;

/// CapsExMask bits (Enhanced RTMP v2).
const CAPS_EX: [(u32, &str); 4] = [
    (0x01, "Reconnect"),
    (0x02, "Multitrack"),
    (0x04, "ModEx"),
    (0x08, "TimestampNanoOffset"),
];

/// FourCcInfoMask bits.
const FOURCC_INFO: [(u32, &str); 3] = [
    (0x01, "CanDecode"),
    (0x02, "CanEncode"),
    (0x04, "CanForward"),
];

/// The CapsExMask bit for `NetConnection.Connect.ReconnectRequest` support.
pub const CAPS_EX_RECONNECT: u32 = 0x01;

fn flag_names(value: u32, table: &[(u32, &'static str)]) -> Vec<String> {
    let mut names: Vec<String> = table
        .iter()
        .filter(|(bit, _)| value & bit != 0)
        .map(|(_, name)| name.to_string())
        .collect();
    let known = table.iter().fold(0, |acc, (bit, _)| acc | bit);
    if value & !known != 0 {
        names.push(format!("unknown bits 0x{:x}", value & !known));
    }
    names
}

/// What one side can do with one codec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FourCcInfo {
    /// The FourCC, or `*` for every codec (the wildcard's flags override the others).
    pub fourcc: String,
    pub mask: u32,
    /// `CanDecode`, `CanEncode`, `CanForward`.
    pub flags: Vec<String>,
}

/// The Enhanced RTMP capabilities one side declared.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EnhancedCaps {
    /// `fourCcList`: codecs supported (Enhanced RTMP v1 style; `*` = any).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub fourcc_list: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub video_fourcc_info: Vec<FourCcInfo>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub audio_fourcc_info: Vec<FourCcInfo>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub caps_ex: Option<u32>,
    /// The meaning of the `capsEx` bits: `Reconnect`, `Multitrack`, `ModEx`,
    /// `TimestampNanoOffset`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub caps_ex_flags: Vec<String>,
}

fn as_u32(value: &AmfValue) -> Option<u32> {
    let n = value.as_f64()?;
    (n.is_finite() && (0.0..=f64::from(u32::MAX)).contains(&n)).then_some(n as u32)
}

fn info_map(value: Option<&AmfValue>) -> Vec<FourCcInfo> {
    let Some(props) = value.and_then(AmfValue::properties) else {
        return Vec::new();
    };
    props
        .iter()
        .filter_map(|(fourcc, v)| {
            let mask = as_u32(v)?;
            Some(FourCcInfo {
                fourcc: fourcc.clone(),
                mask,
                flags: flag_names(mask, &FOURCC_INFO),
            })
        })
        .collect()
}

impl EnhancedCaps {
    /// The capabilities in an object (the `connect` command object, or the information object
    /// of its `_result`); `None` when it declares none.
    pub fn from_object(object: &AmfValue) -> Option<Self> {
        let fourcc_list = match object.get("fourCcList") {
            Some(AmfValue::StrictArray(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(AmfValue::Amf3Array { dense, .. }) => dense
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        let caps_ex = object.get("capsEx").and_then(as_u32);
        let caps = EnhancedCaps {
            fourcc_list,
            video_fourcc_info: info_map(object.get("videoFourCcInfoMap")),
            audio_fourcc_info: info_map(object.get("audioFourCcInfoMap")),
            caps_ex,
            caps_ex_flags: caps_ex.map_or_else(Vec::new, |c| flag_names(c, &CAPS_EX)),
        };
        (caps != EnhancedCaps::default()).then_some(caps)
    }

    pub fn supports_reconnect(&self) -> bool {
        self.caps_ex.is_some_and(|c| c & CAPS_EX_RECONNECT != 0)
    }

    /// One line: "fourCcList av01, hvc1; video hvc1 CanDecode|CanForward; capsEx Reconnect".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.fourcc_list.is_empty() {
            parts.push(format!("fourCcList {}", self.fourcc_list.join(", ")));
        }
        for (label, map) in [
            ("video", &self.video_fourcc_info),
            ("audio", &self.audio_fourcc_info),
        ] {
            if !map.is_empty() {
                let items: Vec<String> = map
                    .iter()
                    .map(|i| format!("{} {}", i.fourcc, i.flags.join("|")))
                    .collect();
                parts.push(format!("{label} {}", items.join(", ")));
            }
        }
        if let Some(c) = self.caps_ex {
            parts.push(format!("capsEx 0x{c:x} {}", self.caps_ex_flags.join("|")));
        }
        parts.join("; ")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn s(v: &str) -> AmfValue {
        AmfValue::String(v.into())
    }

    #[test]
    fn connect_with_every_enhanced_property() {
        let obj = AmfValue::Object {
            class_name: None,
            properties: vec![
                ("app".into(), s("live")),
                (
                    "fourCcList".into(),
                    AmfValue::StrictArray(vec![s("av01"), s("hvc1"), s("Opus")]),
                ),
                (
                    "videoFourCcInfoMap".into(),
                    AmfValue::Object {
                        class_name: None,
                        properties: vec![
                            ("*".into(), AmfValue::Number(4.0)),
                            ("hvc1".into(), AmfValue::Number(3.0)),
                        ],
                    },
                ),
                ("capsEx".into(), AmfValue::Number(15.0)),
            ],
        };
        let caps = EnhancedCaps::from_object(&obj).unwrap();
        assert_eq!(caps.fourcc_list, ["av01", "hvc1", "Opus"]);
        assert_eq!(caps.video_fourcc_info[0].flags, ["CanForward"]);
        assert_eq!(caps.video_fourcc_info[1].flags, ["CanDecode", "CanEncode"]);
        assert!(caps.audio_fourcc_info.is_empty());
        assert_eq!(
            caps.caps_ex_flags,
            ["Reconnect", "Multitrack", "ModEx", "TimestampNanoOffset"]
        );
        assert!(caps.supports_reconnect());
        assert_eq!(
            caps.summary(),
            "fourCcList av01, hvc1, Opus; video * CanForward, hvc1 CanDecode|CanEncode; \
             capsEx 0xf Reconnect|Multitrack|ModEx|TimestampNanoOffset"
        );
    }

    #[test]
    fn legacy_connect_declares_nothing() {
        let obj = AmfValue::Object {
            class_name: None,
            properties: vec![
                ("app".into(), s("live")),
                ("videoCodecs".into(), AmfValue::Number(252.0)),
            ],
        };
        assert_eq!(EnhancedCaps::from_object(&obj), None);
        let odd = AmfValue::EcmaArray(vec![("capsEx".into(), AmfValue::Number(0x12 as f64))]);
        let caps = EnhancedCaps::from_object(&odd).unwrap();
        assert_eq!(caps.caps_ex_flags, ["Multitrack", "unknown bits 0x10"]);
        assert!(!caps.supports_reconnect());
    }
}

//! The timeline's filter: session, direction, message type or group, free text.

use rtmpscope::rtmp::Dir;

use crate::shared::rows::contains_lowercase;

use super::model::Loaded;

/// Groups of message types a user thinks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Commands,
    Control,
    Audio,
    Video,
    Data,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Commands,
        Group::Control,
        Group::Audio,
        Group::Video,
        Group::Data,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Group::Commands => "commands",
            Group::Control => "control",
            Group::Audio => "audio",
            Group::Video => "video",
            Group::Data => "data",
        }
    }

    pub fn contains(self, type_id: u8) -> bool {
        match self {
            Group::Commands => matches!(type_id, 17 | 20),
            Group::Control => matches!(type_id, 1..=6),
            Group::Audio => type_id == 8,
            Group::Video => type_id == 9,
            Group::Data => matches!(type_id, 15 | 16 | 18 | 19),
        }
    }
}

/// Which message types to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    All,
    Group(Group),
    Type(u8),
}

impl Kind {
    /// The `<select>` value of this choice.
    pub fn key(self) -> String {
        match self {
            Kind::All => String::new(),
            Kind::Group(g) => format!("g:{}", g.name()),
            Kind::Type(t) => format!("t:{t}"),
        }
    }

    pub fn from_key(key: &str) -> Kind {
        if let Some(name) = key.strip_prefix("g:") {
            if let Some(g) = Group::ALL.into_iter().find(|g| g.name() == name) {
                return Kind::Group(g);
            }
        }
        if let Some(t) = key.strip_prefix("t:").and_then(|t| t.parse().ok()) {
            return Kind::Type(t);
        }
        Kind::All
    }

    fn matches(self, type_id: u8) -> bool {
        match self {
            Kind::All => true,
            Kind::Group(g) => g.contains(type_id),
            Kind::Type(t) => t == type_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    /// TCP connection of the session to show.
    pub conn: Option<u32>,
    pub dir: Option<Dir>,
    pub kind: Kind,
    /// Case-insensitive text to find in the summary or type name.
    pub text: String,
}

impl Filter {
    pub fn is_empty(&self) -> bool {
        *self == Filter::default()
    }

    /// Positions in `rows` of the messages that pass.
    pub fn apply(&self, data: &Loaded) -> Vec<u32> {
        let needle = self.text.trim().to_lowercase();
        data.rows
            .iter()
            .enumerate()
            .filter(|(i, m)| {
                self.conn.is_none_or(|c| c == m.conn)
                    && self.dir.is_none_or(|d| d == m.dir)
                    && self.kind.matches(m.type_id)
                    && (needle.is_empty()
                        || contains_lowercase(data.summaries.get(*i), &needle)
                        || contains_lowercase(m.type_name(), &needle))
            })
            .map(|(i, _)| i as u32)
            .collect()
    }
}

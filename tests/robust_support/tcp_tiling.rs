//! Checks the TCP layer's promise for every direction of every connection: data and gap events
//! tile the stream (offsets from 0, no overlap, no hole) and nothing follows the close.

use std::collections::HashMap;

use rtmpscope::tcp::{Direction, FlowEvent};

#[derive(Default)]
pub struct Tiling {
    next: HashMap<(u32, Direction), u64>,
    closed: HashMap<(u32, Direction), u64>,
    pub log: Vec<String>,
}

impl Tiling {
    pub fn check(&mut self, event: FlowEvent<'_>) {
        self.log
            .push(format!("{event:?}").chars().take(200).collect());
        let (key, range) = match event {
            FlowEvent::Data {
                conn,
                dir,
                data,
                stream_offset,
                ..
            } => {
                assert!(!data.is_empty());
                ((conn.0, dir), Some((stream_offset, data.len() as u64)))
            }
            FlowEvent::Gap {
                conn,
                dir,
                stream_offset,
                len,
                ..
            } => {
                assert!(len > 0);
                ((conn.0, dir), Some((stream_offset, len)))
            }
            FlowEvent::Closed { conn, dir, .. } => ((conn.0, dir), None),
            FlowEvent::Opened { .. } => return,
        };
        assert!(
            !self.closed.contains_key(&key),
            "event after the close of {key:?}:\n{}",
            self.log.join("\n")
        );
        match range {
            Some((offset, len)) => {
                let next = self.next.entry(key).or_insert(0);
                assert_eq!(offset, *next, "{key:?}:\n{}", self.log.join("\n"));
                *next += len;
            }
            None => {
                self.closed.insert(key, 0);
            }
        }
    }
}

//! Emitting a direction's events and keeping its counters in step with them.

use super::stats::DirectionStats;
use super::{CloseReason, ConnId, Direction, FlowEvent, GapReason};
use crate::capture::Timestamp;

/// The packet being processed: gaps are declared at it, buffered data is completed by it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Now {
    pub frame: u64,
    pub time: Timestamp,
}

/// Where events of one direction go, and the counters they update.
pub(crate) struct Out<'s, F> {
    pub conn: ConnId,
    pub dir: Direction,
    pub stats: &'s mut DirectionStats,
    pub sink: &'s mut F,
}

impl<F: FnMut(FlowEvent<'_>)> Out<'_, F> {
    #[allow(clippy::too_many_arguments)]
    pub fn data(
        &mut self,
        data: &[u8],
        at: u64,
        frame: u64,
        time: Timestamp,
        file_offset: u64,
        now: Now,
    ) {
        if data.is_empty() {
            return;
        }
        self.stats.stream_bytes += data.len() as u64;
        (self.sink)(FlowEvent::Data {
            conn: self.conn,
            dir: self.dir,
            data,
            stream_offset: at,
            frame,
            time,
            file_offset: Some(file_offset),
            completed_frame: now.frame,
        });
    }

    pub fn gap(&mut self, at: u64, len: u64, reason: GapReason, frame: u64, time: Timestamp) {
        if len == 0 {
            return;
        }
        self.stats.gap_bytes += len;
        self.stats.gaps += 1;
        (self.sink)(FlowEvent::Gap {
            conn: self.conn,
            dir: self.dir,
            stream_offset: at,
            len,
            frame,
            time,
            reason,
        });
    }

    pub fn closed(&mut self, reason: CloseReason, now: Now) {
        self.stats.closed = Some(reason);
        (self.sink)(FlowEvent::Closed {
            conn: self.conn,
            dir: self.dir,
            reason,
            frame: now.frame,
            time: now.time,
        });
    }
}

//! Taking bytes: headers that straddle slices wait in a small buffer, payload goes straight
//! from the caller's slice into the message bodies, and bytes after a loss of sync go to the
//! resynchroniser's buffer.

use super::super::queue::Locator;
use super::super::Origin;
use super::{ChunkStreamDemuxer, DemuxEvent, Mode, Stop};
use crate::rtmp::header::{parse_basic_header, parse_chunk_header};

impl ChunkStreamDemuxer {
    /// Feeds the next bytes of the stream; `origin` is where `data[0]` came from.
    pub fn feed<F: FnMut(DemuxEvent)>(&mut self, data: &[u8], origin: Origin, sink: &mut F) {
        if data.is_empty() {
            return;
        }
        let vpos = self.vpos;
        self.vpos = vpos.saturating_add(data.len() as u64);
        self.feed_at(data, origin, vpos, sink);
        if self.mode == Mode::Resync {
            self.drive_resync(false, sink);
        }
    }

    /// Takes `data` at stream position `vpos`; bytes after a loss of sync go to the
    /// resynchroniser's buffer (which the caller drives).
    pub(super) fn feed_at<F: FnMut(DemuxEvent)>(
        &mut self,
        data: &[u8],
        origin: Origin,
        vpos: u64,
        sink: &mut F,
    ) {
        if self.mode == Mode::Resync {
            self.resync.push(data, origin, vpos);
            return;
        }
        let mut start = 0;
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let pending_vpos = vpos.saturating_sub(pending.len() as u64);
            let k = data.len().min(crate::rtmp::header::MAX_HEADER_LEN);
            let mut tmp = pending.clone();
            tmp.extend_from_slice(data.get(..k).unwrap_or_default());
            let segs = [(0, self.pending_origin), (pending.len(), origin)];
            let loc = Locator::new(&segs, 0);
            match self.process(&tmp, loc, sink) {
                Stop::Done => start = k,
                Stop::NeedMore(at) if at >= pending.len() && k < data.len() => {
                    start = at - pending.len();
                }
                Stop::NeedMore(at) => {
                    // The header still lacks bytes, so all of `data` fit in `tmp`.
                    self.pending_origin = loc.at(at);
                    self.pending = tmp.get(at..).unwrap_or_default().to_vec();
                    self.pending
                        .extend_from_slice(data.get(k..).unwrap_or_default());
                    return;
                }
                Stop::Lost(at) => {
                    let lost = pending_vpos + at as u64;
                    self.resync.push_located(
                        tmp.get(at..).unwrap_or_default(),
                        Locator::new(&segs, at),
                        lost,
                    );
                    self.resync.push(
                        data.get(k..).unwrap_or_default(),
                        origin.advanced(k as u64),
                        vpos + k as u64,
                    );
                    self.scan_from = lost + 1;
                    return;
                }
            }
        }
        let rest = data.get(start..).unwrap_or_default();
        let origin = origin.advanced(start as u64);
        let segs = [(0, origin)];
        match self.process(rest, Locator::new(&segs, 0), sink) {
            Stop::Done => {}
            Stop::NeedMore(at) => {
                self.pending = rest.get(at..).unwrap_or_default().to_vec();
                self.pending_origin = origin.advanced(at as u64);
            }
            Stop::Lost(at) => {
                let lost = vpos + (start + at) as u64;
                self.resync.push(
                    rest.get(at..).unwrap_or_default(),
                    origin.advanced(at as u64),
                    lost,
                );
                self.scan_from = lost + 1;
            }
        }
    }

    pub(super) fn process<F: FnMut(DemuxEvent)>(
        &mut self,
        buf: &[u8],
        loc: Locator,
        sink: &mut F,
    ) -> Stop {
        let mut i = 0;
        while i < buf.len() {
            match self.mode {
                Mode::Payload { csid, remaining } => {
                    let n = (remaining as usize).min(buf.len() - i);
                    if self.config.record_body_spans {
                        self.record_spans(csid, loc, i, n);
                    }
                    let last = loc.at(i + n - 1);
                    self.append(csid, buf.get(i..i + n).unwrap_or_default(), last);
                    i += n;
                    let remaining = remaining - n as u32;
                    if remaining == 0 {
                        self.mode = Mode::Header;
                        self.end_chunk(csid, last, sink);
                    } else {
                        self.mode = Mode::Payload { csid, remaining };
                    }
                }
                Mode::Header => {
                    let rest = buf.get(i..).unwrap_or_default();
                    let Some(basic) = parse_basic_header(rest) else {
                        return Stop::NeedMore(i);
                    };
                    let rule = self.extended_rule(basic.fmt, basic.csid);
                    let Some(header) = parse_chunk_header(rest, basic, rule) else {
                        return Stop::NeedMore(i);
                    };
                    let at = loc.at(i);
                    let end = loc.at(i + header.len - 1);
                    match self.start_chunk(&header, at, end, sink) {
                        Some(0) => {
                            i += header.len;
                            self.end_chunk(header.csid, end, sink);
                        }
                        Some(payload) => {
                            i += header.len;
                            self.mode = Mode::Payload {
                                csid: header.csid,
                                remaining: payload,
                            };
                        }
                        None => return Stop::Lost(i),
                    }
                }
                Mode::Resync => return Stop::Lost(i),
            }
        }
        Stop::Done
    }
}

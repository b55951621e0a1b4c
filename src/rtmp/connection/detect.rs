//! Recognising RTMP by its handshake: C0 = 3 (tentative until a side has sent all of C0+C1 or
//! S0+S1, since other protocols open with 0x03 too), RTMPE (6, 8), or something else; and
//! reporting the handshake once both sides are through it.

use crate::diagnostic::Severity;

use super::super::handshake::{analyze, BLOCK_LEN};
use super::super::{diagnostic, Dir, Origin, RtmpEvent};
use super::{RtmpConnection, State};

impl RtmpConnection {
    pub(super) fn detect<F: FnMut(RtmpEvent)>(
        &mut self,
        dir: Dir,
        first: u8,
        origin: Origin,
        sink: &mut F,
    ) {
        match first {
            3 => {
                self.state = State::Tentative { first: origin, dir };
                self.roles_swapped = dir == Dir::S2C;
            }
            6 | 8 => {
                self.state = State::Ignored;
                sink(RtmpEvent::Encrypted {
                    version: first,
                    frame: origin.frame,
                });
                sink(RtmpEvent::Diagnostic(diagnostic(
                    Severity::Info,
                    "rtmp.encrypted",
                    format!("C0 = {first}: RTMPE (encrypted RTMP), not decodable"),
                    origin,
                    dir,
                )));
            }
            _ => {
                self.state = State::Ignored;
                sink(RtmpEvent::NotRtmp {
                    first_byte: first,
                    dir,
                    frame: origin.frame,
                });
            }
        }
    }

    pub(super) fn confirm<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        let State::Tentative { first, .. } = self.state else {
            return;
        };
        self.state = State::Rtmp;
        sink(RtmpEvent::Detected {
            version: 3,
            roles_swapped: self.roles_swapped,
            frame: first.frame,
            midstream: false,
        });
        if self.roles_swapped {
            sink(RtmpEvent::Diagnostic(diagnostic(
                Severity::Info,
                "rtmp.roles_swapped",
                "C0+C1 came from the side taken for the server: it is the RTMP client".into(),
                first,
                Dir::C2S,
            )));
        }
    }

    pub(super) fn reject<F: FnMut(RtmpEvent)>(&mut self, why: &str, sink: &mut F) {
        let State::Tentative { first, dir } = self.state else {
            return;
        };
        self.state = State::Ignored;
        sink(RtmpEvent::NotRtmp {
            first_byte: 3,
            dir,
            frame: first.frame,
        });
        sink(RtmpEvent::Diagnostic(diagnostic(
            Severity::Info,
            "rtmp.not_rtmp",
            format!("the connection opens with 0x03 like RTMP, but {why}"),
            first,
            dir,
        )));
    }

    /// Confirms or rejects a tentative detection after a side's bytes were taken.
    pub(super) fn check_tentative<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        if !matches!(self.state, State::Tentative { .. }) {
            return;
        }
        let client = self.sides[0].handshake.received();
        let server = self.sides[1].handshake.received();
        let c0c1 = 1 + BLOCK_LEN;
        if server > 0 && self.sides[1].handshake.first_byte() != 3 {
            self.reject("the answer does not start with S0 = 3", sink);
        } else if client >= c0c1 || server >= c0c1 {
            self.confirm(sink);
        }
    }

    pub(super) fn handshake_info(&self) -> super::super::HandshakeInfo {
        let mut info = analyze(&self.sides[0].handshake, &self.sides[1].handshake);
        info.roles_swapped = self.roles_swapped;
        info
    }

    pub(super) fn maybe_report_handshake<F: FnMut(RtmpEvent)>(&mut self, sink: &mut F) {
        if self.handshake_reported
            || !self.sides[0].handshake.is_done()
            || !self.sides[1].handshake.is_done()
        {
            return;
        }
        self.handshake_reported = true;
        sink(RtmpEvent::Handshake(self.handshake_info()));
        for side in &mut self.sides {
            side.handshake.release();
        }
    }
}

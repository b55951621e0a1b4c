//! What an export will write, decided from the analysis report before any byte is written: the
//! stream exists and is RTMP, which tracks it has, and whether the capture holds all of it.

use crate::analysis::Protocol;
use crate::rtmp::MessageBody;
use crate::Report;

use super::ExportError;

/// Choices for an export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Export a stream that is incomplete in the capture: messages with bytes missing are
    /// left out, and a stream whose codec configuration (sequence header) is not in the
    /// capture is written without it (players cannot decode that track). Off: such a stream
    /// is refused.
    pub allow_damaged: bool,
}

/// One message stream to export, checked against the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportPlan {
    /// TCP connection index (as in `rtmpscope flows`).
    pub conn: u32,
    /// Message stream id.
    pub msid: u32,
    /// The publish/play name, if any.
    pub stream_name: Option<String>,
    /// The FLV header's flags: the stream has audio / video messages.
    pub has_audio: bool,
    pub has_video: bool,
    /// RTMP timestamp of the stream's first audio or video message: FLV time 0.
    pub base_timestamp: u32,
    /// Audio, video and data messages of the stream in the report (aggregates count once).
    pub messages: u64,
    /// Of those, the ones with bytes missing from the capture (snap length, loss, a capture
    /// that ends inside them).
    pub damaged: u64,
    /// As given to [`ExportPlan::new`].
    pub options: ExportOptions,
}

/// A message stream with something an FLV file can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportableStream {
    /// TCP connection index.
    pub conn: u32,
    /// Message stream id.
    pub msid: u32,
    /// The publish/play name, if any.
    pub name: Option<String>,
}

/// Every (connection, message stream) that carried audio, video or data, in report order.
pub fn exportable_streams(report: &Report) -> Vec<ExportableStream> {
    let mut found: Vec<ExportableStream> = Vec::new();
    for r in &report.messages {
        let m = &r.message;
        if m.msid == 0 || !matches!(m.type_id, 8 | 9 | 15 | 18 | 22) {
            continue;
        }
        if found.iter().any(|s| s.conn == r.conn && s.msid == m.msid) {
            continue;
        }
        let name = report
            .sessions
            .iter()
            .find(|s| s.conn == r.conn)
            .and_then(|s| s.stream(m.msid))
            .and_then(|s| s.name.clone());
        found.push(ExportableStream {
            conn: r.conn,
            msid: m.msid,
            name,
        });
    }
    found
}

impl ExportPlan {
    /// Checks that `conn`/`msid` is an RTMP message stream with something to export, and that
    /// the capture holds all of it (unless `options.allow_damaged`).
    pub fn new(
        report: &Report,
        conn: u32,
        msid: u32,
        options: ExportOptions,
    ) -> Result<ExportPlan, ExportError> {
        let connection = report
            .connections
            .iter()
            .find(|c| c.tcp.conn.0 == conn)
            .ok_or(ExportError::NoSuchConnection {
                conn,
                connections: report.connections.len(),
            })?;
        if connection.protocol != Protocol::Rtmp {
            return Err(ExportError::NotRtmp {
                conn,
                protocol: format!("{:?}", connection.protocol),
            });
        }
        let mut plan = ExportPlan {
            conn,
            msid,
            stream_name: None,
            has_audio: false,
            has_video: false,
            base_timestamp: 0,
            messages: 0,
            damaged: 0,
            options,
        };
        let mut first_damaged = None;
        let mut base = None;
        let mut configs = ConfigSeen::default();
        for r in report.messages.iter().filter(|r| r.conn == conn) {
            let m = &r.message;
            if m.msid != msid || !matches!(m.type_id, 8 | 9 | 15 | 18 | 22) {
                continue;
            }
            plan.messages += 1;
            configs.observe(&m.body);
            if let MessageBody::Aggregate(agg) = &m.body {
                for part in &agg.parts {
                    configs.observe(&part.body);
                    plan.has_audio |= part.type_id == 8;
                    plan.has_video |= part.type_id == 9;
                    if matches!(part.type_id, 8 | 9) {
                        base.get_or_insert(part.timestamp);
                    }
                }
            }
            if matches!(m.type_id, 8 | 9) {
                base.get_or_insert(m.timestamp);
            }
            // A media body that could not even be read as a tag header still says which
            // track it belongs to.
            plan.has_audio |= m.type_id == 8;
            plan.has_video |= m.type_id == 9;
            if m.damaged {
                plan.damaged += 1;
                first_damaged.get_or_insert(m.frame);
            }
        }
        let streams = exportable_streams(report);
        if plan.messages == 0 {
            return Err(ExportError::NoSuchStream {
                conn,
                msid,
                available: describe_streams(&streams),
                missing_bytes: connection.tcp.c2s.gap_bytes + connection.tcp.s2c.gap_bytes,
            });
        }
        plan.base_timestamp = base.unwrap_or(0);
        plan.stream_name = streams
            .iter()
            .find(|s| s.conn == conn && s.msid == msid)
            .and_then(|s| s.name.clone());
        if plan.damaged > 0 && !plan.options.allow_damaged {
            return Err(ExportError::MissingData {
                conn,
                msid,
                damaged: plan.damaged,
                total: plan.messages,
                first_frame: first_damaged.unwrap_or(0),
            });
        }
        if let Some(track) = configs.missing().filter(|_| !plan.options.allow_damaged) {
            return Err(ExportError::MissingConfig { conn, msid, track });
        }
        Ok(plan)
    }
}

/// Whether the tracks' codec configurations (sequence headers) are in the capture, for codecs
/// that cannot be decoded without one.
#[derive(Default)]
struct ConfigSeen {
    video_needs: bool,
    video_seen: bool,
    audio_needs: bool,
    audio_seen: bool,
}

impl ConfigSeen {
    fn observe(&mut self, body: &MessageBody) {
        match body {
            MessageBody::Video(v) => {
                // AVC, HEVC, AV1 and every Enhanced RTMP codec carry their configuration in a
                // sequence header; older FLV codecs (H.263, VP6, screen video) have none.
                self.video_needs |= v.enhanced || matches!(v.codec_id, Some(7 | 12 | 13));
                self.video_seen |= v.sequence_header;
            }
            MessageBody::Audio(a) => {
                self.audio_needs |= a.sound_format == 10
                    || a.fourcc
                        .is_some_and(|f| matches!(&f.0, b"mp4a" | b"Opus" | b"fLaC"));
                self.audio_seen |= a.sequence_header;
            }
            _ => {}
        }
    }

    /// The first track whose configuration is needed but missing.
    fn missing(&self) -> Option<String> {
        if self.video_needs && !self.video_seen {
            Some("video".into())
        } else if self.audio_needs && !self.audio_seen {
            Some("audio".into())
        } else {
            None
        }
    }
}

/// `conn 0 stream 1 'live', conn 2 stream 1` (or `none`).
pub(crate) fn describe_streams(streams: &[ExportableStream]) -> String {
    if streams.is_empty() {
        return "none".into();
    }
    streams
        .iter()
        .map(|s| match &s.name {
            Some(n) => format!("conn {} stream {} '{n}'", s.conn, s.msid),
            None => format!("conn {} stream {}", s.conn, s.msid),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

//! The export pass: the capture again through capture → TCP → RTMP, for one connection only,
//! with message bodies kept whole, each message of the chosen stream written as an FLV tag.

use std::io::Write;

use serde::{Deserialize, Serialize};

use crate::capture::{CaptureReader, Packet};
use crate::net::decode_tcp;
use crate::rtmp::{Dir, MessageBody, Origin, RtmpConfig, RtmpConnection, RtmpEvent, RtmpMessage};
use crate::tcp::{Direction, FlowEvent, FlowTable, PacketMeta, TcpConfig};

use super::flv::{FlvWriter, TAG_AUDIO, TAG_HEADER_LEN, TAG_SCRIPT, TAG_VIDEO};
use super::plan::ExportPlan;
use super::ExportError;

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// The exported stream: TCP connection index and message stream id.
    pub conn: u32,
    pub msid: u32,
    /// Tags written, by kind.
    pub audio_tags: u64,
    pub video_tags: u64,
    /// Script data tags (onMetaData and other AMF0 data).
    pub script_tags: u64,
    /// Messages left out because bytes of them are missing from the capture.
    pub skipped_damaged: u64,
    /// Messages FLV has no place for (AMF3 data, `@clearDataFrame`).
    pub skipped_other: u64,
    /// FLV timestamps of the first and last tag, ms (the first media tag is at 0).
    pub first_timestamp: u32,
    pub last_timestamp: u32,
    /// Size of the FLV file.
    pub bytes: u64,
}

/// Writes one message stream of a capture as FLV, fed the capture in pieces like
/// [`Analyzer`](crate::Analyzer). The [`ExportPlan`] comes from the analysis of the same capture.
pub struct FlvExporter<W: Write> {
    reader: CaptureReader,
    flows: FlowTable,
    tags: TagWriter<W>,
}

/// The RTMP decoder of the chosen connection and the FLV output.
struct TagWriter<W: Write> {
    plan: ExportPlan,
    rtmp: Option<RtmpConnection>,
    flv: FlvWriter<W>,
    summary: ExportSummary,
    /// Stream messages seen (aggregates count once), to compare with the plan.
    messages: u64,
    error: Option<ExportError>,
}

/// The RTMP layer with whole bodies handed over.
fn export_config() -> RtmpConfig {
    RtmpConfig {
        media_prefix: usize::MAX,
        // Aggregates (and data) may use all 24 bits of the length.
        max_body: 1 << 24,
        keep_payload: true,
        ..RtmpConfig::default()
    }
}

impl<W: Write> FlvExporter<W> {
    /// Writes the FLV header (with the plan's audio/video flags) to `out`.
    pub fn new(plan: ExportPlan, out: W) -> Result<Self, ExportError> {
        let flv = FlvWriter::new(out, plan.has_audio, plan.has_video)?;
        let summary = ExportSummary {
            conn: plan.conn,
            msid: plan.msid,
            bytes: flv.bytes_written(),
            ..ExportSummary::default()
        };
        Ok(FlvExporter {
            reader: CaptureReader::new(),
            flows: FlowTable::new(TcpConfig::default()),
            tags: TagWriter {
                plan,
                rtmp: None,
                flv,
                summary,
                messages: 0,
                error: None,
            },
        })
    }

    /// Feeds the next piece of the capture. A capture error ends the input (as in the
    /// analysis); a write error is returned here and by [`FlvExporter::finish`].
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        let FlvExporter {
            reader,
            flows,
            tags,
        } = self;
        // A capture error was already met (and reported) by the analysis of the same file.
        let _ = reader.feed(bytes, &mut |packet| on_packet(flows, tags, packet));
        match &tags.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    /// Ends the input, flushes the output and returns what was written, with the writer.
    pub fn finish(mut self) -> Result<(ExportSummary, W), ExportError> {
        let _ = self.reader.finish();
        let tags = &mut self.tags;
        self.flows.finish(&mut |event| tags.on_flow_event(event));
        if let Some(mut rtmp) = tags.rtmp.take() {
            let mut events = Vec::new();
            rtmp.finish(&mut |e| events.push(e));
            tags.on_rtmp_events(events);
        }
        let mut tags = self.tags;
        if let Some(error) = tags.error {
            return Err(error);
        }
        tags.flv.flush()?;
        let plan = &tags.plan;
        if tags.summary.skipped_damaged > 0 && !plan.options.allow_damaged {
            return Err(ExportError::MissingData {
                conn: plan.conn,
                msid: plan.msid,
                damaged: tags.summary.skipped_damaged,
                total: tags.messages,
                first_frame: 0,
            });
        }
        if tags.messages != plan.messages {
            return Err(ExportError::Inconsistent {
                planned: plan.messages,
                found: tags.messages,
            });
        }
        tags.summary.bytes = tags.flv.bytes_written();
        Ok((tags.summary, tags.flv.into_inner()))
    }
}

fn on_packet<W: Write>(flows: &mut FlowTable, tags: &mut TagWriter<W>, packet: &Packet<'_>) {
    let Ok(Some(segment)) = decode_tcp(packet.link, packet.data) else {
        return;
    };
    let meta = PacketMeta {
        frame: packet.frame,
        time: packet.time,
        file_offset: packet.file_offset,
        wire_len: packet.orig_len,
    };
    flows.push(meta, &segment, &mut |event| tags.on_flow_event(event));
}

fn rtmp_dir(dir: Direction) -> Dir {
    match dir {
        Direction::ClientToServer => Dir::C2S,
        Direction::ServerToClient => Dir::S2C,
    }
}

impl<W: Write> TagWriter<W> {
    fn on_flow_event(&mut self, event: FlowEvent<'_>) {
        if event.conn().0 != self.plan.conn || self.error.is_some() {
            return;
        }
        let mut events = Vec::new();
        let mut sink = |e| events.push(e);
        match event {
            FlowEvent::Opened { .. } => self.rtmp = Some(RtmpConnection::new(export_config())),
            FlowEvent::Data {
                dir,
                data,
                stream_offset,
                time,
                file_offset,
                completed_frame,
                ..
            } => {
                let origin = Origin::new(completed_frame, time, stream_offset, file_offset);
                if let Some(rtmp) = &mut self.rtmp {
                    rtmp.on_data(rtmp_dir(dir), data, origin, &mut sink);
                }
            }
            FlowEvent::Gap {
                dir,
                stream_offset,
                len,
                frame,
                time,
                ..
            } => {
                if let Some(rtmp) = &mut self.rtmp {
                    rtmp.on_gap(rtmp_dir(dir), stream_offset, len, frame, time, &mut sink);
                }
            }
            FlowEvent::Closed { dir, .. } => {
                if let Some(rtmp) = &mut self.rtmp {
                    rtmp.on_close(rtmp_dir(dir), &mut sink);
                }
            }
        }
        self.on_rtmp_events(events);
    }

    fn on_rtmp_events(&mut self, events: Vec<RtmpEvent>) {
        for event in events {
            if let RtmpEvent::Message(message) = event {
                self.on_message(*message);
            }
        }
    }

    fn on_message(&mut self, mut msg: RtmpMessage) {
        if msg.msid != self.plan.msid || !matches!(msg.type_id, 8 | 9 | 15 | 18 | 22) {
            return;
        }
        self.messages += 1;
        let payload = match msg.take_payload() {
            Some(p) if !msg.damaged && !msg.truncated && p.len() == msg.length as usize => p,
            _ => {
                self.summary.skipped_damaged += 1;
                return;
            }
        };
        match (&msg.body, msg.type_id) {
            (MessageBody::Aggregate(agg), _) => {
                for part in &agg.parts {
                    let start = (part.offset as usize).saturating_add(TAG_HEADER_LEN);
                    let data = start
                        .checked_add(part.length as usize)
                        .and_then(|end| payload.get(start..end));
                    match data {
                        Some(data) if matches!(part.type_id, 8 | 9 | 18) => {
                            self.write(part.type_id, part.timestamp, data)
                        }
                        // Other types, or a part the aggregate's length cuts.
                        _ => self.summary.skipped_other += 1,
                    }
                }
            }
            (_, 15) => self.summary.skipped_other += 1,
            (_, type_id) => self.write(type_id, msg.timestamp, &payload),
        }
    }

    /// Writes one tag, unwrapping `@setDataFrame` and rebasing the timestamp.
    fn write(&mut self, type_id: u8, timestamp: u32, data: &[u8]) {
        let (tag_type, data) = match type_id {
            8 => (TAG_AUDIO, data),
            9 => (TAG_VIDEO, data),
            _ => match script_data(data) {
                Some(data) => (TAG_SCRIPT, data),
                None => {
                    self.summary.skipped_other += 1;
                    return;
                }
            },
        };
        // Relative to the stream's first audio/video timestamp; earlier tags (metadata) at 0.
        let relative = timestamp.wrapping_sub(self.plan.base_timestamp) as i32;
        let ts = relative.max(0) as u32;
        if let Err(e) = self.flv.tag(tag_type, ts, data) {
            self.error = Some(e.into());
            return;
        }
        let s = &mut self.summary;
        match tag_type {
            TAG_AUDIO => s.audio_tags += 1,
            TAG_VIDEO => s.video_tags += 1,
            _ => s.script_tags += 1,
        }
        if s.audio_tags + s.video_tags + s.script_tags == 1 {
            s.first_timestamp = ts;
        }
        s.last_timestamp = s.last_timestamp.max(ts);
    }
}

const SET_DATA_FRAME: &[u8] = b"\x02\x00\x0d@setDataFrame";
const CLEAR_DATA_FRAME: &[u8] = b"\x02\x00\x0f@clearDataFrame";

/// The script tag body of an AMF0 data message: `@setDataFrame("onMetaData", {...})` is stored
/// as `onMetaData({...})`, as FLV files carry it; `@clearDataFrame` has no FLV form.
fn script_data(body: &[u8]) -> Option<&[u8]> {
    if body.starts_with(CLEAR_DATA_FRAME) {
        return None;
    }
    Some(body.strip_prefix(SET_DATA_FRAME).unwrap_or(body))
}

#[cfg(test)]
mod tests {
    use super::script_data;

    #[test]
    fn set_data_frame_is_unwrapped() {
        let mut body = b"\x02\x00\x0d@setDataFrame".to_vec();
        body.extend(b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x00\x00\x00\x09");
        assert_eq!(
            script_data(&body),
            Some(&b"\x02\x00\x0aonMetaData\x08\x00\x00\x00\x00\x00\x00\x09"[..])
        );
        let plain = b"\x02\x00\x0aonCuePoint\x05";
        assert_eq!(script_data(plain), Some(&plain[..]));
        assert_eq!(script_data(b"\x02\x00\x0f@clearDataFrame"), None);
        assert_eq!(script_data(b""), Some(&b""[..]));
    }
}

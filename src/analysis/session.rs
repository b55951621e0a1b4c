//! RTMP sessions: what one RTMP connection was about (app, streams, roles), built by watching
//! its messages go by.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]

use std::collections::BTreeMap;
use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use crate::amf::AmfValue;
use crate::capture::Timestamp;
use crate::rtmp::pairing::CommandPair;
use crate::rtmp::{Dir, HandshakeInfo, MessageBody, RtmpMessage};

use super::acks::AckWindow;
use super::closing::{SessionEnd, TcpClose};
use super::enhanced::EnhancedCaps;
use super::metadata::StreamMetadata;
use super::multitrack::StreamTrack;
use super::series::{BitrateSeries, DEFAULT_BUCKET_MS};
use super::startup::Startup;
use super::streams::StreamTiming;
use super::tracks::{AudioTrack, VideoTrack};

/// One RTMP connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// The TCP connection index (as in `rtmpscope flows`).
    pub conn: u32,
    /// The RTMP client and server (the side that sent C0+C1 is the client).
    pub client: SocketAddr,
    pub server: SocketAddr,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub handshake: Option<HandshakeInfo>,
    /// Parameters of the `connect` command.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tc_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flash_ver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub swf_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub page_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub object_encoding: Option<f64>,
    /// The whole `connect` command object.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connect: Option<AmfValue>,
    /// Index of the `connect` message.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub connect_message: Option<u64>,
    /// Message streams (createStream results, publish/play targets), by message stream id.
    pub streams: Vec<StreamInfo>,
    /// Message counts by type name.
    pub message_counts: BTreeMap<String, u64>,
    pub messages: u64,
    /// Index of the first and last message of the session.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_message: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_message: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub first_time: Option<Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub last_time: Option<Timestamp>,
    /// Commands answered by `_result`/`_error`, with their latency.
    pub command_pairs: Vec<CommandPair>,
    /// Diagnostics about this connection (TCP and RTMP).
    pub diagnostics: u64,
    /// When both sides' handshake bytes were in.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub handshake_time: Option<Timestamp>,
    /// Enhanced RTMP capabilities the client declared in `connect`, and the server in its
    /// `_result`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub enhanced_rtmp: Option<EnhancedCaps>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub server_enhanced_rtmp: Option<EnhancedCaps>,
    /// Start-up milestones from the TCP connection's first packet.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub startup: Option<Startup>,
    /// Acknowledgement windows, one per direction that set one.
    #[serde(default)]
    pub acknowledgements: Vec<AckWindow>,
    /// The TCP closes as they happened.
    #[serde(default)]
    pub tcp_closes: Vec<TcpClose>,
    /// How the session ended.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub end: Option<SessionEnd>,
}

/// What a message stream was used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamRole {
    Publish,
    Play,
}

/// One message stream of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamInfo {
    pub msid: u32,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub role: Option<StreamRole>,
    /// The publish type (`live`, `record`, `append`).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub publish_type: Option<String>,
    /// `onStatus` codes received on this stream, in order (`NetStream.Publish.Start`, ...).
    pub status_codes: Vec<String>,
    pub audio_messages: u64,
    pub video_messages: u64,
    pub data_messages: u64,
    pub command_messages: u64,
    /// Body bytes of audio, video and data messages.
    pub media_bytes: u64,
    /// Audio, video and data bytes over capture time.
    pub bitrate: BitrateSeries,
    /// The video and audio on this stream: codec, configuration, measured statistics.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub video: Option<VideoTrack>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub audio: Option<AudioTrack>,
    /// Enhanced RTMP multitrack: every track by kind and track id (`video`/`audio` above
    /// describe the first track of each kind).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub tracks: Vec<StreamTrack>,
    /// What `onMetaData` declared.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub metadata: Option<StreamMetadata>,
    /// Timestamps against capture time and against each other.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timing: Option<StreamTiming>,
}

impl StreamInfo {
    pub(crate) fn new(msid: u32, start: Timestamp) -> Self {
        StreamInfo {
            bitrate: BitrateSeries::new(start, DEFAULT_BUCKET_MS),
            msid,
            name: None,
            role: None,
            publish_type: None,
            status_codes: Vec::new(),
            audio_messages: 0,
            video_messages: 0,
            data_messages: 0,
            command_messages: 0,
            media_bytes: 0,
            video: None,
            audio: None,
            tracks: Vec::new(),
            metadata: None,
            timing: None,
        }
    }

    fn count_bytes(&mut self, msg: &RtmpMessage) {
        self.media_bytes += u64::from(msg.length);
    }
}

impl Session {
    pub fn new(conn: u32, client: SocketAddr, server: SocketAddr) -> Self {
        Session {
            conn,
            client,
            server,
            handshake: None,
            app: None,
            tc_url: None,
            flash_ver: None,
            swf_url: None,
            page_url: None,
            object_encoding: None,
            connect: None,
            connect_message: None,
            streams: Vec::new(),
            message_counts: BTreeMap::new(),
            messages: 0,
            first_message: None,
            last_message: None,
            first_time: None,
            last_time: None,
            command_pairs: Vec::new(),
            diagnostics: 0,
            handshake_time: None,
            enhanced_rtmp: None,
            server_enhanced_rtmp: None,
            startup: None,
            acknowledgements: Vec::new(),
            tcp_closes: Vec::new(),
            end: None,
        }
    }

    /// The sender and receiver of a message in direction `dir`.
    pub fn endpoints(&self, dir: Dir) -> (SocketAddr, SocketAddr) {
        match dir {
            Dir::C2S => (self.client, self.server),
            Dir::S2C => (self.server, self.client),
        }
    }

    /// Seconds from the first to the last message.
    pub fn duration(&self) -> f64 {
        match (self.first_time, self.last_time) {
            (Some(a), Some(b)) => b.seconds_since(a),
            _ => 0.0,
        }
    }

    pub fn stream(&self, msid: u32) -> Option<&StreamInfo> {
        self.streams.iter().find(|s| s.msid == msid)
    }

    fn stream_mut(&mut self, msid: u32) -> &mut StreamInfo {
        let pos = match self.streams.iter().position(|s| s.msid == msid) {
            Some(pos) => pos,
            None => {
                let start = self.first_time.unwrap_or_default();
                self.streams.push(StreamInfo::new(msid, start));
                self.streams.len() - 1
            }
        };
        // `pos` is a position just found, or the element just pushed.
        #[allow(clippy::indexing_slicing)]
        &mut self.streams[pos]
    }

    /// Takes note of message `index`.
    pub(crate) fn observe(&mut self, index: u64, msg: &RtmpMessage) {
        self.messages += 1;
        *self
            .message_counts
            .entry(msg.type_name.to_string())
            .or_insert(0) += 1;
        self.first_message.get_or_insert(index);
        self.last_message = Some(index);
        self.first_time.get_or_insert(msg.time);
        self.last_time = Some(msg.time);
        match &msg.body {
            MessageBody::Command(cmd) => self.observe_command(index, msg, cmd),
            MessageBody::Audio(_) if msg.msid != 0 => {
                let s = self.stream_mut(msg.msid);
                s.audio_messages += 1;
                s.count_bytes(msg);
            }
            MessageBody::Video(_) if msg.msid != 0 => {
                let s = self.stream_mut(msg.msid);
                s.video_messages += 1;
                s.count_bytes(msg);
            }
            MessageBody::Data(_) if msg.msid != 0 => {
                let s = self.stream_mut(msg.msid);
                s.data_messages += 1;
                s.count_bytes(msg);
            }
            _ => {}
        }
    }

    fn observe_command(
        &mut self,
        index: u64,
        msg: &RtmpMessage,
        cmd: &crate::rtmp::command::Command,
    ) {
        let first_string = || {
            cmd.arguments
                .first()
                .and_then(AmfValue::as_str)
                .map(str::to_string)
        };
        if msg.msid != 0 {
            self.stream_mut(msg.msid).command_messages += 1;
        }
        match (msg.dir, cmd.name.as_str()) {
            (Dir::C2S, "connect") if self.connect.is_none() => {
                let obj = &cmd.command_object;
                let text = |key: &str| obj.get(key).and_then(AmfValue::as_str).map(str::to_string);
                self.app = text("app");
                self.tc_url = text("tcUrl");
                self.flash_ver = text("flashVer");
                self.swf_url = text("swfUrl");
                self.page_url = text("pageUrl");
                self.object_encoding = obj.get("objectEncoding").and_then(AmfValue::as_f64);
                self.connect = Some(obj.clone());
                self.connect_message = Some(index);
            }
            (Dir::C2S, "publish") => {
                let publish_type = cmd
                    .arguments
                    .get(1)
                    .and_then(AmfValue::as_str)
                    .map(str::to_string);
                let name = first_string();
                let s = self.stream_mut(msg.msid);
                s.role = Some(StreamRole::Publish);
                s.name = name.or(s.name.take());
                s.publish_type = publish_type;
            }
            (Dir::C2S, "play") => {
                let name = first_string();
                let s = self.stream_mut(msg.msid);
                s.role = Some(StreamRole::Play);
                s.name = name.or(s.name.take());
            }
            (Dir::S2C, "onStatus") => {
                let code = cmd
                    .arguments
                    .first()
                    .and_then(|info| info.get("code"))
                    .and_then(AmfValue::as_str)
                    .map(str::to_string);
                if let Some(code) = code {
                    self.stream_mut(msg.msid).status_codes.push(code);
                }
            }
            _ => {}
        }
    }

    /// A `createStream` answered with a stream id: that message stream exists.
    pub(crate) fn observe_pair(&mut self, pair: CommandPair, result: Option<&AmfValue>) {
        if pair.request == "createStream" && pair.response == "_result" {
            if let Some(id) = result.and_then(AmfValue::as_f64) {
                if id >= 0.0 && id <= f64::from(u32::MAX) {
                    self.stream_mut(id as u32);
                }
            }
        }
        self.command_pairs.push(pair);
    }
}

//! The root component: owns the worker bridge, the loaded capture and what is selected.

use std::rc::Rc;

use rtmpscope::Report;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, DragEvent, File, HtmlElement, KeyboardEvent};
use yew::prelude::*;

use crate::shared::protocol::{Event, MessageDetail, Request};

use super::bridge::{Bridge, WORKER_URL};
use super::filter::Filter;
use super::model::Data;
use super::{io, keys, read};

/// The bundled sample, copied next to index.html by Trunk.
pub const SAMPLE_URL: &str = "sample-ffmpeg-publish.pcap";
pub const SAMPLE_NAME: &str = "sample-ffmpeg-publish.pcap";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Sessions,
    Messages,
    Diagnostics,
}

/// An analysis under way: the worker reading the file, then the page reading the results.
pub struct Progress {
    pub name: String,
    pub stage: Stage,
    pub done: f64,
    pub total: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The worker is reading the file (bytes).
    Analysing,
    /// The page is reading the worker's results (message chunks).
    Reading,
}

pub enum Msg {
    Open(Blob, String),
    LoadSample,
    SampleFailed(String),
    Worker(Event),
    Cancel,
    Tab(Tab),
    Filter(Filter),
    Select(u64),
    /// Select a message and show it in the timeline, clearing a filter that hides it.
    Jump(u64),
    Move(keys::Move),
    Export,
    /// Download a (connection, message stream) as FLV.
    ExportFlv((u32, u32)),
    Drag(bool),
    Drop(DragEvent),
    Key(KeyboardEvent),
}

pub struct App {
    pub(super) bridge: Option<Bridge>,
    pub(super) progress: Option<Progress>,
    /// Name of the file being analysed, and its messages read so far.
    pending: Option<(String, read::Reading)>,
    pub(super) error: Option<String>,
    pub(super) data: Option<Data>,
    pub(super) tab: Tab,
    pub(super) filter: Filter,
    /// Positions in `data.rows` that pass the filter.
    pub(super) visible: Rc<Vec<u32>>,
    pub(super) selected: Option<u64>,
    pub(super) detail: Option<Rc<MessageDetail>>,
    pub(super) dragging: bool,
    /// The stream whose FLV the worker is making.
    pub(super) exporting: Option<(u32, u32)>,
    /// Counts analyses, so results of a cancelled or replaced one are dropped.
    generation: u64,
    _keydown: Option<Closure<dyn FnMut(KeyboardEvent)>>,
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        let keydown = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            link.send_message(Msg::Key(e));
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document
                .add_event_listener_with_callback("keydown", keydown.as_ref().unchecked_ref());
        }
        App {
            bridge: None,
            progress: None,
            pending: None,
            error: None,
            data: None,
            tab: Tab::Sessions,
            filter: Filter::default(),
            visible: Rc::new(Vec::new()),
            selected: None,
            detail: None,
            dragging: false,
            exporting: None,
            generation: 0,
            _keydown: Some(keydown),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Open(blob, name) => self.start_analysis(ctx, blob, name),
            Msg::LoadSample => {
                let link = ctx.link().clone();
                wasm_bindgen_futures::spawn_local(async move {
                    match io::fetch_blob(SAMPLE_URL).await {
                        Ok(blob) => link.send_message(Msg::Open(blob, SAMPLE_NAME.to_string())),
                        Err(e) => link.send_message(Msg::SampleFailed(e)),
                    }
                });
                false
            }
            Msg::SampleFailed(e) => {
                self.error = Some(format!("Cannot load the sample: {e}"));
                true
            }
            Msg::Worker(event) => self.on_worker(event),
            Msg::Cancel => {
                self.generation += 1;
                self.bridge = None;
                self.pending = None;
                if let Some(p) = self.progress.take() {
                    self.error = Some(format!("Analysis of {} cancelled.", p.name));
                }
                true
            }
            Msg::Tab(tab) => {
                self.tab = tab;
                true
            }
            Msg::Filter(filter) => {
                self.set_filter(filter);
                true
            }
            Msg::Select(index) => self.select(index),
            Msg::Jump(index) => {
                if let Some(data) = &self.data {
                    if let Some(pos) = data.position(index) {
                        if !self.visible.contains(&(pos as u32)) {
                            self.set_filter(Filter::default());
                        }
                    }
                }
                self.tab = Tab::Messages;
                self.select(index);
                true
            }
            Msg::Move(step) => {
                let next = self
                    .data
                    .as_ref()
                    .and_then(|data| keys::step(&self.visible, data, self.selected, step));
                match next {
                    Some(index) => self.select(index),
                    None => false,
                }
            }
            Msg::Export => {
                if let (Some(bridge), Some(_)) = (&self.bridge, &self.data) {
                    bridge.send(&Request::Export);
                }
                false
            }
            Msg::ExportFlv((conn, msid)) => match (&self.bridge, &self.data) {
                (Some(bridge), Some(_)) if self.exporting.is_none() => {
                    bridge.send(&Request::Flv { conn, msid });
                    self.exporting = Some((conn, msid));
                    true
                }
                _ => false,
            },
            Msg::Drag(over) => {
                let changed = self.dragging != over;
                self.dragging = over;
                changed
            }
            Msg::Drop(event) => {
                event.prevent_default();
                self.dragging = false;
                let file = event
                    .data_transfer()
                    .and_then(|t| t.files())
                    .and_then(|files| files.get(0));
                match file {
                    Some(file) => self.open_file(ctx, file),
                    None => true,
                }
            }
            Msg::Key(event) => keys::on_key(self, ctx, &event),
        }
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        super::view::app(self, ctx)
    }
}

fn export_name(name: &str) -> String {
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem).trim();
    let stem = if stem.is_empty() { "capture" } else { stem };
    format!("{stem}.rtmpscope.json")
}

impl App {
    pub(super) fn open_file(&mut self, ctx: &Context<Self>, file: File) -> bool {
        let name = file.name();
        self.start_analysis(ctx, file.into(), name)
    }

    fn start_analysis(&mut self, ctx: &Context<Self>, blob: Blob, name: String) -> bool {
        // A fresh worker per capture: the old one and its report go away with the bridge.
        self.generation += 1;
        self.bridge = None;
        self.error = None;
        self.data = None;
        self.selected = None;
        self.detail = None;
        self.exporting = None;
        self.visible = Rc::new(Vec::new());
        self.filter = Filter::default();
        let link = ctx.link().clone();
        match Bridge::spawn(WORKER_URL, move |event| {
            link.send_message(Msg::Worker(event))
        }) {
            Ok(bridge) => {
                bridge.send(&Request::Analyze {
                    file: blob.clone(),
                    name: name.clone(),
                });
                self.bridge = Some(bridge);
                self.progress = Some(Progress {
                    name: name.clone(),
                    stage: Stage::Analysing,
                    done: 0.0,
                    total: blob.size(),
                });
                self.pending = Some((name, read::Reading::default()));
            }
            Err(e) => self.error = Some(e),
        }
        true
    }

    fn on_worker(&mut self, event: Event) -> bool {
        match event {
            Event::Ready => false,
            Event::Progress { done, total } => match &mut self.progress {
                Some(p) => {
                    p.done = done;
                    p.total = total;
                    true
                }
                None => false,
            },
            Event::Failed { message } => {
                self.fail(message);
                true
            }
            Event::Messages {
                done,
                total,
                json,
                summaries_json,
            } => {
                let Some((_, reading)) = &mut self.pending else {
                    return false;
                };
                let added =
                    reading.add_chunk(&json.0.to_vec(), &summaries_json.0.to_vec(), total as usize);
                if let Err(e) = added {
                    self.fail(e);
                    return true;
                }
                if let Some(bridge) = &self.bridge {
                    bridge.send(&Request::MoreMessages);
                }
                match &mut self.progress {
                    Some(p) => {
                        p.stage = Stage::Reading;
                        p.done = f64::from(done);
                        p.total = f64::from(total);
                        true
                    }
                    None => false,
                }
            }
            Event::Done {
                head_json,
                flv_json,
                codecs_json,
            } => {
                let Some((name, reading)) = self.pending.take() else {
                    return false;
                };
                self.progress = None;
                match reading.finish(name, &head_json, &flv_json, &codecs_json) {
                    Ok(loaded) => {
                        if loaded.report.sessions.is_empty() {
                            self.error = Some(no_rtmp_message(&loaded.report));
                        }
                        let data = Data(Rc::new(loaded));
                        self.visible = Rc::new(self.filter.apply(&data));
                        self.data = Some(data);
                        self.tab = Tab::Sessions;
                    }
                    Err(e) => self.error = Some(e),
                }
                true
            }
            Event::Export { json } => {
                if let Some(data) = &self.data {
                    if let Err(e) = io::download_json(&json, &export_name(&data.name)) {
                        self.error = Some(format!("Cannot export: {e}"));
                        return true;
                    }
                }
                false
            }
            Event::Flv { conn, msid, result } => {
                self.exporting = None;
                let Some(data) = &self.data else {
                    return true;
                };
                let saved = result.and_then(|bytes| {
                    io::download_bytes(&bytes.0, &data.flv_name(conn, msid), "video/x-flv")
                });
                if let Err(e) = saved {
                    self.error = Some(format!("Cannot export conn {conn} stream {msid}: {e}"));
                }
                true
            }
            Event::Detail { json } => match serde_json::from_str::<MessageDetail>(&json) {
                Ok(detail) if Some(detail.index) == self.selected => {
                    self.detail = Some(Rc::new(detail));
                    true
                }
                _ => false,
            },
        }
    }

    /// Ends the analysis under way with an error.
    fn fail(&mut self, message: String) {
        self.progress = None;
        self.pending = None;
        self.error = Some(message);
    }

    fn set_filter(&mut self, filter: Filter) {
        if let Some(data) = &self.data {
            self.visible = Rc::new(filter.apply(data));
        }
        self.filter = filter;
    }

    fn select(&mut self, index: u64) -> bool {
        if self.selected == Some(index) {
            return false;
        }
        self.selected = Some(index);
        self.detail = None;
        if let Some(bridge) = &self.bridge {
            bridge.send(&Request::Detail { index });
        }
        true
    }

    /// Focuses an element by test id (the text filter, the file input).
    pub(super) fn focus(test_id: &str) {
        let element = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| {
                d.query_selector(&format!("[data-testid={test_id}]"))
                    .ok()
                    .flatten()
            })
            .and_then(|e| e.dyn_into::<HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
            if test_id == "file-input" {
                element.click();
            }
        }
    }
}

fn no_rtmp_message(report: &Report) -> String {
    let packets = report.capture.summary.packets;
    let conns = report.connections.len();
    if conns == 0 {
        format!("No RTMP in this capture: its {packets} packets hold no TCP connection.")
    } else {
        format!(
            "No RTMP in this capture: {packets} packets, {conns} TCP connection{}, none speaking \
             RTMP (encrypted RTMPE, RTMPS over TLS and RTMPT over HTTP are not decoded).",
            if conns == 1 { "" } else { "s" }
        )
    }
}

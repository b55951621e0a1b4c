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
use super::model::{Data, Loaded};
use super::{io, keys};

/// The bundled sample, copied next to index.html by Trunk.
pub const SAMPLE_URL: &str = "sample-ffmpeg-publish.pcap";
pub const SAMPLE_NAME: &str = "sample-ffmpeg-publish.pcap";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Sessions,
    Messages,
    Diagnostics,
}

/// An analysis under way.
pub struct Progress {
    pub name: String,
    pub done: f64,
    pub total: f64,
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
    Drag(bool),
    Drop(DragEvent),
    Key(KeyboardEvent),
}

pub struct App {
    pub(super) bridge: Option<Bridge>,
    pub(super) progress: Option<Progress>,
    /// Name of the file being analysed.
    pending: Option<String>,
    pub(super) error: Option<String>,
    pub(super) data: Option<Data>,
    pub(super) tab: Tab,
    pub(super) filter: Filter,
    /// Positions in `report.messages` that pass the filter.
    pub(super) visible: Rc<Vec<u32>>,
    pub(super) selected: Option<u64>,
    pub(super) detail: Option<Rc<MessageDetail>>,
    pub(super) dragging: bool,
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
                if let Some(data) = &self.data {
                    if let Err(e) = io::download_json(&data.report_json, &export_name(&data.name)) {
                        self.error = Some(format!("Cannot export: {e}"));
                        return true;
                    }
                }
                false
            }
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
        self.bridge = None;
        self.error = None;
        self.data = None;
        self.selected = None;
        self.detail = None;
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
                    done: 0.0,
                    total: blob.size(),
                });
                self.pending = Some(name);
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
                self.progress = None;
                self.pending = None;
                self.error = Some(message);
                true
            }
            Event::Done {
                report_json,
                summaries_json,
            } => {
                self.progress = None;
                let Some(name) = self.pending.take() else {
                    return true;
                };
                match load(name, report_json, &summaries_json) {
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
            Event::Detail { json } => match serde_json::from_str::<MessageDetail>(&json) {
                Ok(detail) if Some(detail.index) == self.selected => {
                    self.detail = Some(Rc::new(detail));
                    true
                }
                _ => false,
            },
        }
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

fn load(name: String, report_json: String, summaries_json: &str) -> Result<Loaded, String> {
    let report: Report = serde_json::from_str(&report_json)
        .map_err(|e| format!("The worker's report could not be read: {e}"))?;
    let summaries: Vec<String> = serde_json::from_str(summaries_json)
        .map_err(|e| format!("The worker's summaries could not be read: {e}"))?;
    Ok(Loaded::new(name, report, report_json, summaries))
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

//! Helpers shared by the browser tests.

use rtmpscope::analysis::describe;
use rtmpscope::{analyze_bytes, AnalyzerOptions};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement};

use super::shared::rows::{stream_codecs, MessageRow};
use super::ui::model::Loaded;

pub const PUBLISH: &[u8] = include_bytes!("../data/nginx-ffmpeg-publish.pcap");

/// The publish capture as the page holds it after the worker's answer.
pub fn loaded() -> Loaded {
    let mut report = analyze_bytes(
        PUBLISH,
        AnalyzerOptions {
            file_name: Some("nginx-ffmpeg-publish.pcap".into()),
            ..AnalyzerOptions::default()
        },
    )
    .unwrap();
    let summaries = report
        .messages
        .iter()
        .map(|m| describe(&m.message, 120))
        .collect();
    let checks = super::shared::flv_checks::export_checks(&mut report);
    // What the worker sends: a row per message, the report without them, the codecs.
    let rows = report.messages.iter().map(MessageRow::of).collect();
    let codecs = stream_codecs(&report.messages);
    report.messages = Vec::new();
    Loaded::new(
        "nginx-ffmpeg-publish.pcap".into(),
        report,
        rows,
        summaries,
        codecs,
    )
    .with_flv_checks(checks)
}

/// Waits `ms` milliseconds (lets Yew render).
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// The app's stylesheet: the timeline's virtualisation depends on its fixed heights.
const STYLE: &str = include_str!("../../www/style.css");

/// A fresh element in the document body with the given style (and the app's stylesheet).
pub fn container(style: &str) -> Element {
    let document = web_sys::window().unwrap().document().unwrap();
    if document.get_element_by_id("app-style").is_none() {
        let sheet = document.create_element("style").unwrap();
        sheet.set_id("app-style");
        sheet.set_text_content(Some(STYLE));
        document.head().unwrap().append_child(&sheet).unwrap();
    }
    let div = document.create_element("div").unwrap();
    div.set_attribute("style", style).unwrap();
    document.body().unwrap().append_child(&div).unwrap();
    div
}

/// Renders a component into a fresh container and waits for it.
pub async fn mount<C>(props: C::Properties) -> Element
where
    C: yew::BaseComponent,
{
    let root = container("");
    yew::Renderer::<C>::with_root_and_props(root.clone(), props).render();
    sleep(20).await;
    root
}

pub fn query_all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

#[allow(dead_code)]
pub fn as_html(e: &Element) -> HtmlElement {
    e.clone().dyn_into().unwrap()
}

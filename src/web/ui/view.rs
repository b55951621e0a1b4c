//! The root component's markup: toolbar, progress, error, landing and the three views.

use wasm_bindgen::JsCast;
use web_sys::{DragEvent, HtmlInputElement};
use yew::prelude::*;

use super::app::{App, Msg, Progress, Stage, Tab};
use super::diagnostics::DiagnosticsList;
use super::format;
use super::messages_view::MessagesView;
use super::model::Data;
use super::sessions::SessionList;

pub fn app(app: &App, ctx: &Context<App>) -> Html {
    let link = ctx.link();
    let ondragover = link.callback(|e: DragEvent| {
        e.prevent_default();
        Msg::Drag(true)
    });
    let ondragleave = link.callback(|e: DragEvent| Msg::Drag(e.related_target().is_some()));
    let ondrop = link.callback(Msg::Drop);
    html! {
        <div class={classes!("app", app.dragging.then_some("dragging"))}
             data-testid="drop-zone" {ondragover} {ondragleave} {ondrop}>
            { toolbar(app, ctx) }
            { app.progress.as_ref().map(|p| progress(p, ctx)).unwrap_or_default() }
            { app.error.as_ref().map(|e| html! {
                <div class="error" data-testid="error-message" role="alert">{ e }</div>
            }).unwrap_or_default() }
            { match &app.data {
                Some(data) => body(app, ctx, data),
                None if app.progress.is_none() => landing(ctx),
                None => Html::default(),
            } }
            if app.dragging {
                <div class="drop-overlay">{ "Drop the capture to analyse it in this page" }</div>
            }
        </div>
    }
}

fn open_button(ctx: &Context<App>) -> Html {
    let onchange = ctx.link().batch_callback(|e: Event| {
        let input: HtmlInputElement = e.target()?.dyn_into().ok()?;
        let file = input.files()?.get(0)?;
        // Reset, so that choosing the same file again is a change too.
        input.set_value("");
        let name = file.name();
        Some(Msg::Open(file.into(), name))
    });
    html! {
        <label class="button primary" title="Open a capture (o)">
            { "Open capture…" }
            <input type="file" class="visually-hidden" data-testid="file-input"
                   accept=".pcap,.pcapng,.cap,.dmp,application/vnd.tcpdump.pcap" {onchange} />
        </label>
    }
}

fn toolbar(app: &App, ctx: &Context<App>) -> Html {
    let link = ctx.link();
    let info = app.data.as_ref().map(|data| {
        let s = &data.report.capture.summary;
        let format = s
            .format
            .map(|f| format!("{f:?}").to_lowercase())
            .unwrap_or_default();
        let duration = s.duration_secs().map(format::duration).unwrap_or_default();
        let start = s.start_time.map(format::date_time).unwrap_or_default();
        html! {
            <span class="file-info" data-testid="file-info">
                <b>{ &data.name }</b>
                <span>{ format }</span>
                <span>{ format!("{} packets", format::count(s.packets)) }</span>
                <span>{ start }</span>
                <span>{ duration }</span>
                <span>{ format!("{} RTMP sessions", data.report.sessions.len()) }</span>
                <span>{ format!("{} messages", format::count(data.rows.len() as u64)) }</span>
            </span>
        }
    });
    html! {
        <header class="toolbar">
            <span class="brand">{ "rtmpscope" }</span>
            { open_button(ctx) }
            <button class="button" onclick={link.callback(|_| Msg::LoadSample)}
                    data-testid="sample-button" title="Analyse a bundled ffmpeg → nginx-rtmp publish">
                { "Try the sample" }
            </button>
            <button class="button" disabled={app.data.is_none()} data-testid="export-button"
                    onclick={link.callback(|_| Msg::Export)} title="Save the report as JSON (e)">
                { "Export JSON" }
            </button>
            { info.unwrap_or_default() }
            <span class="spacer" />
            <span class="hint">{ "1 2 3 views · / filter · ↑↓ messages · o open" }</span>
        </header>
    }
}

fn progress(p: &Progress, ctx: &Context<App>) -> Html {
    let percent = if p.total > 0.0 {
        p.done / p.total * 100.0
    } else {
        0.0
    };
    let (label, amount) = match p.stage {
        Stage::Analysing => (
            format!("Analysing {}", p.name),
            format!(
                "{} / {}",
                format::bytes(p.done as u64),
                format::bytes(p.total as u64)
            ),
        ),
        Stage::Reading => (
            format!("Reading the results of {}", p.name),
            format!("{} / {} messages", p.done, p.total),
        ),
    };
    html! {
        <div class="progress-row">
            <span>{ label }</span>
            <progress data-testid="progress" max={p.total.max(1.0).to_string()}
                      value={p.done.to_string()} />
            <span class="num">
                { format!("{amount} ({percent:.0}%)") }
            </span>
            <button class="button" data-testid="cancel-button"
                    onclick={ctx.link().callback(|_| Msg::Cancel)}>{ "Cancel" }</button>
        </div>
    }
}

fn landing(ctx: &Context<App>) -> Html {
    html! {
        <main class="landing">
            <div class="landing-box">
                <h1>{ "RTMP capture analyser" }</h1>
                <p>{ "Drop a .pcap, .pcapng or .cap file anywhere on this page, or:" }</p>
                <p class="landing-actions">
                    { open_button(ctx) }
                    <button class="button" onclick={ctx.link().callback(|_| Msg::LoadSample)}>
                        { "Try the sample" }
                    </button>
                </p>
                <p class="muted">
                    { "The capture is analysed in this browser tab by rtmpscope compiled to \
                       WebAssembly. Nothing is uploaded; after loading, the page makes no \
                       network request." }
                </p>
                <p class="muted">
                    { "Shows RTMP sessions (app, tcUrl, streams, codecs, bitrate), every chunk \
                       stream message with decoded AMF commands, and protocol diagnostics." }
                </p>
            </div>
        </main>
    }
}

fn body(app: &App, ctx: &Context<App>, data: &Data) -> Html {
    let link = ctx.link();
    let tab = |t: Tab, label: String, key: &str| {
        html! {
            <button class={classes!("tab", (app.tab == t).then_some("active"))}
                    title={format!("({key})")} onclick={link.callback(move |_| Msg::Tab(t))}>
                { label }
            </button>
        }
    };
    let report = &data.report;
    let problems = report.diagnostics.len();
    let on_jump = link.callback(Msg::Jump);
    html! {
        <>
            <nav class="tabs">
                { tab(Tab::Sessions, format!("Sessions ({})", report.sessions.len()), "1") }
                { tab(Tab::Messages, format!("Messages ({})", data.rows.len()), "2") }
                { tab(Tab::Diagnostics, format!("Diagnostics ({problems})"), "3") }
            </nav>
            { match app.tab {
                Tab::Sessions => html! {
                    <SessionList data={data.clone()} on_jump={on_jump}
                        on_export_flv={link.callback(Msg::ExportFlv)}
                        exporting={app.exporting} />
                },
                Tab::Messages => html! {
                    <MessagesView data={data.clone()} visible={app.visible.clone()}
                        filter={app.filter.clone()} selected={app.selected}
                        detail={app.detail.clone()}
                        on_filter={link.callback(Msg::Filter)}
                        on_select={link.callback(Msg::Select)}
                        on_jump={on_jump} />
                },
                Tab::Diagnostics => html! {
                    <DiagnosticsList data={data.clone()} on_jump={on_jump} />
                },
            } }
        </>
    }
}

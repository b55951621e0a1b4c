//! The message view: filter bar, the virtualised timeline and the detail pane.

use std::rc::Rc;

use rtmpscope::rtmp::Dir;
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::shared::protocol::MessageDetail;

use super::detail::DetailPane;
use super::filter::{Filter, Group, Kind};
use super::format;
use super::model::Data;
use super::timeline::Timeline;

#[derive(Properties, PartialEq)]
pub struct MessagesViewProps {
    pub data: Data,
    pub visible: Rc<Vec<u32>>,
    pub filter: Filter,
    pub selected: Option<u64>,
    pub detail: Option<Rc<MessageDetail>>,
    pub on_filter: Callback<Filter>,
    pub on_select: Callback<u64>,
    pub on_jump: Callback<u64>,
}

#[function_component(MessagesView)]
pub fn messages_view(props: &MessagesViewProps) -> Html {
    html! {
        <main class="messages">
            { filter_bar(props) }
            <div class="split">
                <Timeline data={props.data.clone()} visible={props.visible.clone()}
                          selected={props.selected} on_select={props.on_select.clone()} />
                <DetailPane data={props.data.clone()} selected={props.selected}
                            detail={props.detail.clone()} on_jump={props.on_jump.clone()} />
            </div>
        </main>
    }
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn filter_bar(props: &MessagesViewProps) -> Html {
    let f = &props.filter;
    let data = &props.data;
    let change = |update: fn(&mut Filter, String)| {
        let filter = f.clone();
        let on_filter = props.on_filter.clone();
        Callback::from(move |e: Event| {
            let mut next = filter.clone();
            update(&mut next, select_value(&e));
            on_filter.emit(next);
        })
    };
    let on_session = change(|f, v| f.conn = v.parse().ok());
    let on_dir = change(|f, v| {
        f.dir = match v.as_str() {
            "c2s" => Some(Dir::C2S),
            "s2c" => Some(Dir::S2C),
            _ => None,
        }
    });
    let on_kind = change(|f, v| f.kind = Kind::from_key(&v));
    let on_text = {
        let filter = f.clone();
        let on_filter = props.on_filter.clone();
        Callback::from(move |e: InputEvent| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            else {
                return;
            };
            on_filter.emit(Filter {
                text: input.value(),
                ..filter.clone()
            });
        })
    };
    let on_clear = {
        let on_filter = props.on_filter.clone();
        Callback::from(move |_| on_filter.emit(Filter::default()))
    };
    let dir_key = f.dir.map(Dir::as_str).unwrap_or("");
    let conn_key = f.conn.map(|c| c.to_string()).unwrap_or_default();
    let kind_key = f.kind.key();
    html! {
        <div class="filter-bar">
            <select aria-label="session" onchange={on_session}>
                <option value="" selected={conn_key.is_empty()}>{ "all sessions" }</option>
                { for data.report.sessions.iter().enumerate().map(|(i, s)| {
                    let key = s.conn.to_string();
                    html! {
                        <option value={key.clone()} selected={key == conn_key}>
                            { format!("session {} · {}", i + 1, s.app.clone().unwrap_or_default()) }
                        </option>
                    }
                }) }
            </select>
            <select aria-label="direction" onchange={on_dir}>
                <option value="" selected={dir_key.is_empty()}>{ "both directions" }</option>
                <option value="c2s" selected={dir_key == "c2s"}>{ "→ client to server" }</option>
                <option value="s2c" selected={dir_key == "s2c"}>{ "← server to client" }</option>
            </select>
            <select aria-label="message type" data-testid="type-filter" onchange={on_kind}>
                <option value="" selected={kind_key.is_empty()}>{ "all types" }</option>
                <optgroup label="groups">
                    { for Group::ALL.iter().map(|g| {
                        let key = Kind::Group(*g).key();
                        html! { <option value={key.clone()} selected={key == kind_key}>{ g.name() }</option> }
                    }) }
                </optgroup>
                <optgroup label="types">
                    { for data.types.iter().map(|(id, name)| {
                        let key = Kind::Type(*id).key();
                        html! {
                            <option value={key.clone()} selected={key == kind_key}>
                                { format!("{id} {name}") }
                            </option>
                        }
                    }) }
                </optgroup>
            </select>
            <input type="search" placeholder="filter text (/)" data-testid="filter-text"
                   value={f.text.clone()} oninput={on_text} />
            if !f.is_empty() {
                <button class="button" onclick={on_clear}>{ "clear" }</button>
            }
            <span class="spacer" />
            <span class="num" data-testid="message-count"
                  data-visible={props.visible.len().to_string()}
                  data-total={data.rows.len().to_string()}>
                { format!("{} of {} messages", format::count(props.visible.len() as u64),
                    format::count(data.rows.len() as u64)) }
            </span>
        </div>
    }
}

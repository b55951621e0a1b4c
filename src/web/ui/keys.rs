//! Keyboard: `1` `2` `3` switch views, `/` finds, `o` opens a file, `e` exports; in the message
//! view ↑ ↓ (or k j), Page Up/Down, Home and End move the selection.

use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};
use yew::prelude::*;

use super::app::{App, Msg, Tab};
use super::model::Loaded;

/// Rows a Page Up/Down moves.
const PAGE: i64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    By(i64),
    First,
    Last,
}

fn typing(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

pub fn on_key(app: &mut App, ctx: &Context<App>, event: &KeyboardEvent) -> bool {
    if event.ctrl_key() || event.meta_key() || event.alt_key() {
        return false;
    }
    let key = event.key();
    if typing(event) {
        if key == "Escape" {
            if let Some(target) = event
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = target.blur();
            }
        }
        return false;
    }
    let link = ctx.link();
    let has_data = app.data.is_some();
    let handled = match key.as_str() {
        "1" if has_data => Some(Msg::Tab(Tab::Sessions)),
        "2" if has_data => Some(Msg::Tab(Tab::Messages)),
        "3" if has_data => Some(Msg::Tab(Tab::Diagnostics)),
        "/" if has_data => {
            link.send_message(Msg::Tab(Tab::Messages));
            App::focus("filter-text");
            None
        }
        "o" => {
            App::focus("file-input");
            None
        }
        "e" if has_data => Some(Msg::Export),
        _ if app.tab == Tab::Messages && has_data => match key.as_str() {
            "ArrowDown" | "j" => Some(Msg::Move(Move::By(1))),
            "ArrowUp" | "k" => Some(Msg::Move(Move::By(-1))),
            "PageDown" => Some(Msg::Move(Move::By(PAGE))),
            "PageUp" => Some(Msg::Move(Move::By(-PAGE))),
            "Home" => Some(Msg::Move(Move::First)),
            "End" => Some(Msg::Move(Move::Last)),
            _ => return false,
        },
        _ => return false,
    };
    event.prevent_default();
    if let Some(msg) = handled {
        link.send_message(msg);
    }
    false
}

/// The message index one step from `selected` among the visible positions.
pub fn step(visible: &[u32], data: &Loaded, selected: Option<u64>, step: Move) -> Option<u64> {
    if visible.is_empty() {
        return None;
    }
    let last = visible.len() as i64 - 1;
    let current = selected
        .and_then(|index| data.position(index))
        .and_then(|pos| visible.binary_search(&(pos as u32)).ok())
        .map(|i| i as i64);
    let target = match (step, current) {
        (Move::First, _) => 0,
        (Move::Last, _) => last,
        (Move::By(n), Some(i)) => (i + n).clamp(0, last),
        (Move::By(n), None) => {
            if n > 0 {
                0
            } else {
                last
            }
        }
    };
    let pos = *visible.get(target as usize)?;
    data.rows.get(pos as usize).map(|m| m.index)
}

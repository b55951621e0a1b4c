//! Every message in a virtualised table: fixed-height rows, only the rows in view are in the
//! DOM, so 100 000 messages scroll as smoothly as 100.

use std::rc::Rc;

use rtmpscope::rtmp::Dir;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::format;
use super::model::Data;

/// Row height in CSS pixels; must match `.row` in style.css.
pub const ROW_HEIGHT: f64 = 20.0;
/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 10;
/// Viewport height assumed before the first measurement.
const DEFAULT_VIEWPORT: f64 = 800.0;

#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    pub data: Data,
    pub visible: Rc<Vec<u32>>,
    pub selected: Option<u64>,
    pub on_select: Callback<u64>,
}

/// The rows (positions in `visible`) to render for a scroll position.
pub fn window(scroll_top: f64, viewport: f64, rows: usize) -> std::ops::Range<usize> {
    let first = (scroll_top / ROW_HEIGHT).floor().max(0.0) as usize;
    let count = (viewport / ROW_HEIGHT).ceil() as usize + 1;
    let start = first.saturating_sub(OVERSCAN).min(rows);
    let end = (first + count + OVERSCAN).min(rows);
    start..end
}

#[function_component(Timeline)]
pub fn timeline(props: &TimelineProps) -> Html {
    let scroller = use_node_ref();
    let scroll = use_state(|| (0.0_f64, DEFAULT_VIEWPORT));
    let onscroll = {
        let scroll = scroll.clone();
        let scroller = scroller.clone();
        Callback::from(move |_: Event| {
            if let Some(el) = scroller.cast::<HtmlElement>() {
                scroll.set((f64::from(el.scroll_top()), f64::from(el.client_height())));
            }
        })
    };
    // Keep the selected row in view when the selection moves (keyboard, links).
    {
        let scroller = scroller.clone();
        let scroll = scroll.clone();
        let data = props.data.clone();
        let visible = props.visible.clone();
        use_effect_with(
            (props.selected, props.visible.clone()),
            move |(selected, _)| {
                let el = scroller.cast::<HtmlElement>();
                if let (Some(el), Some(index)) = (el, *selected) {
                    let row = data
                        .position(index)
                        .and_then(|pos| visible.binary_search(&(pos as u32)).ok());
                    let top = f64::from(el.scroll_top());
                    let height = f64::from(el.client_height());
                    if let Some(row) = row {
                        let y = row as f64 * ROW_HEIGHT;
                        let target = if y < top {
                            Some(y)
                        } else if y + ROW_HEIGHT > top + height {
                            Some(y + ROW_HEIGHT - height)
                        } else {
                            None
                        };
                        if let Some(target) = target {
                            el.set_scroll_top(target as i32);
                        }
                    }
                    scroll.set((f64::from(el.scroll_top()), height));
                }
            },
        );
    }
    let (scroll_top, viewport) = *scroll;
    let rows = props.visible.len();
    let range = window(scroll_top, viewport, rows);
    let data = &props.data;
    html! {
        <div class="timeline">
            <div class="row head">
                <span class="num">{ "#" }</span><span>{ "time" }</span><span class="num">{ "rel" }</span>
                <span>{ "" }</span><span class="num">{ "S" }</span><span class="num">{ "csid" }</span>
                <span class="num">{ "msid" }</span><span>{ "type" }</span>
                <span class="num">{ "ts" }</span><span class="num">{ "len" }</span><span>{ "summary" }</span>
            </div>
            <div class="scroller" ref={scroller} {onscroll} tabindex="0">
                <div class="spacer-rows" style={format!("height:{}px", rows as f64 * ROW_HEIGHT)}>
                    { for range.map(|row| {
                        let pos = props.visible.get(row).copied().unwrap_or(0) as usize;
                        render_row(data, pos, row, props.selected, &props.on_select)
                    }) }
                </div>
            </div>
        </div>
    }
}

fn render_row(
    data: &Data,
    pos: usize,
    row: usize,
    selected: Option<u64>,
    on_select: &Callback<u64>,
) -> Html {
    let Some(msg) = data.rows.get(pos) else {
        return Html::default();
    };
    let index = msg.index;
    let onclick = {
        let on_select = on_select.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(index))
    };
    let (arrow, dir_class) = match msg.dir {
        Dir::C2S => ("→", "c2s"),
        Dir::S2C => ("←", "s2c"),
    };
    let group = match msg.type_id {
        17 | 20 => "t-command",
        1..=6 => "t-control",
        8 => "t-audio",
        9 => "t-video",
        15 | 16 | 18 | 19 => "t-data",
        _ => "t-other",
    };
    let session = data
        .session_of(msg.conn)
        .map(|s| (s + 1).to_string())
        .unwrap_or_default();
    html! {
        <div key={index} class={classes!("row", group, (selected == Some(index)).then_some("selected"),
                                        msg.damaged.then_some("damaged"))}
             style={format!("top:{}px", row as f64 * ROW_HEIGHT)}
             data-testid="timeline-row" data-index={index.to_string()} {onclick}>
            <span class="num">{ index }</span>
            <span class="num">{ format::time_of_day(msg.time) }</span>
            <span class="num">{ format::relative(msg.time, data.start) }</span>
            <span class={classes!("dir", dir_class)}>{ arrow }</span>
            <span class="num">{ session }</span>
            <span class="num">{ msg.csid }</span>
            <span class="num">{ msg.msid }</span>
            <span class="type">{ msg.type_name().to_string() }</span>
            <span class="num">{ msg.timestamp }</span>
            <span class="num">{ msg.length }</span>
            <span class="summary">{ data.summaries.get(pos) }</span>
        </div>
    }
}

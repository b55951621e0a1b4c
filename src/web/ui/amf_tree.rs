//! A collapsible tree of typed AMF values (native `<details>`: keyboard and screen-reader
//! friendly, and no state to keep).

use std::rc::Rc;

use yew::prelude::*;

use crate::shared::amf_node::AmfNode;

/// Levels open when a tree first shows.
const OPEN_DEPTH: usize = 3;

#[derive(Properties, PartialEq)]
pub struct AmfTreeProps {
    pub nodes: Rc<Vec<AmfNode>>,
}

#[function_component(AmfTree)]
pub fn amf_tree(props: &AmfTreeProps) -> Html {
    html! {
        <div class="amf-tree" data-testid="amf-tree">
            { for props.nodes.iter().map(|n| node(n, 0)) }
        </div>
    }
}

fn label(n: &AmfNode) -> Html {
    html! {
        <>
            <span class="key">{ &n.key }</span>{ ": " }
            if !n.kind.is_empty() {
                <span class="kind">{ &n.kind }</span>{ " " }
            }
            <span class={classes!("value", format!("v-{}", n.kind))}>{ &n.value }</span>
        </>
    }
}

fn node(n: &AmfNode, depth: usize) -> Html {
    if n.children.is_empty() {
        return html! { <div class="leaf">{ label(n) }</div> };
    }
    html! {
        <details open={depth < OPEN_DEPTH}>
            <summary>{ label(n) }</summary>
            <div class="children">
                { for n.children.iter().map(|c| node(c, depth + 1)) }
            </div>
        </details>
    }
}

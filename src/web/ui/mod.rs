//! The page: a Yew app that hands captures to the analysis worker and shows the report.

pub mod amf_tree;
pub mod app;
pub mod bridge;
pub mod chart;
pub mod detail;
pub mod diagnostics;
pub mod filter;
pub mod format;
pub mod hexdump;
pub mod io;
pub mod keys;
pub mod messages_view;
pub mod model;
pub mod sessions;
pub mod timeline;
mod view;

/// Mounts the app on the page's body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}

//! What the page and its analysis worker both know: the messages they exchange and the typed
//! AMF tree the worker builds for the detail pane.

pub mod amf_node;
pub mod flv_checks;
pub mod protocol;

//! What the page and its analysis worker both know: the messages they exchange, the rows the
//! page keeps of each RTMP message, and the typed AMF tree the worker builds for the detail pane.

pub mod amf_node;
pub mod flv_checks;
pub mod protocol;
pub mod rows;

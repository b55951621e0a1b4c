//! FLV export of one message stream, as `rtmpscope export FILE --conn N --stream MSID` writes
//! it: the plan from the worker's report, then the capture read again in slices.

use rtmpscope::export::{ExportOptions, ExportPlan, FlvExporter};
use rtmpscope::Report;
use web_sys::Blob;

use super::analysis::read_slices;

/// The FLV file of message stream `msid` of connection `conn`, or why there is none.
pub fn export_flv(report: &Report, file: &Blob, conn: u32, msid: u32) -> Result<Vec<u8>, String> {
    let plan =
        ExportPlan::new(report, conn, msid, ExportOptions::default()).map_err(|e| e.to_string())?;
    let mut exporter = FlvExporter::new(plan, Vec::new()).map_err(|e| e.to_string())?;
    let mut failed = None;
    read_slices(file, &mut |piece, _| match exporter.feed(piece) {
        Ok(()) => true,
        Err(e) => {
            failed = Some(e.to_string());
            false
        }
    })?;
    if let Some(error) = failed {
        return Err(error);
    }
    let (_, flv) = exporter.finish().map_err(|e| e.to_string())?;
    Ok(flv)
}

//! The whole pipeline: capture bytes in (in pieces), report out, serialized. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rtmpscope::{Analyzer, AnalyzerOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&k, file)) = data.split_first() else {
        return;
    };
    let mut options = AnalyzerOptions::default();
    options.rtmp.max_resync_buffer = 8192;
    options.rtmp.probe_limit = 16384;
    let mut analyzer = Analyzer::new(options);
    for part in file.chunks(usize::from(k) * 16 + 1) {
        if analyzer.feed(part).is_err() {
            break;
        }
    }
    if let Ok(report) = analyzer.finish() {
        let _ = serde_json::to_string(&report);
    }
});

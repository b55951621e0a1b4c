//! The analysis report: sessions, streams, messages and diagnostics.

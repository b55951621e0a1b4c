//! `rtmpscope export`: one message stream of a capture as an FLV file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use rtmpscope::export::{export_path, exportable_streams, ExportError, ExportOptions};

use crate::analyze;

/// The `export` subcommand's arguments.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The capture file.
    file: PathBuf,
    /// TCP connection index (as in `flows`); may be left out when the capture has one stream.
    #[arg(long)]
    conn: Option<u32>,
    /// Message stream id (as in `summary`); may be left out when the capture has one stream.
    #[arg(long, value_name = "MSID")]
    stream: Option<u32>,
    /// The FLV file to write (`-` for standard output).
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
    /// Export even when messages are incomplete in the capture, leaving them out.
    #[arg(long)]
    allow_damaged: bool,
}

pub fn run(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let report = analyze(&args.file)?;
    let streams = exportable_streams(&report);
    let candidates: Vec<_> = streams
        .iter()
        .filter(|s| args.conn.is_none_or(|c| c == s.conn))
        .filter(|s| args.stream.is_none_or(|m| m == s.msid))
        .collect();
    let (conn, msid) = match (args.conn, args.stream, candidates.as_slice()) {
        (Some(c), Some(m), _) => (c, m),
        (_, _, [only]) => (only.conn, only.msid),
        (_, _, []) if streams.is_empty() => {
            bail!(
                "{}: no stream with audio, video or data",
                args.file.display()
            )
        }
        _ => bail!(
            "{}: choose a stream with --conn and --stream: {}",
            args.file.display(),
            streams
                .iter()
                .map(|s| format!("--conn {} --stream {}", s.conn, s.msid))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let options = ExportOptions {
        allow_damaged: args.allow_damaged,
    };
    let to_stdout = args.output.as_os_str() == "-";
    let result = if to_stdout {
        let stdout = std::io::stdout().lock();
        export_path(
            &args.file,
            &report,
            conn,
            msid,
            &options,
            std::io::BufWriter::new(stdout),
        )
    } else {
        write_file(&args.output, |out| {
            export_path(&args.file, &report, conn, msid, &options, out)
        })
    };
    let summary = result.map_err(|e| match e {
        ExportError::MissingData { .. } => {
            anyhow::anyhow!(
                "{}: {e} (--allow-damaged exports the rest)",
                args.file.display()
            )
        }
        _ => anyhow::anyhow!("{}: {e}", args.file.display()),
    })?;
    let line = format!(
        "wrote {}: conn {} stream {}, {} video, {} audio, {} script tags, {:.3} s, {} bytes{}",
        args.output.display(),
        summary.conn,
        summary.msid,
        summary.video_tags,
        summary.audio_tags,
        summary.script_tags,
        f64::from(
            summary
                .last_timestamp
                .saturating_sub(summary.first_timestamp)
        ) / 1000.0,
        summary.bytes,
        if summary.skipped_damaged > 0 {
            format!(", {} incomplete messages left out", summary.skipped_damaged)
        } else {
            String::new()
        }
    );
    // The FLV may be on standard output: the summary goes to standard error then.
    if to_stdout {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes through a buffered file; the file is removed again when the export fails, so no
/// half-written FLV is left behind.
fn write_file<T>(
    path: &Path,
    export: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<T, ExportError>,
) -> Result<T, ExportError> {
    let file = std::fs::File::create(path)
        .with_context(|| format!("cannot create {}", path.display()))
        .map_err(|e| std::io::Error::other(format!("{e:#}")))?;
    let mut out = std::io::BufWriter::new(file);
    let result = export(&mut out).and_then(|summary| {
        out.flush()?;
        Ok(summary)
    });
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

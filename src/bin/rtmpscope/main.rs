//! The rtmpscope command-line tool. The library does the analysis; this binary parses
//! arguments, renders reports and turns errors into one readable line and an exit code.

mod body_hex;
mod check;
mod export;
mod flows;
mod generate;
mod messages;
mod show;
mod summary;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// RTMP protocol analyzer for packet captures (pcap, pcapng).
#[derive(Parser)]
#[command(name = "rtmpscope", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the TCP connections in a capture.
    Flows {
        /// The capture file (.pcap, .pcapng, .cap).
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// List every RTMP message, in the order the messages complete in the capture.
    Messages {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = messages::MessagesFormat::Table)]
        format: messages::MessagesFormat,
        /// Only this TCP connection (index as in `flows`).
        #[arg(long)]
        conn: Option<u32>,
    },
    /// Sessions with app, stream names, roles, message counts and diagnostics.
    Summary {
        file: PathBuf,
        /// `json` prints the whole analysis report.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// One message decoded in full: headers, AMF tree, control values.
    Show {
        file: PathBuf,
        /// Every message that completes in this frame.
        #[arg(long, required_unless_present = "message", conflicts_with = "message")]
        frame: Option<u64>,
        /// The message with this index (as in `messages`).
        #[arg(long)]
        message: Option<u64>,
        /// Also print the whole message body in hex, re-read from the file.
        #[arg(long)]
        hex: bool,
    },
    /// Check rules against captures (for CI): exit 0 when all pass, 1 when any fails.
    Check(check::CheckArgs),
    /// Write one message stream's audio, video and data as an FLV file.
    Export(export::ExportArgs),
    /// Write a synthetic RTMP publish capture (for benchmarks and tests).
    Generate(generate::GenerateArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document.
    Json,
}

/// Exit code for usage and input errors (unreadable file, not a capture).
const EXIT_INPUT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() {
                EXIT_INPUT_ERROR
            } else {
                0
            };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    let result = match &cli.command {
        Command::Flows { file, format } => flows::run(file, *format),
        Command::Messages { file, format, conn } => messages::run(file, *format, *conn),
        Command::Summary { file, format } => summary::run(file, *format),
        Command::Show {
            file,
            frame,
            message,
            hex,
        } => show::run(file, *frame, *message, *hex),
        Command::Check(args) => check::run(args),
        Command::Export(args) => export::run(args),
        Command::Generate(args) => generate::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("rtmpscope: {error:#}");
            ExitCode::from(EXIT_INPUT_ERROR)
        }
    }
}

/// Analyzes a capture file, with the file name in any error.
fn analyze(path: &std::path::Path) -> anyhow::Result<rtmpscope::Report> {
    analyze_with(path, true)
}

/// [`analyze`], keeping the message list or not (see `AnalyzerOptions::keep_messages`).
fn analyze_with(path: &std::path::Path, keep_messages: bool) -> anyhow::Result<rtmpscope::Report> {
    let analyzed = (|| {
        let mut analyzer = rtmpscope::Analyzer::new(rtmpscope::AnalyzerOptions {
            file_name: path.file_name().map(|n| n.to_string_lossy().into_owned()),
            keep_messages,
            ..rtmpscope::AnalyzerOptions::default()
        });
        // A feed error stops the reading; finish() reports it after what came before.
        rtmpscope::capture::for_each_piece(path, |piece| analyzer.feed(piece).is_ok())?;
        analyzer.finish()
    })();
    analyzed.map_err(|e| match e {
        // The I/O error already names the file.
        rtmpscope::capture::CaptureError::Io { .. } => anyhow::anyhow!("{e}"),
        _ => anyhow::anyhow!("{}: {e}", path.display()),
    })
}

/// Prints a serializable value as pretty JSON on stdout.
fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    use std::io::Write;
    // Written as it is serialized: the text of a big report would take several times the
    // report's own memory.
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

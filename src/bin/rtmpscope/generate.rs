//! `rtmpscope generate`: writes a synthetic RTMP publish capture (see `rtmpscope::synth`).

use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use rtmpscope::synth::{write_capture, SynthConfig};

#[derive(Args)]
pub struct GenerateArgs {
    /// Where to write the pcap.
    out: PathBuf,
    /// Seed for every random choice: the same arguments give the same file.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Media duration in seconds [default: 10, or unlimited with --size].
    #[arg(long)]
    duration: Option<f64>,
    /// Stop the media once the file reaches this size (suffix K, M or G: powers of 1024); the
    /// capture still ends cleanly.
    #[arg(long, value_parser = parse_size)]
    size: Option<u64>,
    #[arg(long, default_value_t = 4000)]
    video_kbps: u32,
    #[arg(long, default_value_t = 128)]
    audio_kbps: u32,
    /// TCP segments of up to 64 KiB, as on Linux loopback (default: Ethernet MSS 1448).
    #[arg(long)]
    loopback: bool,
    /// Print what was written as JSON on stdout.
    #[arg(long)]
    json: bool,
}

fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    let value: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("not a size: {text}"))?;
    let scale = match unit.to_ascii_uppercase().trim_end_matches(['B', 'I']) {
        "" => 1u64,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        _ => return Err(format!("unknown unit in {text} (K, M, G)")),
    };
    Ok((value * scale as f64) as u64)
}

pub fn run(args: &GenerateArgs) -> anyhow::Result<ExitCode> {
    let duration_ms = match (args.duration, args.size) {
        (Some(secs), _) => (secs * 1000.0) as u64,
        (None, Some(_)) => u64::MAX / 4,
        (None, None) => 10_000,
    };
    let config = SynthConfig {
        seed: args.seed,
        duration_ms,
        max_bytes: args.size,
        video_kbps: args.video_kbps,
        audio_kbps: args.audio_kbps,
        mss: if args.loopback {
            SynthConfig::LOOPBACK_MSS
        } else {
            SynthConfig::ETHERNET_MSS
        },
        ..SynthConfig::default()
    };
    let file = std::fs::File::create(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let summary = write_capture(&config, &mut out)
        .and_then(|s| out.flush().map(|()| s))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    eprintln!(
        "{}: {} bytes, {} packets, {} RTMP messages ({} video frames, {} audio frames), {:.1} s of media",
        args.out.display(),
        summary.file_bytes,
        summary.packets,
        summary.messages,
        summary.video_frames,
        summary.audio_frames,
        f64::from(summary.last_video_timestamp.max(summary.last_audio_timestamp)) / 1000.0
    );
    if args.json {
        crate::print_json(&summary)?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes() {
        assert_eq!(parse_size("1G"), Ok(1 << 30));
        assert_eq!(parse_size("1.5M"), Ok(3 << 19));
        assert_eq!(parse_size("200KiB"), Ok(200 << 10));
        assert_eq!(parse_size("123"), Ok(123));
        assert!(parse_size("1T").is_err());
        assert!(parse_size("x").is_err());
    }
}

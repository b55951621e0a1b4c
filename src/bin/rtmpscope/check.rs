//! `rtmpscope check`: rules against captures, for CI. Exit 0 when every rule passes, 1 when any
//! fails, 2 on a usage or input error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rtmpscope::check::{
    add_scope_assignment, evaluate, junit_xml, CheckReport, FileCheck, Outcome, RuleSet, Scope,
};

use crate::table::Table;
use crate::{analyze, Format, EXIT_INPUT_ERROR};

/// The `check` subcommand's arguments.
#[derive(clap::Args)]
pub struct CheckArgs {
    /// Capture files; each is checked on its own.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// A TOML rules file (see the README for the keys).
    #[arg(long, value_name = "FILE")]
    rules: Option<PathBuf>,
    /// One rule, e.g. `video_codec=avc1` or `max_keyframe_interval_s=2.5` (repeatable).
    #[arg(long = "rule", value_name = "KEY=VALUE")]
    rule: Vec<String>,
    /// Narrows the --rule rules: `conn=N`, `app=GLOB` or `stream=GLOB` (repeatable).
    #[arg(long = "scope", value_name = "SELECTOR")]
    scope: Vec<String>,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Also write JUnit XML (one test case per rule per session/stream) to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Results that could not be measured do not fail the check (they are still shown).
    #[arg(long)]
    allow_unmeasured: bool,
}

/// Builds the rule set from the file and the command line; with neither, the default rules.
fn rule_set(args: &CheckArgs) -> anyhow::Result<RuleSet> {
    let mut set = match &args.rules {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read rules file {}", path.display()))?;
            RuleSet::from_toml(&text).with_context(|| format!("{}", path.display()))?
        }
        None => RuleSet::default(),
    };
    let mut scope = Scope::default();
    for selector in &args.scope {
        add_scope_assignment(&mut scope, selector).context("--scope")?;
    }
    for assignment in &args.rule {
        set.add_assignment(&scope, assignment).context("--rule")?;
    }
    if args.rules.is_none() && args.rule.is_empty() {
        set = RuleSet::default_rules();
    }
    Ok(set)
}

pub fn run(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let rules = rule_set(args)?;
    let mut checks = Vec::new();
    let mut input_error = false;
    for path in &args.files {
        let result = analyze(path).map(|report| evaluate(&report, &rules));
        if let Err(error) = &result {
            eprintln!("rtmpscope: {error:#}");
            input_error = true;
        }
        checks.push(FileCheck {
            file: path.display().to_string(),
            result: result.map_err(|e| format!("{e:#}")),
        });
    }
    match args.format {
        Format::Json => crate::print_json(&json_output(&checks, args.allow_unmeasured))?,
        Format::Table => print!("{}", render(&checks, args.allow_unmeasured)),
    }
    if let Some(path) = &args.junit {
        write_file(path, &junit_xml(&checks, args.allow_unmeasured))?;
    }
    let passed = checks.iter().all(|c| {
        c.result
            .as_ref()
            .is_ok_and(|r| r.passed(args.allow_unmeasured))
    });
    Ok(if input_error {
        ExitCode::from(EXIT_INPUT_ERROR)
    } else if passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[derive(serde::Serialize)]
struct FileJson<'a> {
    file: &'a str,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    results: Option<&'a [rtmpscope::check::RuleResult]>,
}

fn json_output(checks: &[FileCheck], allow_unmeasured: bool) -> serde_json::Value {
    let files: Vec<FileJson> = checks
        .iter()
        .map(|c| FileJson {
            file: &c.file,
            passed: c.result.as_ref().is_ok_and(|r| r.passed(allow_unmeasured)),
            error: c.result.as_ref().err().map(String::as_str),
            results: c.result.as_ref().ok().map(|r| r.results.as_slice()),
        })
        .collect();
    serde_json::json!({
        "passed": files.iter().all(|f| f.passed),
        "files": files,
    })
}

fn verdict(report: &CheckReport, allow_unmeasured: bool) -> String {
    let (pass, fail, unmeasured) = (
        report.count(Outcome::Pass),
        report.count(Outcome::Fail),
        report.count(Outcome::NotMeasured),
    );
    let word = if report.passed(allow_unmeasured) {
        "PASS"
    } else {
        "FAIL"
    };
    let mut counts = vec![format!("{pass} passed")];
    if fail > 0 {
        counts.push(format!("{fail} failed"));
    }
    if unmeasured > 0 {
        counts.push(format!("{unmeasured} not measured"));
    }
    format!("{word} ({})", counts.join(", "))
}

fn render(checks: &[FileCheck], allow_unmeasured: bool) -> String {
    let mut out = String::new();
    for (i, check) in checks.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let report = match &check.result {
            Ok(report) => report,
            Err(error) => {
                let prefix = format!("{}: ", check.file);
                let reason = error.strip_prefix(&prefix).unwrap_or(error);
                out += &format!("{prefix}ERROR {reason}\n");
                continue;
            }
        };
        out += &format!("{}: {}\n", check.file, verdict(report, allow_unmeasured));
        let mut table = Table::new(&["result", "where", "rule", "measured", "expected"]);
        let mut details = Vec::new();
        for r in &report.results {
            table.row(vec![
                r.outcome.as_str().to_string(),
                r.target.to_string(),
                r.rule.key().to_string(),
                r.measured.clone(),
                r.expected.clone(),
            ]);
            if r.outcome != Outcome::Pass {
                if let Some(detail) = &r.detail {
                    details.push(format!("  {} {}: {detail}", r.target, r.rule.key()));
                }
            }
        }
        for line in table.render().lines() {
            out += &format!("  {line}\n");
        }
        for line in details {
            out += &line;
            out.push('\n');
        }
    }
    out
}

//! JUnit XML for CI systems: one `<testsuite>` per capture file, one `<testcase>` per rule per
//! session or stream.

use super::outcome::{CheckReport, Outcome};

/// The check of one file, or why it could not be checked.
#[derive(Debug, Clone)]
pub struct FileCheck {
    /// The file as the user named it.
    pub file: String,
    pub result: Result<CheckReport, String>,
}

/// Renders check results as JUnit XML. Results that were not measured are `<failure>`s, or
/// `<skipped>` with `allow_unmeasured`; a file that could not be read is an `<error>`.
///
/// ```
/// use rtmpscope::check::{evaluate, junit_xml, FileCheck, RuleSet};
///
/// let capture = std::fs::read("tests/data/nginx-ffmpeg-publish.pcap")?;
/// let report = rtmpscope::analyze_bytes(&capture, Default::default())?;
/// let results = evaluate(&report, &RuleSet::from_toml("max_keyframe_interval_s = 1")?);
/// let xml = junit_xml(
///     &[FileCheck { file: "a&b.pcap".into(), result: Ok(results) }],
///     false,
/// );
/// assert!(xml.contains(r#"<testsuite name="a&amp;b.pcap" tests="1" failures="1""#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn junit_xml(files: &[FileCheck], allow_unmeasured: bool) -> String {
    let mut suites = String::new();
    let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
    for file in files {
        let name = escape(&file.file);
        match &file.result {
            Err(message) => {
                tests += 1;
                errors += 1;
                suites += &format!(
                    "  <testsuite name=\"{name}\" tests=\"1\" failures=\"0\" errors=\"1\" \
                     skipped=\"0\">\n    <testcase classname=\"{name}\" name=\"read capture\">\n      \
                     <error message=\"{}\"/>\n    </testcase>\n  </testsuite>\n",
                    escape(message)
                );
            }
            Ok(report) => {
                let mut cases = String::new();
                let (mut f, mut s) = (0, 0);
                for r in &report.results {
                    let case_name = escape(&format!("{}: {}", r.target, r.rule.key()));
                    let message = escape(&format!(
                        "{}: {} (expected {})",
                        r.outcome.as_str(),
                        r.measured,
                        r.expected
                    ));
                    let detail = escape(r.detail.as_deref().unwrap_or(""));
                    cases += &format!("    <testcase classname=\"{name}\" name=\"{case_name}\">");
                    match (r.outcome, allow_unmeasured) {
                        (Outcome::Pass, _) => {}
                        (Outcome::NotMeasured, true) => {
                            s += 1;
                            cases += &format!("\n      <skipped message=\"{message}\"/>\n    ");
                        }
                        (outcome, _) => {
                            f += 1;
                            let kind = if outcome == Outcome::Fail {
                                "fail"
                            } else {
                                "not_measured"
                            };
                            cases += &format!(
                                "\n      <failure message=\"{message}\" type=\"{kind}\">\
                                 {detail}</failure>\n    "
                            );
                        }
                    }
                    cases += "</testcase>\n";
                }
                let n = report.results.len();
                tests += n;
                failures += f;
                skipped += s;
                suites += &format!(
                    "  <testsuite name=\"{name}\" tests=\"{n}\" failures=\"{f}\" errors=\"0\" \
                     skipped=\"{s}\">\n{cases}  </testsuite>\n"
                );
            }
        }
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"rtmpscope check\" \
         tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n\
         {suites}</testsuites>\n"
    )
}

/// Escapes text for an XML attribute or element. Characters XML 1.0 does not allow at all
/// (most C0 controls, which a capture's stream names may contain) become U+FFFD.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Outcome, Rule, RuleResult, Scope, Target};

    fn result(outcome: Outcome, stream: &str) -> RuleResult {
        RuleResult {
            rule: Rule::MaxKeyframeIntervalS(2.0),
            scope: Scope::default(),
            expected: "≤ 2 s".into(),
            target: Target {
                conn: Some(0),
                msid: Some(1),
                stream: Some(stream.into()),
            },
            outcome,
            measured: "4 s".into(),
            value: Some(4.0),
            detail: Some("a < b".into()),
        }
    }

    #[test]
    fn counts_and_escaping() {
        let report = CheckReport {
            file: None,
            results: vec![
                result(Outcome::Pass, "ok"),
                result(Outcome::Fail, "<evil\u{1}\"name'&>"),
                result(Outcome::NotMeasured, "x"),
            ],
        };
        let files = [
            FileCheck {
                file: "one.pcap".into(),
                result: Ok(report),
            },
            FileCheck {
                file: "missing.pcap".into(),
                result: Err("cannot open <missing.pcap>".into()),
            },
        ];
        let xml = junit_xml(&files, false);
        assert!(xml.contains(
            r#"<testsuites name="rtmpscope check" tests="4" failures="2" errors="1" skipped="0">"#
        ));
        assert!(xml.contains(
            "name=\"conn 0 stream 1 &apos;&lt;evil\u{fffd}&quot;name&apos;&amp;&gt;&apos;: \
             max_keyframe_interval_s\""
        ));
        assert!(xml.contains(r#"type="not_measured">a &lt; b</failure>"#));
        assert!(xml.contains(r#"<error message="cannot open &lt;missing.pcap&gt;"/>"#));
        assert!(!xml.contains('\u{1}'));
        let lenient = junit_xml(&files, true);
        assert!(lenient.contains(r#"failures="1" errors="1" skipped="1""#));
        assert!(lenient.contains("<skipped message=\"NOT MEASURED: 4 s (expected ≤ 2 s)\"/>"));
    }
}

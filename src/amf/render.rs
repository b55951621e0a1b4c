//! Text forms of AMF values for the CLI: an indented tree for `show`, and a one-line summary
//! for table views.

use std::fmt::{self, Write};

use super::AmfValue;

/// Strings longer than this are cut in the tree view.
const TREE_STRING_CHARS: usize = 512;
/// Bytes shown for a byte array, and items shown for a numeric vector, in the tree view.
const TREE_INLINE_ITEMS: usize = 32;

/// An indented tree: one line per value with its key, AMF type and value.
///
/// ```text
/// object
///   app: string "live"
///   audioCodecs: number 3575
/// ```
pub fn render_tree(value: &AmfValue) -> String {
    render_tree_at(value, None, 0)
}

/// The tree of `value` as a child line `key: ...` indented by `indent` levels (two spaces
/// each), for embedding in a larger tree such as a whole command.
pub fn render_tree_at(value: &AmfValue, key: Option<&str>, indent: usize) -> String {
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = tree_line(&mut out, value, indent, key);
    out
}

/// A one-line form such as `{app: "live", type: "nonprivate", ...}`, at most `max_width`
/// characters (cut with `…`). Formatting stops as soon as the width is reached, so a huge
/// value costs no more than a small one.
pub fn summarize(value: &AmfValue, max_width: usize) -> String {
    limited(max_width, |w| compact(w, value))
}

/// Several values in one line, comma-separated (the values of a command or data message).
pub fn summarize_all(values: &[AmfValue], max_width: usize) -> String {
    limited(max_width, |w| {
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            compact(w, value)?;
        }
        Ok(())
    })
}

/// `name(arg, arg, ...)` in one line, at most `max_width` characters: a command or data message
/// in a table view.
pub fn summarize_call(name: &str, args: &[&AmfValue], max_width: usize) -> String {
    limited(max_width, |w| {
        write!(w, "{name}(")?;
        for (i, value) in args.iter().enumerate() {
            if i > 0 {
                w.write_str(", ")?;
            }
            compact(w, value)?;
        }
        w.write_str(")")
    })
}

fn tree_line(out: &mut String, value: &AmfValue, indent: usize, key: Option<&str>) -> fmt::Result {
    for _ in 0..indent {
        out.write_str("  ")?;
    }
    if let Some(key) = key {
        write!(out, "{key}: ")?;
    }
    out.write_str(value.type_name())?;
    match value {
        AmfValue::Object {
            class_name,
            properties,
        } => {
            if let Some(class) = class_name {
                write!(out, " <{class}>")?;
            }
            out.push('\n');
            for (k, v) in properties {
                tree_line(out, v, indent + 1, Some(k))?;
            }
        }
        AmfValue::EcmaArray(properties) => {
            writeln!(out, " ({} entries)", properties.len())?;
            for (k, v) in properties {
                tree_line(out, v, indent + 1, Some(k))?;
            }
        }
        AmfValue::StrictArray(items) => {
            writeln!(out, " [{}]", items.len())?;
            indexed(out, items, indent)?;
        }
        AmfValue::Amf3Array { associative, dense } => {
            writeln!(out, " [{}]", dense.len())?;
            for (k, v) in associative {
                tree_line(out, v, indent + 1, Some(k))?;
            }
            indexed(out, dense, indent)?;
        }
        AmfValue::VectorObject { type_name, items } => {
            writeln!(out, " <{type_name}> [{}]", items.len())?;
            indexed(out, items, indent)?;
        }
        AmfValue::Dictionary(entries) => {
            writeln!(out, " ({} entries)", entries.len())?;
            for (k, v) in entries {
                let key = limited(60, |w| compact(w, k));
                tree_line(out, v, indent + 1, Some(&key))?;
            }
        }
        scalar => {
            if !matches!(
                scalar,
                AmfValue::Null | AmfValue::Undefined | AmfValue::Unsupported
            ) {
                out.push(' ');
                scalar_tree(out, scalar)?;
            }
            out.push('\n');
        }
    }
    Ok(())
}

fn indexed(out: &mut String, items: &[AmfValue], indent: usize) -> fmt::Result {
    for (i, v) in items.iter().enumerate() {
        tree_line(out, v, indent + 1, Some(&format!("[{i}]")))?;
    }
    Ok(())
}

fn scalar_tree(out: &mut String, value: &AmfValue) -> fmt::Result {
    match value {
        AmfValue::String(s) | AmfValue::Xml(s) => quoted(out, s, TREE_STRING_CHARS),
        AmfValue::ByteArray(b) => {
            write!(out, "({} bytes) ", b.len())?;
            hex(out, b, TREE_INLINE_ITEMS)
        }
        AmfValue::VectorInt(v) => numbers(out, v, |w, n| write!(w, "{n}")),
        AmfValue::VectorUint(v) => numbers(out, v, |w, n| write!(w, "{n}")),
        AmfValue::VectorDouble(v) => numbers(out, v, |w, n| number(w, *n)),
        AmfValue::UnresolvedReference(i) => write!(out, "#{i} (a cycle, not expanded)"),
        other => compact(out, other),
    }
}

fn numbers<T, W: Write>(
    out: &mut W,
    items: &[T],
    item: impl Fn(&mut W, &T) -> fmt::Result,
) -> fmt::Result {
    write!(out, "({}) [", items.len())?;
    for (i, n) in items.iter().take(TREE_INLINE_ITEMS).enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        item(out, n)?;
    }
    if items.len() > TREE_INLINE_ITEMS {
        write!(out, ", … {} more", items.len() - TREE_INLINE_ITEMS)?;
    }
    out.write_str("]")
}

/// The one-line form, written until the writer refuses more.
fn compact<W: Write>(w: &mut W, value: &AmfValue) -> fmt::Result {
    match value {
        AmfValue::Number(n) => number(w, *n),
        AmfValue::Integer(i) => write!(w, "{i}"),
        AmfValue::Boolean(b) => write!(w, "{b}"),
        AmfValue::String(s) => quoted(w, s, usize::MAX),
        AmfValue::Xml(s) => {
            w.write_str("xml")?;
            quoted(w, s, usize::MAX)
        }
        AmfValue::Object {
            class_name,
            properties,
        } => {
            if let Some(class) = class_name {
                write!(w, "{class} ")?;
            }
            pairs(w, properties)
        }
        AmfValue::EcmaArray(properties) => pairs(w, properties),
        AmfValue::StrictArray(items) => list(w, items),
        AmfValue::VectorObject { items, .. } => list(w, items),
        AmfValue::Amf3Array { associative, dense } if associative.is_empty() => list(w, dense),
        AmfValue::Amf3Array { associative, dense } => {
            w.write_str("[")?;
            for (i, (k, v)) in associative.iter().enumerate() {
                if i > 0 {
                    w.write_str(", ")?;
                }
                write!(w, "{k}: ")?;
                compact(w, v)?;
            }
            for v in dense {
                w.write_str(", ")?;
                compact(w, v)?;
            }
            w.write_str("]")
        }
        AmfValue::Date {
            millis,
            timezone_minutes,
        } => {
            date(w, *millis)?;
            match timezone_minutes {
                Some(tz) if *tz != 0 => write!(w, " (tz {tz:+} min)"),
                _ => Ok(()),
            }
        }
        AmfValue::ByteArray(b) => {
            write!(w, "<{} bytes ", b.len())?;
            hex(w, b, 16)?;
            w.write_str(">")
        }
        AmfValue::VectorInt(v) => numbers(w, v, |w, n| write!(w, "{n}")),
        AmfValue::VectorUint(v) => numbers(w, v, |w, n| write!(w, "{n}")),
        AmfValue::VectorDouble(v) => numbers(w, v, |w, n| number(w, *n)),
        AmfValue::Dictionary(entries) => {
            w.write_str("{")?;
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    w.write_str(", ")?;
                }
                compact(w, k)?;
                w.write_str(" => ")?;
                compact(w, v)?;
            }
            w.write_str("}")
        }
        AmfValue::Null => w.write_str("null"),
        AmfValue::Undefined => w.write_str("undefined"),
        AmfValue::Unsupported => w.write_str("unsupported"),
        AmfValue::UnresolvedReference(i) => write!(w, "<cycle: reference #{i}>"),
    }
}

fn pairs<W: Write>(w: &mut W, properties: &[(String, AmfValue)]) -> fmt::Result {
    w.write_str("{")?;
    for (i, (k, v)) in properties.iter().enumerate() {
        if i > 0 {
            w.write_str(", ")?;
        }
        write!(w, "{k}: ")?;
        compact(w, v)?;
    }
    w.write_str("}")
}

fn list<W: Write>(w: &mut W, items: &[AmfValue]) -> fmt::Result {
    w.write_str("[")?;
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            w.write_str(", ")?;
        }
        compact(w, v)?;
    }
    w.write_str("]")
}

/// Integral numbers without a fraction (`3575`, not `3575.0`); huge or tiny ones in exponent
/// form; NaN and infinities as ActionScript prints them.
fn number<W: Write>(w: &mut W, n: f64) -> fmt::Result {
    if n.is_nan() {
        w.write_str("NaN")
    } else if n.is_infinite() {
        w.write_str(if n > 0.0 { "Infinity" } else { "-Infinity" })
    } else if n.fract() == 0.0 && n.abs() < 1e15 {
        write!(w, "{}", n as i64)
    } else if n.abs() >= 1e15 || n.abs() < 1e-6 {
        write!(w, "{n:e}")
    } else {
        write!(w, "{n}")
    }
}

/// A double-quoted string with control characters and quotes escaped, cut after `max_chars`.
fn quoted<W: Write>(w: &mut W, s: &str, max_chars: usize) -> fmt::Result {
    w.write_char('"')?;
    for (i, c) in s.chars().enumerate() {
        if i == max_chars {
            write!(w, "…\" ({} bytes)", s.len())?;
            return Ok(());
        }
        match c {
            '"' => w.write_str("\\\"")?,
            '\\' => w.write_str("\\\\")?,
            '\n' => w.write_str("\\n")?,
            '\r' => w.write_str("\\r")?,
            '\t' => w.write_str("\\t")?,
            c if c.is_control() => write!(w, "\\u{{{:x}}}", u32::from(c))?,
            c => w.write_char(c)?,
        }
    }
    w.write_char('"')
}

fn hex<W: Write>(w: &mut W, bytes: &[u8], max: usize) -> fmt::Result {
    for b in bytes.iter().take(max) {
        write!(w, "{b:02x}")?;
    }
    if bytes.len() > max {
        w.write_str("…")?;
    }
    Ok(())
}

/// Milliseconds since the epoch as ISO 8601 UTC (`2009-02-13T23:31:30.123Z`).
fn date<W: Write>(w: &mut W, millis: f64) -> fmt::Result {
    // ECMAScript's Date range: ±100 000 000 days around the epoch.
    if !millis.is_finite() || millis.abs() > 8.64e15 {
        return write!(w, "invalid date ({millis} ms)");
    }
    let total_ms = millis.floor() as i64;
    let days = total_ms.div_euclid(86_400_000);
    let ms_of_day = total_ms.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    write!(
        w,
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        ms_of_day / 3_600_000,
        ms_of_day / 60_000 % 60,
        ms_of_day / 1000 % 60,
        ms_of_day % 1000
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Runs `body` against a writer that accepts at most `max_width` characters, then cuts the
/// result with `…` if more were offered.
fn limited(max_width: usize, body: impl FnOnce(&mut Limited) -> fmt::Result) -> String {
    let mut w = Limited {
        out: String::new(),
        chars: 0,
        // One character past the width tells "fits exactly" from "too long".
        cap: max_width.saturating_add(1),
    };
    let overflowed = body(&mut w).is_err();
    if overflowed || w.chars > max_width {
        let keep = max_width.saturating_sub(1);
        let mut cut: String = w.out.chars().take(keep).collect();
        if max_width > 0 {
            cut.push('…');
        }
        return cut;
    }
    w.out
}

struct Limited {
    out: String,
    chars: usize,
    cap: usize,
}

impl Write for Limited {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.chars == self.cap {
                return Err(fmt::Error);
            }
            self.out.push(c);
            self.chars += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_render_as_iso_utc() {
        let mut s = String::new();
        date(&mut s, 1_234_567_890_123.0).expect("string write");
        assert_eq!(s, "2009-02-13T23:31:30.123Z");
        s.clear();
        date(&mut s, -1.0).expect("string write");
        assert_eq!(s, "1969-12-31T23:59:59.999Z");
        s.clear();
        date(&mut s, 0.0).expect("string write");
        assert_eq!(s, "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn numbers_render_naturally() {
        let render = |n| {
            let mut s = String::new();
            number(&mut s, n).expect("string write");
            s
        };
        assert_eq!(render(3575.0), "3575");
        assert_eq!(render(781.25), "781.25");
        assert_eq!(render(-0.0), "0");
        assert_eq!(render(1e300), "1e300");
        assert_eq!(render(f64::NAN), "NaN");
        assert_eq!(render(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn limited_cuts_at_width() {
        assert_eq!(limited(5, |w| w.write_str("abcde")), "abcde");
        assert_eq!(limited(5, |w| w.write_str("abcdef")), "abcd…");
        assert_eq!(limited(0, |w| w.write_str("a")), "");
    }
}

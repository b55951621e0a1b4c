//! Text forms of AMF values for the CLI: an indented tree for `show`, and a one-line summary
//! for table views.

use std::fmt::{self, Write};

use super::text::{date, hex, limited, number, quoted};
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

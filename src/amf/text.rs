//! Small text formatters behind the AMF renderers: numbers, quoted strings, hex, ISO dates, and
//! a writer that stops at a width.

use std::fmt::{self, Write};

/// Integral numbers without a fraction (`3575`, not `3575.0`); huge or tiny ones in exponent
/// form; NaN and infinities as ActionScript prints them.
pub(super) fn number<W: Write>(w: &mut W, n: f64) -> fmt::Result {
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
pub(super) fn quoted<W: Write>(w: &mut W, s: &str, max_chars: usize) -> fmt::Result {
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

pub(super) fn hex<W: Write>(w: &mut W, bytes: &[u8], max: usize) -> fmt::Result {
    for b in bytes.iter().take(max) {
        write!(w, "{b:02x}")?;
    }
    if bytes.len() > max {
        w.write_str("…")?;
    }
    Ok(())
}

/// Milliseconds since the epoch as ISO 8601 UTC (`2009-02-13T23:31:30.123Z`).
pub(super) fn date<W: Write>(w: &mut W, millis: f64) -> fmt::Result {
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
pub(super) fn limited(max_width: usize, body: impl FnOnce(&mut Limited) -> fmt::Result) -> String {
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

pub(super) struct Limited {
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

//! Number, size, rate and time formatting for the tables.

use rtmpscope::capture::Timestamp;

/// `512 B`, `14.2 KB`, `3.1 MB`, `1.20 GB` (binary multiples, as the CLI).
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n < 1024.0 {
        format!("{n} B")
    } else if n < 1024.0 * 1024.0 {
        format!("{:.1} KB", n / 1024.0)
    } else if n < 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} MB", n / 1024.0 / 1024.0)
    } else {
        format!("{:.2} GB", n / 1024.0 / 1024.0 / 1024.0)
    }
}

/// `850 kbit/s`, `4.20 Mbit/s`.
pub fn kbps(k: f64) -> String {
    if k >= 1000.0 {
        format!("{:.2} Mbit/s", k / 1000.0)
    } else {
        format!("{k:.0} kbit/s")
    }
}

/// `0.123 s`, `12.4 s`, `3 min 05 s`, `1 h 02 min`.
pub fn duration(secs: f64) -> String {
    if secs < 10.0 {
        format!("{secs:.3} s")
    } else if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{} min {:02} s", (secs / 60.0) as u64, (secs % 60.0) as u64)
    } else {
        format!(
            "{} h {:02} min",
            (secs / 3600.0) as u64,
            ((secs % 3600.0) / 60.0) as u64
        )
    }
}

/// Time of day in UTC with microseconds, as Wireshark's time column: `14:03:07.123456`.
pub fn time_of_day(t: Timestamp) -> String {
    let day_secs = t.secs.rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:06}",
        day_secs / 3600,
        (day_secs / 60) % 60,
        day_secs % 60,
        t.nanos / 1000
    )
}

/// Calendar date and time in UTC: `2024-05-01 14:03:07 UTC`.
pub fn date_time(t: Timestamp) -> String {
    let days = t.secs.div_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02} {} UTC", &time_of_day(t)[..8])
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Seconds since `start`, Wireshark's "relative time": `12.345678`.
pub fn relative(t: Timestamp, start: Option<Timestamp>) -> String {
    match start {
        Some(start) => format!("{:.6}", t.seconds_since(start)),
        None => String::new(),
    }
}

/// A thousands-separated count: `100 000`.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

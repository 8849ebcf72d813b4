//! The JSON log line, written by hand: one object per event, in the shape of
//! tracing-subscriber's `json().flatten_event(true)` — `timestamp` (UTC,
//! microseconds), `level`, the event's fields (`message` among them), then
//! `target` — without building a serde map for each line. Every request
//! writes one such line, so it is on the hot path (`make bench-instructions`
//! counts it: 22 k instructions per request through tracing-subscriber's
//! JSON formatter).

use crate::decimal;
use std::fmt::{self, Write};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats each event as one JSON object on one line.
pub(crate) struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _: &FmtContext<'_, S, N>,
        mut out: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        // The line is built in a `String` of its own and handed over in one
        // write: each write through `Writer` is a dynamic call, and a line
        // takes some fifty.
        let meta = event.metadata();
        let mut line = String::with_capacity(512);
        line.push_str("{\"timestamp\":\"");
        timestamp(&mut line, SystemTime::now())?;
        line.push_str("\",\"level\":\"");
        line.push_str(meta.level().as_str());
        line.push('"');
        let mut fields = Fields {
            out: &mut line,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        line.push_str(",\"target\":");
        quoted(&mut line, meta.target())?;
        line.push_str("}\n");
        out.write_str(&line)
    }
}

/// Writes each field as `,"name":value`.
struct Fields<'a, W: Write> {
    out: &'a mut W,
    result: fmt::Result,
}

impl<W: Write> Fields<'_, W> {
    fn field(&mut self, field: &Field, value: impl FnOnce(&mut W) -> fmt::Result) {
        if self.result.is_ok() {
            self.result = self
                .out
                .write_str(",\"")
                .and_then(|()| Escaped(self.out).write_str(field.name()))
                .and_then(|()| self.out.write_str("\":"))
                .and_then(|()| value(self.out));
        }
    }
}

impl<W: Write> Visit for Fields<'_, W> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.field(field, |out| quoted(out, value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.field(field, |out| write!(out, "{value}"));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.field(field, |out| decimal::push(out, value, 1));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.field(field, |out| {
            out.write_str(if value { "true" } else { "false" })
        });
    }

    fn record_f64(&mut self, field: &Field, value: f64) {
        // JSON has no NaN or infinity; serde_json writes them as null too.
        match value.is_finite() {
            true => self.field(field, |out| write!(out, "{value}")),
            false => self.field(field, |out| out.write_str("null")),
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` fields and the message arrive here, displayed by Debug.
        self.field(field, |out| {
            out.write_char('"')?;
            write!(Escaped(out), "{value:?}")?;
            out.write_char('"')
        });
    }
}

/// `text` as a JSON string (the SMS webhook's body is written with it too).
pub(crate) fn quoted(out: &mut impl Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    Escaped(out).write_str(text)?;
    out.write_char('"')
}

/// Escapes what passes through as the inside of a JSON string.
struct Escaped<'a, W: Write>(&'a mut W);

/// Whether `b` must be escaped inside a JSON string.
fn special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The first byte of `text` that must be escaped. Eight bytes are looked
/// at a time (a word's bytes below 0x20, or equal to `"` or `\`, found with
/// the usual bit tricks), since nearly every byte of a log line needs none.
fn first_special(text: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_in = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let has_special = |word: [u8; 8]| {
        let x = u64::from_ne_bytes(word);
        // A byte below 0x20: below 0x20 with its high bit clear.
        let low = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
        let quote = zero_in(x ^ (ONES * u64::from(b'"')));
        let backslash = zero_in(x ^ (ONES * u64::from(b'\\')));
        low | quote | backslash != 0
    };
    let mut words = text.chunks_exact(8);
    let mut at = 0;
    for word in words.by_ref() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(word);
        if has_special(bytes) {
            return word.iter().position(|&b| special(b)).map(|i| at + i);
        }
        at += 8;
    }
    // The last few bytes as one word too, padded with spaces (never
    // special): most fields of a line are shorter than a word.
    let rest = words.remainder();
    let mut bytes = [b' '; 8];
    for (slot, &b) in bytes.iter_mut().zip(rest) {
        *slot = b;
    }
    match has_special(bytes) {
        true => rest.iter().position(|&b| special(b)).map(|i| at + i),
        false => None,
    }
}

impl<W: Write> Write for Escaped<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        // Most text needs no escape: one scan, one write.
        while let Some(at) = first_special(rest.as_bytes()) {
            self.0.write_str(&rest[..at])?;
            match rest.as_bytes()[at] {
                b'"' => self.0.write_str("\\\"")?,
                b'\\' => self.0.write_str("\\\\")?,
                b'\n' => self.0.write_str("\\n")?,
                b'\r' => self.0.write_str("\\r")?,
                b'\t' => self.0.write_str("\\t")?,
                control => write!(self.0, "\\u{control:04x}")?,
            }
            rest = &rest[at + 1..];
        }
        self.0.write_str(rest)
    }
}

/// `at` as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
fn timestamp(out: &mut impl Write, at: SystemTime) -> fmt::Result {
    let since = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let (days, second) = (since.as_secs() / 86_400, since.as_secs() % 86_400);
    let (year, month, day) = civil(days as i64);
    let micros = since.subsec_micros();
    if !(0..=9999).contains(&year) {
        return write!(
            out,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}Z",
            second / 3_600,
            second / 60 % 60,
            second % 60
        );
    }
    // Every request writes one: its digits put in place in a template,
    // then written as one piece.
    let mut text = *b"0000-00-00T00:00:00.000000Z";
    let fields: [(usize, usize, u64); 7] = [
        (0, 4, year as u64),
        (5, 2, month.into()),
        (8, 2, day.into()),
        (11, 2, second / 3_600),
        (14, 2, second / 60 % 60),
        (17, 2, second % 60),
        (20, 6, micros.into()),
    ];
    for (at, width, mut value) in fields {
        for digit in text[at..at + width].iter_mut().rev() {
            *digit = b'0' + (value % 10) as u8;
            value /= 10;
        }
    }
    // Only ASCII digits and separators: this is always `Ok`.
    out.write_str(std::str::from_utf8(&text).unwrap_or_default())
}

/// The calendar date of a day counted from 1970-01-01 (the proleptic
/// Gregorian calendar; Howard Hinnant's `civil_from_days`).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let of_era = z.rem_euclid(146_097);
    let year_of_era = (of_era - of_era / 1_460 + of_era / 36_524 - of_era / 146_096) / 365;
    let day_of_year = of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Whether this process logs JSON lines (set once at startup): then the
/// request line is written by [`RequestLine::log`] itself.
static JSON_LOG: AtomicBool = AtomicBool::new(false);

/// Says that this process's log is [`JsonLine`] to stderr.
pub(crate) fn json_to_stderr() {
    JSON_LOG.store(true, Ordering::Relaxed);
}

/// The bytes of held lines past which a thread writes them at once.
const HELD_BYTES: usize = 16 * 1024;

thread_local! {
    /// This thread's lines not yet written, once it holds lines at all.
    static HELD: std::cell::RefCell<Option<Vec<u8>>> = const { std::cell::RefCell::new(None) };
}

/// Stderr, the log's destination, written one whole line at a time (as
/// `tracing_subscriber`'s own writer is). A runtime worker holds its lines
/// while it has work and writes them together when it goes idle
/// ([`release_lines`], from the runtime's `on_thread_park`) or once it
/// holds 16 KiB: one system call for a busy worker's many requests, where
/// each line was one, and no later than the moment the worker has nothing
/// else to do (under no load, at once). Any other thread writes at once.
/// Lines keep their order within a thread, and the time in each is when
/// it was made.
pub(crate) struct Stderr;

impl std::io::Write for Stderr {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        write_line(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes `line` to stderr, or holds it (see [`Stderr`]).
pub(crate) fn write_line(line: &[u8]) {
    // As tracing-subscriber does: a log that cannot be written is no
    // reason to fail what is being logged.
    HELD.with_borrow_mut(|held| match held {
        Some(held) => {
            held.extend_from_slice(line);
            if held.len() >= HELD_BYTES {
                write_held(held);
            }
        }
        None => {
            let _ = std::io::stderr().write_all(line);
        }
    });
}

/// Writes the lines this thread holds, and has it hold its lines from
/// now on: the runtime calls this as a worker parks and as it stops
/// (only workers park, so no other thread ever holds a line).
pub(crate) fn release_lines() {
    HELD.with_borrow_mut(|held| {
        write_held(held.get_or_insert_with(|| Vec::with_capacity(HELD_BYTES)));
    });
}

/// Writes the lines this thread holds and stops holding them.
pub(crate) fn stop_holding_lines() {
    HELD.with_borrow_mut(|held| {
        if let Some(mut lines) = held.take() {
            write_held(&mut lines);
        }
    });
}

/// Writes `held` to stderr in one call (nothing when it is empty) and
/// empties it.
fn write_held(held: &mut Vec<u8>) {
    if !held.is_empty() {
        let _ = std::io::stderr().write_all(held);
        held.clear();
    }
}

/// The line every request writes (target `otp_server::request`, `INFO`).
pub(crate) struct RequestLine<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub operation: &'a str,
    pub status: u16,
    pub code: &'a str,
    pub latency_us: u64,
    pub uuid: &'a str,
    pub client_id: &'a str,
    pub phone: &'a str,
}

impl RequestLine<'_> {
    /// Logs the line. Where the log is [`JsonLine`] to stderr, the line is
    /// written here, byte for byte what `JsonLine` writes for the event
    /// (a test holds the two together), without the event's trip through
    /// tracing's field visitor: ten fields, each a dynamic call and a
    /// name to escape, were half the line's cost. Elsewhere (a terminal,
    /// the tests' own subscriber) it is the tracing event, as any other.
    pub(crate) fn log(&self) {
        if !tracing::enabled!(target: "otp_server::request", tracing::Level::INFO) {
            return;
        }
        match JSON_LOG.load(Ordering::Relaxed) {
            true => {
                write_line(self.json(SystemTime::now()).as_bytes());
            }
            false => self.event(),
        }
    }

    fn event(&self) {
        tracing::info!(
            target: "otp_server::request",
            method = self.method,
            path = self.path,
            operation = self.operation,
            status = self.status,
            code = self.code,
            latency_us = self.latency_us,
            uuid = self.uuid,
            client_id = self.client_id,
            phone = self.phone,
            "request"
        );
    }

    /// The line as [`JsonLine`] writes the event, stamped `at`. Each
    /// field's name is written with the quotes around it and the values
    /// beside it, as one piece: a piece costs more than its bytes.
    fn json(&self, at: SystemTime) -> String {
        // Writing into a `String` cannot fail.
        fn text(line: &mut String, value: &str, next: &str) {
            let _ = Escaped(line).write_str(value);
            line.push_str(next);
        }
        fn number(line: &mut String, value: u64, next: &str) {
            let _ = decimal::push(line, value, 1);
            line.push_str(next);
        }
        let mut line = String::with_capacity(512);
        line.push_str("{\"timestamp\":\"");
        let _ = timestamp(&mut line, at);
        line.push_str("\",\"level\":\"INFO\",\"message\":\"request\",\"method\":\"");
        text(&mut line, self.method, "\",\"path\":\"");
        text(&mut line, self.path, "\",\"operation\":\"");
        text(&mut line, self.operation, "\",\"status\":");
        number(&mut line, self.status.into(), ",\"code\":\"");
        text(&mut line, self.code, "\",\"latency_us\":");
        number(&mut line, self.latency_us, ",\"uuid\":\"");
        text(&mut line, self.uuid, "\",\"client_id\":\"");
        text(&mut line, self.client_id, "\",\"phone\":\"");
        text(
            &mut line,
            self.phone,
            "\",\"target\":\"otp_server::request\"}\n",
        );
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_word_scan_finds_what_a_byte_scan_finds() {
        for len in 0..20 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = b;
                    // A byte just above a special one after it, to catch a
                    // borrow that would hide or invent a hit.
                    if at + 1 < len {
                        text[at + 1] = 0x80;
                    }
                    let naive = text.iter().position(|&b| special(b));
                    assert_eq!(first_special(&text), naive, "{text:?}");
                }
            }
        }
    }

    #[test]
    fn timestamps_match_chrono_across_four_centuries() {
        let mut at = 0u64;
        while at < 13_000_000_000 {
            let time = UNIX_EPOCH + Duration::from_micros(at * 1_000_000 + 123_456);
            let mut mine = String::new();
            timestamp(&mut mine, time).unwrap();
            let theirs = chrono::DateTime::<chrono::Utc>::from(time)
                .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                .to_string();
            assert_eq!(mine, theirs);
            at += 86_399 * 17 + 3_601;
        }
    }

    #[test]
    fn strings_are_escaped_as_json() {
        let mut out = String::new();
        quoted(&mut out, "a \"b\" \\ c\nd\te\u{1}é").unwrap();
        let back: String = serde_json::from_str(&out).unwrap();
        assert_eq!(back, "a \"b\" \\ c\nd\te\u{1}é");
    }

    /// What a `JsonLine` subscriber writes, and the subscriber.
    fn json_lines() -> (Lines, impl Subscriber + Send + Sync) {
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .event_format(JsonLine)
            .with_writer(move || writer.clone())
            .finish();
        (lines, subscriber)
    }

    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_event_is_one_json_object_with_its_fields() {
        let (lines, subscriber) = json_lines();
        tracing::subscriber::with_default(subscriber, || {
            let path = "/api/v1/\"x\"";
            tracing::info!(target: "otp_server::request", path = %path, status = 204u16, latency_us = 17u64, ok = true, "request");
            tracing::warn!(error = %"a\nb", "store down");
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let events: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(events.len(), 2, "{text}");
        let request = &events[0];
        assert_eq!(request["level"], "INFO");
        assert_eq!(request["message"], "request");
        assert_eq!(request["path"], "/api/v1/\"x\"");
        assert_eq!(request["status"], 204);
        assert_eq!(request["latency_us"], 17);
        assert_eq!(request["ok"], true);
        assert_eq!(request["target"], "otp_server::request");
        assert!(request["timestamp"].as_str().unwrap().ends_with('Z'));
        assert_eq!(events[1]["level"], "WARN");
        assert_eq!(events[1]["error"], "a\nb");
    }

    #[test]
    fn the_request_line_is_byte_for_byte_the_event_as_json_line_writes_it() {
        let (lines, subscriber) = json_lines();
        let request = RequestLine {
            method: "POST",
            path: "/api/v1/\"odd\"\\path",
            operation: "generateTelemarketingOtp",
            status: 400,
            code: "invalidRequest",
            latency_us: 1234,
            uuid: "a\nb",
            client_id: "-",
            phone: "******5678",
        };
        tracing::subscriber::with_default(subscriber, || request.event());
        let through_tracing = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let direct = request.json(SystemTime::now());
        // The same but for the instant each was stamped with.
        let after_stamp = |line: &str| line.split_once("\",\"level\"").unwrap().1.to_owned();
        assert_eq!(after_stamp(&direct), after_stamp(&through_tracing));
        assert_eq!(direct.len(), through_tracing.len());
        let parsed: serde_json::Value = serde_json::from_str(&direct).unwrap();
        assert_eq!(parsed["path"], "/api/v1/\"odd\"\\path");
        assert_eq!(parsed["status"], 400);
    }
}

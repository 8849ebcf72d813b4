//! What a run found, and its three forms: the terminal's (one line per
//! check, then a summary table by group, what the run changed on the
//! target, and the verdict), JSON, and JUnit XML (what CI dashboards read;
//! Microcks' users asked for it). Every check names the section of
//! docs/BEHAVIOUR.md that states its rule.

use serde::Serialize;
use std::fmt::Write as _;
use std::time::Duration;

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail { expected: String, seen: String },
    Skip { reason: String },
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    pub name: String,
    pub group: String,
    /// Where the rule is stated: `docs/BEHAVIOUR.md#single-use`.
    pub rule: String,
    /// The rule in a line.
    pub says: String,
    #[serde(flatten)]
    pub outcome: Outcome,
    #[serde(rename = "seconds", serialize_with = "seconds")]
    pub duration: Duration,
}

/// Why a run ended before every selected check ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unfinished {
    /// The run's `--deadline` passed: the running check failed, the rest
    /// are reported skipped.
    Deadline,
    /// Whoever reads the output went away (a closed stdout).
    Stopped,
}

/// What a run changed on the target (docs/BEHAVIOUR.md#what-a-run-changes-on-the-target).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// Seconds the kit moved the target's sandbox clock forward.
    pub clock_advanced_secs: u64,
    /// In how many `POST /sandbox/v1/clock`.
    pub clock_moves: usize,
    /// Why the clock was left alone although a check needed time to pass
    /// (`--no-clock`, or the target has no sandbox clock).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_left_alone: Option<String>,
    /// The test phones reset before the checks, masked.
    pub phones_reset: Vec<String>,
    /// The kit's client, when the token endpoint locked it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_locked_out: Option<String>,
    /// Whether the kit then moved the clock past that lock.
    pub lockout_released: bool,
}

impl Changes {
    /// The changes as the terminal shows them, one per line.
    pub fn lines(&self) -> Vec<String> {
        let clock = match (&self.clock_left_alone, self.clock_advanced_secs) {
            (_, secs) if secs > 0 => format!(
                "its sandbox clock moved forward {secs} s in {} steps (shared by everyone using that sandbox; POST /sandbox/v1/reset sets it back)",
                self.clock_moves
            ),
            (Some(why), _) => format!("its sandbox clock left alone ({why})"),
            (None, _) => "its sandbox clock left alone".into(),
        };
        let phones = match self.phones_reset.as_slice() {
            [] => "no phone reset".into(),
            phones => format!("test phones reset: {}", phones.join(", ")),
        };
        let mut lines = vec![clock, phones];
        if let Some(client) = &self.client_locked_out {
            lines.push(if self.lockout_released {
                format!("client {client} locked out of the token endpoint by auth.token.lockout, then released by the clock move")
            } else {
                format!("client {client} locked out of the token endpoint by auth.token.lockout until its minute ends")
            });
        }
        lines
    }
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub target: String,
    pub results: Vec<CheckResult>,
    /// Checks left out by `--only`/`--skip`.
    pub deselected: usize,
    #[serde(rename = "seconds", serialize_with = "seconds")]
    pub duration: Duration,
    /// The run's deadline.
    #[serde(rename = "deadline_seconds", serialize_with = "seconds")]
    pub deadline: Duration,
    /// Why the run ended early, if it did.
    pub unfinished: Option<Unfinished>,
    /// What the run changed on the target.
    pub changes: Changes,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64((d.as_secs_f64() * 1000.0).round() / 1000.0)
}

/// Counts of passes, failures and skips.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    fn of<'a>(results: impl Iterator<Item = &'a CheckResult>) -> Self {
        results.fold(Self::default(), |mut t, r| {
            match r.outcome {
                Outcome::Pass => t.passed += 1,
                Outcome::Fail { .. } => t.failed += 1,
                Outcome::Skip { .. } => t.skipped += 1,
            }
            t
        })
    }
}

/// The reason given to the checks the deadline left out.
pub const NOT_RUN: &str = "not run: the run's deadline passed first";

impl CheckResult {
    /// Whether the check was left out because the deadline passed.
    pub fn not_run(&self) -> bool {
        matches!(&self.outcome, Outcome::Skip { reason } if reason == NOT_RUN)
    }

    /// The result as the terminal shows it: one line, and for a failure
    /// the expected, the seen and the rule below it.
    pub fn line(&self) -> String {
        let secs = self.duration.as_secs_f64();
        match &self.outcome {
            Outcome::Pass => format!("PASS  {:<46} {secs:>6.2} s", self.name),
            Outcome::Skip { reason } => format!("SKIP  {:<46} {reason}", self.name),
            Outcome::Fail { expected, seen } => format!(
                "FAIL  {:<46} {secs:>6.2} s\n      expected: {expected}\n      seen:     {seen}\n      rule:     {} — {}",
                self.name, self.rule, self.says
            ),
        }
    }
}

impl Report {
    /// Whether the run finished and no check failed.
    pub fn conforms(&self) -> bool {
        self.tally().failed == 0 && self.unfinished.is_none()
    }

    pub fn tally(&self) -> Tally {
        Tally::of(self.results.iter())
    }

    /// The names of the failed checks.
    pub fn failures(&self) -> Vec<&str> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Fail { .. }))
            .map(|r| r.name.as_str())
            .collect()
    }

    fn groups(&self) -> Vec<&str> {
        let mut groups: Vec<&str> = Vec::new();
        for result in &self.results {
            if !groups.contains(&result.group.as_str()) {
                groups.push(&result.group);
            }
        }
        groups
    }

    /// The summary table by group, and the verdict.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "\n{:<12} {:>5} {:>5} {:>5}\n",
            "group", "pass", "fail", "skip"
        );
        for group in self.groups() {
            let t = Tally::of(self.results.iter().filter(|r| r.group == group));
            let _ = writeln!(
                out,
                "{group:<12} {:>5} {:>5} {:>5}",
                t.passed, t.failed, t.skipped
            );
        }
        let t = self.tally();
        let _ = writeln!(
            out,
            "{:<12} {:>5} {:>5} {:>5}   {:.1} s",
            "total",
            t.passed,
            t.failed,
            t.skipped,
            self.duration.as_secs_f64()
        );
        if self.deselected > 0 {
            let _ = writeln!(
                out,
                "({} checks deselected by --only/--skip)",
                self.deselected
            );
        }
        let _ = writeln!(out, "\nchanged on {}:", self.target);
        for line in self.changes.lines() {
            let _ = writeln!(out, "  - {line}");
        }
        out + &self.verdict()
    }

    /// The last line: whether the target conforms, or why the run did not finish.
    fn verdict(&self) -> String {
        let t = self.tally();
        let failed = self.failures().join(", ");
        match self.unfinished {
            Some(Unfinished::Deadline) => format!(
                "{} DID NOT FINISH: the run's deadline ({} s, --deadline) passed; {} not run; {} failed: {failed}",
                self.target,
                self.deadline.as_secs(),
                self.results.len() - self.ran(),
                t.failed
            ),
            Some(Unfinished::Stopped) => format!(
                "{} DID NOT FINISH: stopped after {} checks; {} failed: {failed}",
                self.target,
                self.ran(),
                t.failed
            ),
            None if t.failed == 0 => format!(
                "{} CONFORMS: no check failed ({} skipped: a skipped check is not a pass)",
                self.target, t.skipped
            ),
            None => format!(
                "{} DOES NOT CONFORM: {} failed: {failed}",
                self.target, t.failed
            ),
        }
    }

    /// How many checks ran (those the deadline left out did not).
    fn ran(&self) -> usize {
        self.results.iter().filter(|r| !r.not_run()).count()
    }

    /// The report as JSON.
    pub fn to_json(&self) -> String {
        let value = serde_json::json!({
            "target": self.target,
            "conforms": self.conforms(),
            "unfinished": self.unfinished,
            "summary": self.tally(),
            "deselected": self.deselected,
            "seconds": (self.duration.as_secs_f64() * 1000.0).round() / 1000.0,
            "deadline_seconds": self.deadline.as_secs(),
            "changes": self.changes,
            "checks": self.results,
        });
        serde_json::to_string_pretty(&value).unwrap_or_default()
    }

    /// The report as JUnit XML: one testsuite per group, one testcase per check.
    pub fn to_junit(&self) -> String {
        let t = self.tally();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            xml,
            "<testsuites name=\"otp-server conform {}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{:.3}\">",
            escape(&self.target), self.results.len(), t.failed, t.skipped, self.duration.as_secs_f64()
        );
        for group in self.groups() {
            let results: Vec<&CheckResult> =
                self.results.iter().filter(|r| r.group == group).collect();
            let g = Tally::of(results.iter().copied());
            let time: f64 = results.iter().map(|r| r.duration.as_secs_f64()).sum();
            let _ = writeln!(xml, "  <testsuite name=\"{group}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\" time=\"{time:.3}\">", results.len(), g.failed, g.skipped);
            for result in results {
                xml.push_str(&testcase(result));
            }
            xml.push_str("  </testsuite>\n");
        }
        xml.push_str("</testsuites>\n");
        xml
    }
}

fn testcase(r: &CheckResult) -> String {
    let head = format!(
        "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
        escape(&r.group),
        escape(&r.name),
        r.duration.as_secs_f64()
    );
    match &r.outcome {
        Outcome::Pass => format!("{head}/>\n"),
        Outcome::Skip { reason } => format!("{head}>\n      <skipped message=\"{}\"/>\n    </testcase>\n", escape(reason)),
        Outcome::Fail { expected, seen } => format!(
            "{head}>\n      <failure message=\"expected {}; seen {}\">expected: {}\nseen: {}\nrule: {} — {}</failure>\n    </testcase>\n",
            escape(expected), escape(seen), escape(expected), escape(seen), escape(&r.rule), escape(&r.says)
        ),
    }
}

/// Text safe in XML attributes and content.
fn escape(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&apos;".into(),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => " ".into(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, outcome: Outcome) -> CheckResult {
        CheckResult {
            name: name.into(),
            group: name.split('.').next().unwrap().into(),
            rule: "docs/BEHAVIOUR.md#single-use".into(),
            says: "<rule> & more".into(),
            outcome,
            duration: Duration::from_millis(12),
        }
    }

    #[test]
    fn junit_and_json_carry_every_check() {
        let report = Report {
            target: "http://t".into(),
            results: vec![
                result("flows.rao.single-use", Outcome::Pass),
                result(
                    "flows.rao.other",
                    Outcome::Fail {
                        expected: "404 <x>".into(),
                        seen: "204 \"y\"".into(),
                    },
                ),
                result(
                    "semantics.rao.expiry",
                    Outcome::Skip {
                        reason: "no clock".into(),
                    },
                ),
            ],
            deselected: 0,
            duration: Duration::from_secs(1),
            deadline: Duration::from_secs(300),
            unfinished: None,
            changes: Changes {
                clock_advanced_secs: 331,
                clock_moves: 2,
                ..Changes::default()
            },
        };
        assert!(!report.conforms());
        let xml = report.to_junit();
        assert!(
            xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
            "{xml}"
        );
        assert!(
            xml.contains("expected 404 &lt;x&gt;; seen 204 &quot;y&quot;"),
            "{xml}"
        );
        assert!(xml.contains("<skipped message=\"no clock\"/>"), "{xml}");
        let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(json["checks"][1]["outcome"], "fail");
        assert_eq!(json["checks"][1]["expected"], "404 <x>");
        assert_eq!(json["checks"][1]["rule"], "docs/BEHAVIOUR.md#single-use");
        assert_eq!(json["changes"]["clock_advanced_secs"], 331);
        assert!(
            xml.contains("rule: docs/BEHAVIOUR.md#single-use — &lt;rule&gt; &amp; more"),
            "{xml}"
        );
        let summary = report.summary();
        assert!(
            summary.contains("DOES NOT CONFORM: 1 failed: flows.rao.other"),
            "{summary}"
        );
        assert!(
            summary.contains("its sandbox clock moved forward 331 s in 2 steps"),
            "{summary}"
        );
    }

    #[test]
    fn a_run_cut_by_its_deadline_does_not_conform() {
        let not_run = Outcome::Skip {
            reason: NOT_RUN.into(),
        };
        let report = Report {
            target: "http://t".into(),
            results: vec![
                result("flows.rao.single-use", Outcome::Pass),
                result("flows.rao.other", not_run.clone()),
                result("semantics.rao.expiry", not_run),
            ],
            deselected: 0,
            duration: Duration::from_secs(2),
            deadline: Duration::from_secs(2),
            unfinished: Some(Unfinished::Deadline),
            changes: Changes::default(),
        };
        assert!(!report.conforms());
        let summary = report.summary();
        assert!(
            summary
                .contains("DID NOT FINISH: the run's deadline (2 s, --deadline) passed; 2 not run"),
            "{summary}"
        );
        assert!(
            summary.contains("its sandbox clock left alone"),
            "{summary}"
        );
    }
}

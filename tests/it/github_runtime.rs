//! `github::runtime` against real files: outputs read back the way the runner reads them, the
//! job summary at GitHub's size limit, annotation limits, masks, and event payloads shaped like
//! GitHub's webhooks (tests/fixtures/github/events).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use decoder_ops::github::runtime::{
    Annotation, Context, DELIMITER_PREFIX, Env, Event, Runtime, RuntimeError, SUMMARY_CAP,
    SUMMARY_LIMIT, format_output, truncation_notice,
};
use decoder_ops::secret::Redactor;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/github/events")
        .join(name)
}

/// An Actions environment whose file commands point into `dir`.
fn actions_env(dir: &Path) -> Env {
    Env::from_pairs([
        ("GITHUB_ACTIONS", "true".to_owned()),
        ("GITHUB_OUTPUT", dir.join("output").display().to_string()),
        (
            "GITHUB_STEP_SUMMARY",
            dir.join("summary").display().to_string(),
        ),
    ])
}

/// Reads a `$GITHUB_OUTPUT` file the way the runner's `SetOutputFileCommand` does: line by line
/// (`\n` or `\r\n`); `name=value` when `=` comes before `<<`, else `name<<DELIM` followed by
/// value lines up to the first line equal to `DELIM`. Returns outputs in order, and the
/// delimiters seen.
fn parse_like_runner(text: &str) -> (Vec<(String, String)>, Vec<String>) {
    let mut lines = text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let mut outputs = Vec::new();
    let mut delimiters = Vec::new();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                outputs.push((line[..e].to_owned(), line[e + 1..].to_owned()));
            }
            (_, Some(h)) => {
                let (name, delimiter) = (&line[..h], &line[h + 2..]);
                let mut value: Vec<&str> = Vec::new();
                loop {
                    let next = lines
                        .next()
                        .expect("runner: delimiter not found before EOF");
                    if next == delimiter {
                        break;
                    }
                    value.push(next);
                }
                outputs.push((name.to_owned(), value.join("\n")));
                delimiters.push(delimiter.to_owned());
            }
            _ => panic!("runner: invalid line {line:?}"),
        }
    }
    (outputs, delimiters)
}

#[test]
fn multi_line_outputs_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // Another tool of the same step wrote first: we append.
    std::fs::write(dir.path().join("output"), "earlier=1\n").unwrap();
    let mut rt = Runtime::new(&actions_env(dir.path()), Vec::new(), false);
    let values = [
        ("passed", "true"),
        ("report", "line 1\nline 2\n\nline 4"),
        ("trailing-newline", "x\n"),
        ("empty", ""),
        ("unicode", "couverture 81,5 % ✅"),
    ];
    for (name, value) in values {
        rt.set_output(name, value).unwrap();
    }
    let text = std::fs::read_to_string(dir.path().join("output")).unwrap();
    let (outputs, delimiters) = parse_like_runner(&text);
    let mut expected = vec![("earlier".to_owned(), "1".to_owned())];
    expected.extend(
        values
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned())),
    );
    assert_eq!(outputs, expected);
    // A fresh random delimiter per call.
    assert_eq!(delimiters.len(), values.len());
    for d in &delimiters {
        assert!(d.starts_with(DELIMITER_PREFIX), "{d}");
        assert_eq!(d.len(), DELIMITER_PREFIX.len() + 32, "{d}");
    }
    let distinct: std::collections::BTreeSet<_> = delimiters.iter().collect();
    assert_eq!(distinct.len(), delimiters.len());
}

#[test]
fn a_hostile_value_cannot_end_itself_or_add_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let mut rt = Runtime::new(&actions_env(dir.path()), Vec::new(), false);
    // Everything an attacker-controlled commit message could try without knowing the delimiter.
    let hostile = "fix: timeout\nEOF\nghadelimiter_\nghadelimiter_00000000000000000000000000000000\n\
                   passed=true\nsecret<<EOF\nleak\nEOF\n::set-output name=passed::true";
    rt.set_output("message", hostile).unwrap();
    rt.set_output("passed", "false").unwrap();
    let text = std::fs::read_to_string(dir.path().join("output")).unwrap();
    let (outputs, _) = parse_like_runner(&text);
    let map: BTreeMap<_, _> = outputs.into_iter().collect();
    assert_eq!(map.len(), 2, "{map:?}");
    assert_eq!(map["message"], hostile);
    assert_eq!(map["passed"], "false");
}

#[test]
fn a_value_containing_its_delimiter_is_refused() {
    let delimiter = format!("{DELIMITER_PREFIX}5f0c2e9ab1d34e7f8a6b0c1d2e3f4a5b");
    let value = format!("ok\n{delimiter}\ninjected=1");
    let e = format_output("message", &value, &delimiter).unwrap_err();
    assert!(matches!(e, RuntimeError::DelimiterInValue { .. }));
    assert_eq!(
        e.to_string(),
        "output `message`: the value contains its heredoc delimiter and would be cut short; \
         refusing to write it"
    );
}

#[test]
fn an_unwritable_output_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let env = Env::from_pairs([
        ("GITHUB_ACTIONS", "true".to_owned()),
        // A directory cannot be appended to.
        ("GITHUB_OUTPUT", dir.path().display().to_string()),
    ]);
    let mut rt = Runtime::new(&env, Vec::new(), false);
    let e = rt.set_output("passed", "true").unwrap_err();
    assert!(e.is_io());
    let msg = e.to_string();
    let expected = format!(
        "cannot append to $GITHUB_OUTPUT `{}`: ",
        dir.path().display()
    );
    assert!(msg.starts_with(&expected), "{msg}");
}

fn table(rows: usize) -> String {
    let mut md = String::from("| file | covered | total |\n|---|---:|---:|\n");
    for i in 0..rows {
        md.push_str(&format!("| src/module_{i:06}.rs | {} | 120 |\n", i % 120));
    }
    md
}

/// The number in the notice at the end of `text`.
fn omitted_in_notice(text: &str) -> usize {
    let tail = text.rsplit_once("> ⚠️ Summary truncated: ").unwrap().1;
    tail.split(' ').next().unwrap().parse().unwrap()
}

#[test]
fn summary_is_cut_below_one_mib_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let mut rt = Runtime::new(&actions_env(dir.path()), Vec::new(), false);
    let md = table(60_000);
    assert!(md.len() as u64 > 2 * SUMMARY_LIMIT);
    let write = rt.append_summary(&md).unwrap().unwrap();
    let written = std::fs::read_to_string(dir.path().join("summary")).unwrap();
    // GitHub drops the whole summary above 1 MiB; we stay strictly below it.
    assert!(written.len() < 1024 * 1024, "{}", written.len());
    assert!(written.len() as u64 <= SUMMARY_CAP, "{}", written.len());
    // Close to the cap: only the notice and part of one row are wasted.
    assert!(
        written.len() as u64 > SUMMARY_CAP - 200,
        "{}",
        written.len()
    );
    assert_eq!(write.written, written.len());
    let (kept, notice) = written.split_once("\n> ⚠️").unwrap();
    assert!(
        md.starts_with(kept) && kept.ends_with("|\n"),
        "cut inside a line"
    );
    assert_eq!(
        notice,
        format!(
            " Summary truncated: {} bytes not shown. The full result is in the JSON file.\n",
            md.len() - kept.len()
        )
    );
    assert_eq!(write.omitted, md.len() - kept.len());
    assert_eq!(omitted_in_notice(&written), write.omitted);
}

#[test]
fn summary_counts_what_the_file_already_holds() {
    let dir = tempfile::tempdir().unwrap();
    let earlier = format!("# Earlier step output\n{}", "x".repeat(300_000));
    std::fs::write(dir.path().join("summary"), &earlier).unwrap();
    let mut rt = Runtime::new(&actions_env(dir.path()), Vec::new(), false);
    let first = table(1_000);
    let second = table(20_000);
    assert_eq!(rt.append_summary(&first).unwrap().unwrap().omitted, 0);
    let write = rt.append_summary(&second).unwrap().unwrap();
    let file = std::fs::read_to_string(dir.path().join("summary")).unwrap();
    assert!(file.len() as u64 <= SUMMARY_CAP, "{}", file.len());
    assert!(file.starts_with(&format!("{earlier}{first}")));
    assert_eq!(omitted_in_notice(&file), write.omitted);
    let kept = second.len() - write.omitted;
    assert!(second.is_char_boundary(kept) && second[..kept].ends_with('\n'));
    assert_eq!(
        file,
        format!(
            "{earlier}{first}{}{}",
            &second[..kept],
            truncation_notice(write.omitted)
        )
    );
    // Once truncated, the notice stays last: later appends are dropped whole.
    let later = rt.append_summary("## More\n").unwrap().unwrap();
    assert_eq!((later.written, later.omitted), (0, 8));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("summary")).unwrap(),
        file
    );
}

#[test]
fn summary_with_a_small_cap_never_exceeds_it() {
    let dir = tempfile::tempdir().unwrap();
    let md = table(200);
    for cap in [120u64, 150, 333, 1000, 4096] {
        let path = dir.path().join("summary");
        std::fs::write(&path, "").unwrap();
        let mut rt =
            Runtime::new(&actions_env(dir.path()), Vec::new(), false).with_summary_cap(cap);
        let write = rt.append_summary(&md).unwrap().unwrap();
        let file = std::fs::read_to_string(&path).unwrap();
        assert!(file.len() as u64 <= cap, "cap {cap}: {}", file.len());
        assert_eq!(write.written, file.len());
        if !file.is_empty() {
            assert_eq!(omitted_in_notice(&file), write.omitted, "cap {cap}");
        }
    }
}

fn lines_of(out: Vec<u8>) -> Vec<String> {
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn annotations_escape_file_title_and_message() {
    let mut rt = Runtime::new(
        &Env::from_pairs([("GITHUB_ACTIONS", "true")]),
        Vec::new(),
        false,
    );
    rt.annotate(
        Annotation::error("coverage 61% < 80%\nsee summary\r\nnow")
            .file("src/a,b:c.rs")
            .line(12)
            .end_line(20)
            .title("gate: coverage, changed lines"),
    )
    .unwrap();
    assert_eq!(
        lines_of(rt.finish().unwrap()),
        [
            "::error file=src/a%2Cb%3Ac.rs,line=12,endLine=20,title=gate%3A coverage%2C changed lines::\
          coverage 61%25 < 80%25%0Asee summary%0D%0Anow"
        ]
    );
}

#[test]
fn annotations_are_capped_per_level_with_a_count_of_the_rest() {
    let mut rt = Runtime::new(
        &Env::from_pairs([("GITHUB_ACTIONS", "true")]),
        Vec::new(),
        false,
    );
    for i in 0..25 {
        rt.annotate(
            Annotation::error(format!("uncovered line {i}"))
                .file("src/lib.rs")
                .line(i),
        )
        .unwrap();
    }
    for i in 0..3 {
        rt.annotate(Annotation::warning(format!("slow test {i}")))
            .unwrap();
    }
    for i in 0..10 {
        rt.annotate(Annotation::notice(format!("note {i}")))
            .unwrap();
    }
    let lines = lines_of(rt.finish().unwrap());
    let errors: Vec<&String> = lines.iter().filter(|l| l.starts_with("::error")).collect();
    let warnings = lines.iter().filter(|l| l.starts_with("::warning")).count();
    let notices: Vec<&String> = lines.iter().filter(|l| l.starts_with("::notice")).collect();
    // GitHub shows 10 per level: 9 real errors and one line for the 16 that were not shown.
    assert_eq!(errors.len(), 10);
    assert_eq!(
        errors[8],
        "::error file=src/lib.rs,line=8::uncovered line 8"
    );
    assert_eq!(
        errors[9],
        "::error::16 more error annotations not shown (see the job summary / JSON result)"
    );
    assert_eq!(warnings, 3);
    // Exactly ten: all shown, the 10th at finish.
    assert_eq!(notices.len(), 10);
    assert_eq!(notices[9], "::notice::note 9");
    assert_eq!(lines.len(), 23);
}

#[test]
fn masks_come_before_any_other_output() {
    let mut redactor = Redactor::new();
    redactor.add("https://hooks.slack.com/services/TFAKE0001/BFAKE0002/fakeSecretToken42");
    redactor.add("ghp_fake-token-for-tests-only-0000");
    let mut rt = Runtime::new(
        &Env::from_pairs([("GITHUB_ACTIONS", "true")]),
        Vec::new(),
        false,
    );
    rt.add_masks(&redactor).unwrap();
    rt.group("notify").unwrap();
    rt.annotate(Annotation::warning("slack answered 429"))
        .unwrap();
    rt.end_group().unwrap();
    let lines = lines_of(rt.finish().unwrap());
    let masks = redactor.fragments().len();
    assert!(masks >= 4);
    assert!(lines[..masks].iter().all(|l| l.starts_with("::add-mask::")));
    assert!(
        lines[masks..]
            .iter()
            .all(|l| !l.starts_with("::add-mask::"))
    );
    for fragment in redactor.fragments() {
        let line = format!(
            "::add-mask::{}",
            decoder_ops::github::runtime::escape_data(fragment)
        );
        assert!(lines.contains(&line), "missing {line}");
    }
    assert_eq!(lines[masks], "::group::notify");
}

#[test]
fn outside_actions_there_are_no_workflow_commands() {
    let mut redactor = Redactor::new();
    redactor.add("fake-secret-value-123");
    let mut rt = Runtime::new(&Env::default(), Vec::new(), true);
    assert!(rt.use_color());
    rt.add_masks(&redactor).unwrap();
    rt.group("coverage").unwrap();
    for i in 0..15 {
        rt.annotate(
            Annotation::error("below threshold")
                .file("src/lib.rs")
                .line(i + 1),
        )
        .unwrap();
    }
    rt.stop_commands("::error::from a response body").unwrap();
    rt.end_group().unwrap();
    rt.set_output("passed", "false").unwrap();
    assert_eq!(rt.append_summary("# Coverage\n").unwrap(), None);
    let out = lines_of(rt.finish().unwrap());
    // Untrusted text is echoed as is: outside Actions nothing interprets it.
    assert_eq!(out.iter().filter(|l| l.starts_with("::")).count(), 1);
    assert_eq!(out.last().unwrap(), "::error::from a response body");
    assert_eq!(out[0], "==> coverage");
    assert_eq!(out[1], "error: src/lib.rs:1: below threshold");
    assert_eq!(out.len(), 17);
}

fn context_for(event_name: &str, file: &Path) -> Result<Context, RuntimeError> {
    Context::from_env(&Env::from_pairs([
        ("GITHUB_ACTIONS", "true".to_owned()),
        ("GITHUB_REPOSITORY", "acme-widgets/decoder-demo".to_owned()),
        ("GITHUB_EVENT_NAME", event_name.to_owned()),
        ("GITHUB_EVENT_PATH", file.display().to_string()),
        ("GITHUB_REF", "refs/pull/57/merge".to_owned()),
        (
            "GITHUB_SHA",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4".to_owned(),
        ),
        ("GITHUB_RUN_ID", "12345678901".to_owned()),
        ("GITHUB_RUN_ATTEMPT", "1".to_owned()),
    ]))
}

#[test]
fn pull_request_from_a_fork() {
    let ctx = context_for("pull_request", &fixture("pull_request_fork.json")).unwrap();
    let pr = ctx.pull_request().unwrap();
    assert_eq!(pr.number, 57);
    assert!(pr.is_fork);
    assert_eq!(
        pr.head_repo.as_deref(),
        Some("outside-contributor/decoder-demo")
    );
    assert_eq!(pr.base_repo.as_deref(), Some("acme-widgets/decoder-demo"));
    assert_eq!(pr.head_sha, "c4a81f0e2d3b5a6978e1f0d2c3b4a5968778695a");
    assert_eq!(pr.base_sha, "9f2c1e4b7a3d5c8e0f1a2b3c4d5e6f708192a3b4");
    assert_eq!(
        (pr.head_ref.as_str(), pr.base_ref.as_str()),
        ("fix-timeout", "main")
    );
    assert!(ctx.is_fork_pull_request());
    assert!(ctx.has_read_only_token());
    let origin = ctx.to_origin();
    assert_eq!(origin.pull_request, Some(57));
    assert_eq!(origin.ref_name.as_deref(), Some("57/merge"));
    assert_eq!(
        origin.pull_request_url().as_deref(),
        Some("https://github.com/acme-widgets/decoder-demo/pull/57")
    );
}

#[test]
fn pull_request_target_from_a_fork_keeps_a_write_token() {
    let ctx = context_for("pull_request_target", &fixture("pull_request_fork.json")).unwrap();
    assert!(ctx.is_fork_pull_request());
    assert!(!ctx.has_read_only_token());
}

#[test]
fn pull_request_within_the_repository() {
    let ctx = context_for("pull_request", &fixture("pull_request_same_repo.json")).unwrap();
    let pr = ctx.pull_request().unwrap();
    assert_eq!(pr.number, 58);
    assert!(!pr.is_fork);
    assert_eq!(pr.head_repo, pr.base_repo);
    assert!(!ctx.has_read_only_token());
}

#[test]
fn pull_request_whose_fork_was_deleted() {
    let ctx = context_for("pull_request", &fixture("pull_request_deleted_fork.json")).unwrap();
    let pr = ctx.pull_request().unwrap();
    assert_eq!(pr.head_repo, None);
    assert!(pr.is_fork);
}

#[test]
fn push_event() {
    let ctx = context_for("push", &fixture("push.json")).unwrap();
    match &ctx.event {
        Event::Push(push) => {
            assert_eq!(
                push.before.as_deref(),
                Some("9f2c1e4b7a3d5c8e0f1a2b3c4d5e6f708192a3b4")
            );
            assert_eq!(
                push.after.as_deref(),
                Some("5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b")
            );
        }
        other => panic!("not a push: {other:?}"),
    }
    assert_eq!(ctx.to_origin().pull_request, None);
}

#[test]
fn a_pull_request_event_with_a_push_payload_is_an_error() {
    let e = context_for("pull_request", &fixture("push.json")).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("push.json` named by GITHUB_EVENT_PATH: line "),
        "{msg}"
    );
    assert!(msg.ends_with("missing field `pull_request`"), "{msg}");
}

#[test]
fn a_truncated_payload_is_an_error_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("event.json");
    let full = std::fs::read_to_string(fixture("pull_request_fork.json")).unwrap();
    std::fs::write(&path, &full[..full.len() / 2]).unwrap();
    let e = context_for("pull_request", &path).unwrap_err();
    match &e {
        RuntimeError::EventParse {
            path: p,
            line,
            column,
            ..
        } => {
            assert_eq!(p, &path);
            assert!(*line > 1 && *column > 0, "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.is_io());
    // Any event, even one we do not model, must have a valid payload.
    let e = context_for("workflow_dispatch", &path).unwrap_err();
    assert!(matches!(e, RuntimeError::EventParse { .. }), "{e}");
}

//! `environments:` and `checks:`: a full file, and every mistake reported at its place.

use super::*;
use crate::config::parse;

const GOOD: &str = "\
environments:
  staging:
    base-url: https://staging.example.com
  production:
    base-url: https://{slot}.example.com
    slots: [blue, green]
    allow-hosts: [\"{slot}.example.com\", \"*.cdn.example.com\"]
    headers:
      X-Env: prod
checks:
  - name: health
    url: \"{base-url}/healthz\"
  - name: api
    method: post
    url: \"{base-url}/api/v1/ping\"
    headers:
      Authorization: Bearer ${API_TOKEN}
    body: '{\"slot\": \"{slot}\"}'
    timeout: 3s
    follow-redirects: 2
    max-body: 64KiB
    environments: [production]
    retry-transient: {attempts: 3, backoff: 200ms}
    assert:
      - status: 200
      - jsonpath: {path: $.ok, equals: true}
  - name: ready
    url: https://status.example.com/ready
    tls: {ca-file: certs/ca.pem}
    wait-until-ready: {deadline: 2m, interval: 5s}
";

#[test]
fn full_file_parses_into_specs() {
    let c = parse(GOOD, "cfg.yml").unwrap();
    assert_eq!(c.environments.len(), 2);
    let prod = &c.environments["production"];
    assert_eq!(prod.slots, ["blue", "green"]);
    assert_eq!(prod.base_url.value.raw(), "https://{slot}.example.com");
    assert_eq!((prod.base_url.line, prod.base_url.column), (5, 15));
    assert_eq!(prod.headers[0].name, "X-Env");

    let names: Vec<&str> = c.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["health", "api", "ready"]);
    let health = &c.checks[0];
    assert_eq!(health.method, "GET");
    assert_eq!(health.timeout, DEFAULT_TIMEOUT);
    assert_eq!(health.timing, Timing::Once);
    assert_eq!(health.assertions, [default_assertion()]);
    assert!(health.runs_in(Some("staging")));

    let api = &c.checks[1];
    assert_eq!(api.method, "POST");
    assert_eq!(api.line, 13);
    assert_eq!(api.max_body, 64 << 10);
    assert_eq!(api.follow_redirects, 2);
    assert_eq!(
        api.timing,
        Timing::RetryTransient {
            attempts: 3,
            backoff: Duration::from_millis(200)
        }
    );
    assert!(!api.runs_in(Some("staging")) && api.runs_in(Some("production")));
    let auth = &api.headers[0].value;
    assert_eq!(
        (auth.line, auth.column, auth.key.as_str()),
        (17, 22, "checks[1].headers.Authorization")
    );
    assert_eq!(api.assertions.len(), 2);

    let ready = &c.checks[2];
    assert_eq!(
        ready.tls.ca_file.as_deref(),
        Some(std::path::Path::new("certs/ca.pem"))
    );
    assert_eq!(
        ready.timing,
        Timing::WaitUntilReady {
            deadline: Duration::from_secs(120),
            interval: Duration::from_secs(5)
        }
    );
    // `config check` sees every template.
    assert!(
        c.templates()
            .iter()
            .any(|t| t.value.raw() == "Bearer ${API_TOKEN}")
    );
}

#[test]
fn missing_env_var_is_reported_where_the_check_uses_it() {
    let c = parse(GOOD, "cfg.yml").unwrap();
    let err = c
        .resolve(&c.checks[1].headers[0].value, &|_| None)
        .unwrap_err();
    assert_eq!(err.location(), Some(("cfg.yml", 17, 22)));
    let msg = err.to_string();
    assert!(msg.contains("`checks[1].headers.Authorization`"), "{msg}");
    assert!(
        msg.contains("environment variable `API_TOKEN` is not set"),
        "{msg}"
    );
}

fn error(text: &str) -> (String, Option<(usize, usize)>) {
    let err = parse(text, "c.yml").expect_err(text);
    let loc = err.location().map(|(_, l, c)| (l, c));
    (err.to_string(), loc)
}

#[test]
fn unknown_assertion_invalid_jsonpath_and_invalid_url_are_located() {
    let (msg, loc) = error(
        "checks:\n  - name: a\n    url: https://x.example\n    assert:\n      - statuss: 200\n",
    );
    assert_eq!(loc, Some((5, 9)), "{msg}");
    assert!(msg.contains("unknown variant `statuss`"), "{msg}");

    let (msg, loc) = error(
        "checks:\n  - name: a\n    url: https://x.example\n    assert:\n      - jsonpath: {path: \"$[?@.a ==]\", exists: true}\n",
    );
    assert_eq!(loc, Some((5, 7)), "{msg}");
    assert!(msg.contains("invalid JSONPath `$[?@.a ==]`"), "{msg}");

    let (msg, loc) = error("checks:\n  - name: a\n    url: htps://x.example/health\n");
    assert_eq!(loc, Some((3, 10)), "{msg}");
    assert!(msg.contains("scheme `htps` is not supported"), "{msg}");

    let (msg, loc) = error("checks:\n  - name: a\n    url: \"{base_url}/health\"\n");
    assert_eq!(loc, Some((3, 10)), "{msg}");
    assert!(msg.contains("unknown placeholder `{base_url}`"), "{msg}");
}

#[test]
fn rules_across_keys_are_located_in_their_check() {
    let base = "checks:\n  - name: one\n    url: https://a.example\n  - name: two\n    url: https://a.example\n";
    let cases = [
        (
            "    wait-until-ready: {deadline: 10s}\n    retry-transient: {attempts: 2}\n",
            (7, 5),
            "choose one",
        ),
        (
            "    retry-transient: {attempts: 1}\n",
            (6, 23),
            "use 2 to 10",
        ),
        (
            "    wait-until-ready: {deadline: 1s, interval: 5s}\n",
            (6, 38),
            "at most the `deadline`",
        ),
        (
            "    environments: [qa]\n",
            (6, 5),
            "no environment named `qa`",
        ),
        ("    follow-redirects: 50\n", (6, 5), "at most 20 redirects"),
        ("    max-body: 0\n", (6, 5), "`max-body` must be between"),
        ("    timeout: 0s\n", (6, 5), "more than 0"),
        (
            "    headers: {\"Bad Header\": x}\n",
            (6, 16),
            "not a valid header name",
        ),
        (
            "    method: TRACE\n",
            (6, 13),
            "unknown HTTP method `TRACE`",
        ),
        ("    timeout: 5\n", (6, 14), "has no unit"),
    ];
    for (extra, want, text) in cases {
        let (msg, loc) = error(&format!("{base}{extra}"));
        assert_eq!(loc, Some(want), "{extra}: {msg}");
        assert!(msg.contains(text), "{extra}: {msg}");
    }
    let (msg, loc) = error(
        "checks:\n  - name: one\n    url: https://a.example\n  - name: one\n    url: https://b.example\n",
    );
    assert_eq!(loc, Some((4, 5)), "{msg}");
    assert!(msg.contains("names must be unique"), "{msg}");
}

#[test]
fn environment_names_and_slots_are_restricted() {
    let (msg, _) = error(
        "environments:\n  prod:\n    base-url: https://x.example\n    slots: [\"blue green\"]\n",
    );
    assert!(msg.contains("slot name `blue green`"), "{msg}");
    let (msg, _) = error("environments:\n  prod:\n    base-url: \"{base-url}/x\"\n");
    assert!(msg.contains("cannot contain `{base-url}`"), "{msg}");
}

#[test]
fn schema_describes_checks_and_assertions() {
    let schema = crate::config::json_schema().to_string();
    for word in [
        "wait-until-ready",
        "retry-transient",
        "jsonpath-count",
        "cert-expiry-days",
        "allow-hosts",
    ] {
        assert!(schema.contains(word), "{word}");
    }
}

//! Planning: environments, slots, templates, allowlists and the secrets collected on the way.

use super::*;
use crate::config::parse;

const CONFIG: &str = "\
environments:
  staging:
    base-url: https://staging.example.com/
    headers:
      X-Tenant: ${TENANT:-acme}
  production:
    base-url: https://{slot}.example.com
    slots: [blue, green]
    allow-hosts: [\"{slot}.example.com\", \"*.cdn.example.com\"]
checks:
  - name: health
    url: \"{base-url}/healthz\"
  - name: api
    url: \"{base-url}/api?key=${API_KEY}\"
    method: POST
    headers:
      Authorization: Bearer ${API_TOKEN}
    body: '{\"slot\": \"{slot}\"}'
    environments: [production]
  - name: status-page
    url: https://status.example.org/
    environments: [staging]
";

fn env(name: &str) -> Option<String> {
    match name {
        "API_TOKEN" => Some("tok-fake-0123456789".into()),
        "API_KEY" => Some("key-fake-9876543210".into()),
        _ => None,
    }
}

fn select(environment: Option<&str>, slot: Option<&str>) -> Selection {
    Selection {
        environment: environment.map(str::to_owned),
        slot: slot.map(str::to_owned),
        names: Vec::new(),
    }
}

#[test]
fn staging_checks_use_its_base_url_and_default_allowlist() {
    let config = parse(CONFIG, "c.yml").unwrap();
    let p = plan(&config, &select(Some("staging"), None), &env).unwrap();
    let names: Vec<&str> = p.checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["health", "status-page"]);
    let health = &p.checks[0];
    assert_eq!(health.url.as_str(), "https://staging.example.com/healthz");
    assert_eq!(health.headers["x-tenant"], "acme");
    assert!(health.headers["x-tenant"].is_sensitive());
    assert_eq!(health.allow.patterns(), ["staging.example.com"]);
    assert_eq!(health.environment.as_deref(), Some("staging"));
    assert_eq!(health.line, Some(11));
    // A check with its own absolute URL is still held to the environment's allowlist.
    assert_eq!(p.checks[1].allow.patterns(), ["staging.example.com"]);
    assert!(p.secrets.is_empty(), "{:?}", p.secrets);
}

#[test]
fn production_slot_fills_urls_bodies_and_allowlist() {
    let config = parse(CONFIG, "c.yml").unwrap();
    let p = plan(&config, &select(Some("production"), Some("green")), &env).unwrap();
    let api = p.checks.iter().find(|c| c.name == "api").unwrap();
    assert_eq!(
        api.url.as_str(),
        "https://green.example.com/api?key=key-fake-9876543210"
    );
    assert_eq!(api.method, Method::POST);
    assert_eq!(
        api.body.as_ref().map(Secret::expose),
        Some(r#"{"slot": "green"}"#)
    );
    assert_eq!(
        api.allow.patterns(),
        ["green.example.com", "*.cdn.example.com"]
    );
    assert!(p.secrets.contains(&"tok-fake-0123456789".to_owned()));
    assert!(p.secrets.contains(&"Bearer tok-fake-0123456789".to_owned()));
    assert!(p.secrets.contains(&"key-fake-9876543210".to_owned()));
    assert!(
        !format!("{api:?}").contains("tok-fake"),
        "Debug leaks the token"
    );
}

#[test]
fn selection_mistakes_are_explained() {
    let config = parse(CONFIG, "c.yml").unwrap();
    let cases = [
        (
            select(None, None),
            "choose an environment with --env: production, staging",
        ),
        (
            select(Some("qa"), None),
            "no environment named `qa`; defined: production, staging",
        ),
        (
            select(Some("production"), None),
            "uses `{slot}`: choose one with --slot (blue, green)",
        ),
        (
            select(Some("production"), Some("red")),
            "has no slot `red`; its slots: blue, green",
        ),
    ];
    for (sel, want) in cases {
        let err = plan(&config, &sel, &env).unwrap_err().to_string();
        assert!(err.contains(want), "{sel:?}: {err}");
    }
    let mut only = select(Some("staging"), None);
    only.names = vec!["nope".into()];
    let err = plan(&config, &only, &env).unwrap_err().to_string();
    assert!(err.contains("no check named `nope`"), "{err}");
}

#[test]
fn unset_secret_is_a_located_config_error() {
    let config = parse(CONFIG, "c.yml").unwrap();
    let err = plan(&config, &select(Some("production"), Some("blue")), &|_| {
        None
    })
    .unwrap_err();
    let ProbeError::Config(e) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.location(), Some(("c.yml", 14, 11)));
    assert!(err.to_string().contains("`API_KEY` is not set"), "{err}");
}

#[test]
fn url_invalid_after_substitution_is_located() {
    let text = "checks:\n  - name: a\n    url: ${TARGET}\n";
    let config = parse(text, "c.yml").unwrap();
    let err = plan(&config, &Selection::default(), &|_| {
        Some("not a url".into())
    })
    .unwrap_err();
    let ProbeError::Config(e) = &err else {
        panic!("{err}")
    };
    assert_eq!(e.location(), Some(("c.yml", 3, 10)));
    assert!(err.to_string().contains("invalid URL"), "{err}");
}

#[test]
fn base_url_without_environment_is_refused() {
    let text = "checks:\n  - name: a\n    url: \"{base-url}/x\"\n";
    let config = parse(text, "c.yml").unwrap();
    let err = plan(&config, &Selection::default(), &env)
        .unwrap_err()
        .to_string();
    assert!(err.contains("no environment is selected"), "{err}");
}

#[test]
fn credentials_in_urls_are_secrets() {
    let url =
        Url::parse("https://user:pa55word-x@h.example/p?api_key=abc123xyz&page=2&Token=t0k3n-long")
            .unwrap();
    assert_eq!(url_secrets(&url), ["pa55word-x", "abc123xyz", "t0k3n-long"]);
    assert!(is_credential_header("Authorization") && !is_credential_header("Accept"));
    assert_eq!(credential_forms("Bearer abc"), ["Bearer abc", "abc"]);
}

//! A small XML tree read with quick-xml, for checking the JUnit reports decoder-ops writes, and
//! the Surefire/Jenkins shape those reports must have.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// An element: name, attributes, children, and its text (references resolved).
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub attrs: BTreeMap<String, String>,
    pub children: Vec<Node>,
    pub text: String,
}

impl Node {
    pub fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or("", String::as_str)
    }

    pub fn all(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }

    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }
}

fn element(e: &BytesStart<'_>) -> Node {
    let mut node = Node {
        name: e.name().as_ref().to_owned(),
        ..Node::default()
    };
    for a in e.attributes() {
        let a = a.expect("well-formed attribute");
        let key = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .expect("attribute value")
            .into_owned();
        assert!(
            node.attrs.insert(key.clone(), value).is_none(),
            "duplicate attribute {key}"
        );
    }
    node
}

/// Parses a whole document; panics on anything a conforming parser would reject.
pub fn parse(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let node = element(&e);
                stack.last_mut().expect("parent").children.push(node);
            }
            Event::End(_) => {
                let node = stack.pop().expect("open element");
                stack.last_mut().expect("parent").children.push(node);
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                stack.last_mut().expect("node").text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        other => panic!("undefined entity &{other};"),
                    },
                };
                stack.last_mut().expect("node").text.push_str(&resolved);
            }
            Event::CData(c) => {
                stack.last_mut().expect("node").text.push_str(&c);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().expect("document");
    assert_eq!(doc.children.len(), 1, "exactly one root element");
    doc.children.remove(0)
}

/// Attributes Surefire's `surefire-test-report.xsd` and the Ant/Jenkins JUnit schema allow.
const SUITE_ATTRS: [&str; 10] = [
    "name",
    "tests",
    "failures",
    "errors",
    "skipped",
    "time",
    "timestamp",
    "hostname",
    "group",
    "id",
];
const CASE_ATTRS: [&str; 5] = ["name", "classname", "time", "group", "file"];
const CASE_CHILDREN: [&str; 6] = [
    "failure",
    "error",
    "skipped",
    "system-out",
    "system-err",
    "properties",
];

fn count(node: &Node, attr: &str) -> usize {
    node.attr(attr).parse().unwrap_or_else(|_| {
        panic!(
            "<{}> {attr}=\"{}\" is not a count",
            node.name,
            node.attr(attr)
        )
    })
}

fn is_time(text: &str) -> bool {
    text.parse::<f64>().is_ok_and(|t| t >= 0.0)
}

/// Checks the Surefire/Jenkins shape: `testsuites` › `testsuite`s › `testcase`s, required
/// attributes present, nothing unknown, every `failure`/`error` with `message` and `type`, and
/// counts that add up. Returns (tests, failures, errors) over the document.
pub fn check_surefire_shape(root: &Node) -> (usize, usize, usize) {
    assert_eq!(root.name, "testsuites");
    let mut totals = (0, 0, 0);
    for suite in &root.children {
        if suite.name != "testsuite" {
            panic!("unexpected <{}> in <testsuites>", suite.name);
        }
        for key in suite.attrs.keys() {
            assert!(
                SUITE_ATTRS.contains(&key.as_str()),
                "testsuite attribute {key}"
            );
        }
        assert!(!suite.attr("name").is_empty(), "testsuite without a name");
        assert!(
            is_time(suite.attr("time")),
            "testsuite time {}",
            suite.attr("time")
        );
        let cases = suite.all("testcase");
        let mut failures = 0;
        let mut errors = 0;
        for case in &cases {
            for key in case.attrs.keys() {
                assert!(
                    CASE_ATTRS.contains(&key.as_str()),
                    "testcase attribute {key}"
                );
            }
            assert!(!case.attr("name").is_empty() && !case.attr("classname").is_empty());
            assert!(
                is_time(case.attr("time")),
                "testcase time {}",
                case.attr("time")
            );
            for child in &case.children {
                assert!(
                    CASE_CHILDREN.contains(&child.name.as_str()),
                    "<{}> in testcase",
                    child.name
                );
                if child.name == "failure" || child.name == "error" {
                    assert!(
                        !child.attr("message").is_empty() && !child.attr("type").is_empty(),
                        "{child:?}"
                    );
                }
            }
            let f = case.all("failure").len();
            let e = case.all("error").len();
            assert!(
                f + e <= 1,
                "a testcase has at most one failure or error: {case:?}"
            );
            failures += f;
            errors += e;
        }
        for child in &suite.children {
            assert!(
                ["testcase", "properties", "system-out", "system-err"]
                    .contains(&child.name.as_str()),
                "<{}> in testsuite",
                child.name
            );
        }
        assert_eq!(
            count(suite, "tests"),
            cases.len(),
            "tests count of {}",
            suite.attr("name")
        );
        assert_eq!(count(suite, "failures"), failures);
        assert_eq!(count(suite, "errors"), errors);
        totals = (
            totals.0 + cases.len(),
            totals.1 + failures,
            totals.2 + errors,
        );
    }
    assert_eq!(count(root, "tests"), totals.0);
    assert_eq!(count(root, "failures"), totals.1);
    assert_eq!(count(root, "errors"), totals.2);
    totals
}

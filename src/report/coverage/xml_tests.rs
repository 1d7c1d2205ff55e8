use super::*;

/// The fast path and quick-xml's general path agree wherever the fast path answers.
#[test]
fn plain_attributes_agree_with_the_general_path_or_step_aside() {
    let keys = ["number", "hits", "branch"];
    let cases: &[(&str, Option<[Option<&str>; 3]>)] = &[
        (r#"number="3" hits="0""#, Some([Some("3"), Some("0"), None])),
        (
            r#"  number='3'  branch="true"  other="x y" "#,
            Some([Some("3"), None, Some("true")]),
        ),
        ("", Some([None, None, None])),
        // Things to resolve, normalize or reject: the general path decides.
        (r#"number="&#51;""#, None),
        ("number=\"3\n\"", None),
        (r#"number="3" number="4""#, None),
        (r#"number=3"#, None),
        (r#"number = "3""#, None),
        (r#"number="3"hits="0""#, None),
        (r#"number="3"#, None),
        (r#"x"y="1""#, None),
    ];
    for (raw, expected) in cases {
        let got = plain_attributes(raw, &keys).map(|a| a.map(|v| v.map(|c| c.into_owned())));
        let want = expected.map(|a| a.map(|v| v.map(str::to_owned)));
        assert_eq!(got, want, "{raw}");
    }
    // Where the fast path answers, the general path gives the same values.
    let xml = r#"<line number="3" hits="7" branch="false" condition-coverage="50% (1/2)"/>"#;
    let mut reader = quick_xml::Reader::from_str(xml);
    let Ok(Event::Empty(e)) = reader.read_event() else {
        panic!("an empty element")
    };
    let here = Here {
        name: "t.xml",
        at: Position::NONE,
    };
    let fast = plain_attributes(e.attributes_raw(), &keys).unwrap();
    let general: Vec<(String, String)> = e
        .attributes()
        .map(|a| {
            let a = a.unwrap();
            (
                a.key.0.to_owned(),
                a.normalized_value(XmlVersion::Implicit1_0)
                    .unwrap()
                    .into_owned(),
            )
        })
        .collect();
    for (k, key) in keys.iter().enumerate() {
        let want = general
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, v)| v.as_str());
        assert_eq!(fast[k].as_deref(), want, "{key}");
    }
    assert_eq!(
        attributes(&e, keys, here)
            .unwrap()
            .map(|v| v.map(Cow::into_owned)),
        fast.map(|v| v.map(Cow::into_owned))
    );
}

/// What `scan_until` shows of `body` (inside `<c>` … `</c>`), or `None` when it steps aside;
/// then nothing is consumed and the next event is the body's first.
fn scan(body: &str) -> (Option<Vec<String>>, String) {
    let xml = format!("<r><c>{body}</c></r>");
    let mut source = Source::new(xml.as_bytes());
    let mut reader = XmlReader::new("t.xml", &mut source);
    for _ in 0..2 {
        reader.next().unwrap();
    }
    let mut seen = Vec::new();
    let taken = reader.scan_until("c", |tag| {
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        seen.push(match tag {
            Tag::Start(n, a) => format!("start {}{}", text(n), text(a)),
            Tag::Empty(n, a) => format!("empty {}{}", text(n), text(a)),
            Tag::End(n) => format!("end {}", text(n)),
        });
        if seen.last().is_some_and(|t| t.contains("refuse")) {
            Take::Refused
        } else {
            Take::Unchecked
        }
    });
    let next = match reader.next() {
        Ok((Event::Start(e) | Event::Empty(e), _)) => format!("<{}>", e.name().0),
        Ok((Event::End(e), _)) => format!("</{}>", e.name().0),
        Ok((other, _)) => format!("{other:?}"),
        Err(e) => e.to_string(),
    };
    (taken.then_some(seen), next)
}

#[test]
fn scan_until_takes_plain_balanced_bodies_only() {
    let (seen, next) =
        scan("\n  <m a=\"1\">\n    <l n='2' x=\"a/b\"/>\n  </m>\n  <e/>\n<m2\tb=\"\"></m2>\n");
    let want = [
        r#"start m a="1""#,
        r#"empty l n='2' x="a/b""#,
        "end m",
        "empty e",
        "start m2\tb=\"\"",
        "end m2",
    ];
    assert_eq!(seen.unwrap(), want);
    assert_eq!(next, "</c>", "the end tag is left for the event reader");
    assert_eq!(scan(""), (Some(vec![]), "</c>".into()));
    // Anything else: nothing consumed, the event reader reads the body from its start.
    for body in [
        "<l x=\"a>b\"/>",
        "<l x='a>b'/>",
        "<!-- c --><l/>",
        "text<l/>",
        "<l/>text",
        "<![CDATA[x]]>",
        "<?pi x?><l/>",
        "<a><b></a></b>",
        "<a>",
        "<a></a></x>",
        "<1a/>",
        "<a x=\"&amp;\"/><refuse/>",
        // Deeper than SCAN_DEPTH.
        "<a><a><a><a><a><a><a><a><a></a></a></a></a></a></a></a></a></a>",
        "<l x=\"\u{e9}\"/><refuse/>",
    ] {
        let (seen, next) = scan(body);
        assert_eq!(seen, None, "{body}");
        assert_ne!(next, "</c>", "{body}");
    }
    // A body that runs past the buffered bytes is left to the event reader.
    let long = "<l/>".repeat(super::super::source::CHUNK / 4 + 10);
    assert_eq!(scan(&long).0, None);
}

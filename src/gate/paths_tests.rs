use super::*;

fn index(files: &[&str]) -> PathIndex {
    PathIndex::new(files.iter().map(|f| f.to_string()).collect())
}

#[test]
fn report_paths_resolve_to_tracked_files() {
    let tracked = index(&[
        "src/shop/cart.py",
        "src/shop/util.py",
        "pkg/a/util.py",
        "main.go",
    ]);
    let fixes = vec![("/build/".to_owned(), "".to_owned())];
    let resolver = Resolver::new(&fixes, &["/home/runner/work/shop/shop"], "", &tracked);
    let r = |raw: &str, roots: &[String]| {
        let (path, found) = resolver.resolve(raw, roots);
        (path.into_owned(), found)
    };
    assert_eq!(
        r("/home/runner/work/shop/shop/src/shop/cart.py", &[]),
        ("src/shop/cart.py".into(), true)
    );
    assert_eq!(r("./main.go", &[]), ("main.go".into(), true));
    assert_eq!(r("shop\\cart.py", &[]), ("src/shop/cart.py".into(), true));
    assert_eq!(
        r("cart.py", &["/home/runner/work/shop/shop/src/shop".into()]),
        ("src/shop/cart.py".into(), true)
    );
    assert_eq!(r("/build/main.go", &[]), ("main.go".into(), true));
    assert_eq!(
        r("util.py", &[]),
        ("util.py".into(), false),
        "ambiguous suffix stays unresolved"
    );
    assert_eq!(
        r("example.com/shop/gone.go", &[]),
        ("example.com/shop/gone.go".into(), false)
    );
    // A longer suffix decides before a shorter ambiguous one.
    assert_eq!(
        r("/ci/x/pkg/a/util.py", &[]),
        ("pkg/a/util.py".into(), true)
    );
}

#[test]
fn suffixes_match_whole_components_only() {
    let tracked = index(&["src/acart.py", "lib/b/c.rs"]);
    assert_eq!(
        tracked.by_suffix("cart.py"),
        None,
        "`cart.py` is not a component of `acart.py`"
    );
    assert_eq!(tracked.by_suffix("/w/lib/b/c.rs"), Some("lib/b/c.rs"));
    assert_eq!(tracked.by_suffix("b/c.rs"), Some("lib/b/c.rs"));
    assert_eq!(
        tracked.by_suffix("x/c.rs"),
        Some("lib/b/c.rs"),
        "longest unique suffix `c.rs`"
    );
    assert_eq!(tracked.by_suffix(""), None);
    assert_eq!(tracked.by_suffix("/"), None);
}

#[test]
fn from_a_package_directory_paths_are_relative_to_it_first() {
    // A monorepo: two packages with the same layout; run from packages/b.
    let tracked = index(&[
        "packages/a/src/index.js",
        "packages/b/src/index.js",
        "src/index.js",
    ]);
    let resolver = Resolver::new(&[], &["/r"], "packages/b", &tracked);
    let r = |raw: &str| resolver.resolve(raw, &[]).0.into_owned();
    assert_eq!(r("src/index.js"), "packages/b/src/index.js");
    assert_eq!(r("/r/packages/a/src/index.js"), "packages/a/src/index.js");
    assert_eq!(
        r("/r/src/index.js"),
        "src/index.js",
        "absolute: from the root"
    );
}

#[test]
fn outside_a_checkout_paths_are_taken_as_written() {
    let empty = PathIndex::default();
    let resolver = Resolver::new(&[], &["/w"], "", &empty);
    assert_eq!(
        resolver.resolve("/w/a/b.c", &[]),
        (Cow::Owned("a/b.c".into()), true)
    );
    assert_eq!(resolver.resolve("x.c", &[]), (Cow::Borrowed("x.c"), true));
}

#[test]
fn unmatched_paths_suggest_the_prefix_fix_the_others_needed() {
    let tracked = index(&["src/a.c", "src/b.c", "src/c.c", "src/util/u.c", "tests/u.c"]);
    let resolver = Resolver::new(&[], &[], "", &tracked);
    let mut report = crate::report::coverage::parse_reader(
        "r.info",
        "SF:/build/src/a.c\nend_of_record\nSF:/build/src/b.c\nend_of_record\n\
         SF:/build/src/util/u.c\nend_of_record\nSF:/build/gen/x.c\nend_of_record\n"
            .as_bytes(),
        crate::report::coverage::Format::Lcov,
    )
    .unwrap();
    let mut rewrites = Rewrites::default();
    rewrites.resolve_report(&mut report, &resolver);
    let left = unmatched(&report.files, &tracked);
    assert_eq!(left, ["/build/gen/x.c"]);
    assert!(report.files.contains_key("src/util/u.c"));
    // The learned rewrite does not fit `/build/gen/x.c`; nothing to suggest.
    assert_eq!(rewrites.suggest_fix(&left, &tracked), None);
    // `u.c` is ambiguous by suffix, but the rewrite the others needed fits it.
    assert_eq!(
        rewrites.suggest_fix(&["/build/tests/u.c"], &tracked),
        Some(("/build/".into(), String::new()))
    );
    // With nothing learned, a leading directory that leaves a tracked path.
    assert_eq!(
        Rewrites::default().suggest_fix(&["ci/tests/u.c"], &tracked),
        Some(("ci/".into(), String::new()))
    );
    assert!(
        unmatched(&report.files, &PathIndex::default()).is_empty(),
        "no checkout"
    );
    assert_eq!(
        prefixes("/build/src/a.c", "src/a.c"),
        ("/build/".into(), String::new())
    );
    assert_eq!(
        prefixes("C:\\w\\a.c", "lib/a.c"),
        ("C:/w/".into(), "lib/".into())
    );
}

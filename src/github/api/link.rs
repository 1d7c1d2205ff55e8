//! The `Link` response header (RFC 8288) as GitHub sends it for pagination:
//! `<https://api.github.com/repositories/1/issues?page=2>; rel="next", <…>; rel="last"`.
//!
//! The next page is followed by its URL exactly as given (GitHub often answers with a
//! `/repositories/{id}/…` form that no path template describes), never rebuilt from `page=N`.

/// The target of the link whose `rel` includes `wanted`.
///
/// URLs are delimited by `<` `>` rather than split on commas, because a query string may carry
/// commas (`labels=a,b`).
pub fn find_rel(header: &str, wanted: &str) -> Option<String> {
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let target = &after[..close];
        let params_and_more = &after[close + 1..];
        let params_end = params_and_more.find('<').unwrap_or(params_and_more.len());
        let params = &params_and_more[..params_end];
        if rel_values(params).any(|r| r.eq_ignore_ascii_case(wanted)) {
            return Some(target.trim().to_owned());
        }
        rest = &params_and_more[params_end..];
    }
    None
}

/// The space-separated values of the `rel` parameter in `; rel="next last", `.
fn rel_values(params: &str) -> impl Iterator<Item = &str> {
    params
        .split(';')
        .filter_map(|p| {
            let (name, value) = p.split_once('=')?;
            (name.trim().eq_ignore_ascii_case("rel")).then_some(value)
        })
        .flat_map(|v| {
            v.trim()
                .trim_end_matches(',')
                .trim()
                .trim_matches('"')
                .split_whitespace()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_fixture_header() {
        // From @octokit/fixtures `paginate-issues`, page 2.
        let h = "<https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel=\"prev\", \
                 <https://api.github.com/repositories/1000/issues?per_page=3&page=3>; rel=\"next\", \
                 <https://api.github.com/repositories/1000/issues?per_page=3&page=5>; rel=\"last\", \
                 <https://api.github.com/repositories/1000/issues?per_page=3&page=1>; rel=\"first\"";
        assert_eq!(
            find_rel(h, "next").as_deref(),
            Some("https://api.github.com/repositories/1000/issues?per_page=3&page=3")
        );
        assert_eq!(
            find_rel(h, "last").as_deref(),
            Some("https://api.github.com/repositories/1000/issues?per_page=3&page=5")
        );
    }

    #[test]
    fn last_page_has_no_next() {
        let h = "<https://api.github.com/x?page=4>; rel=\"prev\", <https://api.github.com/x?page=1>; rel=\"first\"";
        assert_eq!(find_rel(h, "next"), None);
        assert_eq!(find_rel("", "next"), None);
        assert_eq!(find_rel("garbage <unclosed", "next"), None);
    }

    #[test]
    fn commas_in_urls_and_multiple_rels() {
        let h = "<https://h/x?labels=a,b&page=2>; rel=\"next last\"";
        assert_eq!(
            find_rel(h, "next").as_deref(),
            Some("https://h/x?labels=a,b&page=2")
        );
        assert_eq!(
            find_rel(h, "last").as_deref(),
            Some("https://h/x?labels=a,b&page=2")
        );
    }
}

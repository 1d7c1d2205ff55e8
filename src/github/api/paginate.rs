//! Walking a paginated list: `per_page=100`, then the `Link: rel="next"` URL of each answer,
//! exactly as GitHub gave it, as long as it stays on the API's origin (the token goes with it).

use reqwest::header::LINK;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::client::{Client, Replay};
use super::error::ApiError;
use super::link;

/// GitHub answers at most 100 items per page.
const PER_PAGE: &str = "100";

/// 100 pages of 100 items: far beyond any real PR or label; a bound against a server that
/// keeps sending `rel="next"`.
const MAX_PAGES: usize = 100;

impl Client {
    /// GETs every page of a list, following `Link: rel="next"` from `per_page=100`.
    /// `items` pulls the list out of one page (the page itself for plain arrays).
    pub(super) async fn get_pages<P: DeserializeOwned, T>(
        &self,
        mut url: Url,
        mut items: impl FnMut(P) -> Vec<T>,
    ) -> Result<Vec<T>, ApiError> {
        set_query(&mut url, "per_page", PER_PAGE);
        let mut out = Vec::new();
        for _ in 0..MAX_PAGES {
            let path = url.path().to_owned();
            let reply = self
                .send(Method::GET, url.clone(), None, Replay::Safe)
                .await?;
            let page: P = self.decode("GET", &path, &reply.body)?;
            out.extend(items(page));
            let next = reply
                .headers
                .get(LINK)
                .and_then(|v| v.to_str().ok())
                .and_then(|h| link::find_rel(h, "next"));
            let Some(next) = next else {
                return Ok(out);
            };
            url = self.same_origin(&next).ok_or_else(|| ApiError::Decode {
                method: "GET".into(),
                path: path.clone(),
                message: "the next-page link leaves the API host; refusing to send the token there"
                    .into(),
            })?;
        }
        Err(ApiError::Decode {
            method: "GET".into(),
            path: url.path().to_owned(),
            message: format!("more than {MAX_PAGES} pages of 100 items; stopped paginating"),
        })
    }

    /// A pagination link, resolved against the base, if it stays on the API's origin.
    fn same_origin(&self, link: &str) -> Option<Url> {
        let url = self.base().join(link).ok()?;
        (url.scheme() == self.base().scheme()
            && url.host_str() == self.base().host_str()
            && url.port_or_known_default() == self.base().port_or_known_default())
        .then_some(url)
    }
}

/// Replaces (or adds) one query parameter.
pub(super) fn set_query(url: &mut Url, key: &str, value: &str) {
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != key)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut pairs = url.query_pairs_mut();
    pairs.clear();
    for (k, v) in &kept {
        pairs.append_pair(k, v);
    }
    pairs.append_pair(key, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[test]
    fn per_page_is_replaced_not_duplicated() {
        let mut url = Url::parse("https://h/x?per_page=30&state=open").unwrap();
        set_query(&mut url, "per_page", "100");
        assert_eq!(url.query(), Some("state=open&per_page=100"));
    }

    #[test]
    fn pagination_links_must_stay_on_the_api_origin() {
        let c = Client::new(
            "https://api.github.com",
            Secret::new("ghs_unitTESTtoken123"),
            "o/r",
        )
        .unwrap();
        assert!(
            c.same_origin("https://api.github.com/repositories/1/issues?page=2")
                .is_some()
        );
        assert!(c.same_origin("https://evil.example/x?page=2").is_none());
        assert!(c.same_origin("http://api.github.com/x").is_none());
    }
}

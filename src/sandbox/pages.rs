//! The sandbox's web pages, embedded in the binary: the home page (`GET /`),
//! the console (`GET /sandbox`), the API documentation (`GET /docs`,
//! swagger-ui), their assets, and the specs (`GET /specs/<name>.yaml`).
//! Sandbox only: the sandbox adds [`routes`] to its route table; outside
//! it these paths are `404` like every other sandbox path.
//!
//! Every file of `assets/` (vendored swagger-ui included; see
//! `assets/README.md` for the routes and headers) is compiled in with
//! `include_bytes!`, so the pages work with no internet and change only
//! with the binary. Hence `Cache-Control: no-cache` with an `ETag` (a hash
//! of the bytes, computed once) and `304` on a matching `If-None-Match`:
//! browsers revalidate, and transfer a file again only after an upgrade.
//! The HTML pages carry a Content-Security-Policy that allows this origin
//! only; every file carries `X-Content-Type-Options: nosniff`.

use crate::contract::SPECS;
use crate::server::response::Body;
use crate::server::routes::{handler, Route, Scope};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full};
use hyper::header::{
    HeaderValue, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, IF_NONE_MATCH,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use std::sync::LazyLock;

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const YAML: &str = "application/yaml; charset=utf-8";

/// The policy of `assets/README.md`: this origin only; `data:` images for
/// swagger-ui's icons and the empty favicon.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
    frame-ancestors 'none'";

/// The pages and their assets: route, Content-Type, bytes.
const FILES: [(&str, &str, &[u8]); 9] = [
    ("/", HTML, include_bytes!("../../assets/index.html")),
    (
        "/sandbox",
        HTML,
        include_bytes!("../../assets/console/index.html"),
    ),
    (
        "/sandbox/assets/console.css",
        CSS,
        include_bytes!("../../assets/console/console.css"),
    ),
    (
        "/sandbox/assets/console.js",
        JS,
        include_bytes!("../../assets/console/console.js"),
    ),
    (
        "/docs",
        HTML,
        include_bytes!("../../assets/docs/index.html"),
    ),
    (
        "/docs/assets/docs.css",
        CSS,
        include_bytes!("../../assets/docs/docs.css"),
    ),
    (
        "/docs/assets/docs.js",
        JS,
        include_bytes!("../../assets/docs/docs.js"),
    ),
    (
        "/docs/assets/swagger-ui-bundle.js",
        JS,
        include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
    ),
    (
        "/docs/assets/swagger-ui.css",
        CSS,
        include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
    ),
];

/// One file as it is served.
struct Page {
    route: String,
    content_type: &'static str,
    bytes: &'static [u8],
    /// `"<hex>"`: the first 128 bits of the bytes' SHA-256, quoted.
    etag: HeaderValue,
}

/// The pages, the assets and the specs; hashed on first use.
static PAGES: LazyLock<Vec<Page>> = LazyLock::new(|| {
    let files = FILES
        .iter()
        .map(|&(route, ct, bytes)| (route.to_owned(), ct, bytes));
    let specs = SPECS
        .iter()
        .map(|&(_, file, text)| (format!("/specs/{file}"), YAML, text.as_bytes()));
    files
        .chain(specs)
        .map(|(route, content_type, bytes)| Page {
            route,
            content_type,
            bytes,
            etag: etag(bytes),
        })
        .collect()
});

/// One route per page, asset and spec: `GET` and `HEAD`.
pub(crate) fn routes() -> impl Iterator<Item = Route> {
    PAGES.iter().map(|page| {
        let serve_page =
            handler(move |_, req: Request<_>, _| async move { serve(page, req.headers()) });
        Route::new(
            page.route.as_str(),
            &[Method::GET, Method::HEAD],
            Scope::Sandbox,
            serve_page,
        )
    })
}

/// `page`, or `304` when the client already holds it. (For `HEAD`, hyper
/// sends the head only.)
fn serve(page: &Page, request: &HeaderMap) -> Response<Body> {
    let fresh = request
        .get_all(IF_NONE_MATCH)
        .iter()
        .any(|value| matches_etag(value, &page.etag));
    let mut response = if fresh {
        let mut response = Response::new(Empty::new().boxed());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        Response::new(Full::new(Bytes::from_static(page.bytes)).boxed())
    };
    let headers = response.headers_mut();
    headers.insert(ETAG, page.etag.clone());
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(page.content_type));
    if page.content_type == HTML {
        headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    response
}

/// Whether an `If-None-Match` value names `etag` (or `*`); weak
/// comparison, as RFC 9110 asks for `If-None-Match`.
fn matches_etag(value: &HeaderValue, etag: &HeaderValue) -> bool {
    let Ok(value) = value.to_str() else {
        return false;
    };
    let etag = etag.as_bytes();
    value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag).as_bytes() == etag)
}

fn etag(bytes: &[u8]) -> HeaderValue {
    let hash = crate::crypto::sha256(&[bytes]);
    let hex = crate::crypto::hex(&hash[..16]);
    // Hex digits and quotes are always a valid header value.
    HeaderValue::from_str(&format!("\"{hex}\"")).expect("a quoted hex ETag")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_has_its_route_and_a_distinct_etag() {
        let routes: Vec<_> = PAGES.iter().map(|p| p.route.as_str()).collect();
        assert!(routes.contains(&"/specs/telemarketing-otp.yaml"));
        assert_eq!(routes.len(), FILES.len() + SPECS.len());
        let mut etags: Vec<_> = PAGES.iter().map(|p| p.etag.as_bytes()).collect();
        etags.sort();
        etags.dedup();
        assert_eq!(etags.len(), PAGES.len());
    }

    #[test]
    fn if_none_match_compares_weakly_and_accepts_lists_and_star() {
        let tag = etag(b"x");
        let quoted = tag.to_str().unwrap().to_owned();
        let yes = [
            quoted.clone(),
            format!("W/{quoted}"),
            format!("\"a\", {quoted}"),
            "*".into(),
        ];
        for value in yes {
            assert!(
                matches_etag(&HeaderValue::from_str(&value).unwrap(), &tag),
                "{value}"
            );
        }
        assert!(!matches_etag(&HeaderValue::from_static("\"abc\""), &tag));
    }
}

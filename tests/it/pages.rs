//! The sandbox's web pages over HTTP: routes, types, security and caching
//! headers as `assets/README.md` lists them, the committed files byte for
//! byte, and nothing of it outside the sandbox.

use crate::support::{test_config, TestServer};
use reqwest::header::{HeaderMap, IF_NONE_MATCH};
use reqwest::Method;
use serde_json::Value;

const HTML: &str = "text/html; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";
const YAML: &str = "application/yaml; charset=utf-8";

/// Route, Content-Type, file (from the crate's root).
const PAGES: [(&str, &str, &str); 12] = [
    ("/", HTML, "assets/index.html"),
    ("/sandbox", HTML, "assets/console/index.html"),
    (
        "/sandbox/assets/console.css",
        CSS,
        "assets/console/console.css",
    ),
    (
        "/sandbox/assets/console.js",
        JS,
        "assets/console/console.js",
    ),
    ("/docs", HTML, "assets/docs/index.html"),
    ("/docs/assets/docs.css", CSS, "assets/docs/docs.css"),
    ("/docs/assets/docs.js", JS, "assets/docs/docs.js"),
    (
        "/docs/assets/swagger-ui-bundle.js",
        JS,
        "assets/swagger-ui/swagger-ui-bundle.js",
    ),
    (
        "/docs/assets/swagger-ui.css",
        CSS,
        "assets/swagger-ui/swagger-ui.css",
    ),
    (
        "/specs/rao-token-management.yaml",
        YAML,
        "specs/rao-token-management.yaml",
    ),
    (
        "/specs/telemarketing-otp.yaml",
        YAML,
        "specs/telemarketing-otp.yaml",
    ),
    ("/specs/oauth-token.yaml", YAML, "specs/oauth-token.yaml"),
];

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map(|v| v.to_str().unwrap())
        .unwrap_or_else(|| panic!("no {name} header"))
}

#[tokio::test]
async fn every_page_is_the_committed_file_with_its_type_and_headers() {
    let server = TestServer::start().await;
    for (route, content_type, file) in PAGES {
        let response = server.http.get(server.url(route)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{route}");
        let headers = response.headers().clone();
        assert_eq!(header(&headers, "content-type"), content_type, "{route}");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert_eq!(header(&headers, "cache-control"), "no-cache");
        assert!(header(&headers, "etag").starts_with('"'), "{route}");
        if content_type == HTML {
            let csp = header(&headers, "content-security-policy");
            assert!(
                csp.starts_with("default-src 'none'; script-src 'self';"),
                "{csp}"
            );
            assert!(csp.contains("connect-src 'self'") && csp.contains("frame-ancestors 'none'"));
            assert_eq!(header(&headers, "referrer-policy"), "no-referrer");
        } else {
            assert!(headers.get("content-security-policy").is_none(), "{route}");
        }
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        let committed = std::fs::read(path).unwrap();
        assert!(
            response.bytes().await.unwrap() == committed,
            "{route} is {file}"
        );
    }
}

#[tokio::test]
async fn a_page_the_browser_holds_is_not_sent_again() {
    let server = TestServer::start().await;
    let first = server.http.get(server.url("/docs")).send().await.unwrap();
    let etag = header(first.headers(), "etag").to_owned();
    let again = server
        .http
        .get(server.url("/docs"))
        .header(IF_NONE_MATCH, format!("W/\"other\", {etag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(header(again.headers(), "etag"), etag);
    assert_eq!(header(again.headers(), "cache-control"), "no-cache");
    assert!(again.bytes().await.unwrap().is_empty());
    let changed = server
        .http
        .get(server.url("/docs"))
        .header(IF_NONE_MATCH, "\"an-older-build\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
}

#[tokio::test]
async fn head_is_served_and_other_methods_are_405() {
    let server = TestServer::start().await;
    let head = server
        .http
        .head(server.url("/sandbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(head.headers(), "content-type"), HTML);
    let post = server.http.post(server.url("/docs")).send().await.unwrap();
    assert_eq!(post.status(), 405);
    assert_eq!(header(post.headers(), "allow"), "GET, HEAD");
    let body: Value = post.json().await.unwrap();
    assert_eq!(body["code"], "methodNotAllowed");
}

#[tokio::test]
async fn outside_the_sandbox_the_pages_and_the_console_api_do_not_exist() {
    let mut config = test_config();
    config.server.sandbox = false;
    config.sms = otp_server::config::SmsBackend::Log;
    let server = TestServer::builder().config(config).start().await;
    let routes = PAGES.iter().map(|p| p.0);
    for route in routes.chain(["/sandbox/v1/requests", "/sandbox/v1/events"]) {
        let response = server
            .request(Method::GET, route, &HeaderMap::new(), None)
            .await;
        assert_eq!(response.status(), 404, "{route}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "resourceNotFound", "{route}");
    }
}

//! Why a hosted page cannot go on, as one type with one response: the error
//! page in the page's language (never a redirect), with its status. Handlers
//! return `Result<Response, HostedError>` and use `?`; internal causes are
//! logged here and never shown.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cognate_app::pages::hosted::{self as views, Branding, FormContext, Lang};
use cognate_core::CognitoError;

use super::page;

/// How long to wait when the core says "too many" without saying how long
/// (a user's hourly message cap, for instance).
const CORE_RETRY_AFTER: Duration = Duration::from_secs(60);

#[derive(Debug)]
pub struct HostedError {
    lang: Lang,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// A POST whose CSRF token is missing or wrong: 403.
    Csrf,
    /// A flow that no longer opens: start again from the application.
    Expired,
    /// Over a rate limit: 429 with Retry-After.
    TooMany(Duration),
    /// A request this page cannot serve, with a message from the i18n files.
    Refused(&'static str),
    /// A request this page cannot serve, with the core's message.
    Rejected(String),
    /// Our side failed (already logged): 500, no detail.
    Internal,
    /// An upstream identity provider did not answer (in time): 502.
    Upstream,
}

impl HostedError {
    pub fn csrf(lang: Lang) -> Self {
        Self {
            lang,
            kind: Kind::Csrf,
        }
    }

    pub fn expired(lang: Lang) -> Self {
        Self {
            lang,
            kind: Kind::Expired,
        }
    }

    pub fn too_many(lang: Lang, retry_after: Duration) -> Self {
        Self {
            lang,
            kind: Kind::TooMany(retry_after),
        }
    }

    /// 400 with the message of `key` in the page's language.
    pub fn refused(lang: Lang, key: &'static str) -> Self {
        Self {
            lang,
            kind: Kind::Refused(key),
        }
    }

    /// A failure of ours: logged with its cause, shown as "something went
    /// wrong on our side".
    pub fn internal(lang: Lang, cause: impl std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "hosted UI failure");
        Self {
            lang,
            kind: Kind::Internal,
        }
    }

    /// A core error no form can show: TooManyRequests is the 429 page (the
    /// core gives no wait, so 60 s), InternalError the 500 page; any other
    /// is a 400 with the core's message.
    pub fn core(lang: Lang, e: CognitoError) -> Self {
        match e {
            CognitoError::TooManyRequests(_) => Self::too_many(lang, CORE_RETRY_AFTER),
            CognitoError::InternalError(_) => Self::internal(lang, &e),
            other => Self {
                lang,
                kind: Kind::Rejected(other.message().to_owned()),
            },
        }
    }

    /// The core errors that are pages of their own rather than a message
    /// on the form: TooManyRequests and InternalError. Any other comes back
    /// for the form to show.
    pub fn unless_for_form(lang: Lang, e: CognitoError) -> Result<CognitoError, Self> {
        match e {
            CognitoError::TooManyRequests(_) | CognitoError::InternalError(_) => {
                Err(Self::core(lang, e))
            }
            other => Ok(other),
        }
    }

    /// An upstream identity provider that did not answer, or not in time:
    /// logged with its cause, 502 with a message in the page's language.
    pub fn upstream(lang: Lang, cause: impl std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "identity provider unavailable");
        Self {
            lang,
            kind: Kind::Upstream,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self.kind {
            Kind::Csrf => StatusCode::FORBIDDEN,
            Kind::Expired | Kind::Refused(_) | Kind::Rejected(_) => StatusCode::BAD_REQUEST,
            Kind::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Upstream => StatusCode::BAD_GATEWAY,
        }
    }
}

impl IntoResponse for HostedError {
    fn into_response(self) -> Response {
        let lang = self.lang;
        let status = self.status();
        let retry_after = match self.kind {
            Kind::TooMany(wait) => Some(wait.as_secs().max(1).to_string()),
            _ => None,
        };
        let message = match self.kind {
            Kind::Csrf => lang.t("error.csrf").to_owned(),
            Kind::Expired => lang.t("error.flow_expired").to_owned(),
            Kind::TooMany(_) => lang.t("error.too_many").to_owned(),
            Kind::Refused(key) => lang.t(key).to_owned(),
            Kind::Rejected(m) => m,
            Kind::Upstream => lang.t("error.upstream_unavailable").to_owned(),
            Kind::Internal => lang.t("error.internal").to_owned(),
        };
        let html = views::error::render(
            &FormContext::page(lang, Branding::default()),
            views::error::ErrorProps {
                title: None,
                message,
                request_id: None,
                back_url: None,
            },
        );
        let mut r = page(status, html);
        if let Some(v) = retry_after.and_then(|s| HeaderValue::from_str(&s).ok()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> String {
        let bytes = axum::body::to_bytes(r.into_body(), usize::MAX)
            .await
            .unwrap();
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    #[tokio::test]
    async fn too_many_requests_from_the_core_is_the_429_page_with_retry_after() {
        let e = CognitoError::TooManyRequests("message limit reached".into());
        let r = HostedError::core(Lang::En, e).into_response();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[header::RETRY_AFTER], "60");
        assert_eq!(r.headers()[header::CACHE_CONTROL], "no-store");
        assert!(body(r).await.contains(&probe(Lang::En.t("error.too_many"))));
        // Not a message on the form either.
        let e = CognitoError::TooManyRequests("limit".into());
        assert!(HostedError::unless_for_form(Lang::Fr, e).is_err());
    }

    #[tokio::test]
    async fn a_rate_limit_wait_is_at_least_one_second() {
        let r = HostedError::too_many(Lang::En, Duration::from_millis(10)).into_response();
        assert_eq!(r.headers()[header::RETRY_AFTER], "1");
    }

    #[tokio::test]
    async fn error_pages_speak_the_page_language() {
        for (e, key, status) in [
            (HostedError::csrf(Lang::Fr), "error.csrf", 403),
            (HostedError::expired(Lang::Fr), "error.flow_expired", 400),
            (
                HostedError::internal(Lang::Fr, "boom"),
                "error.internal",
                500,
            ),
            (
                HostedError::core(Lang::Fr, CognitoError::InternalError("db down".into())),
                "error.internal",
                500,
            ),
        ] {
            let r = e.into_response();
            assert_eq!(r.status().as_u16(), status, "{key}");
            let html = body(r).await;
            assert!(html.contains(&probe(Lang::Fr.t(key))), "{key}: {html}");
            assert!(html.contains("lang=\"fr\""), "{key}");
            assert!(
                !html.contains("db down"),
                "an internal cause is never shown"
            );
        }
    }

    #[test]
    fn other_core_errors_stay_on_the_form() {
        let e = CognitoError::CodeMismatch("Invalid code".into());
        assert!(matches!(
            HostedError::unless_for_form(Lang::En, e),
            Ok(CognitoError::CodeMismatch(_))
        ));
    }

    /// The start of a message, up to the first character HTML escapes.
    fn probe(s: &str) -> String {
        let p: String = s.chars().take_while(|c| !"'&<>\"".contains(*c)).collect();
        assert!(p.len() >= 8, "{s}");
        p
    }
}

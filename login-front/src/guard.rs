//! [`RequireLoginLayer`]: guards browser routes; an anonymous request is
//! sent to `{prefix}/login?return_to=<its path>`.

use std::convert::Infallible;
use std::task::{Context, Poll};

use axum::body::Body;
use axum::http::Request;
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use tower::{Layer, Service};

use crate::LoginFront;
use crate::extract::context;
use crate::session;

/// See [`LoginFront::require_login`].
#[derive(Clone, Debug)]
pub struct RequireLoginLayer {
    front: LoginFront,
}

impl RequireLoginLayer {
    pub(crate) fn new(front: LoginFront) -> Self {
        Self { front }
    }
}

impl<S> Layer<S> for RequireLoginLayer {
    type Service = RequireLogin<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireLogin {
            inner,
            front: self.front.clone(),
        }
    }
}

/// The service of [`RequireLoginLayer`].
#[derive(Clone, Debug)]
pub struct RequireLogin<S> {
    inner: S,
    front: LoginFront,
}

impl<S> Service<Request<Body>> for RequireLogin<S>
where
    S: Service<Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // The clone that was polled ready serves this request.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let front = self.front.clone();
        Box::pin(async move {
            let session = match context(req.extensions()) {
                Ok((_, s)) => s,
                Err(e) => return Ok(e.into_response()),
            };
            match session::signed_in(&session).await {
                Ok(Some(_)) => inner.call(req).await,
                Ok(None) => Ok(front.sign_in_required(req.uri()).into_response()),
                Err(e) => Ok(e.into_response()),
            }
        })
    }
}

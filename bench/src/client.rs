//! A minimal Cognito JSON-protocol client: one POST per call, SigV4-signed
//! (with aws-sigv4) for administrative actions.

use std::time::SystemTime;

use anyhow::{Context, bail};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use serde_json::Value;

/// A JSON face: its X-Amz-Target prefix and SigV4 service name.
#[derive(Clone, Copy, Debug)]
pub struct Service {
    pub prefix: &'static str,
    pub name: &'static str,
}

/// The user-pool API.
pub const USER_POOLS: Service = Service {
    prefix: "AWSCognitoIdentityProviderService.",
    name: "cognito-idp",
};

/// The identity-pool API.
pub const IDENTITY_POOLS: Service = Service {
    prefix: "AWSCognitoIdentityService.",
    name: "cognito-identity",
};

#[derive(Clone)]
pub struct Api {
    url: String,
    identity: Identity,
    http: reqwest::Client,
}

impl Api {
    pub fn new(url: &str, key_id: &str, secret: &str) -> Self {
        Self {
            url: url.trim_end_matches('/').to_owned() + "/",
            identity: Credentials::new(key_id, secret, None, None, "bench").into(),
            http: Self::connection(),
        }
    }

    /// A client that keeps one connection, so N clients are N connections.
    pub fn connection() -> reqwest::Client {
        reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .expect("an HTTP client")
    }

    pub fn with_connection(&self) -> Self {
        Self {
            http: Self::connection(),
            ..self.clone()
        }
    }

    /// Calls an action; `signed` for administrative ones. Returns the status
    /// and the body.
    pub async fn call(
        &self,
        action: &str,
        body: &Value,
        signed: bool,
    ) -> anyhow::Result<(u16, Value)> {
        self.call_service(USER_POOLS, action, body, signed).await
    }

    /// As [`Api::call`], for the JSON face `service` (its target prefix and
    /// SigV4 service name).
    pub async fn call_service(
        &self,
        service: Service,
        action: &str,
        body: &Value,
        signed: bool,
    ) -> anyhow::Result<(u16, Value)> {
        let body = body.to_string();
        let target = format!("{}{action}", service.prefix);
        let mut req = self
            .http
            .post(&self.url)
            .header("content-type", "application/x-amz-json-1.1")
            .header("x-amz-target", &target);
        if signed {
            let host = reqwest::Url::parse(&self.url)?;
            let host = match host.port() {
                Some(p) => format!("{}:{p}", host.host_str().unwrap_or("localhost")),
                None => host.host_str().unwrap_or("localhost").to_owned(),
            };
            let headers = [
                ("host", host.as_str()),
                ("content-type", "application/x-amz-json-1.1"),
                ("x-amz-target", target.as_str()),
            ];
            let params = v4::SigningParams::builder()
                .identity(&self.identity)
                .region("us-east-1")
                .name(service.name)
                .time(SystemTime::now())
                .settings(SigningSettings::default())
                .build()?
                .into();
            let signable = SignableRequest::new(
                "POST",
                &self.url,
                headers.into_iter(),
                SignableBody::Bytes(body.as_bytes()),
            )?;
            let (instructions, _) = sign(signable, &params)?.into_parts();
            for (name, value) in instructions.headers() {
                req = req.header(name, value);
            }
        }
        let resp = req.body(body).send().await.context("request failed")?;
        let status = resp.status().as_u16();
        let bytes = resp.bytes().await?;
        let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok((status, value))
    }

    /// As [`Api::call_service`], failing on a non-200 answer.
    pub async fn ok_service(
        &self,
        service: Service,
        action: &str,
        body: &Value,
        signed: bool,
    ) -> anyhow::Result<Value> {
        let (status, value) = self.call_service(service, action, body, signed).await?;
        if status != 200 {
            bail!("{action} answered {status}: {value}");
        }
        Ok(value)
    }

    /// As [`Api::call`], failing on a non-200 answer.
    pub async fn ok(&self, action: &str, body: &Value, signed: bool) -> anyhow::Result<Value> {
        let (status, value) = self.call(action, body, signed).await?;
        if status != 200 {
            bail!("{action} answered {status}: {value}");
        }
        Ok(value)
    }
}

impl Api {
    pub fn base(&self) -> &str {
        &self.url
    }

    /// A plain GET; returns the status.
    pub async fn get(&self, url: &str) -> anyhow::Result<u16> {
        let resp = self.http.get(url).send().await?;
        let status = resp.status().as_u16();
        let _ = resp.bytes().await?;
        Ok(status)
    }

    /// A form POST (OAuth endpoints); returns the status.
    pub async fn post_form(&self, url: &str, form: &[(&str, &str)]) -> anyhow::Result<u16> {
        let resp = self.http.post(url).form(form).send().await?;
        let status = resp.status().as_u16();
        let _ = resp.bytes().await?;
        Ok(status)
    }
}

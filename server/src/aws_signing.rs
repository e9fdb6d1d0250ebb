//! SigV4 for the requests Cognate itself sends to AWS-shaped services (the
//! Lambda Invoke API, a source user pool's administrative API), signed with
//! AWS's own signer (`aws-sigv4`).

use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use reqwest::Url;

/// Where and as whom a request is signed.
pub struct Signer<'a> {
    pub access_key_id: &'a str,
    pub secret_access_key: &'a str,
    pub region: &'a str,
    /// The signing name, e.g. `lambda`, `cognito-idp`.
    pub service: &'a str,
}

impl Signer<'_> {
    /// The headers (Authorization, X-Amz-Date, …) that sign a POST of
    /// `body` to `url` with `headers` (and `host`) among the signed ones.
    pub fn post_headers(
        &self,
        url: &Url,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Vec<(String, String)>, String> {
        let identity = aws_credential_types::Credentials::new(
            self.access_key_id,
            self.secret_access_key,
            None,
            None,
            "cognate-config",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(self.region)
            .name(self.service)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let host = match url.port() {
            Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_owned(),
        };
        let mut signed = vec![("host", host.as_str())];
        signed.extend_from_slice(headers);
        let signable = SignableRequest::new(
            "POST",
            url.as_str(),
            signed.into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
            .collect())
    }
}

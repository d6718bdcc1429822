//! SigV4 for `execute-api` (IAM-authorised methods), with AWS's own signer (`aws-sigv4`):
//! signed again at every send, over the final URL, headers and body.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::SystemTime;

/// The headers to add (`authorization`, `x-amz-date`, and `x-amz-security-token` with a
/// session token) to sign `method url` with `headers` and `body` at `time`.
pub fn sign_headers(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    creds: &Credentials,
    region: &str,
    time: SystemTime,
) -> Result<Vec<(String, String)>, String> {
    let identity = creds.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("execute-api")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| format!("SigV4: {e}"))?
        .into();
    let signable = SignableRequest::new(
        method,
        url,
        headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(body),
    )
    .map_err(|e| format!("SigV4: {e}"))?;
    let (instructions, _signature) = sign(signable, &params).map_err(|e| format!("SigV4: {e}"))?.into_parts();
    Ok(instructions.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect())
}

//! Which endpoints vocm talks to: `https://`, or plain `http://` only on
//! the loopback (a local sandbox) unless explicitly allowed; never a URL
//! that carries credentials.

use vocm_core::diagnostics::Code;
use vocm_core::provider::ProviderError;

/// Checks an endpoint URL; returns it without a trailing slash.
///
/// # Errors
/// A URL that is malformed, has credentials in it, or is plain HTTP to
/// another host without `allow_insecure`.
pub fn check_endpoint(url: &str, allow_insecure: bool) -> Result<String, ProviderError> {
    let bad =
        |message: String, help: &str| Err(ProviderError::new(Code::HttpEndpoint, message, help));
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad(
            format!("`{url}` is not a URL"),
            "write the API's base URL, e.g. https://api.8x8.com/admin-provisioning",
        );
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        // Do not echo the URL: it holds a secret.
        return bad(
            "the endpoint URL carries credentials".to_owned(),
            "remove them from the URL: the API key goes in VOCM_API_KEY only",
        );
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    if host.is_empty() {
        return bad(format!("`{url}` names no host"), "write the API's base URL");
    }
    match scheme {
        "https" => {}
        "http" => {
            let loopback = host == "localhost"
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback && !allow_insecure {
                return bad(
                    format!(
                        "`{url}` is plain HTTP to another host: the API key would travel in clear"
                    ),
                    "use https://, or pass --allow-insecure-http for a sandbox on a private network",
                );
            }
        }
        other => return bad(format!("`{other}://` is not HTTP"), "use https://"),
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::check_endpoint;

    #[test]
    fn https_anywhere_http_only_on_loopback() {
        assert!(check_endpoint("https://api.8x8.com/admin-provisioning/", false).is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080", false).is_ok());
        assert!(check_endpoint("http://[::1]:8080", false).is_ok());
        assert!(check_endpoint("http://localhost:1", false).is_ok());
        assert!(check_endpoint("http://sandbox:8080", false).is_err());
        assert!(check_endpoint("http://sandbox:8080", true).is_ok());
        assert!(check_endpoint("ftp://x", true).is_err());
        assert!(check_endpoint("not a url", true).is_err());
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_being_echoed() {
        let e = check_endpoint("https://user:s3cret@api.example.com", false).unwrap_err();
        assert!(!e.message.contains("s3cret"));
        assert!(check_endpoint("https://token@api.example.com", false).is_err());
    }
}

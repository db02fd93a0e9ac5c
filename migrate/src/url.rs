//! `DATABASE_URL`: parsing (libpq-style URLs, and SQLAlchemy's
//! `postgresql+driver://`), TLS settings with libpq's meaning, and a
//! redacted form for messages. A password never leaves this module except
//! inside the `tokio_postgres::Config` used to connect.

use crate::Error as MigrateError;
use std::path::PathBuf;
use std::time::Duration;

/// libpq's `sslmode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain connection only.
    Disable,
    /// Plain first; TLS without certificate checks if the server refuses the plain connection.
    Allow,
    /// TLS if the server offers it, without certificate checks; else plain. libpq's default.
    Prefer,
    /// TLS without certificate checks (with `sslrootcert`: like verify-ca).
    Require,
    /// TLS; the certificate chain must lead to `sslrootcert`.
    VerifyCa,
    /// TLS; chain as verify-ca, and the certificate must name the host.
    VerifyFull,
}

impl SslMode {
    fn parse(s: &str) -> Option<SslMode> {
        Some(match s {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            _ => return None,
        })
    }
}

/// Where trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    /// A PEM file.
    File(PathBuf),
    /// The operating system's store (`sslrootcert=system`, as libpq 16).
    System,
}

/// Everything needed to connect.
#[derive(Clone)]
pub struct ConnectOptions {
    pub config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    pub root_cert: Option<RootCert>,
    /// The URL with the password replaced by `***`.
    pub redacted: String,
    /// `host:port`, for messages.
    pub host_port: String,
    pub host: String,
    pub user: String,
    pub dbname: String,
    pub connect_timeout: Duration,
}

impl std::fmt::Debug for ConnectOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectOptions")
            .field("url", &self.redacted)
            .field("ssl_mode", &self.ssl_mode)
            .field("root_cert", &self.root_cert)
            .finish_non_exhaustive()
    }
}

/// Default connect timeout when neither the URL nor `DB_CONNECT_TIMEOUT` sets one.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// An example URL for error messages.
pub const EXAMPLE: &str = "postgresql://pdf_user:pdf_pass@localhost:5432/pdf_converter";

/// Parses a database URL. `connect_timeout` (from `DB_CONNECT_TIMEOUT`)
/// applies unless the URL has its own `connect_timeout`.
pub fn parse(raw: &str, connect_timeout: Option<Duration>) -> Result<ConnectOptions, MigrateError> {
    let raw = raw.trim();
    let invalid = |why: &str| MigrateError::Url(format!("{why} (expected e.g. {EXAMPLE})"));
    let (scheme, rest) = raw
        .split_once("://")
        .ok_or_else(|| invalid("DATABASE_URL is not a URL"))?;
    let base = scheme.split('+').next().unwrap_or(scheme);
    if base != "postgresql" && base != "postgres" {
        return Err(invalid(&format!("unsupported scheme `{scheme}://`")));
    }
    let url = url::Url::parse(&format!("postgresql://{rest}"))
        .map_err(|e| invalid(&format!("DATABASE_URL is not a valid URL: {e}")))?;

    let mut config = tokio_postgres::Config::new();
    let mut host = url
        .host_str()
        .map(|h| h.trim_start_matches('[').trim_end_matches(']').to_string())
        .unwrap_or_default();
    let port = url.port().unwrap_or(5432);
    let user = percent(url.username());
    let mut dbname = percent(url.path().trim_start_matches('/'));
    let mut ssl_mode = SslMode::Prefer;
    let mut root_cert = None;
    let mut timeout = connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT);
    let mut application_name = "nzc".to_string();
    let mut user = user;
    let mut password = url.password().map(percent);
    for (k, v) in url.query_pairs() {
        match k.as_ref() {
            "sslmode" => {
                ssl_mode = SslMode::parse(&v).ok_or_else(|| {
                    invalid(&format!(
                        "unknown sslmode `{v}` (disable, allow, prefer, require, verify-ca, verify-full)"
                    ))
                })?
            }
            "sslrootcert" => {
                root_cert = Some(if v == "system" {
                    RootCert::System
                } else {
                    RootCert::File(PathBuf::from(v.as_ref()))
                })
            }
            "connect_timeout" => {
                let secs: u64 = v.parse().map_err(|_| invalid("connect_timeout must be a number of seconds"))?;
                timeout = Duration::from_secs(secs.max(1));
            }
            "application_name" => application_name = v.into_owned(),
            "host" => host = v.into_owned(),
            "port" => {
                let p: u16 = v.parse().map_err(|_| invalid("port must be a number"))?;
                config.port(p);
            }
            "user" => user = v.into_owned(),
            "password" => password = Some(v.into_owned()),
            "dbname" => dbname = v.into_owned(),
            "options" => {
                config.options(v.as_ref());
            }
            // Accepted for compatibility, not used by nzc.
            "sslcert" | "sslkey" | "sslcrl" | "target_session_attrs" | "gssencmode" | "keepalives" => {}
            other => return Err(invalid(&format!("unknown URL parameter `{other}`"))),
        }
    }
    if host.is_empty() {
        host = "localhost".into();
    }
    if user.is_empty() {
        return Err(invalid("DATABASE_URL has no user name"));
    }
    if dbname.is_empty() {
        dbname = user.clone();
    }
    if host.starts_with('/') {
        #[cfg(unix)]
        config.host_path(&host);
    } else {
        config.host(&host);
    }
    if config.get_ports().is_empty() {
        config.port(port);
    }
    let port = config.get_ports()[0];
    config
        .user(&user)
        .dbname(&dbname)
        .application_name(&application_name)
        .connect_timeout(timeout);
    if let Some(p) = &password {
        config.password(p);
    }
    let redacted = redact(raw);
    Ok(ConnectOptions {
        config,
        ssl_mode,
        root_cert,
        redacted,
        host_port: format!("{host}:{port}"),
        host,
        user,
        dbname,
        connect_timeout: timeout,
    })
}

fn percent(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// The URL with any password (in the authority or a `password=` parameter) replaced by `***`.
pub fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return "<not a URL>".into();
    };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, hostpart)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{hostpart}"),
            None => format!("{userinfo}@{hostpart}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let q: Vec<String> = query
                .split('&')
                .map(|kv| match kv.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => kv.to_string(),
                })
                .collect();
            format!("{path}?{}", q.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_three_schemes() {
        for scheme in [
            "postgresql",
            "postgres",
            "postgresql+psycopg",
            "postgresql+psycopg2",
            "postgresql+asyncpg",
        ] {
            let o = parse(
                &format!("{scheme}://pdf_user:pdf_pass@db:5433/pdf_converter"),
                None,
            )
            .unwrap();
            assert_eq!(o.host_port, "db:5433");
            assert_eq!(o.user, "pdf_user");
            assert_eq!(o.dbname, "pdf_converter");
            assert_eq!(o.config.get_password(), Some(&b"pdf_pass"[..]));
            assert_eq!(o.ssl_mode, SslMode::Prefer);
        }
        assert!(parse("mysql://u@h/d", None).is_err());
        assert!(parse("not a url", None).is_err());
    }

    #[test]
    fn reads_tls_and_timeouts() {
        let o = parse(
            "postgresql://u:p%40ss@h/d?sslmode=verify-full&sslrootcert=/tmp/ca.pem&connect_timeout=3",
            Some(Duration::from_secs(9)),
        )
        .unwrap();
        assert_eq!(o.ssl_mode, SslMode::VerifyFull);
        assert_eq!(o.root_cert, Some(RootCert::File("/tmp/ca.pem".into())));
        assert_eq!(o.connect_timeout, Duration::from_secs(3));
        assert_eq!(o.config.get_password(), Some(&b"p@ss"[..]));
        let o = parse("postgresql://u@h/d", Some(Duration::from_secs(9))).unwrap();
        assert_eq!(o.connect_timeout, Duration::from_secs(9));
        assert!(parse("postgresql://u@h/d?sslmode=sometimes", None).is_err());
    }

    #[test]
    fn redaction_hides_passwords() {
        let r =
            redact("postgresql+psycopg://pdf_user:s3cret@db:5432/x?sslmode=require&password=other");
        assert!(!r.contains("s3cret") && !r.contains("other"), "{r}");
        assert_eq!(
            r,
            "postgresql+psycopg://pdf_user:***@db:5432/x?sslmode=require&password=***"
        );
        assert_eq!(redact("postgresql://u@h/d"), "postgresql://u@h/d");
        let o = parse("postgresql://u:s3cret@h/d", None).unwrap();
        assert!(!format!("{o:?}").contains("s3cret"));
    }
}

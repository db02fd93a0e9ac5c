//! Connecting: TLS per `sslmode` (rustls), `--wait` with backoff, and errors
//! classified into what a user can act on.

use crate::error::ConnectFailure;
use crate::url::{ConnectOptions, RootCert, SslMode};
use crate::Error as MigrateError;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_postgres::Client;

/// Connects, retrying transient failures until `wait` has passed.
pub async fn connect(opts: &ConnectOptions, wait: Duration) -> Result<Client, MigrateError> {
    let deadline = Instant::now() + wait;
    let mut delay = Duration::from_millis(250);
    loop {
        match connect_once(opts).await {
            Ok(c) => return Ok(c),
            Err(MigrateError::Connect { failure, .. })
                if failure.transient() && Instant::now() + delay < deadline =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(e),
        }
    }
}

async fn connect_once(opts: &ConnectOptions) -> Result<Client, MigrateError> {
    let mut config = opts.config.clone();
    let result = match opts.ssl_mode {
        SslMode::Disable | SslMode::Allow => {
            config.ssl_mode(tokio_postgres::config::SslMode::Disable);
            let plain = config
                .connect(tokio_postgres::NoTls)
                .await
                .map(|(client, conn)| {
                    tokio::spawn(conn);
                    client
                });
            match plain {
                // libpq's `allow`: the server refused the plain connection
                // (e.g. `hostnossl … reject`): try again with TLS, unverified.
                Err(e) if opts.ssl_mode == SslMode::Allow && e.as_db_error().is_some() => {
                    config.ssl_mode(tokio_postgres::config::SslMode::Require);
                    let connector =
                        tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(opts)?);
                    config.connect(connector).await.map(|(client, conn)| {
                        tokio::spawn(conn);
                        client
                    })
                }
                other => other,
            }
        }
        mode => {
            let tls = tls_config(opts)?;
            config.ssl_mode(if mode == SslMode::Prefer {
                tokio_postgres::config::SslMode::Prefer
            } else {
                tokio_postgres::config::SslMode::Require
            });
            let connector = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
            config.connect(connector).await.map(|(client, conn)| {
                tokio::spawn(conn);
                client
            })
        }
    };
    result.map_err(|e| classify(opts, &e))
}

/// Turns a connection error into a [`MigrateError::Connect`].
pub fn classify(opts: &ConnectOptions, e: &tokio_postgres::Error) -> MigrateError {
    let (failure, detail) = failure_of(e);
    MigrateError::Connect {
        failure,
        target: opts.host_port.clone(),
        user: opts.user.clone(),
        dbname: opts.dbname.clone(),
        detail,
    }
}

fn failure_of(e: &tokio_postgres::Error) -> (ConnectFailure, String) {
    use tokio_postgres::error::SqlState;
    if let Some(db) = e.as_db_error() {
        // pg_hba.conf refused the connection: not a wrong password, so say why.
        if *db.code() == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
            && db.message().contains("pg_hba.conf")
        {
            let mut detail = db.message().to_string();
            if detail.ends_with("no encryption") || detail.ends_with("SSL off") {
                detail.push_str(
                    "\n  hint: the server accepts TLS connections only: use sslmode=verify-full&sslrootcert=/path/to/ca.pem (or sslmode=require) in DATABASE_URL",
                );
            }
            return (ConnectFailure::Other, detail);
        }
        let f = match *db.code() {
            SqlState::INVALID_PASSWORD | SqlState::INVALID_AUTHORIZATION_SPECIFICATION => {
                ConnectFailure::Authentication
            }
            SqlState::INVALID_CATALOG_NAME => ConnectFailure::NoSuchDatabase,
            SqlState::CANNOT_CONNECT_NOW => ConnectFailure::StartingUp,
            _ => ConnectFailure::Other,
        };
        return (f, db.message().to_string());
    }
    let text = e.to_string();
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            let f = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => ConnectFailure::Refused,
                std::io::ErrorKind::TimedOut => ConnectFailure::Timeout,
                _ if io.to_string().contains("failed to lookup address")
                    || io.to_string().contains("Name or service not known") =>
                {
                    ConnectFailure::HostNotFound
                }
                _ if io
                    .get_ref()
                    .is_some_and(|inner| inner.is::<rustls::Error>()) =>
                {
                    ConnectFailure::Tls
                }
                _ => ConnectFailure::Other,
            };
            let detail = match io.get_ref() {
                Some(inner) => match inner.downcast_ref::<rustls::Error>() {
                    Some(tls) => tls_detail(tls),
                    None => inner.to_string(),
                },
                None => io.to_string(),
            };
            return (f, detail);
        }
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return (ConnectFailure::Tls, tls_detail(tls));
        }
        source = s.source();
    }
    if text.contains("timeout") || text.contains("timed out") {
        return (ConnectFailure::Timeout, text);
    }
    if text.contains("TLS") || text.contains("tls") {
        return (ConnectFailure::Tls, text);
    }
    (ConnectFailure::Other, text)
}

/// rustls' message, with what to do for the certificate errors users meet.
fn tls_detail(e: &rustls::Error) -> String {
    let hint = match e {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer | CertificateError::BadSignature) => {
            "\n  hint: the server's certificate is not signed by a CA in sslrootcert: point sslrootcert at the CA (bundle) of the server or provider"
        }
        rustls::Error::InvalidCertificate(CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }) => {
            "\n  hint: the certificate does not name the host of DATABASE_URL: connect by a name it lists, or use sslmode=verify-ca"
        }
        _ => "",
    };
    format!("{e}{hint}")
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The rustls configuration for the URL's sslmode and sslrootcert.
fn tls_config(opts: &ConnectOptions) -> Result<rustls::ClientConfig, MigrateError> {
    let provider = provider();
    let tls_err = |detail: String| MigrateError::Connect {
        failure: ConnectFailure::Tls,
        target: opts.host_port.clone(),
        user: opts.user.clone(),
        dbname: opts.dbname.clone(),
        detail,
    };
    // libpq: `require` with a root certificate behaves as verify-ca.
    let mode = match (opts.ssl_mode, &opts.root_cert) {
        (SslMode::Require, Some(_)) => SslMode::VerifyCa,
        (m, _) => m,
    };
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let roots = Arc::new(load_roots(opts.root_cert.as_ref(), mode).map_err(tls_err)?);
            let webpki = rustls::client::WebPkiServerVerifier::builder_with_provider(
                roots,
                provider.clone(),
            )
            .build()
            .map_err(|e| tls_err(e.to_string()))?;
            if mode == SslMode::VerifyFull {
                webpki
            } else {
                Arc::new(ChainOnly(webpki))
            }
        }
        _ => Arc::new(NoVerification(provider.clone())),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

fn load_roots(root: Option<&RootCert>, mode: SslMode) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    let default_file =
        std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".postgresql/root.crt"));
    let root = match root {
        Some(r) => r.clone(),
        None => match default_file.filter(|p| p.is_file()) {
            Some(p) => RootCert::File(p),
            None => {
                return Err(format!(
                    "sslmode={} needs the CA certificate: add sslrootcert=/path/to/ca.pem (or sslrootcert=system) to DATABASE_URL",
                    if mode == SslMode::VerifyFull { "verify-full" } else { "verify-ca" }
                ))
            }
        },
    };
    match root {
        RootCert::File(path) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&path)
                .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?
                .collect::<Result<_, _>>()
                .map_err(|e| format!("invalid PEM in sslrootcert {}: {e}", path.display()))?;
            if certs.is_empty() {
                return Err(format!(
                    "sslrootcert {} holds no certificate",
                    path.display()
                ));
            }
            for c in certs {
                store
                    .add(c)
                    .map_err(|e| format!("invalid certificate in {}: {e}", path.display()))?;
            }
        }
        RootCert::System => {
            let found = rustls_native_certs::load_native_certs();
            for c in found.certs {
                let _ = store.add(c);
            }
            if store.is_empty() {
                return Err(
                    "sslrootcert=system: no trusted certificates found on this system".into(),
                );
            }
        }
    }
    Ok(store)
}

/// `sslmode=prefer/require` without a root certificate: encrypt, do not
/// authenticate the server (libpq's meaning). Handshake signatures are still checked.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain must lead to a trusted root; the host name is not checked.
#[derive(Debug)]
struct ChainOnly(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

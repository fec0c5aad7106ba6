//! Certificates for the simulator: a private CA for the API server (its
//! certificate goes into the kubeconfig) and self-signed certificates for
//! the service's HTTPS listener, with chosen expiry.

use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn io(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

fn server_config(
    cert: rcgen::Certificate,
    key: &KeyPair,
) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], key)
        .map_err(io)?;
    Ok(Arc::new(config))
}

fn leaf_params(days: i64) -> std::io::Result<CertificateParams> {
    let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])
        .map_err(io)?;
    let now = time::OffsetDateTime::now_utc();
    params.not_after = now + time::Duration::days(days);
    params.not_before = params.not_after.min(now) - time::Duration::days(30);
    params
        .distinguished_name
        .push(DnType::CommonName, "ops-tui simulator");
    Ok(params)
}

/// A self-signed certificate for localhost and 127.0.0.1 that expires in
/// `days` (negative: expired that many days ago).
pub fn self_signed(days: i64) -> std::io::Result<Arc<rustls::ServerConfig>> {
    let key = KeyPair::generate().map_err(io)?;
    let cert = leaf_params(days)?.self_signed(&key).map_err(io)?;
    server_config(cert, &key)
}

/// A CA and a server certificate it signed, for the API server.
pub struct ApiTls {
    pub ca_pem: String,
    pub config: Arc<rustls::ServerConfig>,
}

pub fn api_server() -> std::io::Result<ApiTls> {
    let ca_key = KeyPair::generate().map_err(io)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(io)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "ops-tui simulator CA");
    let now = time::OffsetDateTime::now_utc();
    ca_params.not_before = now - time::Duration::days(1);
    ca_params.not_after = now + time::Duration::days(3650);
    let ca_cert = ca_params.self_signed(&ca_key).map_err(io)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().map_err(io)?;
    let cert = leaf_params(365)?.signed_by(&key, &issuer).map_err(io)?;
    Ok(ApiTls {
        ca_pem: ca_cert.pem(),
        config: server_config(cert, &key)?,
    })
}

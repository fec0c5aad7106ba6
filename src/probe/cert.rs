//! The certificate a server presents, read even when it would not be
//! trusted (expired, self-signed, wrong name), so that the screen can say
//! "expired 3 days ago" rather than only "TLS error".

use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// Why the certificate a server presents could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    /// The TLS configuration could not be built.
    #[error(transparent)]
    Config(#[from] rustls::Error),
    /// The host is not a valid server name.
    #[error(transparent)]
    ServerName(#[from] rustls::pki_types::InvalidDnsNameError),
    /// No TCP connection could be made.
    #[error("{0}")]
    Connect(#[source] std::io::Error),
    /// The TLS handshake failed.
    #[error("{0}")]
    Handshake(#[source] std::io::Error),
    #[error("the server presented no certificate")]
    NoCertificate,
    #[error("the certificate cannot be parsed")]
    Unparsable,
    #[error("timed out reading the certificate")]
    TimedOut,
}

/// notAfter of a DER certificate, in seconds since the epoch.
pub fn not_after(der: &[u8]) -> Option<i64> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(cert.validity().not_after.timestamp())
}

/// Accepts any certificate: used only to read what the server presents,
/// never to send a request.
#[derive(Debug)]
struct Record(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Record {
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

/// Connects to `host:port`, completes a full TLS handshake (no session
/// resumption) without judging the certificate, and returns the presented
/// leaf certificate's notAfter.
pub async fn presented_not_after(
    host: &str,
    port: u16,
    timeout: Duration,
) -> Result<i64, CertError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Record(provider)))
        .with_no_client_auth();
    // A full handshake every time: a resumed session presents no
    // certificate, and the one remembered may have been replaced since.
    config.resumption = rustls::client::Resumption::disabled();
    let name = ServerName::try_from(host.to_string())?;
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let handshake = async {
        let tcp = tokio::net::TcpStream::connect((host, port))
            .await
            .map_err(CertError::Connect)?;
        let tls = connector
            .connect(name, tcp)
            .await
            .map_err(CertError::Handshake)?;
        let (_, session) = tls.get_ref();
        let leaf = session
            .peer_certificates()
            .and_then(|c| c.first())
            .ok_or(CertError::NoCertificate)?;
        not_after(leaf.as_ref()).ok_or(CertError::Unparsable)
    };
    tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| CertError::TimedOut)?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn errors_are_kinds_a_caller_can_match() {
        // A port nothing listens on: closed at once, no handshake.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let err = presented_not_after("127.0.0.1", port, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(err, CertError::Connect(_)), "{err:?}");
        let err = presented_not_after("not a host name", 443, Duration::from_secs(5))
            .await
            .unwrap_err();
        assert!(matches!(err, CertError::ServerName(_)), "{err:?}");
        assert_eq!(
            CertError::NoCertificate.to_string(),
            "the server presented no certificate"
        );
    }
}

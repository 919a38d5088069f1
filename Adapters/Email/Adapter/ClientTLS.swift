import NIOSSL

/// TLS for our mail clients (IMAP and the SMTP relay): one place that decides the minimum
/// version, the trust roots and the SNI name, so both clients verify servers the same way.
enum ClientTLS {
    /// A client context: TLS 1.2 or later, the system roots or `caFile`, verification unless
    /// the configuration explicitly turned it off.
    static func context(caFile: String?, verifyCertificates: Bool) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile { configuration.trustRoots = .file(caFile) }
        if !verifyCertificates { configuration.certificateVerification = .none }
        return try NIOSSLContext(configuration: configuration)
    }

    /// SNI must be a host name; for an IP address the certificate is checked against the address.
    static func serverName(_ host: String) -> String? {
        let isAddress = host.contains(":") || host.allSatisfy { $0.isNumber || $0 == "." }
        return isAddress ? nil : host
    }
}

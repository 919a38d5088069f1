import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses callback hosts that resolve to addresses an outside party must not make us call:
/// loopback, RFC 1918 private, link-local (cloud metadata at 169.254.169.254), CGNAT, unique-local
/// IPv6, and their IPv4-mapped forms (RELIABILITY.md #22).
///
/// Redirects are never followed by the delivery client, so the check on the configured host is
/// the check on every address we connect to — except for a DNS answer that changes between this
/// check and the connection, which is noted in the README as a known limit.
enum CallbackAddressPolicy {
    /// The resolved addresses of `host` that are not public, as text; empty when all are public.
    static func forbiddenAddresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return ["unresolvable: \(host)"] }
        defer { freeaddrinfo(first) }
        var forbidden: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                if info.pointee.ai_family == AF_INET {
                    let bytes = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin_addr.s_addr) { Array($0) }
                    }
                    if isForbiddenIPv4(bytes) { forbidden.append(bytes.map(String.init).joined(separator: ".")) }
                } else if info.pointee.ai_family == AF_INET6 {
                    let bytes = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        withUnsafeBytes(of: pointer.pointee.sin6_addr) { Array($0) }
                    }
                    if isForbiddenIPv6(bytes) { forbidden.append("ipv6 " + bytes.hexString) }
                }
            }
            cursor = info.pointee.ai_next
        }
        return forbidden
    }

    static func isForbiddenIPv4(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 4 else { return true }
        switch (bytes[0], bytes[1]) {
        case (0, _), (10, _), (127, _): return true
        case (100, 64...127): return true  // CGNAT
        case (169, 254): return true  // link-local, cloud metadata
        case (172, 16...31): return true
        case (192, 168): return true
        case (192, 0) where bytes[2] == 0: return true
        case (224...255, _): return true  // multicast, reserved, broadcast
        default: return false
        }
    }

    static func isForbiddenIPv6(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 16 else { return true }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return isForbiddenIPv4(Array(bytes[12..<16]))  // IPv4-mapped
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return true }  // :: and ::1
        if bytes[0] & 0xFE == 0xFC { return true }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return true }  // fe80::/10 link-local
        if bytes[0] == 0xFF { return true }  // multicast
        return false
    }
}

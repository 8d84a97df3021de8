#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a `DownstreamClient` sends its calls while `downstreamUnreachable` names its peer: an
/// address that refuses every connection, as the OpenTelemetry demo's `paymentUnreachable` points
/// checkout at a bad address. The failure is a real one (the kernel answers the SYN with a reset,
/// ECONNREFUSED), so the client's retries, breaker and spans react as they would to a dead peer.
///
/// A fixed "unused" port such as 9 (discard) or 1 is only usually closed: something may listen
/// there. Instead the process binds a loopback TCP socket to a free port and never calls `listen`.
/// A bound socket that does not listen accepts nothing, so every connection to that port is
/// refused; and while this process holds the binding no other process can take the port and
/// answer in its place. The socket lives as long as the process.
enum RefusingAddress {
    /// `http://127.0.0.1:<port>` with a port that refuses connections.
    static let url: String = "http://127.0.0.1:\(boundPortThatNeverListens() ?? fallbackPort)"

    /// Only if the process cannot make a socket at all: tcpmux, a port almost nothing serves.
    static let fallbackPort = 1

    /// Binds a TCP socket to 127.0.0.1 on a port the kernel picks, without listening, and returns
    /// the port; nil if the socket could not be made or bound.
    private static func boundPortThatNeverListens() -> Int? {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return nil }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(descriptor, generic, length) == 0 && getsockname(descriptor, generic, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            return nil
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a test server, written byte by byte: what a slow, hostile or rude
/// client does (half a head, a body a byte at a time, a hang-up mid-body) cannot be expressed
/// through an HTTP client library, which always sends whole requests.
///
/// Blocking POSIX calls, run on a thread of their own (`RawHTTPConnection.run`) so a test waiting
/// on the server never holds one of the few cooperative threads the parallel tests share.
final class RawHTTPConnection: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(descriptor)
            throw POSIXError(.init(rawValue: code) ?? .EIO)
        }
    }

    deinit { Glibc.close(descriptor) }

    /// Runs blocking socket work on its own thread.
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// Writes all of `bytes`; false once the server has closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// What the server sent until it closed the connection, or until `limit` passed with the
    /// connection still open (`closed` false): a safety net, far above any timeout under test.
    func readUntilClosed(limit: Duration = .seconds(20)) -> (bytes: [UInt8], closed: Bool) {
        let deadline = ContinuousClock.now + limit
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return (received, false) }
            setReceiveTimeout(remaining)
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                received += buffer[0..<count]
            } else if count == 0 || errno == ECONNRESET {
                return (received, true)
            } else if errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK {
                return (received, true)
            }
        }
    }

    /// Whether the server has already answered or closed, without waiting.
    func hasInput() -> Bool {
        var probe: UInt8 = 0
        let count = recv(descriptor, &probe, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Closes both directions now: a client hanging up.
    func hangUp() {
        shutdown(descriptor, Int32(SHUT_RDWR))
    }

    private func setReceiveTimeout(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        // Zero would mean "wait for ever": at least a millisecond.
        let microseconds = seconds == 0 ? max(1000, Int(attoseconds / 1_000_000_000_000)) : Int(attoseconds / 1_000_000_000_000)
        var value = timeval(tv_sec: Int(seconds), tv_usec: microseconds)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }
}

/// The parts of a raw HTTP/1.1 answer the tests look at.
struct RawHTTPAnswer {
    let status: Int?
    /// Header lines, names lower-cased.
    let headers: [String: String]
    let body: String

    init(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        self.headers = headers
        body = parts.dropFirst().joined(separator: "\r\n\r\n")
    }
}

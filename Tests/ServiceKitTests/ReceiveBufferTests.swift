import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import Prometheus
import ServiceKit
import Testing

/// The server reads a connection 16 KiB at a time, one read per wake-up (FleetHTTP1Channel), to
/// bound what an idle connection keeps. A body of many such reads, sent at once or trickled, must
/// still arrive byte for byte, and the connection must stay usable for the next request.
@Suite("Receive buffers")
struct ReceiveBufferTests {
    func withLiveEcho(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let settings = try ServiceSettings.forTesting(member: .guardrails)
        let built = try await FleetApplication.build(EchoService.self, runtime: ServiceRuntime(member: .guardrails, settings: settings),
                                                     registry: PrometheusCollectorRegistry(), peers: .init(optional: DownPeer()))
        try await built.application.test(.live) { client in try await body(client) }
    }

    /// Bytes that are not all alike, so a piece lost, repeated or reordered changes the sum.
    static func payload(_ count: Int) -> [UInt8] {
        var generator = SeededGenerator(seed: 42)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    @Test("bodies of one byte to a hundred reads arrive whole, one after another on a connection")
    func largeBodiesArriveWhole() async throws {
        try await withLiveEcho { client in
            for size in [1, 16 * 1024 + 1, 1_600_000] {
                let payload = Self.payload(size)
                let expected = "\(size):\(payload.reduce(0) { $0 &+ Int($1) })"
                try await client.execute(uri: "/count", method: .post, headers: [.contentType: "application/octet-stream"],
                                         body: ByteBuffer(bytes: payload)) { response in
                    #expect(response.status == .ok)
                    let echo = try JSONDecoder().decode(EchoService.Echo.self, from: Data(response.body.readableBytesView))
                    #expect(echo.text == expected, "a body of \(size) bytes")
                }
            }
        }
    }
}

import FleetTelemetry
import Foundation
import HTTPTypes
import Hummingbird
import Testing
@testable import ServiceKit

@Suite("Fleet errors and the wire vocabulary")
struct FleetErrorTests {
    @Test("every code has its own word, which reads back to the same code and is an allowed error_type")
    func codes() {
        let words = FleetErrorCode.all.map(\.description)
        #expect(Set(words).count == words.count)
        for code in FleetErrorCode.all {
            #expect(FleetErrorCode(code.description) == code)
            #expect(code.description.allSatisfy { $0.isLowercase || $0 == "_" })
        }
        #expect(MetricCatalog.errorTypes == words)
        #expect(FleetErrorCode("payload too large") == nil)
    }

    @Test("only timeouts and unavailable peers are retried")
    func retryable() {
        #expect(FleetErrorCode.all.filter(\.isRetryable) == [.timeout, .unavailable])
    }

    @Test("a peer's failure maps to the gateway status its code implies")
    func downstreamStatus() {
        #expect(FleetError.downstream(.timeout, peer: "stt", "slow").status == .gatewayTimeout)
        #expect(FleetError.downstream(.circuitOpen, peer: "stt", "open").status == .serviceUnavailable)
        #expect(FleetError.downstream(.unavailable, peer: "stt", "refused").status == .badGateway)
        #expect(FleetError.downstream(.badResponse, peer: "stt", "junk").message == "stt: junk")
    }

    @Test("an HTTP status from Hummingbird becomes the matching code")
    func fromHTTPError() {
        #expect(FleetError.from(HTTPError(.notFound)).code == .notFound)
        #expect(FleetError.from(HTTPError(.contentTooLarge)).code == .payloadTooLarge)
        #expect(FleetError.from(HTTPError(.init(code: 599))).code == .internal)
        struct Oops: Error {}
        #expect(FleetError.from(Oops()).status == .internalServerError)
    }

    @Test("a decoding failure names the field as the client wrote it")
    func decodingMessage() throws {
        struct Body: Decodable { let sessionId: String }
        do {
            _ = try JSONDecoder.fleet.decode(Body.self, from: Data("{}".utf8))
            Issue.record("decoded a body without session_id")
        } catch let error as DecodingError {
            #expect(FleetError.from(error).message.contains("'session_id'"))
        }
    }

    @Test("retries back off with full jitter under a doubling ceiling")
    func backoff() {
        #expect(DownstreamClient.backoff(attempt: 1) { $0.upperBound } == .milliseconds(100))
        #expect(DownstreamClient.backoff(attempt: 2) { $0.upperBound } == .milliseconds(200))
        #expect(DownstreamClient.backoff(attempt: 2) { $0.lowerBound } == .zero)
        let draws = (0..<50).map { _ in DownstreamClient.backoff(attempt: 3) }
        #expect(draws.allSatisfy { $0 >= .zero && $0 <= .milliseconds(400) })
        #expect(Set(draws).count > 1, "fifty draws were all the same: no jitter")
    }

    @Test("camelCase JSON keeps the names a spec gives; the fleet's JSON is snake_case")
    func jsonSpelling() throws {
        struct Tool: Encodable { let inputSchema = "x" }
        let camel = try BinaryBody.camelCaseJSON(Tool())
        #expect(String(decoding: camel.bytes, as: UTF8.self) == #"{"inputSchema":"x"}"#)
        #expect(String(decoding: try JSONEncoder.fleet.encode(Tool()), as: UTF8.self) == #"{"input_schema":"x"}"#)
    }
}

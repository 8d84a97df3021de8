import FleetTelemetry
import HTTPTypes
import NIOCore
import NIOHTTP1
import ServiceKit
import Testing

/// What a failure caused by the client (gone, or too slow) becomes: never a 500, which would page
/// someone for a phone that lost its signal.
@Suite("Client failures are not server errors")
struct ClientFailureClassificationTests {
    @Test("a client that went away is client_closed_request (499)", arguments: [
        HTTPParserError.invalidEOFState as any Error, ChannelError.ioOnClosedChannel, ChannelError.eof,
        ChannelError.outputClosed, ChannelError.inputClosed, IOError(errnoCode: 104, reason: "read"),  // ECONNRESET
        IOError(errnoCode: 32, reason: "write"),  // EPIPE
    ])
    func hangUps(error: any Error) {
        let fleetError = FleetError.from(error)
        #expect(fleetError.code == .clientClosedRequest)
        #expect(fleetError.status.code == 499)
    }

    @Test("a body that did not arrive in time is request_timeout (408) and closes the connection")
    func readTimeout() {
        let fleetError = FleetError.from(RequestReadTimeout())
        #expect(fleetError.code == .requestTimeout)
        #expect(fleetError.status == .requestTimeout)
        #expect(fleetError.closesConnection)
    }

    @Test("a malformed body (bad chunk framing) is the client's 400")
    func malformedFraming() {
        #expect(FleetError.from(HTTPParserError.invalidChunkSize).status == .badRequest)
    }

    @Test("a 413 closes the connection; an ordinary 400 keeps it")
    func whichErrorsClose() {
        #expect(FleetError.payloadTooLarge(limit: 10).closesConnection)
        #expect(!FleetError.badRequest("no").closesConnection)
    }
}

import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import TestingUIService

@Suite("testing-ui's load control")
struct TestingUILoadTests {
    static func put(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/load", method: .put, headers: [.contentType: MediaType.json],
                                 body: ByteBuffer(string: body))
    }

    @Test("GET /load reads the voice bridge's load; PUT /load sets it there and answers the new one")
    func readAndSet() async throws {
        let fakes = TestingUIFakes()
        try await TestingUIHTTPTests.test(fakes: fakes) { client in
            var response = try await client.execute(uri: "/load", method: .get)
            #expect(response.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Int])
            #expect(json == ["speakers": 3, "channels": 1, "channel_size": 8])

            response = try await Self.put(client, #"{"speakers": 120}"#)
            #expect(response.status == .ok)
            let load = try JSONDecoder.fleet.decode(VoiceLoad.self, from: Data(response.body.readableBytesView))
            #expect(load == VoiceLoad(speakers: 120, channels: 15, channelSize: 8))
        }
        #expect(await fakes.voiceLoad.changes == [LoadChange(speakers: 120)])
    }

    @Test("a speaker count outside 0...500, or not a number, is a 400 and never reaches the bridge", arguments: [
        (#"{"speakers": 501}"#, "between 0 and 500"),
        (#"{"speakers": -1}"#, "between 0 and 500"),
        (#"{"speakers": "many"}"#, "wrong type at 'speakers'"),
        (#"{"speakers": 2.5}"#, #"a whole number from 0 to 500"#),
        ("{", "not valid JSON"),
        (#"{"count": 4}"#, "missing field 'speakers'"),
    ])
    func badCount(body: String, phrase: String) async throws {
        let fakes = TestingUIFakes()
        try await TestingUIHTTPTests.test(fakes: fakes) { client in
            let response = try await Self.put(client, body)
            #expect(response.status == .badRequest)
            let text = String(buffer: response.body)
            #expect(text.contains(#""code":"bad_request""#) && text.contains(phrase), "\(text)")
        }
        #expect(await fakes.voiceLoad.changes.isEmpty)
    }

    @Test("a bridge that does not answer is the fleet's 502 naming it")
    func bridgeDown() async throws {
        let fakes = TestingUIFakes(failing: "discord")
        try await TestingUIHTTPTests.test(fakes: fakes) { client in
            let response = try await client.execute(uri: "/load", method: .get)
            #expect(response.status == .badGateway)
            #expect(String(buffer: response.body).contains("discord: connection refused"))
        }
    }
}

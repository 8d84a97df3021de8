import FleetContracts
import FleetTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import DiscordService

/// The bridge's routes, on the real service over in-memory peers.
@Suite("Discord over HTTP")
struct DiscordHTTPTests {
    private func withApp(orchestrator: FakeOrchestrator = FakeOrchestrator(),
                         _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let peers = DiscordService.Peers(audioProcessor: FakeAudioProcessor(), stt: FakeTranscriber(),
                                         orchestrator: orchestrator)
        let built = try await testApplication(DiscordService.self, peers: peers)
        #expect(built.background.count == 1)
        try await built.application.test(.router, body)
    }

    private static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    @Test("unknown turns and their audio are 404 JSON errors")
    func unknownTurn() async throws {
        try await withApp { client in
            for uri in ["/voice/turns/999", "/voice/turns/999/input.opus", "/voice/turns/999/reply.opus"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == MediaType.json)
                    let error = try Self.json(response.body)["error"] as? [String: Any]
                    #expect(error?["code"] as? String == "not_found")
                }
            }
            try await client.execute(uri: "/voice/turns/abc", method: .get) { response in
                #expect(response.status == .badRequest)
            }
        }
    }

    @Test("bad speak requests are 400s that say what is wrong",
          arguments: [
              #"{"text": ""}"#, #"{"text": "   "}"#, #"{"speaker": "Ava"}"#, "not json",
              #"{"text": "hello", "speaker": "Zed"}"#, #"{"text": "?!"}"#,
              "{\"text\": \"\(String(repeating: "a", count: 301))\"}",
          ])
    func badSpeak(body: String) async throws {
        try await withApp { client in
            try await client.execute(uri: "/voice/speak", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                let error = try Self.json(response.body)["error"] as? [String: Any]
                #expect(error?["code"] as? String == "bad_request")
                #expect((error?["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("a speak request is queued with a turn id that /voice/turns knows")
    func speakQueues() async throws {
        try await withApp { client in
            let turnID = try await client.execute(uri: "/voice/speak", method: .post, headers: [.contentType: MediaType.json],
                                                  body: ByteBuffer(string: #"{"speaker": "ben", "text": "Hey Atlas, hello there!"}"#)) { response in
                #expect(response.status == .accepted)
                let body = try Self.json(response.body)
                #expect(body["speaker"] as? String == "Ben")
                #expect(body["status"] as? String == "queued")
                let turnID = try #require(body["turn_id"] as? Int)
                #expect(body["turn_url"] as? String == "/voice/turns/\(turnID)")
                return turnID
            }
            try await client.execute(uri: "/voice/turns/\(turnID)", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                #expect(body["outcome"] as? String == "in_progress")
                #expect(body["phrase"] as? String == "Hey Atlas, hello there!")
            }
            try await client.execute(uri: "/voice/turns", method: .get) { response in
                let turns = try Self.json(response.body)["turns"] as? [[String: Any]]
                #expect(turns?.first?["id"] as? Int == turnID)
            }
            // Nothing has been said yet, so there is no audio to listen to.
            try await client.execute(uri: "/voice/turns/\(turnID)/input.opus", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test("status lists the speakers and the page renders")
    func statusAndPage() async throws {
        try await withApp { client in
            try await client.execute(uri: "/voice/status", method: .get) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                let speakers = body["speakers"] as? [[String: Any]]
                #expect(speakers?.map { $0["name"] as? String } == ["Ava", "Ben", "Chloe"])
                #expect(body["turns"] as? Int == 0)
                #expect(body["channel_open"] as? Bool == false)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("Voice channel"))
            }
        }
    }

    @Test("MCP: send_message posts into the channel log, tools are listed")
    func mcpEndpoints() async throws {
        try await withApp { client in
            let messageID = try await client.execute(uri: "/mcp/send_message", method: .post, headers: [.contentType: MediaType.json],
                                                     body: ByteBuffer(string: #"{"channel_id": "general", "content": "Stand-up in 5"}"#)) { response in
                #expect(response.status == .ok)
                let body = try Self.json(response.body)
                #expect(body["success"] as? Bool == true)
                return try #require(body["message_id"] as? String)
            }
            try await client.execute(uri: "/mcp/messages?channel_id=general", method: .get) { response in
                let messages = try Self.json(response.body)["messages"] as? [[String: Any]]
                #expect(messages?.count == 1)
                #expect(messages?.first?["message_id"] as? String == messageID)
                #expect(messages?.first?["content"] as? String == "Stand-up in 5")
            }
            try await client.execute(uri: "/mcp/send_message", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(string: #"{"channel_id": "general", "content": ""}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/mcp/transcript", method: .post, headers: [.contentType: MediaType.json],
                                     body: ByteBuffer(string: #"{"transcript": " "}"#)) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: "/mcp/tools", method: .get) { response in
                let tools = try Self.json(response.body)["tools"] as? [[String: Any]]
                let names = tools?.compactMap { $0["name"] as? String } ?? []
                #expect(names.contains("discord.send_message"))
                #expect(names.contains("discord.transcript"))
                #expect(tools?.allSatisfy { $0["inputSchema"] is [String: Any] } == true)
            }
        }
    }
}

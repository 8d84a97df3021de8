import FleetAudio
import FleetTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOFoundationEssentialsCompat
import ServiceKit
import Testing

/// Uploads that lie about their length, sent to both services that decode uploads: each gets a
/// JSON 4xx and is counted in `audio_uploads_rejected_total`, and none is decoded past its budget.
@Suite("audio uploads: hostile files")
struct HostileUploadTests {
    /// Where each service takes a raw audio body.
    enum Target: String, CaseIterable {
        case audioProcessor = "/process/segment"
        case stt = "/asr"
    }

    struct Answer {
        let status: HTTPResponse.Status
        let code: String?
        let body: String
        let rejected: [String: Double]
    }

    /// POSTs `file` as audio/ogg (or audio/wav) and reads the answer and the rejection counter.
    static func send(_ file: [UInt8], to target: Target, mediaType: String = "audio/ogg",
                     environment: [String: String] = [:]) async throws -> Answer {
        try await TestMetrics.collecting { _ in
            let built = switch target {
            case .audioProcessor: try await AudioProcessorFixture.app(environment)
            case .stt: try await STTFixture.app(environment)
            }
            return try await built.application.test(.router) { client in
                let response = try await client.execute(uri: target.rawValue, method: .post,
                                                        headers: [.contentType: mediaType], body: ByteBuffer(bytes: file))
                let metrics = try await ScenarioFixture.metrics(client)
                var rejected: [String: Double] = [:]
                for reason in ["audio_too_long", "not_ogg_opus", "truncated"] {
                    rejected[reason] = ScenarioFixture.value(metrics, "audio_uploads_rejected_total", ["reason": reason])
                }
                return Answer(status: response.status, code: AudioProcessorFixture.errorCode(response),
                              body: String(buffer: response.body), rejected: rejected)
            }
        }
    }

    @Test("an Ogg bomb without an end granule is refused with 400 and counted", arguments: Target.allCases)
    func bombWithoutGranule(target: Target) async throws {
        // 2,000 empty packets after a 120 ms one: 4 minutes of concealment from 2 KB.
        let bomb = HostileAudio.ogg(packets: [HostileAudio.longestPacket] + Array(repeating: [], count: 2_000), granule: -1)
        let answer = try await Self.send(bomb, to: target)
        #expect(answer.status == .badRequest, "\(answer.body)")
        #expect(answer.code == "bad_request")
        #expect(answer.rejected["not_ogg_opus"] == 1)
    }

    @Test("an Ogg page claiming a negative length is refused with 400, not answered with 0 s", arguments: Target.allCases)
    func negativeLength(target: Target) async throws {
        let file = HostileAudio.ogg(packets: [HostileAudio.longestPacket], granule: 100)
        let answer = try await Self.send(file, to: target)
        #expect(answer.status == .badRequest, "\(answer.body)")
        #expect(answer.rejected["not_ogg_opus"] == 1)
    }

    @Test("a bomb over the service's audio budget is a 413 with the limit, counted", arguments: Target.allCases)
    func bombOverBudget(target: Target) async throws {
        let variable = target == .stt ? "STT_MAX_AUDIO_SECONDS" : "AUDIO_PROCESSOR_MAX_AUDIO_SECONDS"
        let bomb = HostileAudio.oggBomb(claimedSamples: 48_000 * 3)
        let answer = try await Self.send(bomb, to: target, environment: [variable: "2"])
        #expect(answer.status == .contentTooLarge, "\(answer.body)")
        #expect(answer.code == "payload_too_large")
        #expect(answer.body.contains("at most 2 s"))
        #expect(answer.rejected["audio_too_long"] == 1)
    }

    @Test("the 22 KB bomb within the budget decodes to the second it claims", arguments: Target.allCases)
    func bombWithinBudget(target: Target) async throws {
        let answer = try await Self.send(HostileAudio.oggBomb(), to: target)
        #expect(answer.status == .ok, "\(answer.body)")
        #expect(answer.rejected.values.allSatisfy { $0 == 0 })
    }

    @Test("a WAV whose data chunk claims more than the body holds is refused and counted", arguments: Target.allCases)
    func wavSizeLie(target: Target) async throws {
        let file = HostileAudio.wav(data: [UInt8](repeating: 0, count: 3_200), declaredDataBytes: 64_000_000)
        let answer = try await Self.send(file, to: target, mediaType: "audio/wav")
        #expect(answer.status == .badRequest, "\(answer.body)")
        #expect(answer.rejected["truncated"] == 1)
    }
}

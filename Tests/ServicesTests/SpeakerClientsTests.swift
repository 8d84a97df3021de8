import Foundation
import ServiceKit
import Testing
@testable import DiscordService

@Suite("The speakers' clients' thread")
struct SpeakerClientsTests {
    @Test("work runs on the clients' own thread, in order, at nice 10, and errors come back")
    func runsLowInOrder() async throws {
        var results: [(index: Int, nice: Int32, thread: String?)] = []
        for index in 0..<5 {
            results.append(try await SpeakerClients.shared.run {
                (index, CPUPriority.current, try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))
            })
        }
        #expect(results.map(\.index) == Array(0..<5))
        #expect(results.allSatisfy { $0.nice == SpeakerClients.nice && $0.thread == "speaker-clients\n" }, "\(results)")
        struct Refused: Error {}
        await #expect(throws: Refused.self) { try await SpeakerClients.shared.run { throw Refused() } }
    }
}

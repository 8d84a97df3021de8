import FleetContracts
import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import ServiceKit
import Testing
@testable import TestingUIService

/// The testing-ui over in-memory peers, writing its flag file in a folder of its own, with its
/// runtime at hand so a test can set the scenarios its process sees.
struct TestingUIFlagFixture {
    let folder: URL
    let runtime: ServiceRuntime
    let fakes: TestingUIFakes

    var flagPath: String { folder.appendingPathComponent("scenarios.flagd.json").path }

    init(fakes: TestingUIFakes = TestingUIFakes()) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("testing-ui-flags-\(UUID().uuidString)")
        let settings = try ServiceSettings.forTesting(member: .testingUI, environment: [
            "LATENCY_SCALE": "0.01", "SCENARIO_FLAGS_FILE": folder.appendingPathComponent("scenarios.flagd.json").path,
            "DATA_DIR": folder.appendingPathComponent("data").path,
        ])
        runtime = ServiceRuntime(member: .testingUI, settings: settings)
        self.fakes = fakes
    }

    /// Runs `body` against the service, then removes the folder.
    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let built = try await FleetApplication.build(TestingUIService.self, runtime: runtime,
                                                     registry: PrometheusCollectorRegistry(), peers: fakes.peers)
        try await built.application.test(.router, body)
    }

    /// The flag file's bytes; nil while there is none.
    var fileBytes: [UInt8]? {
        (try? Data(contentsOf: URL(fileURLWithPath: flagPath))).map(Array.init)
    }

    /// Writes a flag file with `sttSlow` on at 4 x and everything else off.
    func writeStartingFile() async throws {
        var definitions = FlagDefinitions.defaults
        try definitions.switchOn("sttSlow", value: .number(4))
        try await FlagFile(path: flagPath).write(definitions)
    }

    static func put(_ client: some TestClientProtocol, _ key: String, _ body: String) async throws -> TestResponse {
        try await client.execute(uri: "/scenarios/\(key)", method: .put, headers: [.contentType: MediaType.json],
                                 body: ByteBuffer(string: body))
    }

    static func list(_ response: TestResponse) throws -> ScenarioList {
        try JSONDecoder.fleet.decode(ScenarioList.self, from: Data(response.body.readableBytesView))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }
}

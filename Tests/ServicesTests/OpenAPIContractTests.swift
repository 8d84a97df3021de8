import AudioProcessorService
import DiscordService
import FleetTestSupport
import Foundation
import GuardrailsService
import Hummingbird
import HummingbirdTesting
import LLMFlanService
import MonitoringDashboardService
import NIOFoundationEssentialsCompat
import OrchestratorService
import STTService
import ServiceKit
import TTSBarkService
import Testing
import TestingUIService
import Yams

/// Holds each service's router to its OpenAPI document (services/<name>/openapi.yaml), both ways:
/// a route added without its contract, or a contract for a route that is gone, fails here rather
/// than in `make contract-test`, which only fuzzes what the document lists. It also checks that the
/// document served at /openapi.yaml is the repository's file, byte for byte.
@Suite("OpenAPI contracts")
struct OpenAPIContractTests {
    @Test("every route the router answers is in the document", arguments: ServiceContract.all)
    func everyRouteIsDocumented(_ contract: ServiceContract) async throws {
        let routes = try await contract.routes()
        let documented = try contract.documentedOperations()
        #expect(!routes.isEmpty)
        for route in routes.subtracting(documented).sorted() {
            Issue.record("\(contract.folder): \(route) is served but services/\(contract.folder)/openapi.yaml does not list it")
        }
    }

    @Test("every operation the document lists is a route", arguments: ServiceContract.all)
    func everyDocumentedOperationExists(_ contract: ServiceContract) async throws {
        let routes = try await contract.routes()
        let documented = try contract.documentedOperations()
        #expect(!documented.isEmpty)
        for operation in documented.subtracting(routes).sorted() {
            Issue.record("\(contract.folder): openapi.yaml lists \(operation), which the service does not serve")
        }
    }

    @Test("the document parses, is OpenAPI 3.1 and is self-contained", arguments: ServiceContract.all)
    func documentIsOpenAPI31(_ contract: ServiceContract) throws {
        let document = try contract.repositoryDocument()
        let version = document["openapi"] as? String
        #expect(version?.hasPrefix("3.1.") == true)
        #expect(document["info"] is [String: Any])
        // Each document is served alone, so a reference may only point inside it.
        for reference in Self.references(in: document) {
            #expect(reference.hasPrefix("#/"), "\(contract.folder): $ref \(reference) points outside the document")
        }
    }

    /// Every `$ref` value anywhere in a parsed document.
    static func references(in node: Any) -> [String] {
        switch node {
        case let mapping as [String: Any]:
            mapping.flatMap { key, value in key == "$ref" ? [value as? String ?? ""] : references(in: value) }
        case let sequence as [Any]:
            sequence.flatMap { references(in: $0) }
        default:
            []
        }
    }

    @Test("GET /openapi.yaml serves the repository's file", arguments: ServiceContract.all)
    func servedDocumentIsTheRepositoryFile(_ contract: ServiceContract) async throws {
        let expected = try Data(contentsOf: contract.repositoryFile)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let built = try await contract.build(directory)
        try await built.application.test(.router) { client in
            try await client.execute(uri: "/openapi.yaml", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == MediaType.yaml)
                #expect(Data(buffer: response.body) == expected)
            }
        }
    }
}

/// One service, as the contract tests see it: how to build it over its HTTP peers (nothing is
/// called while building) and where its document lives.
struct ServiceContract: Sendable, CustomStringConvertible {
    let folder: String
    let build: @Sendable (_ dataDirectory: String) async throws -> FleetApplication.Built

    var description: String { folder }

    static let all: [ServiceContract] = [
        .init(folder: "discord") { try await testApplication(DiscordService.self, environment: environment($0)) },
        .init(folder: "audio-processor") { try await testApplication(AudioProcessorService.self, environment: environment($0)) },
        .init(folder: "stt") { try await testApplication(STTService.self, environment: environment($0)) },
        .init(folder: "orchestrator") { try await testApplication(OrchestratorService.self, environment: environment($0)) },
        .init(folder: "guardrails") { try await testApplication(GuardrailsService.self, environment: environment($0)) },
        .init(folder: "llm-flan") { try await testApplication(LLMFlanService.self, environment: environment($0)) },
        .init(folder: "tts-bark") { try await testApplication(TTSBarkService.self, environment: environment($0)) },
        .init(folder: "testing-ui") { try await testApplication(TestingUIService.self, environment: environment($0)) },
        .init(folder: "monitoring-dashboard") {
            try await testApplication(MonitoringDashboardService.self, environment: environment($0))
        },
    ]

    /// State (SQLite files, the flag file) goes to a directory of the test's own, never var/.
    static func environment(_ directory: String) -> [String: String] {
        ["DATA_DIR": directory, "SCENARIO_FLAGS_FILE": directory + "/flags.json", "DISCORD_SPEAKERS": "0"]
    }

    /// Tests/ServicesTests/OpenAPIContractTests.swift -> services/<folder>/openapi.yaml.
    var repositoryFile: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("services/\(folder)/openapi.yaml")
    }

    /// The router's routes as `METHOD /path/{parameter}`.
    func routes() async throws -> Set<String> {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let built = try await build(directory)
        return Set(built.routes.map { "\($0.method.rawValue) \($0.path.description)" })
    }

    func repositoryDocument() throws -> [String: Any] {
        let text = try String(contentsOf: repositoryFile, encoding: .utf8)
        let parsed: Any? = try Yams.load(yaml: text)
        guard let document = parsed as? [String: Any] else { throw DocumentError(folder: folder, problem: "not a mapping") }
        return document
    }

    /// The document's operations as `METHOD /path/{parameter}`.
    func documentedOperations() throws -> Set<String> {
        guard let paths = try repositoryDocument()["paths"] as? [String: Any] else {
            throw DocumentError(folder: folder, problem: "no paths")
        }
        let methods: Set = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]
        var operations: Set<String> = []
        for (path, item) in paths {
            guard let item = item as? [String: Any] else { throw DocumentError(folder: folder, problem: "\(path) is not a mapping") }
            for method in item.keys where methods.contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }
}

/// A document that is not shaped as OpenAPI at all.
struct DocumentError: Error, CustomStringConvertible {
    let folder: String
    let problem: String
    var description: String { "services/\(folder)/openapi.yaml: \(problem)" }
}

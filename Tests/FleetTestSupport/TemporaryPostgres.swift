public import Foundation
import Logging
public import OrchestratorService
public import PostgresNIO

/// A real PostgreSQL server for the tests of the orchestrator's PostgreSQL store: one per test
/// test process (shared by ServicesTests and EndToEndTests), started on first use by
/// scripts/postgres/temporary-postgres.sh (loopback, a free port,
/// trust authentication, fsync off, as the `postgres` user when the tests run as root) and stopped
/// by that script when this process exits. Each test takes a fresh database of its own.
///
/// AUDIOFLEET_TEST_POSTGRES_URL points the tests at a server of your own instead (a role that may
/// CREATE DATABASE). Without either, the tests fail, saying how to install the server binaries:
/// they never skip.
public enum TemporaryPostgres {
    public static let variable = "AUDIOFLEET_TEST_POSTGRES_URL"
    static let logger: Logger = {
        var logger = Logger(label: "temporary-postgres")
        logger.logLevel = .warning
        return logger
    }()

    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    private static let server = Task<DatabaseURL, any Error> { try await start() }

    /// The shared server's `postgres` database, as its superuser.
    public static func serverURL() async throws -> DatabaseURL { try await server.value }

    /// A fresh, empty database on the shared server.
    public static func makeDatabase() async throws -> DatabaseURL {
        var url = try await serverURL()
        let name = "audiofleet_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        // A name cannot be a bound parameter; this one is ours, letters, digits and underscores.
        _ = try await withConnection(to: url) { connection in
            try await connection.query("CREATE DATABASE \(unescaped: name)", logger: logger)
        }
        url.database = name
        return url
    }

    /// Runs `body` on one plain connection to `url` (not a pool), closing it afterwards.
    public static func withConnection<T: Sendable>(to url: DatabaseURL, _ body: (PostgresConnection) async throws -> T)
        async throws -> T {
        let configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.username,
                                                             password: url.password, database: url.database,
                                                             tls: .disable)
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    private static func start() async throws -> DatabaseURL {
        if let given = ProcessInfo.processInfo.environment[variable], !given.isEmpty {
            guard let url = DatabaseURL(given, fallbackPassword: ProcessInfo.processInfo.environment["PGPASSWORD"]) else {
                throw PostgresTestError("\(variable) is not a postgres:// URL")
            }
            return url
        }
        let script = packageRoot.appendingPathComponent("scripts/postgres/temporary-postgres.sh")
        let errors = FileManager.default.temporaryDirectory.appendingPathComponent("temporary-postgres-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, String(ProcessInfo.processInfo.processIdentifier)]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errors)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let started = ContinuousClock.now
        // The script prints one line once the server accepts connections, then watches this process.
        let line = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var bytes = Data()
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = output.fileHandleForReading.availableData
                    if chunk.isEmpty { break }
                    bytes.append(chunk)
                }
                continuation.resume(returning: String(decoding: bytes, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        guard let url = DatabaseURL(line) else {
            let log = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            throw PostgresTestError("""
                could not start a PostgreSQL server for the tests (\(script.path)): \(log)
                Install the server binaries with `scripts/ensure-deps.sh test` (apt: postgresql), \
                or set \(variable) to a server of your own.
                """)
        }
        print("temporary PostgreSQL at \(url) ready in \(ContinuousClock.now - started)")
        return url
    }
}

public struct PostgresTestError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

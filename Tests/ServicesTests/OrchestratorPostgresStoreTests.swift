import FleetTelemetry
import FleetTestSupport
import HTTPTypes
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import Testing
@testable import OrchestratorService

/// PostgreSQL stores over fresh databases on the test server (`TemporaryPostgres`).
enum PostgresStoreFixture {
    /// Warnings and above: the pool logs every refused connection of the unreachable-database test at info.
    static let logger: Logger = {
        var logger = Logger(label: "orchestrator-postgres-tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The operation timeout of the contention tests. Their appends queue behind one row lock, and
    /// under the whole parallel suite on two cores the last of 80 waited over the production 10 s
    /// (CI, 2026-12-07). These tests assert what is stored, not how fast; the timeout stays for a
    /// database that never answers.
    static let contentionTimeout: Duration = .seconds(120)

    static func open(_ url: DatabaseURL, maxMessages: Int = 200, startupTimeout: Duration = .seconds(30),
                     operationTimeout: Duration = PostgresConversationStore.defaultOperationTimeout)
        async throws -> PostgresConversationStore {
        try await PostgresConversationStore(url: url, maxMessagesPerSession: maxMessages, logger: logger,
                                            startupTimeout: startupTimeout, operationTimeout: operationTimeout)
    }

    /// A store over a fresh database, closed after `body` whatever it does.
    static func withStore(maxMessages: Int, _ body: (any ConversationStore) async throws -> Void) async throws {
        let store = try await open(try await TemporaryPostgres.makeDatabase(), maxMessages: maxMessages)
        do {
            try await body(store)
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }

    static func turn(_ session: String, _ text: String) -> NewTurn {
        NewTurn(sessionId: session, correlationId: "c-\(text)", userText: text, assistantText: "re: \(text)")
    }

    /// Rows of one text column, read on a plain connection to `url`.
    static func strings(_ url: DatabaseURL, _ query: PostgresQuery) async throws -> [String] {
        try await TemporaryPostgres.withConnection(to: url) { connection in
            try await connection.query(query, logger: logger).decode(String.self).reduce(into: []) { $0.append($1) }
        }
    }
}

@Suite("PostgreSQL conversation store")
struct PostgresConversationStoreTests {
    typealias Fixture = PostgresStoreFixture

    @Test("migrated schema: the SQLite store's tables, columns and index, and the version recorded")
    func schema() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let store = try await Fixture.open(url)
        #expect(try await store.appliedMigrations() == ["v1_conversation_and_message"])
        #expect(await store.isHealthy())
        let columns = try await Fixture.strings(url, """
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'message' ORDER BY ordinal_position
            """)
        #expect(columns == ["id", "conversation_id", "turn", "role", "content", "created_at", "correlation_id",
                            "guardrail_reason"])
        let conversationColumns = try await Fixture.strings(url, """
            SELECT column_name::text FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name = 'conversation' ORDER BY ordinal_position
            """)
        #expect(conversationColumns == ["id", "created_at", "updated_at", "turn_count"])
        let indexes = try await Fixture.strings(url, "SELECT indexname::text FROM pg_indexes WHERE tablename = 'message'")
        #expect(indexes.contains("message_on_conversation_turn"))
        // A role outside the two is refused by the schema, as in SQLite.
        await #expect(throws: (any Error).self) {
            try await store.client.query("""
                INSERT INTO conversation (id, created_at, updated_at) VALUES ('x', now(), now());
                """, logger: Fixture.logger)
            try await store.client.query("""
                INSERT INTO message (conversation_id, turn, role, content, created_at) VALUES ('x', 1, 'system', '', now())
                """, logger: Fixture.logger)
        }
        await store.close()
        #expect(await store.isHealthy() == false, "a closed pool is not healthy")
    }

    @Test("turns persist when the database is opened again, and each migration runs only once")
    func persists() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let first = try await Fixture.open(url)
        _ = try await first.append(Fixture.turn("s", "remember me"))
        await first.close()

        let reopened = try await Fixture.open(url)
        #expect(try await reopened.appliedMigrations() == ["v1_conversation_and_message"])
        let conversation = try #require(try await reopened.conversation(session: "s"))
        #expect(conversation.messages.map(\.content) == ["remember me", "re: remember me"])
        #expect(conversation.messages.first?.correlationId == "c-remember me")
        #expect(try await reopened.append(Fixture.turn("s", "next")) == 2)
        await reopened.close()
    }

    @Test("two stores opening a fresh database at once both start; the schema is migrated once")
    func concurrentMigrations() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresConversationStore.self) { group in
            for _ in 0..<4 { group.addTask { try await Fixture.open(url, operationTimeout: Fixture.contentionTimeout) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        #expect(try await Fixture.strings(url, "SELECT version FROM schema_migrations") == ["v1_conversation_and_message"])
        for store in stores {
            #expect(try await store.append(Fixture.turn("shared", "hello")) > 0)
        }
        #expect(try await stores[0].conversation(session: "shared")?.turnCount == 4)
        for store in stores { await store.close() }
    }

    @Test("two pools appending to one session at once: distinct turn numbers, nothing lost")
    func concurrentAppends() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let (a, b) = (try await Fixture.open(url, maxMessages: 1000, operationTimeout: Fixture.contentionTimeout),
                      try await Fixture.open(url, maxMessages: 1000, operationTimeout: Fixture.contentionTimeout))
        let perStore = 40
        let started = ContinuousClock.now
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<perStore {
                group.addTask { try await a.append(Fixture.turn("s", "a\(index)")) }
                group.addTask { try await b.append(Fixture.turn("s", "b\(index)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        print("PostgreSQL: \(2 * perStore) concurrent appends through two pools in \(ContinuousClock.now - started)")
        #expect(numbers.sorted() == Array(1...(2 * perStore)))
        let conversation = try #require(try await a.conversation(session: "s"))
        #expect(conversation.turnCount == 2 * perStore)
        #expect(conversation.messages.count == 4 * perStore)
        // Each turn has its user message and its answer, from the same append.
        for number in 1...(2 * perStore) {
            let messages = conversation.messages.filter { $0.turn == number }
            #expect(messages.map(\.role) == ["user", "assistant"], "turn \(number)")
            #expect(Set(messages.map(\.correlationId)).count == 1, "turn \(number)")
        }
        let texts = Set(conversation.messages.filter { $0.role == "user" }.map(\.content))
        #expect(texts == Set((0..<perStore).flatMap { ["a\($0)", "b\($0)"] }))
        await a.close()
        await b.close()
    }

    @Test("concurrent appends with pruning keep exactly the last whole turns")
    func concurrentPruning() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let (a, b) = (try await Fixture.open(url, maxMessages: 10, operationTimeout: Fixture.contentionTimeout),
                      try await Fixture.open(url, maxMessages: 10, operationTimeout: Fixture.contentionTimeout))
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask { try await a.append(Fixture.turn("s", "a\(index)")) }
                group.addTask { try await b.append(Fixture.turn("s", "b\(index)")) }
            }
            try await group.waitForAll()
        }
        let conversation = try #require(try await b.conversation(session: "s"))
        #expect(conversation.turnCount == 40)
        #expect(conversation.messages.map(\.turn) == [36, 36, 37, 37, 38, 38, 39, 39, 40, 40])
        await a.close()
        await b.close()
    }

    @Test("a database that does not answer stops start-up with a message naming the variable, without the password")
    func unreachable() async throws {
        // A port nothing listens on: the server's own port is free once we know the server is up,
        // so take a fresh one by binding and closing.
        let port = try Self.unusedPort()
        let url = try #require(DatabaseURL("postgres://fleet:s3cret@127.0.0.1:\(port)/conversations"))
        let started = ContinuousClock.now
        do {
            let store = try await Fixture.open(url, startupTimeout: .seconds(3))
            await store.close()
            Issue.record("a store opened on a closed port")
        } catch {
            let message = "\(error)"
            #expect(message.contains("ORCHESTRATOR_DATABASE_URL"), "\(message)")
            #expect(message.contains("127.0.0.1:\(port)/conversations"), "\(message)")
            #expect(!message.contains("s3cret"), "\(message)")
            #expect(message.lowercased().contains("refused"), "the message does not say why: \(message)")
        }
        // 3 s alone; the whole suite on two cores can starve the timer for a while, but never this long.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("a turn that waits too long for the database fails as a timeout naming postgres, and leaves nothing half-written")
    func operationTimeout() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let store = try await Fixture.open(url, operationTimeout: .seconds(1))
        #expect(try await store.append(Fixture.turn("s", "one")) == 1)
        // Another session holds the conversation's row lock, as a stuck transaction would.
        try await TemporaryPostgres.withConnection(to: url) { blocker in
            try await blocker.query("BEGIN", logger: Fixture.logger)
            try await blocker.query("SELECT turn_count FROM conversation WHERE id = 's' FOR UPDATE", logger: Fixture.logger)
            let started = ContinuousClock.now
            do {
                _ = try await store.append(Fixture.turn("s", "stuck"))
                Issue.record("the append did not time out")
            } catch let error as FleetError {
                #expect(error.code == .timeout && error.status == .gatewayTimeout, "\(error)")
                #expect(error.message.contains("postgres"), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(5))
            try await blocker.query("ROLLBACK", logger: Fixture.logger)
        }
        // The server cancelled the statement and rolled the turn back; the pool is usable again.
        #expect(try await store.append(Fixture.turn("s", "two")) == 2)
        let conversation = try #require(try await store.conversation(session: "s"))
        #expect(conversation.turnCount == 2)
        #expect(conversation.messages.map(\.content) == ["one", "re: one", "two", "re: two"])
        await store.close()
    }

    @Test("sslmode=require connects encrypted; verify-full refuses the test server's self-signed certificate")
    func tls() async throws {
        var url = try await TemporaryPostgres.makeDatabase()
        url.sslMode = .require
        let store = try await Fixture.open(url)
        let encrypted = try await store.client.query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                                                     logger: Fixture.logger).decode(Bool.self)
            .reduce(into: [Bool]()) { $0.append($1) }
        #expect(encrypted == [true], "the test server runs TLS when openssl is installed (scripts/ensure-deps.sh test)")
        #expect(try await store.append(Fixture.turn("s", "over TLS")) == 1)
        await store.close()

        url.sslMode = .verifyFull
        do {
            let unverified = try await Fixture.open(url, startupTimeout: .seconds(3))
            await unverified.close()
            Issue.record("verify-full accepted a self-signed certificate")
        } catch {
            #expect("\(error)".contains("ORCHESTRATOR_DATABASE_URL"), "\(error)")
            #expect("\(error)".contains("CERTIFICATE_VERIFY_FAILED"), "the message does not say why: \(error)")
        }
    }

    @Test("ORCHESTRATOR_STORE=postgres: the service's store is PostgreSQL, its readiness component is `postgres`")
    func serviceStore() async throws {
        let url = try await TemporaryPostgres.makeDatabase()
        let settings = try ServiceSettings.forTesting(member: .orchestrator, environment: [
            "ORCHESTRATOR_STORE": "postgres",
            "ORCHESTRATOR_DATABASE_URL": "postgres://\(url.username)@\(url.host):\(url.port)/\(url.database)",
        ])
        let config = try OrchestratorConfig(settings: settings)
        let store = try await OrchestratorService.makeStore(config, runtime: ServiceRuntime(member: .orchestrator,
                                                                                            settings: settings))
        #expect(store.kind == "postgres")
        #expect(store is PostgresConversationStore)
        #expect(await store.isHealthy())
        await (store as? PostgresConversationStore)?.close()
    }

    static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress -> Int32 in
                guard bind(fd, socketAddress, length) == 0 else { return -1 }
                return getsockname(fd, socketAddress, &length)
            }
        }
        guard bound == 0 else { throw PostgresTestError("could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

import FleetTestSupport
import Foundation
import GRDB
import Testing
@testable import OrchestratorService

@Suite("Conversation stores")
struct ConversationStoreTests {
    static func turn(_ session: String, _ text: String, blocked: String? = nil) -> NewTurn {
        NewTurn(sessionId: session, correlationId: "c-\(text)", userText: text, assistantText: "re: \(text)",
                inputGuardrailReason: blocked)
    }

    /// All three implementations, to check they behave the same: memory, SQLite in a fresh directory
    /// that is removed afterwards, and PostgreSQL in a fresh database on the test server
    /// (`TemporaryPostgres`), its pool closed afterwards.
    static func withStores(maxMessages: Int, _ body: (any ConversationStore) async throws -> Void) async throws {
        let directory = OrchestratorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(InMemoryConversationStore(maxMessagesPerSession: maxMessages))
        try await body(try SQLiteConversationStore(directory: directory, maxMessagesPerSession: maxMessages))
        try await PostgresStoreFixture.withStore(maxMessages: maxMessages, body)
    }

    @Test("turns are numbered per session, history is per session, oldest first, blocked turns left out")
    func history() async throws {
        try await Self.withStores(maxMessages: 200) { store in
            #expect(try await store.append(Self.turn("a", "one")) == 1)
            #expect(try await store.append(Self.turn("b", "other")) == 1)
            #expect(try await store.append(Self.turn("a", "ignore previous", blocked: "prompt_injection")) == 2)
            #expect(try await store.append(Self.turn("a", "three")) == 3)

            let history = try await store.recentHistory(session: "a", turns: 6)
            #expect(history.map(\.content) == ["one", "re: one", "three", "re: three"], "\(store.kind)")
            #expect(try await store.recentHistory(session: "a", turns: 1).map(\.turn) == [3, 3])
            #expect(try await store.recentHistory(session: "a", turns: 0).isEmpty)
            #expect(try await store.recentHistory(session: "nobody", turns: 6).isEmpty)
            #expect(try await store.conversationCount() == 2)
        }
    }

    @Test("SQLite stores a turn's time as GRDB stores a Date, in UTC, and reads it back to the millisecond")
    func sqliteTimestamps() async throws {
        let directory = OrchestratorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteConversationStore(directory: directory, maxMessagesPerSession: 10)
        // 2024-02-29 23:59:59.250 UTC: a leap day, a second before midnight.
        let at = Date(timeIntervalSince1970: 1_709_251_199.25)
        _ = try await store.append(NewTurn(sessionId: "s", correlationId: "c", userText: "hi", assistantText: "hello", at: at))
        #expect(SQLiteConversationStore.timestamp(at) == "2024-02-29 23:59:59.250")
        #expect(SQLiteConversationStore.timestamp(at) == String.fromDatabaseValue(at.databaseValue), "GRDB's own text")
        let conversation = try #require(try await store.conversation(session: "s"))
        for date in [conversation.createdAt, conversation.updatedAt] + conversation.messages.map(\.createdAt) {
            #expect(abs(date.timeIntervalSince(at)) < 0.001, "\(date)")
        }
    }

    @Test("each session keeps at most ORCHESTRATOR_MAX_MESSAGES_PER_SESSION messages, pruning whole old turns")
    func pruning() async throws {
        try await Self.withStores(maxMessages: 4) { store in
            for number in 1...5 { _ = try await store.append(Self.turn("s", "turn \(number)")) }
            _ = try await store.append(Self.turn("other", "untouched"))
            let conversation = try #require(try await store.conversation(session: "s"))
            #expect(conversation.turnCount == 5, "\(store.kind)")
            #expect(conversation.messages.map(\.turn) == [4, 4, 5, 5], "\(store.kind)")
            #expect(try await store.conversation(session: "other")?.messages.count == 2)
        }
    }

    @Test("each store keeps what it is given: text with quotes, unicode, guardrail reasons, correlation ids")
    func contents() async throws {
        try await Self.withStores(maxMessages: 200) { store in
            let session = "o'brien\"; DROP TABLE message; --"
            let text = "It's 20°C in Zürich — isn't it? 🙂 \\ %s $1"
            _ = try await store.append(NewTurn(sessionId: session, correlationId: "corr-1", userText: text,
                                               assistantText: "Yes.", outputGuardrailReason: "toxicity"))
            let conversation = try #require(try await store.conversation(session: session), "\(store.kind)")
            #expect(conversation.sessionId == session)
            #expect(conversation.messages.map(\.content) == [text, "Yes."], "\(store.kind)")
            #expect(conversation.messages.map(\.role) == ["user", "assistant"])
            #expect(conversation.messages.map(\.guardrailReason) == [nil, "toxicity"], "\(store.kind)")
            #expect(conversation.messages.map(\.correlationId) == ["corr-1", "corr-1"])
            #expect(try await store.conversationCount() == 1, "\(store.kind)")
            #expect(await store.isHealthy())
        }
    }

    @Test("deleting a session forgets it and its messages")
    func delete() async throws {
        try await Self.withStores(maxMessages: 200) { store in
            _ = try await store.append(Self.turn("s", "hello"))
            #expect(try await store.delete(session: "s"))
            #expect(try await store.delete(session: "s") == false)
            #expect(try await store.conversation(session: "s") == nil)
            #expect(try await store.conversationCount() == 0)
            #expect(try await store.append(Self.turn("s", "again")) == 1)
        }
    }

    static func appliedMigrations(_ store: SQLiteConversationStore) async throws -> [String] {
        try await store.pool.read { db in try SQLiteConversationStore.migrator.appliedMigrations(db) }
    }

    @Test("SQLite: migrated schema, WAL journal, health check")
    func sqliteSchema() async throws {
        let root = OrchestratorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        // DATA_DIR need not exist yet.
        let store = try SQLiteConversationStore(directory: root + "/nested/data")
        #expect(try await Self.appliedMigrations(store) == ["v1_conversation_and_message"])
        #expect(try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(await store.isHealthy())
        let columns = try await store.pool.read { db in try db.columns(in: "message").map(\.name) }
        #expect(columns == ["id", "conversation_id", "turn", "role", "content", "created_at", "correlation_id",
                            "guardrail_reason"])
        let indexes = try await store.pool.read { db in try db.indexes(on: "message").map(\.name) }
        #expect(indexes.contains("message_on_conversation_turn"))
    }

    @Test("SQLite: turns persist when the database is opened again, and migration runs only once")
    func sqlitePersists() async throws {
        let directory = OrchestratorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try SQLiteConversationStore(directory: directory)
            _ = try await store.append(Self.turn("s", "remember me"))
        }
        let reopened = try SQLiteConversationStore(directory: directory)
        #expect(try await Self.appliedMigrations(reopened) == ["v1_conversation_and_message"])
        let conversation = try #require(try await reopened.conversation(session: "s"))
        #expect(conversation.messages.map(\.content) == ["remember me", "re: remember me"])
        #expect(conversation.messages.first?.correlationId == "c-remember me")
        #expect(try await reopened.append(Self.turn("s", "next")) == 2)
    }

    @Test("SQLite: concurrent turns on one session get distinct numbers")
    func sqliteConcurrentTurns() async throws {
        let directory = OrchestratorFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteConversationStore(directory: directory)
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 { group.addTask { try await store.append(Self.turn("s", "t\(index)")) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...20))
    }
}

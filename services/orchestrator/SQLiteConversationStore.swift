import Foundation
public import GRDB

/// Conversation memory in SQLite, at `<DATA_DIR>/orchestrator.sqlite`.
///
/// A `DatabasePool` runs SQLite in WAL mode: concurrent turns read history while another turn
/// writes, and a crash never leaves half a turn behind because each turn is one transaction.
public struct SQLiteConversationStore: ConversationStore {
    public static let fileName = "orchestrator.sqlite"

    public let kind = "sqlite"
    public let path: String
    let pool: DatabasePool
    let keptTurns: Int

    /// Opens (creating if needed) the database in `directory` and migrates it to the current schema.
    public init(directory: String, maxMessagesPerSession: Int = 200) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        var configuration = Configuration()
        // Several turns may write at once; wait for the lock rather than fail with SQLITE_BUSY.
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        keptTurns = ConversationBound.turns(forMessages: maxMessagesPerSession)
        try Self.migrator.migrate(pool)
    }

    /// The schema, one registered migration per version; never edit a shipped one, add the next.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_conversation_and_message") { db in
            try db.create(table: "conversation") { t in
                t.primaryKey("id", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("turn_count", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "message") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("conversation_id", .text).notNull()
                    .references("conversation", onDelete: .cascade)
                t.column("turn", .integer).notNull()
                t.column("role", .text).notNull().check { ["user", "assistant"].contains($0) }
                t.column("content", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("correlation_id", .text)
                t.column("guardrail_reason", .text)
            }
            // History reads and pruning both go by conversation, then turn.
            try db.create(index: "message_on_conversation_turn", on: "message", columns: ["conversation_id", "turn"])
        }
        return migrator
    }

    // MARK: ConversationStore

    public func recentHistory(session: String, turns: Int) async throws -> [StoredMessage] {
        guard turns > 0 else { return [] }
        return try await pool.read { db in
            // Turns whose input was blocked carry the reason on their user message; skip them.
            try StoredMessage.fetchAll(db, sql: """
                SELECT * FROM message
                WHERE conversation_id = ? AND turn IN (
                    SELECT turn FROM message
                    WHERE conversation_id = ? AND role = 'user' AND guardrail_reason IS NULL
                    ORDER BY turn DESC LIMIT ?)
                ORDER BY turn, id
                """, arguments: [session, session, turns])
        }
    }

    public func append(_ turn: NewTurn) async throws -> Int {
        let keptTurns = keptTurns, at = Self.timestamp(turn.at)
        return try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO conversation (id, created_at, updated_at, turn_count) VALUES (?, ?, ?, 1)
                ON CONFLICT(id) DO UPDATE SET turn_count = turn_count + 1, updated_at = excluded.updated_at
                """, arguments: [turn.sessionId, at, at])
            let number = try Int.fetchOne(db, sql: "SELECT turn_count FROM conversation WHERE id = ?",
                                          arguments: [turn.sessionId]) ?? 1
            let insert = "INSERT INTO message (conversation_id, turn, role, content, created_at, correlation_id, guardrail_reason) VALUES (?, ?, ?, ?, ?, ?, ?)"
            try db.execute(sql: insert, arguments: [turn.sessionId, number, "user", turn.userText, at,
                                                    turn.correlationId, turn.inputGuardrailReason])
            try db.execute(sql: insert, arguments: [turn.sessionId, number, "assistant", turn.assistantText, at,
                                                    turn.correlationId,
                                                    turn.inputGuardrailReason ?? turn.outputGuardrailReason])
            try db.execute(sql: "DELETE FROM message WHERE conversation_id = ? AND turn <= ?",
                           arguments: [turn.sessionId, number - keptTurns])
            return number
        }
    }

    /// A time as GRDB stores a `Date`: "yyyy-MM-dd HH:mm:ss.SSS" in UTC, and read back as one. Bound
    /// as a `Date`, GRDB formats it with DateFormatter, which runs on ICU; at 100 speakers that put
    /// 2-3 MiB of ICU code in the orchestrator's RSS, its only use of ICU. FoundationEssentials' ISO
    /// 8601 style writes the same text (milliseconds truncated where ICU rounds).
    static func timestamp(_ date: Date) -> String { date.formatted(timestampStyle) }

    private static let timestampStyle = Date.ISO8601FormatStyle(dateSeparator: .dash, dateTimeSeparator: .space,
                                                                timeSeparator: .colon, timeZone: .gmt)
        .year().month().day().time(includingFractionalSeconds: true)

    public func conversation(session: String) async throws -> Conversation? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM conversation WHERE id = ?", arguments: [session])
            else { return nil }
            let messages = try StoredMessage.fetchAll(
                db, sql: "SELECT * FROM message WHERE conversation_id = ? ORDER BY turn, id", arguments: [session])
            return Conversation(sessionId: session, createdAt: row["created_at"], updatedAt: row["updated_at"],
                                turnCount: row["turn_count"], messages: messages)
        }
    }

    public func delete(session: String) async throws -> Bool {
        try await pool.write { db in
            // Messages go with it (ON DELETE CASCADE; GRDB turns foreign keys on).
            try db.execute(sql: "DELETE FROM conversation WHERE id = ?", arguments: [session])
            return db.changesCount > 0
        }
    }

    public func conversationCount() async throws -> Int {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversation") ?? 0 }
    }

    public func isHealthy() async -> Bool {
        (try? await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

/// A `message` row is a stored message: its snake_case columns are the properties' names, and the
/// `id` and `conversation_id` columns are left out.
extension StoredMessage: FetchableRecord {
    public static let databaseColumnDecodingStrategy = DatabaseColumnDecodingStrategy.convertFromSnakeCase
}

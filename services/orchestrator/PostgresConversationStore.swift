import FleetTelemetry
import Foundation
public import Logging
import NIOCore
import PostgresNIO
import ServiceKit
public import ServiceLifecycle
import Synchronization

/// Conversation memory in PostgreSQL (ORCHESTRATOR_STORE=postgres), which several orchestrator
/// replicas share: the same tables, index and behaviour as `SQLiteConversationStore`.
///
/// It runs its own `PostgresClient` (a connection pool) in a task it owns, from `init` on, so the
/// schema is migrated before the service starts; as a `Service` in the orchestrator's group it
/// closes the pool once the HTTP server has drained. Every value goes to the server as a bound
/// parameter (`PostgresQuery` interpolation), never spliced into SQL.
public final class PostgresConversationStore: ConversationStore, Service {
    public let kind = "postgres"
    /// Where it connects, the password hidden (for logs).
    public let endpoint: String
    let client: PostgresClient
    let keptTurns: Int
    let logger: Logger
    /// How long one store call may wait for the database (`defaultOperationTimeout`).
    let operationTimeout: Duration
    private let probe: PostgresConnection.Configuration
    private let running: Task<Void, Never>

    /// How long start-up waits for the database to answer and the migration to finish: a database
    /// that starts with the fleet (compose, a pod beside it) gets time to come up.
    public static let startupTimeout: Duration = .seconds(30)
    /// A readiness probe that waits longer than this reports the store unhealthy.
    static let healthTimeout: Duration = .seconds(2)

    /// Connects to `url`, waits for the database and migrates it to the current schema. Throws
    /// (closing the pool) when it cannot within `startupTimeout`, with the last reason it could not.
    public init(url: DatabaseURL, maxMessagesPerSession: Int = 200, maximumConnections: Int = 20, logger: Logger,
                startupTimeout: Duration = PostgresConversationStore.startupTimeout,
                operationTimeout: Duration = PostgresConversationStore.defaultOperationTimeout) async throws {
        let tls = Self.tls(url.sslMode)
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.username,
                                                         password: url.password, database: url.database,
                                                         tls: tls.map { .require($0) } ?? .disable)
        configuration.options.maximumConnections = maximumConnections
        // The server cancels a statement that runs past the operation timeout (one stuck on a lock,
        // say), so its transaction rolls back rather than committing after the caller gave up.
        configuration.options.additionalStartupParameters = [
            ("application_name", "audio-fleet orchestrator"),
            ("statement_timeout", "\(Int(operationTimeout.seconds * 1000))ms"),
        ]
        // One plain connection, the pool's settings, tried before each start-up attempt: the pool
        // retries a failed connection quietly, this one says why (refused, certificate, password...).
        probe = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.username,
                                                 password: url.password, database: url.database,
                                                 tls: try tls.map { .require(try NIOSSLContext(configuration: $0)) } ?? .disable)
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        endpoint = url.description
        self.logger = logger
        self.operationTimeout = operationTimeout
        keptTurns = ConversationBound.turns(forMessages: maxMessagesPerSession)
        running = Task { await client.run() }
        do {
            try await migrate(within: startupTimeout)
        } catch {
            await close()
            throw error
        }
    }

    /// The TLS settings of `mode`; nil for no TLS.
    static func tls(_ mode: DatabaseURL.SSLMode) -> TLSConfiguration? {
        switch mode {
        case .disable:
            return nil
        case .require:
            // libpq's `require`: encrypted, whoever's certificate it is.
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            return tls
        case .verifyFull:
            return .makeClientConfiguration()
        }
    }

    /// Closes the pool; queries after this fail. Idempotent.
    public func close() async {
        running.cancel()
        await running.value
    }

    /// As a service: nothing to do until the group shuts down, then close the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: Schema

    /// One entry per schema version, applied in order and recorded in `schema_migrations`; never
    /// edit a shipped one, add the next. The same tables and index as the SQLite store.
    static let migrations: [(version: String, statements: [String])] = [
        ("v1_conversation_and_message", [
            """
            CREATE TABLE conversation (
                id text PRIMARY KEY,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                turn_count bigint NOT NULL DEFAULT 0)
            """,
            """
            CREATE TABLE message (
                id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                conversation_id text NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
                turn bigint NOT NULL,
                role text NOT NULL CHECK (role IN ('user', 'assistant')),
                content text NOT NULL,
                created_at timestamptz NOT NULL,
                correlation_id text,
                guardrail_reason text)
            """,
            // History reads and pruning both go by conversation, then turn.
            "CREATE INDEX message_on_conversation_turn ON message (conversation_id, turn)",
        ]),
    ]

    /// The key of the transaction-scoped advisory lock the migration holds ("AudioFlt" in ASCII), so
    /// replicas starting together migrate one after another: the second finds the work done.
    static let migrationLock: Int64 = 0x4175_6469_6F46_6C74

    /// The versions recorded in `schema_migrations`, oldest first.
    func appliedMigrations() async throws -> [String] {
        try await client.query("SELECT version FROM schema_migrations ORDER BY applied_at, version", logger: logger)
            .decode(String.self).reduce(into: []) { $0.append($1) }
    }

    /// Retries until the database answers (it may be starting too), then migrates in one transaction.
    private func migrate(within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        var attempt = 0
        var lastError = "no answer"
        while true {
            attempt += 1
            do {
                try await Self.withTimeout(deadline - ContinuousClock.now) {
                    try await self.checkConnection()
                    try await self.migrateOnce()
                }
                return
            } catch is TimedOut {
                throw PostgresStoreError("PostgreSQL at \(endpoint) (ORCHESTRATOR_DATABASE_URL) could not be used within "
                                         + "\(limit): \(lastError)")
            } catch {
                lastError = Self.describe(error)
                guard ContinuousClock.now + .seconds(1) < deadline else {
                    throw PostgresStoreError("PostgreSQL at \(endpoint) (ORCHESTRATOR_DATABASE_URL): \(lastError)")
                }
                logger.warning("conversation store: PostgreSQL not ready, retrying", metadata: [
                    "database": "\(endpoint)", "attempt": "\(attempt)", "error": "\(lastError)",
                ])
                try await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Opens and closes one plain connection, so a failure comes back with its reason.
    private func checkConnection() async throws {
        let connection = try await PostgresConnection.connect(configuration: probe, id: 0, logger: logger)
        try await connection.close()
    }

    private func migrateOnce() async throws {
        let logger = logger
        let applied = try await client.withTransaction(logger: logger) { connection -> [String] in
            // A migration may wait for another replica's, and a future one may take long: no statement timeout.
            try await connection.query("SET LOCAL statement_timeout = 0", logger: logger)
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version text PRIMARY KEY,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, logger: logger)
            let done = try await connection.query("SELECT version FROM schema_migrations", logger: logger)
                .decode(String.self).reduce(into: Set<String>()) { $0.insert($1) }
            var applied: [String] = []
            for migration in Self.migrations where !done.contains(migration.version) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(migration.version))",
                                           logger: logger)
                applied.append(migration.version)
            }
            return applied
        }
        if !applied.isEmpty {
            logger.info("conversation store: migrated PostgreSQL", metadata: [
                "database": "\(endpoint)", "migrations": "\(applied.joined(separator: ","))",
            ])
        }
    }

    // MARK: ConversationStore

    public func recentHistory(session: String, turns: Int) async throws -> [StoredMessage] {
        guard turns > 0 else { return [] }
        // Turns whose input was blocked carry the reason on their user message; skip them.
        let client = client, logger = logger
        return try await bounded { try await Self.messages(client.query("""
            SELECT turn, role, content, created_at, correlation_id, guardrail_reason FROM message
            WHERE conversation_id = \(session) AND turn IN (
                SELECT turn FROM message
                WHERE conversation_id = \(session) AND role = 'user' AND guardrail_reason IS NULL
                ORDER BY turn DESC LIMIT \(turns))
            ORDER BY turn, id
            """, logger: logger)) }
    }

    /// One transaction: the upsert of the conversation row takes its row lock, so a concurrent turn
    /// of the same session, from this process or another replica, waits for this one to commit and
    /// then counts on from its number. Both messages and the pruning commit with the number.
    public func append(_ turn: NewTurn) async throws -> Int {
        let client = client, logger = logger, keptTurns = keptTurns
        return try await bounded { try await client.withTransaction(logger: logger) { connection -> Int in
            let numbered = try await connection.query("""
                INSERT INTO conversation (id, created_at, updated_at, turn_count)
                VALUES (\(turn.sessionId), \(turn.at), \(turn.at), 1)
                ON CONFLICT (id) DO UPDATE
                    SET turn_count = conversation.turn_count + 1, updated_at = excluded.updated_at
                RETURNING turn_count
                """, logger: logger)
            let number = try await Self.value(numbered, as: Int.self) ?? 1
            let assistantReason = turn.inputGuardrailReason ?? turn.outputGuardrailReason
            try await connection.query("""
                INSERT INTO message (conversation_id, turn, role, content, created_at, correlation_id, guardrail_reason)
                VALUES (\(turn.sessionId), \(number), 'user', \(turn.userText), \(turn.at), \(turn.correlationId),
                        \(turn.inputGuardrailReason)),
                       (\(turn.sessionId), \(number), 'assistant', \(turn.assistantText), \(turn.at),
                        \(turn.correlationId), \(assistantReason))
                """, logger: logger)
            try await connection.query("DELETE FROM message WHERE conversation_id = \(turn.sessionId) AND turn <= \(number - keptTurns)",
                                       logger: logger)
            return number
        } }
    }

    public func conversation(session: String) async throws -> Conversation? {
        // One snapshot for the row and its messages, as SQLite's read transaction gives.
        let client = client, logger = logger
        return try await bounded { try await client.withConnection { connection -> Conversation? in
            try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
            do {
                var header: (Date, Date, Int)?
                let rows = try await connection.query(
                    "SELECT created_at, updated_at, turn_count FROM conversation WHERE id = \(session)", logger: logger)
                for try await row in rows.decode((Date, Date, Int).self) { header = row }
                var result: Conversation?
                if let (createdAt, updatedAt, turnCount) = header {
                    let messages = try await Self.messages(connection.query("""
                        SELECT turn, role, content, created_at, correlation_id, guardrail_reason FROM message
                        WHERE conversation_id = \(session) ORDER BY turn, id
                        """, logger: logger))
                    result = Conversation(sessionId: session, createdAt: createdAt, updatedAt: updatedAt,
                                          turnCount: turnCount, messages: messages)
                }
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw error
            }
        } }
    }

    public func delete(session: String) async throws -> Bool {
        // Messages go with it (ON DELETE CASCADE).
        let client = client, logger = logger
        return try await bounded {
            try await Self.value(client.query("DELETE FROM conversation WHERE id = \(session) RETURNING 1", logger: logger),
                                 as: Int.self) != nil
        }
    }

    public func conversationCount() async throws -> Int {
        let client = client, logger = logger
        return try await bounded {
            try await Self.value(client.query("SELECT COUNT(*) FROM conversation", logger: logger), as: Int.self) ?? 0
        }
    }

    public func isHealthy() async -> Bool {
        let client = client, logger = logger
        let answer = try? await Self.withTimeout(Self.healthTimeout) {
            try await Self.value(client.query("SELECT 1", logger: logger), as: Int.self)
        }
        return answer == 1
    }

    // MARK: Helpers

    /// The one-column result's value (its last row's, reading every row), nil when it has none.
    private static func value<T: PostgresDecodable & Sendable>(_ rows: PostgresRowSequence, as type: T.Type) async throws -> T? {
        var value: T?
        for try await row in rows.decode(T.self) { value = row }
        return value
    }

    private static func messages(_ rows: PostgresRowSequence) async throws -> [StoredMessage] {
        var messages: [StoredMessage] = []
        for try await (turn, role, content, createdAt, correlationId, reason)
            in rows.decode((Int, String, String, Date, String?, String?).self) {
            messages.append(StoredMessage(turn: turn, role: role, content: content, createdAt: createdAt,
                                          correlationId: correlationId, guardrailReason: reason))
        }
        return messages
    }

    /// A turn waits at most this long for the database (a lease from the pool included: while the
    /// database is unreachable the pool keeps trying to connect and a lease would wait forever).
    public static let defaultOperationTimeout: Duration = .seconds(10)

    /// `operation` within `operationTimeout`, else a 504 `timeout` naming postgres. The server's
    /// statement timeout usually answers first (and rolls the transaction back); the client's own,
    /// a little later, covers a lease that waits for a database that does not answer at all.
    private func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let timeout = FleetError.downstream(.timeout, peer: kind, "no answer from the database within \(operationTimeout)")
        do {
            return try await Self.withTimeout(operationTimeout + .milliseconds(500), operation)
        } catch is TimedOut {
            throw timeout
        } catch {
            // query_canceled (the statement timeout), alone or inside a transaction's error.
            let transaction = error as? PostgresTransactionError
            let underlying = transaction.flatMap { $0.closureError ?? $0.commitError ?? $0.beginError } ?? error
            if let server = underlying as? PSQLError, server.serverInfo?[.sqlState] == "57014" { throw timeout }
            throw underlying
        }
    }

    struct TimedOut: Error {}

    /// `operation`'s result, or `TimedOut` once `limit` has passed. The operation is cancelled then
    /// but not waited for: a query waiting at the server (on a lock, say) does not stop when its task
    /// is cancelled, and a caller that gave up should not wait for it either.
    static func withTimeout<T: Sendable>(_ limit: Duration, _ operation: @escaping @Sendable () async throws -> T)
        async throws -> T {
        guard limit > .zero else { throw TimedOut() }
        let race = Race<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                race.start(continuation, limit: limit, operation: operation)
            }
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    /// The operation against a timer (and the caller's cancellation): the first to finish answers,
    /// the others are cancelled.
    final class Race<T: Sendable>: Sendable {
        private struct State {
            var continuation: CheckedContinuation<T, any Error>?
            var done = false
            var tasks: [Task<Void, Never>] = []
        }
        private let state = Mutex(State())

        func start(_ continuation: CheckedContinuation<T, any Error>, limit: Duration,
                   operation: @escaping @Sendable () async throws -> T) {
            let finished = state.withLock { state -> Bool in
                if !state.done { state.continuation = continuation }
                return state.done
            }
            guard !finished else { return continuation.resume(throwing: CancellationError()) }
            let work = Task {
                do { self.finish(.success(try await operation())) } catch { self.finish(.failure(error)) }
            }
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                self.finish(.failure(TimedOut()))
            }
            let cancelNow = state.withLock { state -> Bool in
                state.tasks = [work, timer]
                return state.done
            }
            if cancelNow { work.cancel(); timer.cancel() }
        }

        func finish(_ result: Result<T, any Error>) {
            let (continuation, tasks) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [Task<Void, Never>]) in
                guard !state.done else { return (nil, []) }
                state.done = true
                defer { state.continuation = nil }
                return (state.continuation, state.tasks)
            }
            for task in tasks { task.cancel() }
            continuation?.resume(with: result)
        }
    }

    /// The server's own message when there is one (PSQLError's description hides it on purpose).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
            }
            if let underlying = error.underlying { return "\(error.code): \(underlying)" }
            return "\(error.code)"
        }
        return "\(error)"
    }
}

/// Why the PostgreSQL store could not start; the message names the database (password hidden).
public struct PostgresStoreError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

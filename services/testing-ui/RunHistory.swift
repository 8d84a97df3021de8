import FleetContracts
import FleetSpeech
import Foundation
import GRDB
import HTTPTypes
import ServiceKit

/// The testing-ui's runs, kept in SQLite at `<DATA_DIR>/testing-ui.sqlite` with their audio, so a
/// run's page and its players still work after a restart, and the page can list what was tried.
///
/// A `DatabasePool` runs SQLite in WAL mode: the page reads the list while a run is written. Each
/// insert prunes to the newest `keep` runs in the same transaction, so the file stays bounded
/// (a run is two short Ogg files, tens of KB; an upload at most TESTING_UI_MAX_UPLOAD_BYTES).
/// When the file cannot be opened (a corrupt file, a read-only disk) the service keeps its
/// history in memory instead and says so on the page, rather than failing to start.
struct RunHistory: Sendable {
    static let fileName = "testing-ui.sqlite"

    let writer: any DatabaseWriter
    /// TESTING_UI_HISTORY: how many runs are kept.
    let keep: Int
    /// The file's path, or `memory`.
    let location: String

    /// Opens (creating if needed) the history in `directory` and migrates it to the current schema.
    init(directory: String, keep: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        location = URL(fileURLWithPath: directory).appendingPathComponent(Self.fileName).path
        var configuration = Configuration()
        // A run's insert and a page's read may meet; wait for the lock rather than fail.
        configuration.busyMode = .timeout(5)
        writer = try DatabasePool(path: location, configuration: configuration)
        self.keep = keep
        try Self.migrator.migrate(writer)
    }

    /// A history that lasts as long as the process: the fallback when the file cannot be used.
    init(inMemoryKeeping keep: Int) throws {
        writer = try DatabaseQueue()
        location = "memory"
        self.keep = keep
        try Self.migrator.migrate(writer)
    }

    var isInMemory: Bool { location == "memory" }

    /// The schema, one registered migration per version; never edit a shipped one, add the next.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1_run") { db in
            try db.create(table: "run") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("created_at", .datetime).notNull()
                t.column("input_kind", .text).notNull()
                t.column("input_format", .text).notNull()
                t.column("text", .text)
                t.column("voice", .text).notNull()
                t.column("reply_voice", .text)
                t.column("session_id", .text)
                t.column("turn", .integer)
                t.column("outcome", .text).notNull().check { ["replied", "blocked", "failed"].contains($0) }
                t.column("error", .text)
                t.column("error_status", .integer)
                t.column("transcript", .text)
                t.column("transcript_source", .text)
                t.column("response", .text)
                t.column("allowed", .boolean)
                t.column("guardrail_reason", .text)
                t.column("quality_score", .double)
                t.column("input_seconds", .double).notNull()
                t.column("reply_seconds", .double)
                for stage in ["synthesize", "upload", "process", "transcribe", "orchestrate", "total"] {
                    t.column("\(stage)_ms", .double).notNull().defaults(to: 0)
                }
                t.column("trace_id", .text)
                // Last, so reading the other columns never pages through the audio.
                t.column("input_audio", .blob).notNull()
                t.column("reply_audio", .blob)
            }
        }
        return migrator
    }

    /// Stores a run that had speech to send and prunes to the newest `keep`; answers its id.
    func insert(_ attempt: RunAttempt, at date: Date = Date()) async throws -> Int {
        guard let prepared = attempt.prepared else {
            throw FleetError.internalError("A run with no input audio is not kept in the history.")
        }
        let input = attempt.input
        let result = try? attempt.outcome.get()
        let failure: FleetError? = if case .failure(let error) = attempt.outcome { error } else { nil }
        let t = attempt.timings
        let values: [(String, (any DatabaseValueConvertible)?)] = [
            ("created_at", date), ("input_kind", input.kind.rawValue), ("input_format", prepared.format),
            ("text", PIIRedactor.shared.redacted(input.text)), ("voice", input.voice.id), ("reply_voice", result?.replyVoice ?? input.replyVoice.id),
            ("session_id", result?.sessionId ?? input.sessionId), ("turn", result?.turn),
            ("outcome", attempt.outcomeName), ("error", failure?.message), ("error_status", failure.map { $0.status.code }),
            ("transcript", PIIRedactor.shared.redacted(result?.transcript ?? attempt.heard)), ("transcript_source", result?.transcriptSource),
            ("response", PIIRedactor.shared.redacted(result?.response)), ("allowed", result?.allowed), ("guardrail_reason", result?.guardrailReason),
            ("quality_score", result?.inputQuality.qualityScore), ("input_seconds", prepared.seconds),
            ("reply_seconds", result?.replyAudioSeconds), ("synthesize_ms", t.synthesize), ("upload_ms", t.upload),
            ("process_ms", t.process), ("transcribe_ms", t.transcribe), ("orchestrate_ms", t.orchestrate),
            ("total_ms", t.total), ("trace_id", attempt.traceId), ("input_audio", Data(prepared.file)),
            ("reply_audio", attempt.replyAudio.map { Data($0) }),
        ]
        let sql = "INSERT INTO run (\(values.map(\.0).joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))"
        let arguments = StatementArguments(values.map(\.1))
        let keep = keep
        return try await writer.write { db in
            try db.execute(sql: sql, arguments: arguments)
            let id = Int(db.lastInsertedRowID)
            try db.execute(sql: "DELETE FROM run WHERE id NOT IN (SELECT id FROM run ORDER BY id DESC LIMIT ?)",
                           arguments: [keep])
            return id
        }
    }

    /// The newest runs first.
    func recent(limit: Int) async throws -> [RunRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT \(RunRecord.columns) FROM run ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map(RunRecord.init(row:))
        }
    }

    func record(id: Int) async throws -> RunRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT \(RunRecord.columns) FROM run WHERE id = ?", arguments: [id])
                .map(RunRecord.init(row:))
        }
    }

    /// A run's input or reply as Ogg Opus bytes; nil when there is no such run, or no reply audio.
    func audio(id: Int, reply: Bool) async throws -> [UInt8]? {
        let column = reply ? "reply_audio" : "input_audio"
        return try await writer.read { db in
            try Data.fetchOne(db, sql: "SELECT \(column) FROM run WHERE id = ?", arguments: [id]).map(Array.init)
        }
    }

    func count() async throws -> Int {
        try await writer.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM run") ?? 0 }
    }

    func isHealthy() async -> Bool {
        (try? await writer.read { db in try Int.fetchOne(db, sql: "SELECT 1") }) == 1
    }
}

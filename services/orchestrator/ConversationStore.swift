public import Foundation

/// One message of a stored conversation.
public struct StoredMessage: Codable, Sendable, Equatable {
    public var turn: Int
    /// `user` or `assistant`, as in the chat completion API.
    public var role: String
    public var content: String
    public var createdAt: Date
    public var correlationId: String?
    /// Set when a guardrail wrote or stopped this message (prompt_injection, toxicity, ...).
    public var guardrailReason: String?

    public init(turn: Int, role: String, content: String, createdAt: Date, correlationId: String?,
                guardrailReason: String?) {
        self.turn = turn
        self.role = role
        self.content = content
        self.createdAt = createdAt
        self.correlationId = correlationId
        self.guardrailReason = guardrailReason
    }
}

/// A conversation as GET /mcp/sessions/{session_id} shows it.
public struct Conversation: Codable, Sendable, Equatable {
    public var sessionId: String
    public var createdAt: Date
    public var updatedAt: Date
    /// Turns taken in the session, including any whose messages were pruned.
    public var turnCount: Int
    /// The messages still kept, oldest first.
    public var messages: [StoredMessage]

    public init(sessionId: String, createdAt: Date, updatedAt: Date, turnCount: Int, messages: [StoredMessage]) {
        self.sessionId = sessionId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.turnCount = turnCount
        self.messages = messages
    }
}

/// One finished exchange to remember: what the user said and what Atlas answered.
public struct NewTurn: Sendable, Equatable {
    public var sessionId: String
    public var correlationId: String
    /// The user's words as the guardrails sanitised them (PII already redacted).
    public var userText: String
    public var assistantText: String
    /// Set when the input guardrail blocked the turn; such turns are kept for the record but never
    /// fed back to the model, so a refused prompt injection cannot ride along in later context.
    public var inputGuardrailReason: String?
    /// Set when the output guardrail replaced the model's answer.
    public var outputGuardrailReason: String?
    public var at: Date

    public init(sessionId: String, correlationId: String, userText: String, assistantText: String,
                inputGuardrailReason: String? = nil, outputGuardrailReason: String? = nil, at: Date = Date()) {
        self.sessionId = sessionId
        self.correlationId = correlationId
        self.userText = userText
        self.assistantText = assistantText
        self.inputGuardrailReason = inputGuardrailReason
        self.outputGuardrailReason = outputGuardrailReason
        self.at = at
    }
}

/// Conversation memory, one history per session (the original kept one buffer for everybody).
///
/// The orchestrator depends on this protocol only; the service picks SQLite (or PostgreSQL, or memory:
/// ORCHESTRATOR_STORE), tests pick memory.
public protocol ConversationStore: Sendable {
    /// What the health check calls this store ("sqlite", "memory", "postgres"): the readiness component's name.
    var kind: String { get }

    /// The messages of the session's last `turns` turns that may go back to the model, oldest first.
    /// Turns whose input a guardrail blocked are left out.
    func recentHistory(session: String, turns: Int) async throws -> [StoredMessage]

    /// Stores both messages of a turn, creating the session if it is new, and returns the turn's
    /// number within the session (1 for the first). The oldest turns beyond the store's bound
    /// (ORCHESTRATOR_MAX_MESSAGES_PER_SESSION messages) are pruned, a whole turn at a time.
    func append(_ turn: NewTurn) async throws -> Int

    /// The whole kept conversation, or nil when the session is unknown.
    func conversation(session: String) async throws -> Conversation?

    /// Forgets a session; false when there was nothing to forget.
    func delete(session: String) async throws -> Bool

    /// How many conversations are kept (the conversation_sessions gauge).
    func conversationCount() async throws -> Int

    /// Whether the store answers a trivial query (the readiness component).
    func isHealthy() async -> Bool
}

/// Pruning keeps whole turns (a user message and its answer), never half of one.
enum ConversationBound {
    /// The turns kept for a bound of `messages` messages per session: two messages a turn, at least one turn.
    static func turns(forMessages messages: Int) -> Int { max(1, messages / 2) }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each kept at its first appearance.
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}

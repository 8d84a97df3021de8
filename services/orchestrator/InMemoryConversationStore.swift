import Foundation

/// The store in a process's memory, for tests and for running without a disk (ORCHESTRATOR_STORE=memory).
public actor InMemoryConversationStore: ConversationStore {
    private struct Session {
        var createdAt: Date
        var updatedAt: Date
        var turnCount: Int
        var messages: [StoredMessage]
    }

    public nonisolated let kind = "memory"
    private let keptTurns: Int
    private var sessions: [String: Session] = [:]

    public init(maxMessagesPerSession: Int = 200) {
        keptTurns = ConversationBound.turns(forMessages: maxMessagesPerSession)
    }

    public func recentHistory(session: String, turns: Int) -> [StoredMessage] {
        guard let stored = sessions[session], turns > 0 else { return [] }
        // A user message carries a guardrail reason only when the input guardrail blocked it.
        let blocked = Set(stored.messages.filter { $0.role == "user" && $0.guardrailReason != nil }.map(\.turn))
        let allowed = stored.messages.filter { !blocked.contains($0.turn) }
        let keep = Set(allowed.map(\.turn).reversed().uniqued().prefix(turns))
        return allowed.filter { keep.contains($0.turn) }
    }

    public func append(_ turn: NewTurn) -> Int {
        var session = sessions[turn.sessionId]
            ?? Session(createdAt: turn.at, updatedAt: turn.at, turnCount: 0, messages: [])
        session.turnCount += 1
        session.updatedAt = turn.at
        let number = session.turnCount
        session.messages.append(StoredMessage(turn: number, role: "user", content: turn.userText, createdAt: turn.at,
                                              correlationId: turn.correlationId,
                                              guardrailReason: turn.inputGuardrailReason))
        session.messages.append(StoredMessage(turn: number, role: "assistant", content: turn.assistantText,
                                              createdAt: turn.at, correlationId: turn.correlationId,
                                              guardrailReason: turn.inputGuardrailReason ?? turn.outputGuardrailReason))
        session.messages.removeAll { $0.turn <= number - keptTurns }
        sessions[turn.sessionId] = session
        return number
    }

    public func conversation(session: String) -> Conversation? {
        sessions[session].map {
            Conversation(sessionId: session, createdAt: $0.createdAt, updatedAt: $0.updatedAt,
                         turnCount: $0.turnCount, messages: $0.messages)
        }
    }

    public func delete(session: String) -> Bool {
        sessions.removeValue(forKey: session) != nil
    }

    public func conversationCount() -> Int { sessions.count }

    public func isHealthy() -> Bool { true }
}

import FleetContracts
public import ServiceKit

/// One thing a simulated speaker can say, and what the fleet should make of it.
public struct Phrase: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Starts with a wake phrase and asks something ordinary: Atlas should answer.
        case request
        /// No wake phrase: people talking to each other, which the bridge must ignore.
        case chatter
        /// Addressed to Atlas, but a prompt injection the input guardrail should block.
        case injection
        /// Addressed to Atlas and carrying personal data the output guardrail should redact.
        case pii
        /// Addressed to Atlas, building on its last answer: what a speaker in a conversation asks next.
        case followUp = "follow_up"
        /// Addressed to Atlas while it is still talking: what someone says cutting into its answer.
        case interjection
    }

    public let text: String
    public let kind: Kind

    public init(_ text: String, _ kind: Kind) {
        self.text = text
        self.kind = kind
    }
}

/// What the simulated voice channel talks about: mostly requests to Atlas, some chatter that
/// must not wake it, and a few turns that exercise the guardrails, so a demo run shows every
/// outcome (replied, no_wake_phrase, blocked) without anyone typing.
public enum PhraseCorpus {
    public static let all: [Phrase] = openers + followUps + interjections

    /// What a speaker may say out of the blue (follow-ups need a conversation first).
    static let openers: [Phrase] = requests + chatter + injections + personalData

    // The sentences live in FleetContracts (FleetPhrases), which the testing-ui's menu shares.
    static let requests = FleetPhrases.requests.map { Phrase($0, .request) }
    static let chatter = FleetPhrases.chatter.map { Phrase($0, .chatter) }
    static let injections = FleetPhrases.injections.map { Phrase($0, .injection) }
    static let personalData = FleetPhrases.personalData.map { Phrase($0, .pii) }
    static let greetings = FleetPhrases.greetings.map { Phrase($0, .request) }
    static let followUps = FleetPhrases.followUps.map { Phrase($0, .followUp) }
    static let interjections = FleetPhrases.interjections.map { Phrase($0, .interjection) }

    /// A speaker's first phrase: a request to Atlas, as people open a conversation with the
    /// assistant — and so a freshly started fleet answers (and fills every panel) within a turn.
    /// The speaker who opens a channel greets Atlas (a short exchange, so the first reply is
    /// heard, and its turn's trace is complete, within seconds).
    public static func pickOpening(greeting: Bool = false, using generator: inout SeededGenerator) -> Phrase {
        let choices = greeting ? greetings : requests
        return choices[Int.random(in: 0..<choices.count, using: &generator)]
    }

    /// The next phrase for a speaker, drawn from its own seeded stream so runs replay.
    public static func pick(using generator: inout SeededGenerator) -> Phrase {
        openers[Int.random(in: 0..<openers.count, using: &generator)]
    }

    /// A question that builds on Atlas's last answer.
    public static func pickFollowUp(using generator: inout SeededGenerator) -> Phrase {
        followUps[Int.random(in: 0..<followUps.count, using: &generator)]
    }

    /// What a speaker says when cutting into Atlas's answer.
    public static func pickInterjection(using generator: inout SeededGenerator) -> Phrase {
        interjections[Int.random(in: 0..<interjections.count, using: &generator)]
    }
}

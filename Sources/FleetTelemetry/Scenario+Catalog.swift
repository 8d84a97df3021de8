/// The fleet's scenarios: what can go wrong in a voice pipeline, one flag each.
/// `docs/operations/scenarios.md` says which panel moves and which alert fires for each.
extension Scenario {
    public static let all: [Scenario] = [
        sttSlow, sttFailure, llmSlowFirstToken, llmTimeout, llmStreamCut, ttsFailure, ttsSlow,
        guardrailsBlockStorm, packetLoss, jitterBurst, quietMicrophones, noisyRoom, memoryLeak,
        downstreamUnreachable, otlpBlackhole,
    ]

    static let percent = Scale.number(unit: "%", range: 0...100, neutral: 0)
    static let factor = Scale.number(unit: "x", range: 1...20, neutral: 1)

    // MARK: Models

    public static let sttSlow = Scenario(
        key: "sttSlow", summary: "Speech recognition takes this many times as long (a cold or overloaded GPU).",
        services: [.stt], scale: factor, onValue: .number(4))
    public static let sttFailure = Scenario(
        key: "sttFailure", summary: "This share of transcriptions fail with a 500 (the model crashes on the input).",
        services: [.stt], scale: percent, onValue: .number(25))
    public static let llmSlowFirstToken = Scenario(
        key: "llmSlowFirstToken", summary: "The language model waits this many extra seconds before its first token.",
        services: [.llm], scale: .number(unit: "s", range: 0...30, neutral: 0), onValue: .number(3))
    public static let llmTimeout = Scenario(
        key: "llmTimeout", summary: "This share of generations hang until the caller's timeout gives up on them.",
        services: [.llm], scale: percent, onValue: .number(50))
    public static let llmStreamCut = Scenario(
        key: "llmStreamCut", summary: "This share of streamed replies stop mid-reply (the connection drops).",
        services: [.llm], scale: percent, onValue: .number(30))
    public static let ttsFailure = Scenario(
        key: "ttsFailure", summary: "This share of speech syntheses fail with a 500.",
        services: [.tts], scale: percent, onValue: .number(25))
    public static let ttsSlow = Scenario(
        key: "ttsSlow", summary: "Speech synthesis takes this many times as long.",
        services: [.tts], scale: factor, onValue: .number(4))
    public static let guardrailsBlockStorm = Scenario(
        key: "guardrailsBlockStorm", summary: "Guardrails block this share of all input as toxic (a bad classifier rollout).",
        services: [.guardrails], scale: percent, onValue: .number(60))

    // MARK: The room and the network

    public static let packetLoss = Scenario(
        key: "packetLoss", summary: "Speakers' Opus packets are lost at this mean rate, in bursts (Gilbert-Elliott).",
        services: [.discord], scale: .number(unit: "%", range: 0...50, neutral: 0), onValue: .number(10))
    public static let jitterBurst = Scenario(
        key: "jitterBurst", summary: "Packets from speakers arrive with this much jitter (ms); late ones are concealed.",
        services: [.discord], scale: .number(unit: "ms", range: 0...500, neutral: 0), onValue: .number(60))
    public static let quietMicrophones = Scenario(
        key: "quietMicrophones", summary: "Speakers' microphones are this many dB too quiet: the VAD and the wake phrase miss them.",
        services: [.discord], scale: .number(unit: "dB", range: 0...60, neutral: 0), onValue: .number(30))
    public static let noisyRoom = Scenario(
        key: "noisyRoom", summary: "Room noise rises by this many dB: the quality score falls and enhancement works harder.",
        services: [.discord], scale: .number(unit: "dB", range: 0...40, neutral: 0), onValue: .number(25))

    // MARK: The fleet itself

    public static let memoryLeak = Scenario(
        key: "memoryLeak", summary: "The language model server leaks memory, up to this many MiB, freed when switched off.",
        services: [.llm], scale: .number(unit: "MiB", range: 0...512, neutral: 0), onValue: .number(256))
    public static let downstreamUnreachable = Scenario(
        key: "downstreamUnreachable", summary: "Calls to this service fail to connect: its callers' circuit breakers open.",
        services: [.discord, .stt, .orchestrator, .testingUI, .monitoringDashboard],
        scale: .peer(allowed: [FleetMember.audioProcessor, .stt, .orchestrator, .guardrails, .llm, .tts].map(\.name)),
        onValue: .string(FleetMember.guardrails.name))
    public static let otlpBlackhole = Scenario(
        key: "otlpBlackhole", summary: "The OTLP endpoint swallows every export without answering: telemetry stops arriving.",
        services: FleetMember.allCases, scale: .toggle, onValue: .bool(true))
}

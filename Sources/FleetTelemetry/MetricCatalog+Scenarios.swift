/// Metrics of the runtime knobs: which scenarios are on, the load the bridge puts on the fleet,
/// and what the simulated network does to the speakers' Opus packets.
extension MetricCatalog {
    // MARK: Scenarios (every service)

    public static let flagErrorReasons = ["malformed_file", "unknown_flag", "invalid_definition", "invalid_value",
                                          "unreachable"]

    public static let scenarioActive = MetricDefinition(
        "scenario_active", .gauge,
        help: "1 while a fault scenario is switched on, as this service sees its flag.",
        labels: [.init("scenario", allowed: Scenario.keys)], emittedBy: .everyService)
    public static let scenarioSeverity = MetricDefinition(
        "scenario_severity", .gauge,
        help: "A scenario's severity in its own unit (percent, factor, seconds, dB, MiB); 0 while off.",
        labels: [.init("scenario", allowed: Scenario.keys)], emittedBy: .everyService)
    public static let flagErrors = MetricDefinition(
        "flag_errors_total", .counter,
        help: "Flag definitions or evaluations refused (the last good state stays), by flag and reason.",
        labels: [.init("flag", allowed: Scenario.keys + ["file"]), .init("reason", allowed: flagErrorReasons)],
        emittedBy: .everyService)

    public static let scenarioLeakedBytes = MetricDefinition(
        "scenario_leaked_bytes", .gauge,
        help: "Memory the memoryLeak scenario holds in this process (written to, so resident); 0 while off.",
        emittedBy: .services(["llm-flan"]))
    public static let otlpRelayConnections = MetricDefinition(
        "otlp_relay_connections_total", .counter,
        help: "Exporter connections through the in-process OTLP relay, by outcome: forwarded to the collector, "
            + "swallowed by the otlpBlackhole scenario, failed (the collector refused or was unreachable), or "
            + "unanswered (forwarded, but the collector never answered: also counted as forwarded). "
            + "blackholed, failed and unanswered are lost exports.",
        labels: [.init("outcome", allowed: ["forwarded", "blackholed", "failed", "unanswered"])], emittedBy: .everyService)

    // MARK: How the models' work ends, which the model scenarios change (llm-flan, tts-bark)

    public static let llmGenerations = MetricDefinition(
        "llm_generations_total", .counter,
        help: "Generations by how they ended: completed, cut off mid-stream, or abandoned by a caller that went away.",
        labels: [.init("outcome", allowed: ["completed", "cut", "abandoned"])], emittedBy: .services(["llm-flan"]))
    public static let ttsSyntheses = MetricDefinition(
        "tts_syntheses_total", .counter,
        help: "Speech syntheses, by status.",
        labels: [.init("status", allowed: ["success", "error"])], emittedBy: .services(["tts-bark"]))

    static let scenarios = [scenarioActive, scenarioSeverity, flagErrors, scenarioLeakedBytes, otlpRelayConnections,
                            llmGenerations, ttsSyntheses]

    // MARK: Load (the voice bridge)

    public static let activeSpeakers = MetricDefinition(
        "voice_active_speakers", .gauge,
        help: "Simulated speakers in the bridge's voice channels right now.",
        emittedBy: .services(["discord"]))
    public static let voiceChannels = MetricDefinition(
        "voice_channels", .gauge,
        help: "Voice channels with at least one speaker, each with its own floor.",
        emittedBy: .services(["discord"]))
    public static let interruptedTurns = MetricDefinition(
        "voice_turns_interrupted_total", .counter,
        help: "Replies cut off because a speaker started talking over them (barge-in).",
        emittedBy: .services(["discord"]))

    static let load = [activeSpeakers, voiceChannels, interruptedTurns]

    // MARK: The speakers' network links (the voice bridge)

    public static let packetsReceived = MetricDefinition(
        "voice_packets_received_total", .counter,
        help: "Opus packets from speakers that reached the bridge in time to be played out.",
        emittedBy: .services(["discord"]))
    public static let packetsLost = MetricDefinition(
        "voice_packets_lost_total", .counter,
        help: "Opus packets from speakers lost in transit.",
        emittedBy: .services(["discord"]))
    public static let packetsLate = MetricDefinition(
        "voice_packets_late_total", .counter,
        help: "Opus packets that arrived after the jitter buffer had played out their slot.",
        emittedBy: .services(["discord"]))
    public static let framesConcealed = MetricDefinition(
        "voice_frames_concealed_total", .counter,
        help: "Missing frames filled in by the decoder, by method (packet-loss concealment or in-band FEC).",
        labels: [.init("method", allowed: ["plc", "fec"])], emittedBy: .services(["discord"]))
    public static let networkJitter = MetricDefinition(
        "voice_network_jitter_seconds", .histogram,
        help: "Packet arrival jitter on the speakers' links (RFC 3550 interarrival jitter).",
        buckets: jitterBuckets + [0.5], emittedBy: .services(["discord"]))
    public static let jitterBufferDelay = MetricDefinition(
        "voice_jitter_buffer_delay_seconds", .histogram,
        help: "Playout delay the bridge's adaptive jitter buffer holds packets for.",
        buckets: jitterBuckets + [0.5], emittedBy: .services(["discord"]))

    public static let jitterBufferStarved = MetricDefinition(
        "voice_jitter_buffer_starved_total", .counter,
        help: "Playout slots of a talking speaker that found no packet although none was lost in transit (it came late: network jitter, or the bridge's own lateness).",
        emittedBy: .services(["discord"]))
    /// 0.5 ms to 0.5 s, with steps around the 20 ms frame so a p95 near one frame is resolved.
    public static let frameLagBuckets: [Double] = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5]
    public static let frameLag = MetricDefinition(
        "voice_frame_lag_seconds", .histogram,
        help: "Lateness of each speaker's 20 ms frame into the bridge against its real-time schedule.",
        buckets: frameLagBuckets, emittedBy: .services(["discord"]))

    static let network = [packetsReceived, packetsLost, packetsLate, framesConcealed, networkJitter, jitterBufferDelay,
                          jitterBufferStarved, frameLag]
}

/// The one list of every metric the fleet emits.
///
/// Names follow Prometheus conventions (unit suffix, `_total` on counters) because swift-otel does
/// not export units: the name is the only place a unit can live. The same name reaches Prometheus
/// twice — scraped from each service's `/metrics`, and through the OTel Collector, which prefixes
/// `audio_orchestrator_` — so dashboards written against the collector path work natively after the
/// relabelling in `config/prometheus.native.yml`.
///
/// Label values are bounded: a label with `allowed` values maps anything else to `other`, so a
/// buggy caller can never explode cardinality.
public enum MetricCatalog {
    public static let all: [MetricDefinition] = http + health + process + audio + voice + stt + llm + tts
        + guardrails + orchestrator + ui + scenarios + load + network + backend

    /// Looks a metric up by name; the Prometheus factory uses this to find help text and buckets.
    public static func definition(named name: String) -> MetricDefinition? { byName[name] }

    private static let byName: [String: MetricDefinition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    // MARK: Bucket sets

    /// Request latencies of fast HTTP handlers, 1 ms to 10 s.
    public static let requestBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// Model-stage latencies (STT, LLM, TTS, a whole turn), 50 ms to 30 s.
    public static let stageBuckets: [Double] = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8, 13, 20, 30]
    /// Sub-millisecond DSP work, 100 µs to 1 s.
    public static let dspBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1]
    /// 0..1 scores in tenths.
    public static let scoreBuckets: [Double] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    /// The original discord bridge's STT latency buckets (0.25 s to 16 s).
    public static let originalSTTBuckets: [Double] = [0.25, 0.5, 1, 2, 4, 8, 16]
    /// The original discord bridge's pre-STT encode buckets (1 ms to 4 s).
    public static let originalEncodeBuckets: [Double] = [0.001, 0.004, 0.016, 0.064, 0.256, 1, 4]
    /// Word error rates: mostly 0 to 0.5, with an exact 0 bucket (a perfect transcript) and room
    /// above 1, which insertions reach (a recognizer hearing words in noise).
    public static let wordErrorRateBuckets: [Double] = [0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5]
    /// Playback jitter, 1 ms to 200 ms.
    public static let jitterBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2]

    // MARK: Bounded label values

    public static let serviceNames = FleetMember.allCases.map(\.name)
    public static let httpMethods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]
    public static let stages = ["stt", "llm", "tts"]
    public static let errorTypes = FleetErrorCode.all.map(\.description)

    // MARK: HTTP (every service)

    public static let httpServerDuration = MetricDefinition(
        "http_server_request_duration_seconds", .histogram,
        help: "Time to answer an HTTP request, by method, route template and status code.",
        labels: [.init("http_request_method", allowed: httpMethods), .init("http_route"),
                 .init("http_response_status_code")],
        buckets: requestBuckets, emittedBy: .everyService)
    public static let httpServerActive = MetricDefinition(
        "http_server_active_requests", .gauge,
        help: "HTTP requests being answered right now.", emittedBy: .everyService)
    public static let httpServerErrors = MetricDefinition(
        "http_server_errors_total", .counter,
        help: "HTTP requests answered with an error, by route and error type (4xx and 5xx).",
        labels: [.init("http_route"), .init("error_type", allowed: errorTypes)], emittedBy: .everyService)
    public static let httpClientDuration = MetricDefinition(
        "http_client_request_duration_seconds", .histogram,
        help: "Time for a call to another fleet service, by peer service and outcome.",
        labels: [.init("peer_service", allowed: serviceNames), .init("outcome", allowed: ["success", "error"])],
        buckets: stageBuckets, emittedBy: .services(["discord", "stt", "orchestrator", "testing-ui", "monitoring-dashboard"]))
    public static let httpClientRetries = MetricDefinition(
        "http_client_retries_total", .counter,
        help: "Calls to another fleet service that were retried after a failure.",
        labels: [.init("peer_service", allowed: serviceNames)],
        emittedBy: .services(["discord", "stt", "orchestrator", "testing-ui", "monitoring-dashboard"]))
    public static let circuitBreakerState = MetricDefinition(
        "circuit_breaker_state", .gauge,
        help: "Circuit breaker state per peer service: 0 closed, 1 half-open, 2 open.",
        labels: [.init("peer_service", allowed: serviceNames)],
        emittedBy: .services(["discord", "stt", "orchestrator", "testing-ui", "monitoring-dashboard"]))

    static let http = [httpServerDuration, httpServerActive, httpServerErrors, httpClientDuration,
                       httpClientRetries, circuitBreakerState]

    // MARK: Health (every service; the original's {svc}_service_health_status and friends)

    public static let healthStatus = MetricDefinition(
        "service_health_status", .gauge,
        help: "Readiness of this service: 1 ready, 0.5 degraded, 0 not ready.", emittedBy: .everyService)
    public static let dependencyHealth = MetricDefinition(
        "service_dependency_health", .gauge,
        help: "Readiness of each downstream dependency as last seen: 1 ready, 0 not.",
        labels: [.init("dependency", allowed: serviceNames + storeComponents + ["prometheus"])],
        emittedBy: .services(["discord", "stt", "orchestrator", "testing-ui", "monitoring-dashboard"]))
    public static let healthCheckDuration = MetricDefinition(
        "health_check_duration_seconds", .histogram,
        help: "Time to answer a readiness check, including the dependency probes.",
        buckets: requestBuckets, emittedBy: .everyService)

    static let health = [healthStatus, dependencyHealth, healthCheckDuration]
    /// The databases a readiness report names as components (the orchestrator's conversation store).
    public static let storeComponents = ["sqlite", "postgres"]

    // MARK: Process

    public static let residentMemory = MetricDefinition(
        "process_resident_memory_bytes", .gauge,
        help: "Resident memory of this service's process.", emittedBy: .everyService)
    public static let cpuSeconds = MetricDefinition(
        "process_cpu_seconds_total", .counter,
        help: "CPU time (user and system) used by this service's process.", emittedBy: .everyService)

    public static let serviceRestarts = MetricDefinition(
        "service_restarts_total", .counter,
        help: "Times `audio-fleet up` restarted this service after its process exited on its own; a restarted "
            + "process starts from the count so far (as Kubernetes' container restart count does). 0 when not run by up.",
        emittedBy: .everyService)

    static let process = [residentMemory, cpuSeconds, serviceRestarts]

    // MARK: Audio (the seed plan's audio metrics)

    public static let audioProcessingDuration = MetricDefinition(
        "audio_processing_duration_seconds", .histogram,
        help: "Time to decode, analyse and re-encode audio, by operation.",
        labels: [.init("operation", allowed: ["segment", "frame", "enhance", "denoise"])],
        buckets: dspBuckets + [2.5], emittedBy: .services(["audio-processor"]))
    public static let audioQualityScore = MetricDefinition(
        "audio_quality_score", .histogram,
        help: "Quality score (0..1) of audio seen, falling with noise, clipping and packet loss.",
        labels: [.init("stage", allowed: ["input", "processed"])],
        buckets: scoreBuckets, emittedBy: .services(["audio-processor"]))
    public static let audioChunksProcessed = MetricDefinition(
        "audio_chunks_processed_total", .counter,
        help: "Audio frames and segments processed, by operation and status.",
        labels: [.init("operation", allowed: ["segment", "frame", "enhance", "denoise"]),
                 .init("status", allowed: ["success", "error"])],
        emittedBy: .services(["audio-processor"]))

    public static let audioUploadsRejected = MetricDefinition(
        "audio_uploads_rejected_total", .counter,
        help: "Uploaded audio refused while it was read, by reason: the codec error's code, audio_too_long "
            + "for a file over the request's sample budget (its own claim, its packet count or its concealment).",
        labels: [.init("reason", allowed: ["audio_too_long", "not_ogg_opus", "truncated", "corrupt_packet",
                                           "unsupported_channel_count", "libopus", "invalid_wav", "invalid_frame_size"])],
        emittedBy: .services(["audio-processor", "stt", "testing-ui"]))

    static let audio = [audioProcessingDuration, audioQualityScore, audioChunksProcessed, audioUploadsRejected]

    // MARK: Voice turns (discord bridge)

    public static let wakeDetectionDuration = MetricDefinition(
        "wake_detection_duration_seconds", .histogram,
        help: "Time to check a transcript for the wake phrase, by result.",
        labels: [.init("result", allowed: ["detected", "not_detected"])],
        buckets: dspBuckets, emittedBy: .services(["discord"]))
    public static let endToEndResponse = MetricDefinition(
        "end_to_end_response_duration_seconds", .histogram,
        help: "Voice turn latency: end of user speech to the first reply audio frame played.",
        buckets: stageBuckets, emittedBy: .services(["discord"]))
    public static let endOfUtteranceDelay = MetricDefinition(
        "end_of_utterance_delay_seconds", .histogram,
        help: "Time from the last voiced frame to the segment being closed and sent on.",
        buckets: stageBuckets, emittedBy: .services(["discord"]))
    public static let stageTTFB = MetricDefinition(
        "voice_stage_ttfb_seconds", .histogram,
        help: "Time to first byte of each model stage as seen by its caller (stt, llm, tts).",
        labels: [.init("stage", allowed: stages)],
        buckets: stageBuckets, emittedBy: .services(["discord", "orchestrator"]))
    public static let voiceTurns = MetricDefinition(
        "voice_turns_total", .counter,
        help: "Voice segments handled by the bridge, by outcome.",
        labels: [.init("outcome", allowed: ["replied", "no_wake_phrase", "blocked", "empty", "interrupted", "error"])],
        emittedBy: .services(["discord"]))
    public static let activeSessions = MetricDefinition(
        "voice_active_sessions", .gauge,
        help: "Speakers in the simulated voice channel with a conversation in progress.",
        emittedBy: .services(["discord"]))
    public static let playbackJitter = MetricDefinition(
        "playback_jitter_seconds", .histogram,
        help: "Deviation of reply frames from their 20 ms playback schedule.",
        buckets: jitterBuckets, emittedBy: .services(["discord"]))
    public static let playbackUnderruns = MetricDefinition(
        "playback_underruns_total", .counter,
        help: "Reply frames that were not ready when their playback slot came.",
        emittedBy: .services(["discord"]))
    // Unlabelled on purpose: a speaker or voice label would multiply the buckets by the load's
    // speaker count; the turn span has the speaker for a WER that needs explaining.
    public static let transcriptWordErrorRate = MetricDefinition(
        "voice_transcript_word_error_rate", .histogram,
        help: "Word error rate of each transcript against what the simulated speaker said (0 is perfect; speech heard as nothing is 1).",
        buckets: wordErrorRateBuckets, emittedBy: .services(["discord"]))
    // The original bridge's prometheus_client metrics, kept by name.
    public static let sttRequests = MetricDefinition(
        "stt_requests_total", .counter,
        help: "STT requests made by the voice bridge, by status (migrated from the original).",
        labels: [.init("status", allowed: ["success", "error"])], emittedBy: .services(["discord"]))
    public static let sttLatency = MetricDefinition(
        "stt_latency_seconds", .histogram,
        help: "STT round trip as seen by the voice bridge (migrated from the original).",
        buckets: originalSTTBuckets, emittedBy: .services(["discord"]))
    public static let preSTTEncode = MetricDefinition(
        "pre_stt_encode_seconds", .histogram,
        help: "Time to encode a voice segment as Ogg Opus before STT (migrated from the original).",
        buckets: originalEncodeBuckets, emittedBy: .services(["discord"]))

    static let voice = [wakeDetectionDuration, endToEndResponse, endOfUtteranceDelay, stageTTFB, voiceTurns,
                        activeSessions, playbackJitter, playbackUnderruns, transcriptWordErrorRate, sttRequests,
                        sttLatency, preSTTEncode]

    // MARK: STT

    public static let sttTranscriptions = MetricDefinition(
        "stt_transcriptions_total", .counter,
        help: "Transcriptions made, by status and transcript source.",
        labels: [.init("status", allowed: ["success", "error"]),
                 .init("source", allowed: ["pocketsphinx", "reference", "none"])],
        emittedBy: .services(["stt"]))
    public static let sttTranscriptionDuration = MetricDefinition(
        "stt_transcription_duration_seconds", .histogram,
        help: "Time to transcribe one request, model time included.",
        buckets: stageBuckets, emittedBy: .services(["stt"]))
    public static let sttAudioSeconds = MetricDefinition(
        "stt_audio_seconds_total", .counter,
        help: "Seconds of audio transcribed.", emittedBy: .services(["stt"]))

    static let stt = [sttTranscriptions, sttTranscriptionDuration, sttAudioSeconds]

    // MARK: LLM (gen_ai)

    public static let llmTimeToFirstToken = MetricDefinition(
        "llm_time_to_first_token_seconds", .histogram,
        help: "Time from request to the first generated token.",
        buckets: stageBuckets, emittedBy: .services(["llm-flan"]))
    public static let llmRequestDuration = MetricDefinition(
        "llm_request_duration_seconds", .histogram,
        help: "Time to generate a whole completion, by intent.",
        labels: [.init("intent", allowed: ["time", "weather", "joke", "help", "greeting", "fallback"])],
        buckets: stageBuckets, emittedBy: .services(["llm-flan"]))
    public static let llmTokens = MetricDefinition(
        "llm_tokens_total", .counter,
        help: "Tokens read and generated, by gen_ai token type.",
        labels: [.init("gen_ai_token_type", allowed: ["input", "output"])], emittedBy: .services(["llm-flan"]))
    public static let llmOutputTokensPerSecond = MetricDefinition(
        "llm_output_tokens_per_second", .histogram,
        help: "Generation speed of each completion.",
        buckets: [5, 10, 20, 30, 40, 60, 80, 120, 200], emittedBy: .services(["llm-flan"]))

    static let llm = [llmTimeToFirstToken, llmRequestDuration, llmTokens, llmOutputTokensPerSecond]

    // MARK: TTS

    public static let ttsSynthesisDuration = MetricDefinition(
        "tts_synthesis_duration_seconds", .histogram,
        help: "Time to synthesise one reply, model time included.",
        buckets: stageBuckets, emittedBy: .services(["tts-bark"]))
    public static let ttsCharacters = MetricDefinition(
        "tts_characters_total", .counter,
        help: "Characters of text synthesised.", emittedBy: .services(["tts-bark"]))
    public static let ttsAudioSeconds = MetricDefinition(
        "tts_audio_seconds_total", .counter,
        help: "Seconds of speech synthesised.", emittedBy: .services(["tts-bark"]))

    static let tts = [ttsSynthesisDuration, ttsCharacters, ttsAudioSeconds]

    // MARK: Guardrails

    public static let guardrailsChecks = MetricDefinition(
        "guardrails_checks_total", .counter,
        help: "Guardrail validations, by direction, verdict and reason.",
        labels: [.init("direction", allowed: ["input", "output"]),
                 .init("verdict", allowed: ["safe", "sanitized", "blocked"]),
                 .init("reason", allowed: ["none", "too_long", "prompt_injection", "toxicity", "pii", "control_characters", "empty"])],
        emittedBy: .services(["guardrails"]))
    public static let guardrailsToxicity = MetricDefinition(
        "guardrails_toxicity_score", .histogram,
        help: "Toxicity score (0..1) of validated text.",
        buckets: scoreBuckets, emittedBy: .services(["guardrails"]))

    static let guardrails = [guardrailsChecks, guardrailsToxicity]

    // MARK: Orchestrator

    public static let orchestratorTurns = MetricDefinition(
        "orchestrator_turns_total", .counter,
        help: "Transcripts orchestrated, by outcome.",
        labels: [.init("outcome", allowed: ["replied", "blocked_input", "blocked_output", "error"])],
        emittedBy: .services(["orchestrator"]))
    public static let orchestratorTurnDuration = MetricDefinition(
        "orchestrator_turn_duration_seconds", .histogram,
        help: "Time from transcript in to reply text and audio out.",
        buckets: stageBuckets, emittedBy: .services(["orchestrator"]))
    public static let orchestratorTimeToFirstAudio = MetricDefinition(
        "orchestrator_time_to_first_audio_seconds", .histogram,
        help: "Streamed turns: time from transcript in to the first sentence's audio out.",
        buckets: stageBuckets, emittedBy: .services(["orchestrator"]))
    public static let conversationSessions = MetricDefinition(
        "conversation_sessions", .gauge,
        help: "Conversations kept in the orchestrator's SQLite memory.",
        emittedBy: .services(["orchestrator"]))

    static let orchestrator = [orchestratorTurns, orchestratorTurnDuration, orchestratorTimeToFirstAudio,
                             conversationSessions]

    // MARK: UIs

    public static let uiRuns = MetricDefinition(
        "testing_ui_runs_total", .counter,
        help: "Pipeline runs started from the testing UI, by status.",
        labels: [.init("status", allowed: ["success", "error"])], emittedBy: .services(["testing-ui"]))
    public static let dashboardScrapes = MetricDefinition(
        "dashboard_scrapes_total", .counter,
        help: "Scrapes of the fleet's health and metrics by the monitoring dashboard, by target and status.",
        labels: [.init("target", allowed: serviceNames), .init("status", allowed: ["success", "error"])],
        emittedBy: .services(["monitoring-dashboard"]))

    static let ui = [uiRuns, dashboardScrapes]
}

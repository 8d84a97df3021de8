/// A whole set of latency-model defaults, chosen at once with LATENCY_PROFILE, so one variable
/// turns the fleet into the stack it stands in for: today's defaults, the upstream stack as it
/// shipped on a CPU, or a tuned real-time voice stack.
///
/// Why a profile rather than a dozen variables: the stages' latencies only mean something together
/// (a fast model behind a slow end-of-utterance wait is not a real-time stack). Every service reads
/// the same variable through ServiceSettings and takes its own stage's defaults from it; each
/// stage's own variable (STT_LATENCY_MEDIAN, LLM_TTFT_MEDIAN, AUDIO_SILENCE_TIMEOUT, ...) still
/// overrides the profile's value. LATENCY_SCALE multiplies every simulated wait on top, as before.
///
/// The figures and where each comes from are in the comments of `original` and `realtime`;
/// docs/operations/native.md has them as a table.
public struct LatencyProfile: Sendable, Equatable {
    /// The LATENCY_PROFILE value.
    public let name: String
    /// What the profile mimics, for the docs and the error message.
    public let mimics: String
    /// stt: a fixed cost per call plus a cost per second of audio.
    public let stt: LatencyModel
    /// llm-flan: time to first token (plus a cost per prompt token) and the decoding speed.
    public let llmTimeToFirstToken: LatencyModel
    public let llmTokensPerSecond: Double
    /// tts-bark: a fixed cost per call plus a cost per character of text.
    public let tts: LatencyModel
    /// guardrails: the classifier's cost per check, plus a cost per character.
    public let guardrails: LatencyModel
    /// orchestrator: the agent's own work before each model call, plus a cost per history message.
    public let orchestratorAgent: LatencyModel
    /// discord: a Discord REST call (POST /mcp/send_message).
    public let discordAPI: LatencyModel
    /// discord: seconds of silence that end an utterance (the VAD hangover, AUDIO_SILENCE_TIMEOUT).
    public let silenceTimeout: Double

    /// Today's numbers, unchanged: the figures each *Config.swift documented before profiles existed
    /// (faster-whisper on a CPU, FLAN-T5-large and Bark on a mid-range GPU, an accelerated
    /// toxicity classifier, the original's LangChain agent, Discord's REST API).
    public static let `default` = LatencyProfile(
        name: "default",
        mimics: "the original models on a mid-range GPU (faster-whisper on CPU)",
        stt: LatencyModel(median: 0.25, p99: 0.625, perUnit: 0.12),
        llmTimeToFirstToken: LatencyModel(median: 0.25, p99: 0.9, perUnit: 0.0005),
        llmTokensPerSecond: 35,
        tts: LatencyModel(median: 0.4, p99: 1.0, perUnit: 0.008),
        guardrails: LatencyModel(median: 0.003, p99: 0.020, perUnit: 0.000_01),
        orchestratorAgent: LatencyModel(median: 0.012, p99: 0.06, perUnit: 0.0008),
        discordAPI: LatencyModel(median: 0.12, p99: 0.6),
        silenceTimeout: 0.75)

    /// The upstream stack as it shipped, every model on a CPU.
    public static let original = LatencyProfile(
        name: "original",
        mimics: "the upstream stack on a CPU: faster-whisper medium, FLAN-T5-large, Bark small, toxic-bert",
        // faster-whisper medium int8 on a CPU. Whisper pads every call to a 30 s window, so the
        // encoder's cost is fixed per call: faster-whisper's README benchmark (small, int8, 8
        // threads of an i7-12700K) does 13 min of audio, 26 windows, in ~1.7 min, ~4 s per full
        // window; medium's encoder is ~3x small's, run once per short utterance -> ~2 s, and the
        // decoder adds ~0.05 s per second of speech. p99 ~2.3x (a busy CPU).
        stt: LatencyModel(median: 2.0, p99: 4.5, perUnit: 0.05),
        // FLAN-T5-large (780M) in fp32 with Hugging Face generate on a CPU: each decoder step reads
        // the ~400M decoder weights (1.6 GB), so ~10 tokens/s is the memory-bandwidth bound of a
        // desktop and 5-7 is what Python-side generate reaches; the encoder pass over the prompt
        // and the first step take about a second, ~2 ms per prompt token.
        llmTimeToFirstToken: LatencyModel(median: 1.0, p99: 3.0, perUnit: 0.002),
        llmTokensPerSecond: 6,
        // Bark small (SUNO_USE_SMALL_MODELS) on a CPU: three autoregressive transformers (text ->
        // semantic -> coarse -> fine) then EnCodec. Bark's README: roughly real time only on
        // enterprise GPUs, "significantly slower" on a CPU; bark-small measured at RTF ~2.2 on an
        // Intel A770 GPU (intel/ipex-llm#9014, 33 s for 15 s of audio). On a CPU several times real
        // time: ~1.5 s to start and ~0.25 s per character (speech runs ~15 characters a second,
        // so RTF ~4). A long reply needs more than ORCHESTRATOR_TTS_TIMEOUT's 30 s, as it did then.
        tts: LatencyModel(median: 1.5, p99: 4.0, perUnit: 0.25),
        // toxic-bert (BERT-base) on a CPU: ~20-60 ms per short text (guardrails' own note).
        guardrails: LatencyModel(median: 0.03, p99: 0.08, perUnit: 0.000_1),
        // The same LangChain agent as the default: it does no model work of its own.
        orchestratorAgent: LatencyModel(median: 0.012, p99: 0.06, perUnit: 0.0008),
        discordAPI: LatencyModel(median: 0.12, p99: 0.6),
        // The original's AUDIO_SILENCE_TIMEOUT.
        silenceTimeout: 0.75)

    /// A tuned real-time voice stack of today, aiming at ~800 ms from end of speech to first
    /// audio, the budget voice-agent frameworks (LiveKit Agents, Pipecat) design for:
    /// ~300 ms end-of-turn wait + ~200 ms STT finalisation + ~200 ms LLM first token + ~150 ms
    /// TTS first audio.
    public static let realtime = LatencyProfile(
        name: "realtime",
        mimics: "a tuned real-time stack: streaming STT, a fast hosted LLM, streaming TTS (~800 ms voice to voice)",
        // Streaming STT (Deepgram Nova, AssemblyAI Universal-Streaming class) transcribes while
        // the person speaks and finalises ~150-250 ms after the end of speech, whatever the
        // utterance's length: no per-second cost.
        stt: LatencyModel(median: 0.2, p99: 0.45, perUnit: 0),
        // A fast hosted LLM (GPT-4o-mini / Llama-3-8B on Groq class): ~200 ms to first token,
        // ~100 tokens/s (Artificial Analysis' published medians for such endpoints); prefill on a
        // GPU costs ~0.05 ms per prompt token.
        llmTimeToFirstToken: LatencyModel(median: 0.2, p99: 0.5, perUnit: 0.000_05),
        llmTokensPerSecond: 100,
        // Streaming TTS (Cartesia Sonic, ElevenLabs Flash, Deepgram Aura class): first audio
        // ~100-200 ms, rendering ~30x faster than real time (~2 ms per character).
        tts: LatencyModel(median: 0.12, p99: 0.35, perUnit: 0.002),
        guardrails: LatencyModel(median: 0.003, p99: 0.020, perUnit: 0.000_01),
        // No agent framework in the loop: the prompt is assembled in a few milliseconds.
        orchestratorAgent: LatencyModel(median: 0.004, p99: 0.02, perUnit: 0.0002),
        discordAPI: LatencyModel(median: 0.12, p99: 0.6),
        // The end-of-turn wait: Pipecat's VAD stop_secs with a turn model is 0.2-0.3 s and
        // LiveKit's endpointing delay starts at 0.5 s; 0.35 s keeps the simulated speakers'
        // pauses between clauses (~0.2 s of flite silence at a comma) inside one utterance.
        silenceTimeout: 0.35)

    /// Every profile, in the order the docs and the error message list them.
    public static let all: [LatencyProfile] = [.default, .original, .realtime]

    /// The profile LATENCY_PROFILE names (case-insensitive); nil for an unknown name.
    public static func named(_ name: String) -> LatencyProfile? {
        all.first { $0.name == name.lowercased() }
    }

    /// What SettingsError says is expected: the valid names.
    static var expected: String {
        "one of " + all.map(\.name).joined(separator: ", ")
    }
}

import FleetContracts
import FleetPages
import FleetSpeech
import Foundation

/// What the templates draw, as plain stored values: Mustache reads properties by reflection, so
/// everything is computed here (numbers formatted, classes chosen) and the templates only place
/// and escape it. User text is kept as it came; `{{ }}` escapes it where it lands.
extension TestingUIPage {
    /// The page at /: the form, an empty result slot, the history and the fleet's controls.
    struct PageModel {
        let maxTextLength: Int
        let maxUploadMiB: String
        let maxAudioSeconds: Int
        let defaultText: String
        let voices: [VoiceOption]
        let replyVoices: [VoiceOption]
        let phraseGroups: [PhraseGroup]
        let history: HistoryView
        /// The load control's bounds: the speaker counts the bridge accepts.
        let loadMin = LoadChange.speakerRange.lowerBound
        let loadMax = LoadChange.speakerRange.upperBound
    }

    struct VoiceOption {
        let id: String
        let description: String
        let selected: Bool

        static func all(selected: Voice) -> [VoiceOption] {
            VoiceCatalog.current.voices.map { VoiceOption(id: $0.id, description: $0.description, selected: $0.id == selected.id) }
        }
    }

    /// One `<optgroup>` of the phrase menu: the sentences the simulated speakers say, by kind.
    struct PhraseGroup {
        let label: String
        let phrases: [String]

        static let all = [
            PhraseGroup(label: "Requests", phrases: FleetPhrases.requests),
            PhraseGroup(label: "Follow-ups", phrases: FleetPhrases.followUps),
            PhraseGroup(label: "Interjections", phrases: FleetPhrases.interjections),
            PhraseGroup(label: "Chatter (no wake phrase)", phrases: FleetPhrases.chatter),
            PhraseGroup(label: "Prompt injections (input guardrail)", phrases: FleetPhrases.injections),
            PhraseGroup(label: "Personal data (output guardrail)", phrases: FleetPhrases.personalData),
        ]
    }

    /// The history table (`#history`, refreshed live).
    struct HistoryView {
        let rows: [HistoryRow]
        let keeps: Int
        /// Set when the history is in memory only, with why.
        let memoryNote: String?
    }

    struct HistoryRow {
        let id: Int
        let page: String
        let time: String
        let isoTime: String
        let kind: String
        let text: String?
        let transcript: String?
        let outcome: String
        let totalMs: String
        let traceURL: String?

        init(_ record: RunRecord, links: PageLinks) {
            id = record.id
            page = record.pageUrl
            (time, isoTime) = TestingUIPage.times(record.createdAt)
            kind = TestingUIPage.kindLabel(record)
            text = record.text
            transcript = record.transcript ?? record.error
            outcome = record.outcome
            totalMs = TestingUIPage.milliseconds(record.timingsMs.total)
            traceURL = record.traceId.map(links.trace)
        }
    }

    /// One run, as its page and the result slot show it (`#run`).
    struct RunView {
        let id: Int
        let pageURL: String
        let time: String
        let isoTime: String
        let kindLabel: String
        let outcome: String
        let text: String?
        let transcript: String?
        let transcriptSource: String?
        let response: String?
        /// `allowed`, `blocked` or `failed`: the badge's text and class.
        let verdict: String
        let reason: String?
        let error: String?
        let voice: String
        let replyVoice: String?
        let sessionId: String?
        let turn: String?
        let input: String
        let stages: [StageView]
        let totalMs: String
        let inputAudioURL: String
        let replyAudioURL: String?
        let replySeconds: String?
        let traceURL: String?
        let traceId: String?

        init(_ record: RunRecord, links: PageLinks) {
            id = record.id
            pageURL = record.pageUrl
            (time, isoTime) = TestingUIPage.times(record.createdAt)
            kindLabel = TestingUIPage.kindLabel(record)
            outcome = record.outcome
            text = record.text
            transcript = record.transcript
            transcriptSource = record.transcriptSource
            response = record.response
            verdict = record.outcome == "failed" ? "failed" : record.allowed == false ? "blocked" : "allowed"
            reason = record.guardrailReason
            error = record.error.map { message in record.errorStatus.map { "HTTP \($0): \(message)" } ?? message }
            voice = record.voice
            replyVoice = record.replyVoice
            sessionId = record.sessionId
            turn = record.turn.map(String.init)
            let quality = record.qualityScore.map { String(format: " · quality %.2f", $0) } ?? ""
            input = String(format: "%@, %.2f s", record.inputFormat.replacingOccurrences(of: "_", with: " "),
                           record.inputAudioSeconds) + quality
            stages = StageView.all(record)
            totalMs = TestingUIPage.milliseconds(record.timingsMs.total)
            inputAudioURL = record.inputAudioUrl
            replyAudioURL = record.replyAudioUrl
            replySeconds = record.replyAudioSeconds.map { String(format: "%.2f s", $0) }
            traceURL = record.traceId.map(links.trace)
            traceId = record.traceId
        }
    }

    /// One segment of the timing bar and its legend entry; `index` picks the `stage-N` colour.
    struct StageView {
        let index: Int
        let name: String
        let ms: String
        let percent: String

        static func all(_ record: RunRecord) -> [StageView] {
            let t = record.timingsMs
            let first = record.inputKind == .text ? ("synthesize", t.synthesize) : ("upload", t.upload)
            let stages = [first, ("process", t.process), ("transcribe", t.transcribe), ("orchestrate", t.orchestrate)]
            // Shares of the total, which also holds the gaps between stages, so the bar never overflows.
            let whole = max(t.total, stages.map(\.1).reduce(0, +), 0.001)
            return stages.enumerated().map { index, stage in
                StageView(index: index, name: stage.0, ms: TestingUIPage.milliseconds(stage.1),
                          percent: String(format: "%.1f", 100 * stage.1 / whole))
            }
        }
    }

    /// "12:34:56 UTC" and the ISO form for `<time datetime>`.
    static func times(_ iso: String) -> (String, String) {
        guard let date = try? Date(iso, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) else {
            return (iso, iso)
        }
        let clock = date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)
            .time(includingFractionalSeconds: false).timeSeparator(.colon).dateTimeSeparator(.space))
        return (clock + " UTC", iso)
    }

    static func kindLabel(_ record: RunRecord) -> String {
        switch record.inputKind {
        case .text: "typed text"
        case .file: "uploaded \(record.inputFormat == "wav" ? "WAV" : "Ogg Opus") file"
        case .microphone: "microphone recording"
        }
    }

    static func milliseconds(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)
    }
}

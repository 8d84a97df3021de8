import Foundation
import Mustache

/// GET /: one self-contained page (no external assets) listing recent voice turns with players
/// for what the speaker said and what Atlas answered, and a form to make someone speak.
enum VoicePage {
    /// Parsed once. The text is a constant of this module, so a template that does not parse is a
    /// programming error; VoicePageTests parses it and fails first.
    static let template = try! MustacheTemplate(string: templateText)

    static func render(turns: [TurnRecord], speakers: [SpeakerStatus], channels: [ChannelView] = [],
                       medianEndToEnd: Double?) -> String {
        template.render(Model(turns: turns.map(Turn.init), speakers: speakers.map(Speaker.init),
                              channels: channels.map(Channel.init), speakerCount: speakers.count,
                              median: medianEndToEnd.map(seconds) ?? "no replies yet"))
    }

    /// `1.23 s`, as every latency on the page is written.
    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }

    // The view model: display-ready values, escaped by the template's `{{ }}`. Mustache looks a
    // name that is nil in a row up in the enclosing values, so no name of `Turn` or `Speaker` is
    // also a name of `Model`.

    struct Model {
        let turns: [Turn]
        let speakers: [Speaker]
        let channels: [Channel]
        let speakerCount: Int
        /// The median end-to-end latency, or why there is none.
        let median: String
    }

    struct Speaker {
        let name: String
        let voice: String
        let state: String
        let turnCount: Int

        init(_ speaker: SpeakerStatus) {
            name = speaker.name
            voice = speaker.voice
            state = speaker.state.rawValue
            turnCount = speaker.turns
        }
    }

    /// A voice channel: where it is, who sits in it, and how much Atlas has said there.
    struct Channel {
        let guild: String
        let channelId: String
        let members: String
        let botSeconds: String

        init(_ channel: ChannelView) {
            guild = channel.guild
            channelId = channel.id
            members = channel.speakers.isEmpty ? "nobody" : channel.speakers.joined(separator: ", ")
            botSeconds = String(format: "%.1f s", channel.botVoice.seconds)
        }
    }

    struct Turn {
        let id: Int
        let speaker: String
        let turnNumber: Int
        /// What STT heard; until it has, the page shows the phrase the speaker meant, dimmed.
        let transcript: String?
        let phrase: String
        /// The outcome, also the CSS class that colours it; `in_progress` for a turn in flight.
        let outcome: String
        let reply: String
        let guardrailReason: String?
        let error: String?
        let latency: String
        let traceId: String?
        let hasInputAudio: Bool
        let hasReplyAudio: Bool

        init(_ turn: TurnRecord) {
            id = turn.id
            speaker = turn.speaker
            turnNumber = turn.turnNumber
            transcript = turn.transcript
            phrase = turn.phrase
            outcome = turn.outcome?.rawValue ?? "in_progress"
            reply = turn.replyText ?? ""
            guardrailReason = turn.guardrailReason
            error = turn.error
            latency = turn.latencies.endToEnd.map(VoicePage.seconds) ?? "–"
            traceId = turn.traceId
            hasInputAudio = !turn.inputAudio.isEmpty
            hasReplyAudio = turn.replyAudio != nil
        }
    }
}

import FleetPages
import Foundation
import Mustache

/// GET /: the voice bridge's page in the fleet's shared frame (no external assets): the voice
/// channels and their speakers, a form to make someone speak, and the recent voice turns with
/// players for what the speaker said and what Atlas answered, each linking to its trace.
enum VoicePage {
    /// Parsed once. The text is a constant of this module, so a template that does not parse is a
    /// programming error; VoicePageTests parses it and fails first.
    static let template = try! MustacheTemplate(string: templateText)

    static func render(turns: [TurnRecord], speakers: [SpeakerStatus], channels: [ChannelView] = [],
                       medianEndToEnd: Double?, meanWordErrorRate: Double? = nil, pageLinks: PageLinkSettings = .init(),
                       requestHost: String? = nil) -> String {
        let links = pageLinks.links(requestHost: requestHost)
        let body = template.render(Model(turns: turns.map { Turn($0, links: links) }, speakers: speakers.map(Speaker.init),
                                         channels: channels.map(Channel.init), speakerCount: speakers.count,
                                         median: medianEndToEnd.map(seconds) ?? "no replies yet",
                                         meanWordErrorRate: meanWordErrorRate.map(percent) ?? "no transcripts yet"))
        return FleetPage.render(.init(title: "Voice channels", section: .bridge, links: links, body: body, script: script))
    }

    /// `1.23 s`, as every latency on the page is written.
    static func seconds(_ value: Double) -> String {
        String(format: "%.2f s", value)
    }

    /// `12 %`: a word error rate as people quote it.
    static func percent(_ rate: Double) -> String {
        String(format: "%.0f %%", rate * 100)
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
        /// The recent transcripts' mean word error rate, or why there is none.
        let meanWordErrorRate: String
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
        /// How far the transcript is from the phrase; nil before stt answers or with nothing to score.
        let wordErrorRate: String?
        /// The phrase again beside a transcript that got it wrong, so the errors can be seen.
        let misheardPhrase: String?
        /// The outcome, also the CSS class that colours it; `in_progress` for a turn in flight.
        let outcome: String
        let reply: String
        let guardrailReason: String?
        let error: String?
        let latency: String
        let traceId: String?
        /// The trace's page: Jaeger's when configured, else the monitoring dashboard's waterfall.
        let traceLink: String
        let hasInputAudio: Bool
        let hasReplyAudio: Bool

        init(_ turn: TurnRecord, links: PageLinks) {
            id = turn.id
            speaker = turn.speaker
            turnNumber = turn.turnNumber
            transcript = turn.transcript
            phrase = turn.phrase
            wordErrorRate = turn.wordErrorRate.map(VoicePage.percent)
            misheardPhrase = (turn.wordErrorRate ?? 0) > 0 ? turn.phrase : nil
            outcome = turn.outcome?.rawValue ?? "in_progress"
            reply = turn.replyText ?? ""
            guardrailReason = turn.guardrailReason
            error = turn.error
            latency = turn.latencies.endToEnd.map(VoicePage.seconds) ?? "–"
            traceId = turn.traceId
            traceLink = turn.traceId.map(links.trace) ?? ""
            hasInputAudio = !turn.inputAudio.isEmpty
            hasReplyAudio = turn.replyAudio != nil
        }
    }
}

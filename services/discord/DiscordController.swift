import FleetContracts
import Foundation
import Hummingbird
import ServiceKit

/// The demo's voice surface, where a person can watch turns go by, listen to both sides of each,
/// and make a speaker say something. (The original's MCP endpoints are `MCPController`.)
struct DiscordController: Sendable {
    let fleet: VoiceFleet
    let config: DiscordConfig
    /// The load switch is refused cross-site, and without FLEET_API_TOKEN beyond loopback.
    var mutationGuard = MutationGuard.loopbackDefault

    static let maxSpokenLength = 300
    /// A sentence of at most 300 characters and a speaker's name.
    static let speakBodyLimit = 16 * 1024

    func addRoutes(to group: RouterGroup<FleetRequestContext>) {
        group.get("/voice/status", use: status)
        group.get("/voice/load", use: load)
        group.guarded(by: mutationGuard).put("/voice/load", use: changeLoad)
        group.get("/voice/turns", use: listTurns)
        group.get("/voice/turns/{id}", use: turn)
        group.get("/voice/turns/{id}/input.opus", use: inputAudio)
        group.get("/voice/turns/{id}/reply.opus", use: replyAudio)
        group.post("/voice/speak", use: speak)
        group.get("/", use: page)
    }

    func status(request: Request, context: FleetRequestContext) async throws -> StatusView {
        let outcomes = await fleet.turns.outcomes
        let channels = await channelViews(of: await fleet.channels)
        // Channels whose speakers all left still count: what Atlas said there was said.
        let total = await channelViews(of: await fleet.everyChannel).reduce(into: StatusView.BotVoice(frames: 0, seconds: 0, opusBytes: 0)) { total, channel in
            total.frames += channel.botVoice.frames
            total.seconds += channel.botVoice.seconds
            total.opusBytes += channel.botVoice.opusBytes
        }
        return StatusView(
            channelOpen: await fleet.isOpen, autostart: config.autostart, packetLossPercent: config.packetLossPercent,
            channelSize: config.channelSize, channels: channels, speakers: await fleet.roster.all,
            turns: await fleet.turns.finishedCount,
            outcomes: Dictionary(uniqueKeysWithValues: TurnOutcome.allCases.map { ($0.rawValue, outcomes[$0] ?? 0) }),
            medianEndToEndSeconds: await fleet.turns.medianEndToEnd,
            meanWordErrorRate: await fleet.turns.meanWordErrorRate, botVoice: total)
    }

    private func channelViews(of channels: [VoiceChannel]) async -> [ChannelView] {
        var views: [ChannelView] = []
        for channel in channels {
            let output = channel.output
            views.append(ChannelView(guild: channel.guild, id: channel.id, speakers: channel.memberNames, botVoice: .init(
                frames: await output.framesSent, seconds: await output.secondsSent, opusBytes: await output.bytesSent)))
        }
        return views
    }

    /// A JSON body of one small number.
    static let loadBodyLimit = 1024

    func load(request: Request, context: FleetRequestContext) async throws -> VoiceLoad {
        await fleet.load
    }

    /// PUT /voice/load's body as sent: a number that may yet be missing, fractional or out of range.
    private struct LoadBody: Decodable {
        var speakers: Double?
    }

    /// Changes the number of speakers at once; the active-speakers gauge follows immediately.
    func changeLoad(request: Request, context: FleetRequestContext) async throws -> VoiceLoad {
        let body = try await request.decodeJSON(LoadBody.self, limit: Self.loadBodyLimit)
        let limit = config.shard.fleetLimit(perBridge: DiscordConfig.maxSpeakers)
        guard let number = body.speakers, let speakers = Int(exactly: number) else {
            throw FleetError.badRequest("'speakers' must be a whole number between \(LoadChange.speakerRange.lowerBound) and \(limit).")
        }
        let change = LoadChange(speakers: speakers)
        if let problem = change.problem(upTo: limit) { throw FleetError.badRequest(problem) }
        return try await fleet.setLoad(speakers: change.speakers)
    }

    func listTurns(request: Request, context: FleetRequestContext) async throws -> [String: [TurnView]] {
        let limit = try request.limitParameter(default: 20, max: config.turnHistory)
        return ["turns": await fleet.turns.recent(limit: limit).map(TurnView.init)]
    }

    func turn(request: Request, context: FleetRequestContext) async throws -> TurnView {
        TurnView(try await record(context))
    }

    func inputAudio(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let record = try await record(context)
        guard !record.inputAudio.isEmpty else {
            throw FleetError.notFound("Turn \(record.id) has no input audio yet.")
        }
        return .oggOpus(record.inputAudio, filename: "turn-\(record.id)-input.opus")
    }

    func replyAudio(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        let record = try await record(context)
        guard let audio = record.replyAudio, !audio.isEmpty else {
            throw FleetError.notFound("Turn \(record.id) has no spoken reply (outcome: \(record.outcome?.rawValue ?? "in progress")).")
        }
        return .oggOpus(audio, filename: "turn-\(record.id)-reply.opus")
    }

    func speak(request: Request, context: FleetRequestContext) async throws -> EditedResponse<SpeakResponse> {
        let body = try await request.decodeJSON(SpeakRequest.self, limit: Self.speakBodyLimit)
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw FleetError.badRequest("text must not be empty.") }
        guard text.count <= Self.maxSpokenLength else {
            throw FleetError.badRequest("text is \(text.count) characters; a speaker says at most \(Self.maxSpokenLength) at once.")
        }
        guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
            throw FleetError.badRequest("text has no words to speak.")
        }
        let queued: (turnID: Int, speaker: String)
        do {
            queued = try await fleet.speak(text, as: body.speaker)
        } catch {
            switch error {
            case .noSpeakers:
                throw FleetError.unprocessable("The voice channels have no speakers (the load is 0; PUT /voice/load adds some).")
            case .unknownSpeaker(let name, let known):
                let listed = known.prefix(16).joined(separator: ", ") + (known.count > 16 ? " and \(known.count - 16) more" : "")
                throw FleetError.badRequest("No speaker named '\(name)'; the channels have \(listed).")
            }
        }
        return EditedResponse(status: .accepted, response: SpeakResponse(
            turnId: queued.turnID, speaker: queued.speaker, status: "queued", turnUrl: "/voice/turns/\(queued.turnID)"))
    }

    func page(request: Request, context: FleetRequestContext) async throws -> BinaryBody {
        .html(VoicePage.render(turns: await fleet.turns.recent(limit: config.turnHistory),
                               speakers: await fleet.roster.all, channels: await channelViews(of: await fleet.channels),
                               medianEndToEnd: await fleet.turns.medianEndToEnd,
                               meanWordErrorRate: await fleet.turns.meanWordErrorRate,
                               pageLinks: config.pageLinks, requestHost: request.head.authority))
    }

    /// The turn the path's `{id}` names, if the log still has it.
    private func record(_ context: FleetRequestContext) async throws -> TurnRecord {
        guard let id = context.parameters.get("id", as: Int.self) else {
            throw FleetError.badRequest("The turn id must be a number.")
        }
        guard let record = await fleet.turns.record(id: id) else {
            throw FleetError.notFound("No turn \(id) in the last \(config.turnHistory) turns.")
        }
        return record
    }
}

extension Request {
    /// The `limit` query parameter: `fallback` when absent, never more than `upper`.
    func limitParameter(default fallback: Int, max upper: Int) throws -> Int {
        guard let raw = uri.queryParameters.get("limit") else { return min(fallback, upper) }
        guard let value = Int(raw), value >= 1 else { throw FleetError.badRequest("limit must be a positive whole number.") }
        return min(value, upper)
    }
}

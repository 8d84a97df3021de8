public import AsyncHTTPClient
import FleetTelemetry
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
public import ServiceLifecycle

/// Keeps a process's scenarios in step with flagd, over OFREP (the OpenFeature Remote Evaluation
/// Protocol): every `interval` it asks for a bulk evaluation, `POST {base}/ofrep/v1/evaluate/flags`
/// with an empty context, sending the last ETag as If-None-Match so an unchanged flag set costs a
/// 304. flagd notices a change of its file within milliseconds, so a change is in effect here
/// within about `interval`.
///
/// Each scenario's value is checked against the catalog; a bad one keeps that scenario's last good
/// value (logged naming the flag, counted). While flagd cannot be reached every scenario keeps its
/// last good value: each failed poll is counted (reason "unreachable"), and a warning is logged once
/// per outage, not once a second.
public struct OFREPSource: Service {
    public let baseURL: String
    let http: HTTPClient
    let report: FlagReport
    let interval: Duration
    let timeout: Duration

    /// - Parameter http: the client to poll with; by default the untraced probe client, because a
    ///   root trace per poll (one a second in each of nine services) would bury the voice turns in
    ///   Jaeger, as health probes would.
    public init(baseURL: String, board: ScenarioBoard, logger: Logger, http: HTTPClient = .probes,
                interval: Duration = .seconds(1), timeout: Duration = .seconds(1)) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.report = FlagReport(board: board, logger: logger)
        self.interval = interval
        self.timeout = timeout
    }

    /// What the poller remembers between polls.
    struct PollState {
        var etag: String?
        /// The last answer evaluated, so an unchanged answer (from a flagd that sends no ETag) is
        /// not evaluated, logged and counted again every second.
        var lastBody: [UInt8]?
        /// Every scenario's last good value.
        var values = Dictionary(uniqueKeysWithValues: Scenario.all.map { ($0.key, $0.offValue) })
        var outageSince: ContinuousClock.Instant?
    }

    public func run() async throws {
        var state = PollState()
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            await poll(&state)
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    var endpoint: String { "\(baseURL)/ofrep/v1/evaluate/flags" }

    /// One bulk evaluation: applies what changed, or reports why nothing could be.
    func poll(_ state: inout PollState) async {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        if let etag = state.etag { request.headers.add(name: "If-None-Match", value: etag) }
        request.body = .bytes(ByteBuffer(string: #"{"context":{}}"#))
        let status: HTTPResponseStatus
        let body: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
            status = response.status
            if status == .ok { state.etag = response.headers.first(name: "ETag") }
            body = try await response.body.collect(upTo: 1 << 20)
        } catch {
            unreachable(&state, because: "\(error)")
            return
        }
        switch status {
        case .notModified:
            recovered(&state)
        case .ok:
            recovered(&state)
            let bytes = Array(body.readableBytesView)
            guard bytes != state.lastBody else { return }
            state.lastBody = bytes
            evaluate(bytes, into: &state.values)
        default:
            unreachable(&state, because: "flagd answered HTTP \(status.code)")
        }
    }

    /// Checks an OFREP bulk answer and applies it; refused flags keep their last good value.
    func evaluate(_ bytes: [UInt8], into values: inout [String: FlagValue]) {
        let answer: OFREPBulkAnswer
        do {
            answer = try JSONDecoder().decode(OFREPBulkAnswer.self, from: Data(bytes))
        } catch {
            report.refuse(FlagError(flag: "file", reason: "malformed_file",
                                    message: "flagd's answer at \(endpoint) is not an OFREP bulk evaluation: \(error)"),
                          source: endpoint)
            return
        }
        let (next, errors) = answer.values(keeping: values)
        for error in errors { report.refuse(error, source: endpoint) }
        values = next
        report.apply(next, source: endpoint)
    }

    private func unreachable(_ state: inout PollState, because reason: String) {
        MetricCatalog.flagErrors.increment(["flag": "file", "reason": "unreachable"])
        guard state.outageSince == nil else { return }
        state.outageSince = .now
        report.logger.warning("flagd cannot be reached; the scenarios keep their last good state until it answers", metadata: [
            "url": .string(endpoint), "error": .string(reason),
        ])
    }

    private func recovered(_ state: inout PollState) {
        guard let since = state.outageSince else { return }
        state.outageSince = nil
        report.logger.info("flagd answers again", metadata: [
            "url": .string(endpoint), "outage_seconds": .stringConvertible(Int((ContinuousClock.now - since).components.seconds)),
        ])
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

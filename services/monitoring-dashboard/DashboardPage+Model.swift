import FleetContracts
import FleetPages
import FleetTelemetry
import Foundation
import ServiceKit

// The dashboard's view model: display-ready strings, escaped by the template's `{{ }}`. Mustache
// looks a name that is nil in a row up in the enclosing values, so the rows' names are their own
// (`problem`, `turnJaeger`...), never a name of `Model`.

extension DashboardPage {
    /// The whole page, display-ready.
    struct Model {
        let pollEvery: String
        let updated: String
        let prometheus: PrometheusView?
        let quantilesFromPrometheus: Bool
        let quantileSourceNow: String
        let healthRows: [HealthRow]
        let historyWindow: String

        let speakers: String
        let channelsText: String
        let e2eMedian: String
        let e2eP95: String
        let e2eCount: String
        let outcomes: [OutcomeCount]
        let ttfbStt: String
        let ttfbLlm: String
        let ttfbTts: String
        let quality: String

        let map: ServiceMapDrawing
        let mapEmpty: Bool
        let mapError: String?
        let telemetryLine: String
        let telemetryError: String?

        let turnRows: [TurnRow]
        let traceRows: [TraceRow]
        let tracesError: String?

        let scenarioRows: [ScenarioRow]
        let scenarioSummary: String

        init(_ inputs: Inputs) {
            let status = inputs.status
            let metrics = status.metrics
            pollEvery = DashboardFormat.duration(status.pollIntervalSeconds)
            let polledAt = status.updatedAt.flatMap { try? Date($0, strategy: .iso8601) }
            updated = polledAt.map { "\(DashboardFormat.clock($0)) (\(DashboardFormat.ago($0, now: inputs.now)))" } ?? "not yet"
            prometheus = status.prometheus.map { PrometheusView(prometheusURL: $0.url, prometheusReachable: $0.reachable) }
            quantilesFromPrometheus = inputs.quantilesFromPrometheus
            quantileSourceNow = metrics.quantileSource == .prometheus ? "Prometheus" : "the services' own buckets"

            let end = inputs.now.timeIntervalSince1970
            let start = end - inputs.history.windowSeconds
            historyWindow = "\(Int(inputs.history.windowSeconds / 60)) minutes"
            healthRows = status.services.map { service in
                HealthRow(service, points: inputs.history.points(of: service.name), from: start, to: end,
                          polled: polledAt.map { DashboardFormat.ago($0, now: inputs.now) } ?? "not yet")
            }

            speakers = DashboardFormat.number(metrics.activeSpeakers)
            channelsText = metrics.activeSpeakers == nil ? "simulated speakers (voice bridge not read yet)"
                : "simulated speakers in \(DashboardFormat.number(metrics.voiceChannels)) voice "
                    + (metrics.voiceChannels == 1 ? "channel" : "channels")
            e2eMedian = DashboardFormat.duration(metrics.endToEndSeconds.p50)
            e2eP95 = DashboardFormat.duration(metrics.endToEndSeconds.p95)
            e2eCount = DashboardFormat.number(metrics.endToEndSeconds.count)
            outcomes = metrics.turnsByOutcome.sorted { $0.key < $1.key }.map {
                OutcomeCount(outcomeName: $0.key.replacingOccurrences(of: "_", with: " "),
                             outcomeCount: DashboardFormat.number($0.value))
            }
            ttfbStt = DashboardFormat.duration(metrics.stageTtfbMedianSeconds["stt"])
            ttfbLlm = DashboardFormat.duration(metrics.stageTtfbMedianSeconds["llm"])
            ttfbTts = DashboardFormat.duration(metrics.stageTtfbMedianSeconds["tts"])
            quality = DashboardFormat.number(metrics.audioQualityMedian, digits: 2)

            let health = Dictionary(status.services.map { ($0.name, $0.status) }, uniquingKeysWith: { first, _ in first })
            switch inputs.edges {
            case .success(let edges):
                map = ServiceMapDrawing.draw(edges, health: health)
                mapEmpty = map.edges.isEmpty
                mapError = nil
            case .failure(let error):
                map = ServiceMapDrawing.draw([], health: health)
                mapEmpty = false
                mapError = "The traces could not be read: \(error)"
            }
            let telemetry = inputs.telemetry
            telemetryLine = "\(telemetry.spans) spans · \(telemetry.logs) log records · "
                + "\(Self.megabytes(telemetry.bytes)) of \(Self.megabytes(telemetry.maxBytes)) kept"
            telemetryError = telemetry.lastError

            turnRows = status.recentTurns.map { TurnRow($0, links: inputs.links) }
            switch inputs.traces {
            case .success(let traces):
                traceRows = traces.map { TraceRow($0, links: inputs.links) }
                tracesError = nil
            case .failure(let error):
                traceRows = []
                tracesError = "The traces could not be read: \(error)"
            }

            let active = inputs.scenarios.active
            scenarioRows = active.map(ScenarioRow.init)
            scenarioSummary = "\(active.count) of \(inputs.scenarios.scenarios.count) on · flags from \(inputs.scenarios.source)"
        }

        static func megabytes(_ bytes: Int64) -> String {
            String(format: "%.1f MB", Double(bytes) / 1_048_576)
        }
    }

    /// The header line's Prometheus state, when PROMETHEUS_URL is set.
    struct PrometheusView {
        let prometheusURL: String
        let prometheusReachable: Bool
    }

    /// One line of the turns-by-outcome card.
    struct OutcomeCount {
        let outcomeName: String
        let outcomeCount: String
    }

    /// One service: its readiness as last polled and its last 15 minutes of traffic.
    struct HealthRow {
        let name: String
        let url: String
        let status: String
        let statusText: String
        let latency: String
        let chips: [Chip]
        let noDependencies: Bool
        /// Why it could not be read, when it could not.
        let problem: String?
        let polled: String
        let requests: Chart
        let errors: Chart
        let duration: Chart

        init(_ service: ServiceStatus, points: [TrafficPoint], from start: Double, to end: Double, polled: String) {
            name = service.name
            url = service.url
            status = service.status
            statusText = service.status.replacingOccurrences(of: "_", with: " ")
            latency = service.latencyMs.map { DashboardFormat.duration($0 / 1000) } ?? "–"
            chips = service.dependencies.sorted { $0.key < $1.key }.map { Chip(chipName: $0.key, chipDown: $0.value != "healthy") }
            noDependencies = service.dependencies.isEmpty
            problem = service.error
            self.polled = polled
            requests = Chart(points.map { ($0.at, $0.requestsPerSecond) }, from: start, to: end, kind: "requests",
                             format: DashboardFormat.rate)
            errors = Chart(points.map { ($0.at, $0.errorsPerSecond) }, from: start, to: end, kind: "errors",
                           format: DashboardFormat.rate)
            duration = Chart(points.map { ($0.at, $0.meanDurationSeconds) }, from: start, to: end, kind: "duration",
                             format: DashboardFormat.duration)
        }
    }

    /// A dependency as the service sees it; `chipDown` draws it red.
    struct Chip {
        let chipName: String
        let chipDown: Bool
    }

    /// A sparkline and, beside it, the mean of the last minute's points: steadier than one
    /// poll's value (a service idle for one 5 s interval is not idle), still current.
    struct Chart {
        let chartKind: String
        let chartLatest: String
        let chartPeak: String
        let chartLine: String
        let chartArea: String
        let chartEmpty: Bool

        init(_ points: [(at: Double, value: Double?)], from start: Double, to end: Double, kind: String,
             format: (Double?) -> String) {
            let spark = Sparkline.draw(points, from: start, to: end)
            chartKind = kind
            let recent = points.filter { $0.at >= end - 60 }.compactMap(\.value)
            chartLatest = recent.isEmpty ? format(nil) : format(recent.reduce(0, +) / Double(recent.count))
            chartPeak = format(spark.peak)
            chartLine = spark.line
            chartArea = spark.area
            chartEmpty = spark.isEmpty
        }
    }

    /// A voice turn the bridge reported.
    struct TurnRow {
        let turnTime: String
        let speaker: String
        let outcome: String
        let outcomeText: String
        let turnLatency: String
        let transcript: String
        let answer: String
        let hasTrace: Bool
        let turnTraceId: String
        let turnWaterfall: String
        let turnJaeger: String?

        init(_ turn: TurnReport, links: PageLinks) {
            turnTime = DashboardFormat.clock(Date(timeIntervalSince1970: turn.finishedAt))
            speaker = turn.speaker
            outcome = turn.outcome
            outcomeText = turn.outcome.replacingOccurrences(of: "_", with: " ")
            turnLatency = DashboardFormat.duration(turn.endToEndSeconds)
            transcript = turn.transcript ?? ""
            answer = turn.response ?? ""
            let traceId = turn.traceId.flatMap(TraceIdentity.normalized)
            hasTrace = traceId != nil
            turnTraceId = traceId ?? ""
            turnWaterfall = traceId.map { "/traces/\($0)" } ?? ""
            turnJaeger = traceId.flatMap(links.jaegerTrace)
        }
    }

    /// A recent trace of the embedded store.
    struct TraceRow {
        let traceStarted: String
        let traceRoot: String
        let traceRootService: String
        let traceDuration: String
        let traceSpans: Int
        let traceErrors: Int
        let traceFailed: Bool
        let traceServices: String
        let traceId: String
        let traceJaeger: String?

        init(_ trace: TraceSummary, links: PageLinks) {
            traceStarted = DashboardFormat.clock(unixNano: trace.startTimeUnixNano)
            traceRoot = trace.rootName
            traceRootService = trace.rootService
            traceDuration = DashboardFormat.duration(trace.durationSeconds)
            traceSpans = trace.spanCount
            traceErrors = trace.errorCount
            traceFailed = trace.errorCount > 0
            traceServices = "\(trace.services.count)"
            traceId = trace.traceId
            traceJaeger = links.jaegerTrace(trace.traceId)
        }
    }

    /// An active fault scenario.
    struct ScenarioRow {
        let scenarioKey: String
        let scenarioValue: String
        let scenarioServices: String
        let scenarioText: String

        init(_ scenario: ScenarioState) {
            scenarioKey = scenario.key
            scenarioValue = scenario.valueText
            scenarioServices = scenario.services.joined(separator: ", ")
            scenarioText = scenario.summary
        }
    }
}

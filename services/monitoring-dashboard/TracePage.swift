import FleetPages
import FleetTelemetry
import Foundation
import Mustache

/// GET /traces/{id}: one trace as a waterfall — a row per span, indented under its parent, its
/// bar placed and sized by CSS percentages computed here, coloured per service, errors and
/// orphans marked, each row opening onto the span's attributes, events and status — and below it
/// the log records that carry the trace id. Rendered on the server, every text escaped by the
/// template's `{{ }}`; the browser test reads `.span-row` and `#orphans`.
enum TracePage {
    static let template = try! MustacheTemplate(string: templateText)

    static func render(_ waterfall: TraceWaterfall, links: PageLinks) -> String {
        FleetPage.render(.init(title: "Trace \(waterfall.traceId)", section: .dashboard, links: links,
                               body: template.render(Model(waterfall, links: links))))
    }

    /// The colour class of a service: one of ten, the nine in fleet order and one for any other.
    static func colour(of service: String) -> Int {
        FleetMember.allCases.firstIndex { $0.name == service } ?? FleetMember.allCases.count
    }

    // The view model. Names of rows are their own (`spanName`, `logBody`...), so a nil never
    // resolves to a name of an enclosing value.

    /// The whole waterfall page, display-ready.
    struct Model {
        let traceId: String
        let rootLabel: String
        let started: String
        let totalDuration: String
        let spanCount: Int
        let serviceCount: Int
        let serviceChips: [ServiceChip]
        let errorCount: Int
        let orphanCount: Int
        let hasOrphans: Bool
        let jaegerLink: String?
        let scale: [String]
        let rows: [Row]
        let logRows: [LogRow]

        init(_ waterfall: TraceWaterfall, links: PageLinks) {
            traceId = waterfall.traceId
            rootLabel = waterfall.root.map { "\($0.service): \($0.name)" } ?? "–"
            started = DashboardFormat.clock(unixNano: waterfall.startUnixNano)
            totalDuration = DashboardFormat.duration(waterfall.durationSeconds)
            spanCount = waterfall.rows.count
            serviceChips = waterfall.services.map { ServiceChip(chipService: $0, chipColour: TracePage.colour(of: $0)) }
            serviceCount = serviceChips.count
            errorCount = waterfall.errorCount
            orphanCount = waterfall.orphanCount
            hasOrphans = orphanCount > 0
            jaegerLink = links.jaegerTrace(waterfall.traceId)
            scale = (0...4).map { DashboardFormat.duration(waterfall.durationSeconds * Double($0) / 4) }
            let spanStarts = Dictionary(waterfall.rows.map { ($0.span.spanId, $0.span.startTimeUnixNano) },
                                        uniquingKeysWith: { first, _ in first })
            rows = waterfall.rows.map(Row.init)
            logRows = waterfall.logs.map { log in
                LogRow(log, traceStart: waterfall.startUnixNano, spanKnown: log.spanId.map { spanStarts[$0] != nil } ?? false)
            }
        }
    }

    /// A service of the trace, in its colour.
    struct ServiceChip {
        let chipService: String
        let chipColour: Int
    }

    /// One span's row: the hooks the browser test reads, its bar and its details.
    struct Row {
        let spanId: String
        let parentId: String
        let hasParent: Bool
        let service: String
        let colour: Int
        let spanName: String
        let kind: String
        let depth: Int
        let indent: Int
        let offsetPercent: String
        let widthPercent: String
        let spanDuration: String
        let spanStart: String
        let spanFailed: Bool
        let orphan: Bool
        let statusText: String
        let attributes: [Pair]
        let hasAttributes: Bool
        let events: [Event]

        init(_ row: TraceWaterfall.Row) {
            let span = row.span
            spanId = span.spanId
            parentId = span.parentSpanId ?? ""
            hasParent = !parentId.isEmpty
            service = span.service
            colour = TracePage.colour(of: span.service)
            spanName = span.name
            kind = span.kind
            depth = row.depth
            // Deep traces stay readable: the indent stops growing after 16 levels.
            indent = min(row.depth, 16) * 14
            offsetPercent = DashboardFormat.percent(row.offsetPercent)
            widthPercent = DashboardFormat.percent(row.widthPercent)
            spanDuration = DashboardFormat.duration(span.durationSeconds)
            spanStart = "+" + DashboardFormat.duration(row.startOffsetSeconds)
            spanFailed = span.statusCode == "error"
            orphan = row.orphan
            statusText = span.statusCode + (span.statusMessage.map { ": \($0)" } ?? "")
            attributes = Pair.sorted(span.attributes)
            hasAttributes = !attributes.isEmpty
            events = span.events.map { Event($0, spanStart: span.startTimeUnixNano) }
        }
    }

    /// An attribute, for a `<dt>`/`<dd>` pair or a chip.
    struct Pair {
        let pairKey: String
        let pairValue: String

        static func sorted(_ attributes: [String: String]) -> [Pair] {
            attributes.sorted { $0.key < $1.key }.map { Pair(pairKey: $0.key, pairValue: $0.value) }
        }
    }

    /// A span event, placed from the span's start.
    struct Event {
        let eventName: String
        let eventOffset: String
        let eventAttributes: [Pair]

        init(_ event: StoredSpanEvent, spanStart: Int64) {
            eventName = event.name
            eventOffset = "+" + DashboardFormat.duration(Double(event.timeUnixNano - spanStart) / 1e9)
            eventAttributes = Pair.sorted(event.attributes)
        }
    }

    /// A log record carrying the trace id, placed from the trace's start.
    struct LogRow {
        let logOffset: String
        let logService: String
        let logColour: Int
        let severity: String
        let logBody: String
        let logSpan: String
        /// The span is in the trace, so the log links to its row.
        let logSpanKnown: Bool
        let logAttributes: [Pair]

        init(_ log: StoredLog, traceStart: Int64, spanKnown: Bool) {
            logOffset = (log.timeUnixNano >= traceStart ? "+" : "−")
                + DashboardFormat.duration(abs(Double(log.timeUnixNano - traceStart)) / 1e9)
            logService = log.service
            logColour = TracePage.colour(of: log.service)
            severity = log.severity.lowercased()
            logBody = log.body
            logSpan = log.spanId ?? ""
            logSpanKnown = spanKnown
            logAttributes = Pair.sorted(log.attributes)
        }
    }
}

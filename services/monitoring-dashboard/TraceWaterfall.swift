import FleetTelemetry
import Foundation

/// One trace laid out as a waterfall: a row per span, depth-first (each span right under its
/// parent, siblings by start time), each with its bar's place and width as percentages of the
/// whole trace, so the page draws it with CSS alone.
///
/// A span whose parent is named but not in the trace is an orphan: it is kept, drawn at the top
/// level and flagged, and counted — the browser test asserts a voice turn has none. Spans caught
/// in a parent cycle (a corrupt trace) are drawn at the top level too, never lost.
struct TraceWaterfall: Sendable {
    /// A span in its place: depth under its parent, and its bar.
    struct Row: Sendable {
        let span: StoredSpan
        let depth: Int
        let orphan: Bool
        /// Where the bar starts and how wide it is, in percent of the trace's duration.
        let offsetPercent: Double
        let widthPercent: Double
        /// Seconds from the trace's start to the span's.
        let startOffsetSeconds: Double
    }

    let traceId: String
    let rows: [Row]
    let logs: [StoredLog]
    /// The earliest span start and the latest span end, nanoseconds since 1970.
    let startUnixNano: Int64
    let endUnixNano: Int64

    var durationSeconds: Double { Double(endUnixNano - startUnixNano) / 1e9 }
    var orphanCount: Int { rows.filter(\.orphan).count }
    var errorCount: Int { rows.filter { $0.span.statusCode == "error" }.count }
    var services: [String] { Array(Set(rows.map(\.span.service))).sorted() }
    /// The first row: the root span, or the earliest one when the root has not arrived.
    var root: StoredSpan? { rows.first?.span }

    init(_ trace: TraceDetail) {
        traceId = trace.traceId
        logs = trace.logs.sorted { $0.timeUnixNano < $1.timeUnixNano }
        let spans = trace.spans.sorted { ($0.startTimeUnixNano, $0.spanId) < ($1.startTimeUnixNano, $1.spanId) }
        startUnixNano = spans.map(\.startTimeUnixNano).min() ?? 0
        endUnixNano = max(spans.map(\.endTimeUnixNano).max() ?? 0, startUnixNano)

        let ids = Set(spans.map(\.spanId))
        var children: [String: [StoredSpan]] = [:]
        var tops: [(span: StoredSpan, orphan: Bool)] = []
        for span in spans {
            if let parent = span.parentSpanId, !parent.isEmpty, parent != span.spanId {
                if ids.contains(parent) {
                    children[parent, default: []].append(span)
                } else {
                    tops.append((span, true))
                }
            } else {
                tops.append((span, false))
            }
        }

        let total = max(Double(endUnixNano - startUnixNano), 1)
        let traceStart = startUnixNano
        func row(_ span: StoredSpan, depth: Int, orphan: Bool) -> Row {
            let offset = Double(span.startTimeUnixNano - traceStart)
            let length = Double(max(span.endTimeUnixNano - span.startTimeUnixNano, 0))
            return Row(span: span, depth: depth, orphan: orphan, offsetPercent: offset / total * 100,
                       widthPercent: length / total * 100, startOffsetSeconds: offset / 1e9)
        }

        var rows: [Row] = []
        var placed = Set<String>()
        // Depth-first without recursion: a stack of (span, depth), children pushed in reverse.
        func place(_ top: StoredSpan, orphan: Bool) {
            var stack: [(StoredSpan, Int, Bool)] = [(top, 0, orphan)]
            while let (span, depth, isOrphan) = stack.popLast() {
                guard placed.insert(span.spanId).inserted else { continue }
                rows.append(row(span, depth: depth, orphan: isOrphan))
                for child in (children[span.spanId] ?? []).reversed() { stack.append((child, depth + 1, false)) }
            }
        }
        for top in tops { place(top.span, orphan: top.orphan) }
        // Whatever no top-level span reached sits in a parent cycle.
        for span in spans where !placed.contains(span.spanId) { place(span, orphan: false) }
        self.rows = rows
    }
}

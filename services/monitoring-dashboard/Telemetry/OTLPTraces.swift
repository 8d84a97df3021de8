import Foundation

/// POST /v1/traces as OTLP/JSON: only the fields the store keeps. Unknown fields are ignored, so
/// a newer sender's additions never break an export.
struct OTLPTraceRequest: Decodable, Sendable {
    var resourceSpans: [ResourceSpans]?

    struct ResourceSpans: Decodable, Sendable {
        var resource: OTLPResource?
        var scopeSpans: [ScopeSpans]?
    }

    struct ScopeSpans: Decodable, Sendable {
        var spans: [Span]?
    }

    struct Span: Decodable, Sendable {
        var traceId: OTLPID?
        var spanId: OTLPID?
        var parentSpanId: OTLPID?
        var name: String?
        var kind: OTLPEnum?
        var startTimeUnixNano: OTLPInt64?
        var endTimeUnixNano: OTLPInt64?
        var attributes: [OTLPKeyValue]?
        var events: [Event]?
        var status: Status?
    }

    struct Event: Decodable, Sendable {
        var timeUnixNano: OTLPInt64?
        var name: String?
        var attributes: [OTLPKeyValue]?
    }

    struct Status: Decodable, Sendable {
        var message: String?
        var code: OTLPEnum?
    }

    static let kinds = ["unspecified", "internal", "server", "client", "producer", "consumer"]
    static let statusCodes = ["unset", "ok", "error"]

    /// The spans as stored, and how many were refused (no valid trace or span id).
    func storedSpans() -> (spans: [StoredSpan], rejected: Int) {
        var spans: [StoredSpan] = []
        var rejected = 0
        for resourceSpans in resourceSpans ?? [] {
            let service = (resourceSpans.resource ?? OTLPResource()).serviceName
            for span in (resourceSpans.scopeSpans ?? []).flatMap({ $0.spans ?? [] }) {
                guard let traceID = span.traceId?.hex, traceID.count == 32,
                      let spanID = span.spanId?.hex, spanID.count == 16,
                      span.parentSpanId?.invalid == nil else {
                    rejected += 1
                    continue
                }
                let start = span.startTimeUnixNano?.value ?? 0
                spans.append(StoredSpan(
                    traceId: traceID, spanId: spanID, parentSpanId: span.parentSpanId?.hex, service: service,
                    name: span.name ?? "", kind: span.kind?.word(Self.kinds, prefix: "SPAN_KIND_", fallback: "unspecified")
                        ?? "unspecified",
                    startTimeUnixNano: start, endTimeUnixNano: max(start, span.endTimeUnixNano?.value ?? start),
                    statusCode: span.status?.code?.word(Self.statusCodes, prefix: "STATUS_CODE_", fallback: "unset")
                        ?? "unset",
                    statusMessage: span.status?.message.flatMap { $0.isEmpty ? nil : $0 },
                    attributes: (span.attributes ?? []).texts,
                    events: (span.events ?? []).map { event in
                        StoredSpanEvent(name: event.name ?? "", timeUnixNano: event.timeUnixNano?.value ?? start,
                                        attributes: (event.attributes ?? []).texts)
                    }))
            }
        }
        return (spans, rejected)
    }
}

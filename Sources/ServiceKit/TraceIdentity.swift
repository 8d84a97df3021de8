public import Tracing

/// The W3C trace id of a span, as the voice bridge stores it on a turn and testing-ui returns it
/// from a run, so a person can look the trace up in Jaeger.
///
/// It is read through the installed propagator rather than from a tracer's own span type, so it
/// works with whichever tracer the process bootstrapped (OpenTelemetry in the fleet, none in unit
/// tests, where it is nil) and the services need no tracer of their own.
public enum TraceIdentity {
    /// The trace id of `context`'s span; nil when no tracer is bootstrapped.
    public static func traceID(of context: ServiceContext) -> String? {
        var headers: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &headers, using: DictionaryInjector())
        return headers["traceparent"].flatMap(traceID(fromTraceparent:))
    }

    /// The trace id of a W3C `traceparent` (version-traceid-spanid-flags), lower-cased; nil unless
    /// it is 32 hex digits and not all zeros (the spec's "invalid" id).
    public static func traceID(fromTraceparent header: String) -> String? {
        let parts = header.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        return normalized(String(parts[1]))
    }

    /// A trace id as text takes it (a path, a query, a turn report): lower-cased, or nil unless it
    /// is 32 hex digits and not all zeros (the spec's "invalid" id).
    public static func normalized(_ traceID: String) -> String? {
        guard traceID.count == 32, traceID.allSatisfy(\.isHexDigit),
              traceID != String(repeating: "0", count: 32) else { return nil }
        return traceID.lowercased()
    }

    private struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }
}

import Foundation

/// POST /v1/logs as OTLP/JSON: only the fields the store keeps.
struct OTLPLogsRequest: Decodable, Sendable {
    var resourceLogs: [ResourceLogs]?

    struct ResourceLogs: Decodable, Sendable {
        var resource: OTLPResource?
        var scopeLogs: [ScopeLogs]?
    }

    struct ScopeLogs: Decodable, Sendable {
        var logRecords: [LogRecord]?
    }

    struct LogRecord: Decodable, Sendable {
        var timeUnixNano: OTLPInt64?
        var observedTimeUnixNano: OTLPInt64?
        var severityNumber: OTLPEnum?
        var severityText: String?
        var body: OTLPAnyValue?
        var attributes: [OTLPKeyValue]?
        var traceId: OTLPID?
        var spanId: OTLPID?
    }

    /// SeverityNumber 1...24 in fours: TRACE, TRACE2.. DEBUG.. INFO.. WARN.. ERROR.. FATAL.
    static func severity(number: Int) -> String {
        let names = ["trace", "debug", "info", "warn", "error", "fatal"]
        guard number >= 1 else { return "unspecified" }
        return names[min((number - 1) / 4, names.count - 1)]
    }

    /// The records as stored. A record with a malformed trace or span id keeps its text but loses
    /// the id: a log line is worth more than its link.
    func storedLogs(now: Int64) -> [StoredLog] {
        var logs: [StoredLog] = []
        for resourceLogs in resourceLogs ?? [] {
            let service = (resourceLogs.resource ?? OTLPResource()).serviceName
            for record in (resourceLogs.scopeLogs ?? []).flatMap({ $0.logRecords ?? [] }) {
                let time = [record.timeUnixNano?.value, record.observedTimeUnixNano?.value]
                    .compactMap { $0 }.first { $0 > 0 } ?? now
                let severity = record.severityText.flatMap { $0.isEmpty ? nil : $0.lowercased() }
                    ?? record.severityNumber.map { number in
                        number.number.map(Self.severity(number:))
                            ?? (number.name ?? "").replacingOccurrences(of: "SEVERITY_NUMBER_", with: "").lowercased()
                    } ?? "unspecified"
                let traceID = record.traceId?.hex.flatMap { $0.count == 32 ? $0 : nil }
                logs.append(StoredLog(timeUnixNano: time, service: service, severity: severity,
                                      body: (record.body ?? .empty).textOrEmpty, traceId: traceID,
                                      spanId: traceID == nil ? nil : record.spanId?.hex.flatMap { $0.count == 16 ? $0 : nil },
                                      attributes: (record.attributes ?? []).texts))
            }
        }
        return logs
    }
}

extension OTLPAnyValue {
    /// The text, with an absent body as an empty string rather than `null`.
    var textOrEmpty: String { self == .empty ? "" : text }
}

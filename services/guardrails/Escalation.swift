import Foundation

/// POST /escalate: hand a conversation to a person. The original accepted `{reason, context}`;
/// context is whatever JSON the caller has (a transcript, a session id, a dict of details).
struct EscalationRequest: Codable, Sendable {
    var reason: String
    var context: JSONValue?
}

struct EscalationTicket: Codable, Sendable, Equatable {
    var escalated: Bool
    var ticketId: String
    var reason: String

    /// The ticket for a request. Its id is a hash of the reason and the canonical context, so a
    /// caller that retries the same escalation gets the same ticket instead of a duplicate.
    static func open(for request: EscalationRequest) -> EscalationTicket {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a: stable across processes, unlike Hasher
        for byte in request.reason.utf8 + [0xff] + Array((request.context ?? .null).canonicalJSON.utf8) {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16, uppercase: true)
        return EscalationTicket(escalated: true,
                                ticketId: "ESC-" + String(repeating: "0", count: 16 - hex.count) + hex,
                                reason: request.reason)
    }
}

/// Any JSON value, kept as sent, so escalation context is not forced into one shape.
///
/// It reads and writes through a single-value container, objects as `[String: JSONValue]`: the
/// keys of a dictionary are data, so the fleet's snake_case key strategy leaves them exactly as the
/// caller wrote them (`sessionId` stays `sessionId`).
indirect enum JSONValue: Codable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// JSON with sorted keys: equal values give equal text whatever order the caller sent keys in.
    /// A plain encoder on purpose, not the fleet's: the text is hashed into ticket ids, which must
    /// not change when the wire style does.
    var canonicalJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? "null"
    }
}

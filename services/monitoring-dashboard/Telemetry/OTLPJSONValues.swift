import Foundation

// The scalar shapes OTLP/JSON writes in more than one way. Senders differ: the spec (and a
// collector's otlphttp exporter with `encoding: json`) writes ids in hex and enums as ints;
// swift-protobuf's JSON (swift-otel's http/json) writes ids in base64 because they are `bytes`,
// 64-bit ints as strings, and doubles it cannot write as numbers as "NaN"/"Infinity". Each type
// here reads every form, so the model above them stays plain Codable.

/// A 64-bit integer written as a JSON number or as a string (proto3 JSON's default for int64).
struct OTLPInt64: Decodable, Sendable, Equatable {
    var value: Int64

    init(_ value: Int64) { self.value = value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int64(text) {
            value = number
        } else if let unsigned = try? container.decode(UInt64.self) {
            // fixed64 nanoseconds past 2262 do not fit; clamp rather than reject the whole export.
            value = Int64(clamping: unsigned)
        } else if let text = try? container.decode(String.self), let unsigned = UInt64(text) {
            value = Int64(clamping: unsigned)
        } else if let double = try? container.decode(Double.self), double.isFinite, double.rounded() == double,
                  abs(double) < 9.2e18 {
            value = Int64(double)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 64-bit integer")
        }
    }
}

/// A double written as a JSON number, or as a string ("1.5", "NaN", "Infinity", "-Infinity").
struct OTLPDouble: Decodable, Sendable, Equatable {
    var value: Double

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = Double(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a number")
        }
    }
}

/// A trace id (16 bytes) or span id (8 bytes) in lowercase hex, read from hex (any case) or base64.
/// Empty and all-zero ids are "absent", as the spec defines them.
struct OTLPID: Decodable, Sendable, Equatable {
    /// Lowercase hex, or nil when absent.
    var hex: String?
    /// Set when the text was neither hex nor base64 of a plausible length: the item is rejected.
    var invalid: String?

    init(hex: String?) { self.hex = hex }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        self = OTLPID.parse(text)
    }

    /// Hex when the length is that of a hex id (32 or 16 digits), base64 otherwise (24 or 12
    /// characters, 16 or 8 bytes): the two lengths never overlap, so no text is ambiguous.
    static func parse(_ text: String) -> OTLPID {
        if text.isEmpty { return OTLPID(hex: nil) }
        if [32, 16].contains(text.utf8.count), isHex(text) {
            return normalized(text.lowercased())
        }
        let bytes = Data(base64Encoded: text)
            ?? Data(base64Encoded: text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/"))
        guard let bytes, [16, 8].contains(bytes.count) else {
            return OTLPID(hex: nil, invalid: text)
        }
        let digits = Array("0123456789abcdef".utf8)
        return normalized(String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] }, as: UTF8.self))
    }

    /// Only 0-9, a-f and A-F.
    private static func isHex(_ text: String) -> Bool {
        text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }
    }

    private init(hex: String?, invalid: String?) {
        self.hex = hex
        self.invalid = invalid
    }

    private static func normalized(_ hex: String) -> OTLPID {
        OTLPID(hex: hex.utf8.allSatisfy { $0 == UInt8(ascii: "0") } ? nil : hex)
    }
}

/// An enum written as its number or its name (`2`, `"SPAN_KIND_SERVER"`); names map to numbers
/// through `names` (the name's suffix after the enum's prefix, lowercased).
struct OTLPEnum: Decodable, Sendable, Equatable {
    var number: Int?
    var name: String?

    init(number: Int) { self.number = number }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Int.self) {
            number = value
        } else {
            name = try container.decode(String.self)
        }
    }

    /// The value's word among `words` (index = number), from the number or from the name with
    /// `prefix` taken off; `fallback` for anything else.
    func word(_ words: [String], prefix: String, fallback: String) -> String {
        if let number { return words.indices.contains(number) ? words[number] : fallback }
        guard let name else { return fallback }
        let word = (name.hasPrefix(prefix) ? String(name.dropFirst(prefix.count)) : name).lowercased()
        return words.contains(word) ? word : fallback
    }
}

/// An attribute value: string, bool, int, double, array, key-value list or bytes. Kept as text,
/// because the store and the pages show attributes, they do not compute with them.
indirect enum OTLPAnyValue: Decodable, Sendable, Equatable {
    case string(String)
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case array([OTLPAnyValue])
    case keyValues([OTLPKeyValue])
    case bytes(String)
    case empty

    private enum CodingKeys: String, CodingKey {
        case stringValue, boolValue, intValue, doubleValue, arrayValue, kvlistValue, bytesValue
    }

    private struct Values<Element: Decodable & Sendable>: Decodable {
        var values: [Element]?
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if let text = try container.decodeIfPresent(String.self, forKey: .stringValue) {
            self = .string(text)
        } else if let flag = try container.decodeIfPresent(Bool.self, forKey: .boolValue) {
            self = .bool(flag)
        } else if let number = try container.decodeIfPresent(OTLPInt64.self, forKey: .intValue) {
            self = .int(number.value)
        } else if let number = try container.decodeIfPresent(OTLPDouble.self, forKey: .doubleValue) {
            self = .double(number.value)
        } else if let array = try container.decodeIfPresent(Values<OTLPAnyValue>.self, forKey: .arrayValue) {
            self = .array(array.values ?? [])
        } else if let list = try container.decodeIfPresent(Values<OTLPKeyValue>.self, forKey: .kvlistValue) {
            self = .keyValues(list.values ?? [])
        } else if let bytes = try container.decodeIfPresent(String.self, forKey: .bytesValue) {
            self = .bytes(bytes)
        } else {
            self = .empty
        }
    }

    /// As text: strings as they are, numbers and bools as JSON writes them, arrays and lists as JSON.
    var text: String {
        switch self {
        case .string(let text): text
        default: json
        }
    }

    private var json: String {
        switch self {
        case .string(let text): Self.quoted(text)
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): number.isFinite ? Self.shortest(number) : Self.quoted(String(number))
        case .array(let values): "[" + values.map(\.json).joined(separator: ",") + "]"
        case .keyValues(let pairs):
            "{" + pairs.map { Self.quoted($0.key) + ":" + ($0.value ?? .empty).json }.joined(separator: ",") + "}"
        case .bytes(let base64): Self.quoted(base64)
        case .empty: "null"
        }
    }

    private static func shortest(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

/// One attribute.
struct OTLPKeyValue: Decodable, Sendable, Equatable {
    var key: String
    var value: OTLPAnyValue?
}

extension [OTLPKeyValue] {
    /// The attributes as a dictionary of texts; the last of a repeated key wins.
    var texts: [String: String] {
        reduce(into: [:]) { result, pair in result[pair.key] = (pair.value ?? .empty).text }
    }
}

/// The resource every signal's batch starts with; only its attributes matter here.
struct OTLPResource: Decodable, Sendable {
    var attributes: [OTLPKeyValue]?

    /// `service.name`, or OTel's own default for a resource without one.
    var serviceName: String {
        let name = attributes?.first { $0.key == "service.name" }?.value?.text ?? ""
        return name.isEmpty ? "unknown_service" : name
    }
}

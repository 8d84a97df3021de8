import Foundation
import ServiceKit
import Testing

@Suite("@NullWhenAbsent")
struct NullWhenAbsentTests {
    /// A documented answer: every key always there, with synthesized Codable.
    struct Answer: Codable, Equatable {
        var name: String
        @NullWhenAbsent var latencyMs: Double?
        /// A plain optional beside it, still left out when nil.
        var note: String?
    }

    private func object(_ answer: Answer) throws -> [String: Any] {
        let data = try JSONEncoder.fleet.encode(answer)
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("nil is written as null under the fleet's snake_case key; a plain optional is left out")
    func encodesNilAsNull() throws {
        let json = try object(Answer(name: "stt", latencyMs: nil, note: nil))
        #expect(Set(json.keys) == ["name", "latency_ms"])
        #expect(json["latency_ms"] is NSNull)
        let text = String(decoding: try JSONEncoder.fleet.encode(Answer(name: "stt", latencyMs: nil)), as: UTF8.self)
        #expect(text.contains(#""latency_ms":null"#))
    }

    @Test("a value is written as the value itself", arguments: [0.0, 12.5])
    func encodesValue(_ value: Double) throws {
        #expect(try object(Answer(name: "stt", latencyMs: value))["latency_ms"] as? Double == value)
    }

    @Test("round-trips through the fleet's encoder and decoder", arguments: [nil, 3.5])
    func roundTrips(_ value: Double?) throws {
        let answer = Answer(name: "stt", latencyMs: value, note: "n")
        #expect(try JSONDecoder.fleet.decode(Answer.self, from: JSONEncoder.fleet.encode(answer)) == answer)
    }

    @Test("a missing key decodes as nil, as it would for a plain optional")
    func decodesMissingKeyAsNil() throws {
        let answer = try JSONDecoder.fleet.decode(Answer.self, from: Data(#"{"name":"stt"}"#.utf8))
        #expect(answer == Answer(name: "stt", latencyMs: nil, note: nil))
    }

    @Test("a value of the wrong type is still an error")
    func rejectsWrongType() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder.fleet.decode(Answer.self, from: Data(#"{"name":"stt","latency_ms":"fast"}"#.utf8))
        }
    }
}

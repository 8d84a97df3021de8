import FleetTelemetry
import Foundation
import ServiceKit
import Testing

@Suite("Flag definitions (flagd's file format)")
struct FlagDefinitionsTests {
    /// Tests/ServiceKitTests/FlagDefinitionsTests.swift -> the repository root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The error `body` throws; fails the test when it throws none.
    static func refusal<T>(_ body: () throws(FlagError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> FlagError? {
        do {
            let value = try body()
            Issue.record("expected a FlagError, got \(value)", sourceLocation: sourceLocation)
            return nil
        } catch {
            return error
        }
    }

    static func parse(_ json: String) throws(FlagError) -> FlagDefinitions {
        try FlagDefinitions.parse(Array(json.utf8))
    }

    @Test("the defaults switch every scenario off, with its catalogued severity as the on variant")
    func defaults() throws {
        let defaults = FlagDefinitions.defaults
        #expect(defaults.schema == "https://flagd.dev/schema/v0/flags.json")
        #expect(Set(defaults.flags.keys) == Set(Scenario.keys))
        for scenario in Scenario.all {
            let flag = try #require(defaults.flags[scenario.key])
            #expect(flag.state == .enabled)
            #expect(flag.defaultVariant == "off")
            #expect(flag.variants == ["off": scenario.offValue, "on": scenario.onValue])
        }
        let values = try defaults.resolved()
        #expect(Scenario.all.allSatisfy { values[$0.key] == $0.offValue })
        #expect(try FlagDefinitions.parse(defaults.encoded()) == defaults)
    }

    @Test("config/flagd/scenarios.flagd.json is byte for byte FlagDefinitions.defaults.encoded()")
    func committedFileIsTheDefaults() throws {
        let url = Self.root.appendingPathComponent("config/flagd/scenarios.flagd.json")
        let expected = FlagDefinitions.defaults.encoded()
        // UPDATE_FLAG_DEFAULTS=1 rewrites the file after a change to the scenario catalog.
        if ProcessInfo.processInfo.environment["UPDATE_FLAG_DEFAULTS"] == "1" {
            try Data(expected).write(to: url)
        }
        let committed = try Array(Data(contentsOf: url))
        #expect(committed == expected, """
            the committed flag file differs from the catalog's defaults; regenerate it with
            UPDATE_FLAG_DEFAULTS=1 swift test --filter committedFileIsTheDefaults
            """)
        #expect(expected.last == UInt8(ascii: "\n"))
    }

    @Test("a file in the OpenTelemetry demo's shape resolves; a DISABLED flag or a missing one is off")
    func resolvesLikeFlagd() throws {
        let definitions = try Self.parse("""
            {"$schema": "https://flagd.dev/schema/v0/flags.json", "flags": {
              "sttSlow": {"description": "as in the demo", "state": "ENABLED",
                          "variants": {"on": 6, "off": 1}, "defaultVariant": "on", "targeting": {}},
              "otlpBlackhole": {"state": "ENABLED", "variants": {"on": true, "off": false}, "defaultVariant": "on"},
              "ttsFailure": {"state": "DISABLED", "variants": {"on": 40, "off": 0}, "defaultVariant": "on"},
              "downstreamUnreachable": {"state": "ENABLED", "variants": {"off": "none", "on": "llm-flan"},
                                        "defaultVariant": "on", "metadata": {"owner": "voice"}}
            }}
            """)
        let values = try definitions.resolved()
        #expect(values["sttSlow"] == .number(6))
        #expect(values["otlpBlackhole"] == .bool(true))
        #expect(values["ttsFailure"] == .number(0), "DISABLED evaluates to the code default, off")
        #expect(values["downstreamUnreachable"] == .string("llm-flan"))
        #expect(values["packetLoss"] == .number(0), "a scenario missing from the file is off")
        #expect(definitions.flags["downstreamUnreachable"]?.metadata == ["owner": .string("voice")])
    }

    @Test("an unknown flag is refused, naming it")
    func unknownFlag() throws {
        let definitions = try Self.parse("""
            {"flags": {"sttSlowness": {"state": "ENABLED", "variants": {"on": 2}, "defaultVariant": "on"}}}
            """)
        let error = try #require(Self.refusal { () throws(FlagError) in try definitions.resolved() })
        #expect(error.flag == "sttSlowness")
        #expect(error.reason == "unknown_flag")
        #expect(error.message.contains("'sttSlowness' is not a scenario"))
    }

    @Test("a file that is not JSON, or has no flags object, is a malformed file")
    func malformedFile() throws {
        for text in ["{\"flags\": {", "[]", "{\"flags\": []}", ""] {
            let error = try #require(Self.refusal { () throws(FlagError) in try Self.parse(text) })
            #expect(error.flag == "file", "\(text)")
            #expect(error.reason == "malformed_file", "\(text)")
            #expect(error.message.hasPrefix("the flag file is not a flagd flag definition"), "\(error.message)")
        }
    }

    @Test("a value outside the scenario's range is refused, naming the flag, the variant and the range")
    func outOfRange() throws {
        var definitions = FlagDefinitions.defaults
        definitions.flags["sttFailure"]?.variants["on"] = .number(150)
        let error = try #require(Self.refusal { () throws(FlagError) in try definitions.resolved() })
        #expect(error == FlagError(flag: "sttFailure", reason: "invalid_value",
                                   message: "flag 'sttFailure': variant 'on': 150 is outside 0...100 %"))

        definitions = .defaults
        definitions.flags["otlpBlackhole"]?.variants["on"] = .string("yes")
        let wrongType = try #require(Self.refusal { () throws(FlagError) in try definitions.resolved() })
        #expect(wrongType.flag == "otlpBlackhole" && wrongType.reason == "invalid_value")
        #expect(wrongType.message == "flag 'otlpBlackhole': variant 'on': expected true or false, got 'yes'")
    }

    @Test("a defaultVariant that is not a variant, or a missing one, is an invalid definition naming the flag")
    func defaultVariant() throws {
        var definitions = FlagDefinitions.defaults
        definitions.flags["packetLoss"]?.defaultVariant = "severe"
        let error = try #require(Self.refusal { () throws(FlagError) in try definitions.resolved() })
        #expect(error == FlagError(flag: "packetLoss", reason: "invalid_definition",
                                   message: "flag 'packetLoss': defaultVariant 'severe' is not one of its variants (off, on)"))

        let missing = try #require(Self.refusal { () throws(FlagError) in
            try Self.parse(#"{"flags": {"packetLoss": {"state": "ENABLED", "variants": {"on": 5}}}}"#)
        })
        #expect(missing == FlagError(flag: "packetLoss", reason: "invalid_definition",
                                     message: "flag 'packetLoss': 'defaultVariant' is missing"))
    }

    @Test("a state other than ENABLED or DISABLED, or targeting rules, are invalid definitions naming the flag")
    func stateAndTargeting() throws {
        let state = try #require(Self.refusal { () throws(FlagError) in
            try Self.parse(#"{"flags": {"noisyRoom": {"state": "ON", "variants": {"on": 5}, "defaultVariant": "on"}}}"#)
        })
        #expect(state.flag == "noisyRoom" && state.reason == "invalid_definition")
        #expect(state.message == "flag 'noisyRoom': 'state': 'ON' is not ENABLED or DISABLED")

        let targeting = try #require(Self.refusal { () throws(FlagError) in
            try Self.parse("""
                {"flags": {"noisyRoom": {"state": "ENABLED", "variants": {"on": 5, "off": 0}, "defaultVariant": "off",
                 "targeting": {"if": [{"==": [{"var": "service"}, "discord"]}, "on", "off"]}}}}
                """)
        })
        #expect(targeting.flag == "noisyRoom" && targeting.reason == "invalid_definition")
        #expect(targeting.message.contains("targeting rules are not supported"))
    }

    @Test("switchOn and switchOff edit the default variant; a new value is checked first")
    func editing() throws {
        var definitions = FlagDefinitions.defaults
        try definitions.switchOn("packetLoss")
        try definitions.switchOn("sttFailure", value: .number(40))
        #expect(try definitions.resolved()["packetLoss"] == Scenario.packetLoss.onValue)
        #expect(try definitions.resolved()["sttFailure"] == .number(40))

        let before = definitions
        let refused = try #require(Self.refusal { () throws(FlagError) in try definitions.switchOn("sttFailure", value: .number(150)) })
        #expect(refused.reason == "invalid_value" && refused.message == "flag 'sttFailure': 150 is outside 0...100 %")
        let unknown = try #require(Self.refusal { () throws(FlagError) in try definitions.switchOn("nope") })
        #expect(unknown.flag == "nope" && unknown.reason == "unknown_flag")
        #expect(definitions == before, "a refused edit changes nothing")

        try definitions.switchOff("sttFailure")
        #expect(try definitions.resolved()["sttFailure"] == .number(0))
        try definitions.switchOn("sttFailure")
        #expect(try definitions.resolved()["sttFailure"] == .number(40), "the stored on variant is kept")

        definitions.flags["ttsSlow"]?.state = .disabled
        try definitions.switchOn("ttsSlow")
        #expect(try definitions.resolved()["ttsSlow"] == Scenario.ttsSlow.onValue, "switching on enables a disabled flag")

        definitions.switchAllOff()
        #expect(try definitions.resolved().allSatisfy { Scenario.named($0.key)?.isActive($0.value) == false })
    }
}

import FleetContracts
import FleetTelemetry
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Testing
@testable import TestingUIService

@Suite("testing-ui's scenario endpoint")
struct TestingUIScenarioTests {
    @Test("GET /scenarios lists every scenario with how it is set, as this process runs it")
    func list() async throws {
        let fixture = try TestingUIFlagFixture()
        fixture.runtime.scenarios.set(.packetLoss, to: .number(12))
        try await fixture.test { client in
            let response = try await client.execute(uri: "/scenarios", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl] == "no-store")
            let json = try TestingUIFlagFixture.json(response)
            #expect(json["source"] as? String == fixture.flagPath)
            #expect(json["state_of"] as? String == "process")
            let rows = try #require(json["scenarios"] as? [[String: Any]])
            #expect(rows.compactMap { $0["key"] as? String } == Scenario.keys)
            for row in rows {
                #expect(Set(row.keys) == ["key", "summary", "services", "kind", "unit", "min", "max", "allowed",
                                          "on_value", "off_value", "active", "value", "pending"], "\(row["key"] ?? "?")")
            }
            let loss = try #require(rows.first { $0["key"] as? String == "packetLoss" })
            #expect(loss["active"] as? Bool == true && loss["value"] as? Double == 12)
            #expect(loss["unit"] as? String == "%" && loss["min"] as? Double == 0 && loss["max"] as? Double == 50)
            #expect(loss["on_value"] as? Double == 10 && loss["services"] as? [String] == ["discord"])
            // There is no flag file, so it defines every scenario off; this process has yet to follow.
            #expect(loss["pending"] as? Double == 0)
            let unreachable = try #require(rows.first { $0["key"] as? String == "downstreamUnreachable" })
            #expect(unreachable["kind"] as? String == "peer" && unreachable["min"] is NSNull)
            #expect((unreachable["allowed"] as? [String])?.contains("guardrails") == true)
            #expect(unreachable["active"] as? Bool == false && unreachable["value"] as? String == "none")
            #expect(unreachable["pending"] is NSNull)
        }
    }

    @Test("PUT on with a value writes the flag file and answers the state it now defines")
    func switchOnWithValue() async throws {
        let fixture = try TestingUIFlagFixture()
        try await fixture.test { client in
            let response = try await TestingUIFlagFixture.put(client, "packetLoss", #"{"enabled": true, "value": 20}"#)
            #expect(response.status == .ok)
            let list = try TestingUIFlagFixture.list(response)
            #expect(list.stateOf == "file")
            #expect(list.active.map(\.key) == ["packetLoss"])
            #expect(list.active.first?.value == .number(20) && list.active.first?.onValue == .number(20))
            let written = try await FlagFile(path: fixture.flagPath).read()
            #expect(try written.resolved()["packetLoss"] == .number(20))
            #expect(written.flags["packetLoss"]?.defaultVariant == "on")
        }
    }

    @Test("after a change GET shows it pending until this process's flags catch up, then in effect")
    func pending() async throws {
        let fixture = try TestingUIFlagFixture()
        try await fixture.test { client in
            #expect(try await TestingUIFlagFixture.put(client, "ttsSlow", #"{"enabled": true, "value": 6}"#).status == .ok)
            var list = try TestingUIFlagFixture.list(try await client.execute(uri: "/scenarios", method: .get))
            var slow = try #require(list.scenarios.first { $0.key == "ttsSlow" })
            #expect(!slow.active && slow.pending == .number(6) && slow.willBeActive)
            #expect(list.scenarios.filter { $0.pending != nil }.map(\.key) == ["ttsSlow"])

            // What the flag source does within 2 s of the write.
            fixture.runtime.scenarios.replace(with: try await FlagFile(path: fixture.flagPath).read().resolved())
            list = try TestingUIFlagFixture.list(try await client.execute(uri: "/scenarios", method: .get))
            slow = try #require(list.scenarios.first { $0.key == "ttsSlow" })
            #expect(slow.active && slow.value == .number(6) && slow.pending == nil)
        }
    }

    @Test("PUT on without a value uses the stored on value; off and reset switch off, and keep the rest")
    func onOffReset() async throws {
        let fixture = try TestingUIFlagFixture()
        try await fixture.writeStartingFile()
        try await fixture.test { client in
            var response = try await TestingUIFlagFixture.put(client, "noisyRoom", #"{"enabled": true}"#)
            #expect(response.status == .ok)
            var list = try TestingUIFlagFixture.list(response)
            #expect(Dictionary(uniqueKeysWithValues: list.active.map { ($0.key, $0.value) })
                == ["sttSlow": .number(4), "noisyRoom": Scenario.noisyRoom.onValue])

            response = try await TestingUIFlagFixture.put(client, "sttSlow", #"{"enabled": false, "value": 99}"#)
            #expect(response.status == .ok, "switching off reads no value")
            list = try TestingUIFlagFixture.list(response)
            #expect(list.active.map(\.key) == ["noisyRoom"])
            // Its chosen severity is kept for the next `on`.
            #expect(list.scenarios.first { $0.key == "sttSlow" }?.onValue == .number(4))

            response = try await client.execute(uri: "/scenarios/reset", method: .post)
            #expect(response.status == .ok)
            #expect(try TestingUIFlagFixture.list(response).active.isEmpty)
            let values = try await FlagFile(path: fixture.flagPath).read().resolved()
            #expect(Scenario.all.allSatisfy { values[$0.key] == $0.offValue })
        }
    }

    @Test("a peer scenario takes a service name; a toggle takes no value")
    func peerAndToggle() async throws {
        let fixture = try TestingUIFlagFixture()
        try await fixture.test { client in
            var response = try await TestingUIFlagFixture.put(client, "downstreamUnreachable", #"{"enabled": true, "value": "stt"}"#)
            #expect(response.status == .ok)
            response = try await TestingUIFlagFixture.put(client, "otlpBlackhole", #"{"enabled": true}"#)
            #expect(response.status == .ok)
            let active = try TestingUIFlagFixture.list(response).active
            #expect(active.map(\.key) == ["downstreamUnreachable", "otlpBlackhole"])
            #expect(active.map(\.valueText) == ["stt", "on"])
        }
    }

    @Test("bad input is a 4xx naming the flag, and the flag file is left as it was", arguments: [
        ("latencyMonster", #"{"enabled": true}"#, 404, ["'latencyMonster'", "known flags: sttSlow, sttFailure"]),
        ("packetLoss", #"{"enabled": true, "value": 75}"#, 400, ["'packetLoss'", "75 is outside 0...50 %"]),
        ("sttSlow", #"{"enabled": true, "value": 0.5}"#, 400, ["'sttSlow'", "0.5 is outside 1...20 x"]),
        ("sttSlow", #"{"enabled": true, "value": "fast"}"#, 400, ["'sttSlow'", "expected a number of x", "1...20 x"]),
        ("otlpBlackhole", #"{"enabled": true, "value": 3}"#, 400, ["'otlpBlackhole'", "expected true or false"]),
        ("downstreamUnreachable", #"{"enabled": true, "value": "redis"}"#, 400, ["'downstreamUnreachable'", "'redis'"]),
        ("sttSlow", #"{"enabled": true, "value": 1}"#, 400, ["'sttSlow'", "off value"]),
        ("sttSlow", #"{"enabled": true, "value": [4]}"#, 400, ["'sttSlow'", "invalid value at 'value'"]),
        ("sttSlow", #"{"enabled": "yes"}"#, 400, ["'sttSlow'", "wrong type at 'enabled'"]),
        ("sttSlow", #"{"value": 4}"#, 400, ["'sttSlow'", "missing field 'enabled'"]),
        ("sttSlow", #"{"enabled": true,"#, 400, ["'sttSlow'", "not valid JSON"]),
        ("sttSlow", "", 400, ["'sttSlow'", "no body"]),
    ])
    func badInput(key: String, body: String, status: Int, phrases: [String]) async throws {
        let fixture = try TestingUIFlagFixture()
        try await fixture.writeStartingFile()
        let before = try #require(fixture.fileBytes)
        try await fixture.test { client in
            let response = try await TestingUIFlagFixture.put(client, key, body)
            #expect(Int(response.status.code) == status)
            let error = try #require(try TestingUIFlagFixture.json(response)["error"] as? [String: Any])
            #expect(error["code"] as? String == (status == 404 ? "not_found" : "bad_request"))
            let message = error["message"] as? String ?? ""
            for phrase in phrases {
                #expect(message.contains(phrase), "\(message) does not say \(phrase)")
            }
            let unchanged = fixture.fileBytes == before
            #expect(unchanged, "a refused change must not touch the flag file")
        }
    }

    @Test("a flag file that is broken on disk is not overwritten by an edit: a 500 says so, naming the file")
    func brokenFile() async throws {
        let fixture = try TestingUIFlagFixture()
        try FileManager.default.createDirectory(at: fixture.folder, withIntermediateDirectories: true)
        let broken = Array(#"{"flags": {"sttSlow": {"state": "ENABLED"}}}"#.utf8)
        try Data(broken).write(to: URL(fileURLWithPath: fixture.flagPath))
        try await fixture.test { client in
            let response = try await TestingUIFlagFixture.put(client, "packetLoss", #"{"enabled": true}"#)
            #expect(response.status == .internalServerError)
            let message = String(buffer: response.body)
            #expect(message.contains(fixture.flagPath) && message.contains("sttSlow"), "\(message)")
            let unchanged = fixture.fileBytes == broken
            #expect(unchanged, "the broken file is left for a person to put right")
        }
    }
}

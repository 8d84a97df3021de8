import FleetTelemetry
import Foundation
import ServiceKit
import Testing

/// A fresh folder under the system's temporary directory, removed by `remove()`.
struct TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "flags-\(UUID().uuidString)"
    }

    func file(_ name: String = "scenarios.flagd.json") -> String { "\(path)/\(name)" }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Flag file")
struct FlagFileTests {
    @Test("a missing file reads as the defaults; the first update creates the folder and the file")
    func missingFile() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = FlagFile(path: folder.file())
        #expect(try await file.read() == .defaults)

        let written = try await file.update { definitions throws(FlagError) in try definitions.switchOn("jitterBurst", value: .number(80)) }
        #expect(try await file.read() == written)
        #expect(try written.resolved()["jitterBurst"] == .number(80))
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: file.path)))
        #expect(bytes == written.encoded())

        let permissions = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(permissions == 0o644, "flagd, another user in compose, must be able to read it")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        #expect(leftovers == ["scenarios.flagd.json"], "no temporary files are left behind")
    }

    @Test("a refused edit writes nothing; a malformed file is refused by update and replaced by write")
    func refusedEdits() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = FlagFile(path: folder.file())
        try await file.update { definitions throws(FlagError) in try definitions.switchOn("ttsSlow") }
        let before = try Data(contentsOf: URL(fileURLWithPath: file.path))

        await #expect(throws: FlagError.self) {
            try await file.update { definitions throws(FlagError) in try definitions.switchOn("ttsSlow", value: .number(99)) }
        }
        await #expect(throws: FlagError.self) {
            // An edit the file's own check refuses (a hand-made variant out of range).
            try await file.update { definitions in definitions.flags["ttsSlow"]?.variants["on"] = .number(0.5) }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file.path)) == before)

        try Data("{ not json".utf8).write(to: URL(fileURLWithPath: file.path))
        await #expect(throws: FlagError.self) { try await file.update { $0.switchAllOff() } }
        try await file.write(.defaults)
        #expect(try await file.read() == .defaults)
    }

    @Test("concurrent updates from one process lose no edit")
    func concurrentUpdates() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = FlagFile(path: folder.file())
        try await withThrowingTaskGroup(of: Void.self) { group in
            for scenario in Scenario.all {
                group.addTask {
                    try await file.update { definitions throws(FlagError) in try definitions.switchOn(scenario.key) }
                }
            }
            try await group.waitForAll()
        }
        let values = try await file.read().resolved()
        let off = Scenario.all.filter { !$0.isActive(values[$0.key] ?? $0.offValue) }.map(\.key)
        #expect(off.isEmpty, "edits lost: \(off)")
    }
}

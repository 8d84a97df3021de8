import FleetFuzzing
import Foundation
import Testing

/// Every input the fuzzer kept — the crashes and budget breaches in Tests/Fuzz/regressions and the
/// minimised corpus in Tests/Fuzz/corpus — goes through the same entry point as the fuzz target
/// and must end in an outcome (accepted within the budget, or refused with a code), never a trap.
@Suite("fuzz regressions")
struct FuzzRegressionTests {
    static let fuzzFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func files(in folder: String) -> [URL] {
        let root = fuzzFolder.appendingPathComponent(folder)
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        return (walker?.allObjects as? [URL] ?? [])
            .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .filter { !$0.lastPathComponent.hasPrefix(".") && $0.pathExtension != "md" }
            .sorted { $0.path < $1.path }
    }

    @Test("every kept crash or budget breach now ends cleanly", arguments: files(in: "regressions"))
    func regression(file: URL) throws {
        let outcome = FuzzEntryPoint.run([UInt8](try Data(contentsOf: file)))
        #expect(outcome.violations.isEmpty, "\(file.lastPathComponent): \(outcome)")
    }

    @Test("the committed corpus keeps every budget")
    func corpus() throws {
        let files = Self.files(in: "corpus")
        #expect(files.count >= 3, "the corpus is missing")
        for file in files {
            let outcome = FuzzEntryPoint.run([UInt8](try Data(contentsOf: file)))
            #expect(outcome.violations.isEmpty, "\(file.lastPathComponent): \(outcome)")
        }
    }

    @Test("each entry point is reached; the Ogg bomb is over the fuzz budget by its packet count alone")
    func entryPoints() throws {
        let bomb = try Data(contentsOf: Self.fuzzFolder.appendingPathComponent("regressions/ogg-bomb-20000-empty-packets"))
        let outcome = FuzzEntryPoint.run([UInt8](bomb))
        #expect(outcome.entryPoint == .oggOpus)
        // 20,001 packets of at least 2.5 ms each stand for 50 s, over the 30 s budget.
        #expect(outcome.refusal == "audio_too_long", "\(outcome)")
        #expect(FuzzEntryPoint.run(FuzzEntryPoint.wav.input(Array("RIFF".utf8))).refusal == "invalid_wav")
        #expect(FuzzEntryPoint.run(FuzzEntryPoint.multipart.input(Array("text/plain\n".utf8))).refusal == "no_boundary")
    }
}

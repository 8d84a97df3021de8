import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `audio-fleet probe <url>`: exit 0 when the URL answers 2xx. Our image has no curl or wget, so
/// compose healthchecks run this instead.
struct Probe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Exit 0 when a URL answers 2xx (a container healthcheck).")

    @Argument(help: "The URL to GET, e.g. http://localhost:9300/health/ready.")
    var url: String

    @Option(help: "Seconds to wait for an answer.")
    var timeout: Int = 3

    @Flag(help: "Print nothing; only the exit code tells.")
    var quiet = false

    func run() async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout)))
            _ = try? await response.body.collect(upTo: 1 << 20)
            if !quiet { print("\(url): \(response.status.code) \(response.status.reasonPhrase)") }
            if !(200..<300).contains(response.status.code) { throw ExitCode(1) }
        } catch let exit as ExitCode {
            throw exit
        } catch {
            if !quiet { print("\(url): unreachable (\(error))") }
            throw ExitCode(1)
        }
    }
}

import ArgumentParser
import DiscordService
import FleetTelemetry
import ServiceKit

/// `audio-fleet serve <service>`: one service in this process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run one service.")

    @Argument(help: "The service to run: \(FleetDirectory.names.joined(separator: ", ")).",
              transform: { name in
                  guard let member = FleetMember(rawValue: name) else {
                      throw ValidationError("Unknown service '\(name)'. Choose one of: \(FleetDirectory.names.joined(separator: ", ")).")
                  }
                  return member
              })
    var service: FleetMember

    @Option(help: "Address to listen on (env HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (env PORT; default the original's host port).")
    var port: Int?

    @Option(help: "discord only: serve shard i of n of the fleet's guilds, e.g. 1/4 (env DISCORD_SHARD_INDEX, DISCORD_SHARD_COUNT).")
    var shard: String?

    func validate() throws {
        guard let shard else { return }
        guard service == .discord else { throw ValidationError("--shard applies to the discord bridge only.") }
        guard BridgeShard(shard) != nil else {
            throw ValidationError("--shard takes i/n with 0 <= i < n <= \(BridgeShard.maxCount), e.g. 0/2; got '\(shard)'.")
        }
    }

    func run() async throws {
        let implementation = FleetDirectory.service(for: service)
        var overrides: [String: String] = [:]
        if let host { overrides["host"] = host }
        if let port { overrides["port"] = String(port) }
        if let shard = shard.flatMap(BridgeShard.init) {
            overrides["discord.shard.index"] = String(shard.index)
            overrides["discord.shard.count"] = String(shard.count)
        }
        do {
            try await ServiceRunner.run(implementation, overrides: overrides)
        } catch let error as TelemetryConfigurationError {
            throw ValidationError(error.description)
        } catch let error as SettingsError {
            throw ValidationError(error.description)
        }
    }
}

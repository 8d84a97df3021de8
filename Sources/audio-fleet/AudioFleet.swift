import ArgumentParser

/// One binary for the whole fleet, so one image (and one build) serves all nine services.
@main
struct AudioFleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audio-fleet",
        abstract: "The nine services of the audio-orchestrator voice assistant, in one binary.",
        discussion: """
            Run one service with `audio-fleet serve <service>`, all nine on this machine with \
            `audio-fleet up`, or check a URL with `audio-fleet probe <url>` (a healthcheck for images \
            without curl). Set the running fleet's load with `audio-fleet load <n>` and its fault \
            scenarios with `audio-fleet scenario list|on|off|set|chaos`. Services: \(FleetDirectory.names.joined(separator: ", ")).
            """,
        subcommands: [Serve.self, Up.self, Probe.self, Bench.self, Load.self, ScenarioCommand.self]
    )
}

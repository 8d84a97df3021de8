import FleetTelemetry
import Testing

/// The stack's files against FleetMember, the one list of the nine services with their ports and
/// URL variables. Only these tests compare the files with the fleet's names and ports; the scripts
/// in scripts/stack check the rest of each file (pins, limits, third-party healthchecks, OTLP
/// settings, the collector) and carry no copy of the list.
@Suite("Stack files agree with FleetMember")
struct FleetWiringTests {
    static func composeServices() throws -> [String: [String: Any]] {
        try #require(StackFiles.yaml("docker-compose.yml")["services"] as? [String: [String: Any]])
    }

    @Test("docker-compose.yml runs every FleetMember from the shared image, on its ports")
    func composeFleetServices() throws {
        let services = try Self.composeServices()
        for member in FleetMember.allCases {
            let name = member.name, port = member.containerPort
            let service = try #require(services[name], "docker-compose.yml has no service \(name)")
            #expect(service["image"] as? String == "audio-fleet:local", "\(name): runs the shared image")
            let command = service["command"] as? [String] ?? []
            #expect(Array(command.prefix(2)) == ["serve", name], "\(name): command is \(command)")
            let portIndex = command.firstIndex(of: "--port").map { $0 + 1 }
            #expect(portIndex.flatMap { command.indices.contains($0) ? command[$0] : nil } == "\(port)",
                    "\(name): serves on its container port \(port): \(command)")
            let ports = (service["ports"] as? [Any] ?? []).map { "\($0)" }
            #expect(ports.contains("\(member.hostPort):\(port)"), "\(name): publishes \(member.hostPort):\(port), not \(ports)")
            let test = (service["healthcheck"] as? [String: Any])?["test"] as? [String]
            #expect(test == ["CMD", "audio-fleet", "probe", "http://localhost:\(port)/health/ready"],
                    "\(name): the healthcheck probes its own port's /health/ready: \(test ?? [])")
            let ready = (service["depends_on"] as? [String: Any])?["otel-collector-ready"] as? [String: Any]
            #expect(ready?["condition"] as? String == "service_completed_successfully",
                    "\(name): waits for the otel-collector-ready one-shot")
            let envFile = service["env_file"] as? String ?? (service["env_file"] as? [String])?.first
            #expect(envFile == ".env.common", "\(name): env_file is .env.common")
        }
        // And no tenth service: whatever runs `serve <name>` is a FleetMember.
        let serving = services.compactMap { name, service in
            (service["command"] as? [String])?.first == "serve" ? name : nil
        }
        #expect(Set(serving) == Set(FleetMember.allCases.map(\.name)), "services running `serve`: \(serving.sorted())")
    }

    @Test(".env.common gives every FleetMember's URL variable its compose address")
    func environmentURLs() throws {
        let env = try StackFiles.environment(".env.common")
        for member in FleetMember.allCases {
            #expect(env[member.urlVariable] == "http://\(member.name):\(member.containerPort)",
                    "\(member.urlVariable) is \(env[member.urlVariable] ?? "missing")")
        }
    }

    @Test("the native twin scrapes every FleetMember on its host port")
    func nativeTargets() throws {
        let native = try StackFiles.yaml("config/prometheus.native.yml")
        let job = try #require((native["scrape_configs"] as? [[String: Any]])?.first)
        var scraped: [String: [String]] = [:]
        for config in job["static_configs"] as? [[String: Any]] ?? [] {
            let service = try #require((config["labels"] as? [String: Any])?["__fleet_service"] as? String)
            scraped[service] = config["targets"] as? [String] ?? []
        }
        #expect(Set(scraped.keys) == Set(FleetMember.allCases.map(\.name)))
        for member in FleetMember.allCases {
            #expect(scraped[member.name] == ["127.0.0.1:\(member.hostPort)"],
                    "\(member.name) is scraped at \(scraped[member.name] ?? [])")
        }
    }

    @Test("compose Prometheus scrapes every FleetMember's own /metrics on its container port")
    func composeDirectTargets() throws {
        let config = try StackFiles.yaml("config/prometheus.yml")
        var scraped: [String: [String]] = [:]
        for job in config["scrape_configs"] as? [[String: Any]] ?? [] {
            guard let name = job["job_name"] as? String, name.hasPrefix("fleet-direct/") else { continue }
            let targets = (job["static_configs"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [String] ?? [] }
            scraped[String(name.dropFirst("fleet-direct/".count))] = targets
        }
        #expect(Set(scraped.keys) == Set(FleetMember.allCases.map(\.name)))
        for member in FleetMember.allCases {
            #expect(scraped[member.name] == ["\(member.name):\(member.containerPort)"],
                    "fleet-direct/\(member.name) scrapes \(scraped[member.name] ?? [])")
        }
    }
}

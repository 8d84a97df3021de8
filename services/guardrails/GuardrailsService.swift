import FleetContracts
public import FleetTelemetry
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// guardrails: checks what users say before the model reads it and what the model answers before
/// anyone hears it (prompt injection, length, toxicity, PII), and takes escalations.
public enum GuardrailsService: FleetService {
    public static let member = FleetMember.guardrails
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers _: NoPeers) async throws -> [any Service] {
        let config = try GuardrailsConfig(settings: runtime.settings)
        let policy = config.policy
        // The rules are compiled regular expressions; checking one text proves they are usable.
        await runtime.health.addComponent("rules") { policy.validateInput("hello").safe }
        let controller = GuardrailsController(policy: policy, latency: runtime.latency(config.latency, stream: "classifier"),
                                              maxBodyBytes: config.maxBodyBytes, logger: runtime.logger,
                                              scenarios: runtime.scenarios)
        controller.addRoutes(to: routes)
        return []
    }
}

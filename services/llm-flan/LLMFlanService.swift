import FleetContracts
public import FleetTelemetry
import FoundationEssentials
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// llm-flan: the assistant's language model behind an OpenAI-compatible API, a deterministic
/// stand-in for FLAN-T5-large that answers by intent with a real model's timing and token counts.
public enum LLMFlanService: FleetService {
    public static let member = FleetMember.llm
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers _: NoPeers) async throws -> [any Service] {
        let config = try LLMFlanConfig(settings: runtime.settings)
        let model = ChatModel(contextTokens: config.contextTokens, defaultMaxTokens: config.defaultMaxTokens)
        // The "weights" are the reply rules; planning one reply proves they load.
        await runtime.health.addComponent("model") {
            (try? model.plan(.init(messages: [.init(role: "user", content: "hello")]), now: .now, id: "health")) != nil
        }
        let pacer = TokenPacer(firstToken: runtime.latency(config.timeToFirstToken, stream: "first-token"),
                               tokenGap: runtime.latency(config.tokenGap, stream: "token-gap"))
        LLMFlanController(model: model, pacer: pacer, maxBodyBytes: config.maxBodyBytes, scenarios: runtime.scenarios,
                          logger: runtime.logger).addRoutes(to: routes)
        // The memoryLeak scenario leaks in this process: it is the fleet's model server.
        return [MemoryLeak(scenarios: runtime.scenarios)]
    }
}

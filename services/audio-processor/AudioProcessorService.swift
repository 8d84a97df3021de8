import FleetAudio
public import FleetTelemetry
public import Hummingbird
public import ServiceKit
public import ServiceLifecycle

/// audio-processor: real DSP on whole voice segments (trim, normalise, enhance, denoise, score)
/// and on single 20 ms Opus frames. No peers; its one component is the Opus codec itself.
public enum AudioProcessorService: FleetService {
    public static let member = FleetMember.audioProcessor
    public static var openAPIDocument: [UInt8] { PackageResources.openapi_yaml }

    public static func build(routes: RouterGroup<FleetRequestContext>, runtime: ServiceRuntime,
                             peers _: NoPeers) async throws -> [any Service] {
        let config = try AudioProcessorConfig(settings: runtime.settings)
        // Every answer is re-encoded with libopus; if an encoder cannot be made, nothing works.
        await runtime.health.addComponent("opus_codec") { (try? OpusEncoder(settings: .voice)) != nil }
        AudioProcessorController(pipeline: AudioPipeline(config: config)).addRoutes(to: routes)
        return []
    }
}

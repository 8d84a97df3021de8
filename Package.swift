// swift-tools-version: 6.2
// AudioFleet: nine services of a Discord voice assistant in one Swift package.
// Shared modules live in Sources/, one library target per service in services/<name>/,
// and a single executable, `audio-fleet`, runs any of them (or all nine).
import PackageDescription

/// The upcoming features Hummingbird itself builds with: every file imports what it uses
/// (MemberImportVisibility), and a module a file's public API exposes is imported `public`
/// explicitly, every other import being internal (InternalImportsByDefault) — so a target's
/// dependencies are exactly what its files say.
///
/// And the folder pocketsphinx.h includes its own headers from (`<ps_search.h>`...): every module
/// that imports FleetSpeech, directly or through a service, loads the CPocketSphinx C module and
/// needs it. pkg-config used to add it to all of them, with `-lsphinxad` (see CPocketSphinx).
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-Xcc", "-I/usr/include/pocketsphinx"]),
]

/// The dependencies every service target shares: the kit, telemetry, audio and the wire contracts.
let serviceDependencies: [Target.Dependency] = [
    "ServiceKit", "FleetTelemetry", "FleetAudio", "FleetContracts",
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "Metrics", package: "swift-metrics"),
    .product(name: "Tracing", package: "swift-distributed-tracing"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "HTTPTypes", package: "swift-http-types"),
    .product(name: "NIOCore", package: "swift-nio"),
]

/// The real-time audio code — codec framing, VAD, synthesis, filters, recognition — is optimised in
/// debug builds too. `make run` and `make test` share one debug build, whose cold build takes about
/// half as long as a release one (docs/performance.md); with these few targets at -O the fleet
/// keeps a release build's turn latency and playback timing. (Unsafe flags are fine in a root
/// package; nothing depends on this one.)
let realTimeSwiftSettings = swiftSettings + [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// One library target per service, at services/<folder>. Its OpenAPI document is compiled in
/// (`PackageResources.openapi_yaml`), so the binary serves /openapi.yaml without a resource bundle.
func service(_ target: String, folder: String, extra: [Target.Dependency] = [], realTime: Bool = false) -> Target {
    .target(name: target, dependencies: serviceDependencies + extra, path: "services/\(folder)",
            resources: [.embedInCode("openapi.yaml")],
            swiftSettings: realTime ? realTimeSwiftSettings : swiftSettings)
}

let package = Package(
    name: "AudioFleet",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "audio-fleet", targets: ["AudioFleetCLI"]),
        // The libFuzzer target over the upload readers; mk/fuzz.mk builds it with -sanitize=fuzzer.
        .executable(name: "fleet-fuzz", targets: ["FleetFuzz"]),
    ],
    traits: [
        .trait(name: "OTLPGRPC", description: "Also export OTLP over gRPC (OTEL_EXPORTER_OTLP_PROTOCOL=grpc)."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        // One trait, not Hummingbird's default two: SwiftPM 6.3 passes a package's trait defines in
        // a random order, and a package with two or more is recompiled on about every second build
        // (swift-package-manager#10525, fixed in 6.4). FullFoundation only changes how URL-encoded
        // forms format dates, which the fleet does not use. (swift-protobuf, under swift-otel, still
        // has two, so it may recompile in a few seconds; nothing here can set its traits.)
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1",
                 traits: ["ConfigurationSupport"]),
        // OTLP over HTTP only by default: the gRPC exporter pulls in grpc-swift, its transport,
        // swift-certificates and swift-crypto, 10 % of a cold debug build and 19 % of a release one
        // (docs/performance.md). `swift build --traits OTLPGRPC` brings it back.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0",
                 traits: ["OTLPHTTP", .trait(name: "OTLPGRPC", condition: .when(traits: ["OTLPGRPC"]))]),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-configuration.git", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-system.git", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        // The orchestrator's conversation store on PostgreSQL (ORCHESTRATOR_STORE=postgres), so it
        // can run as several replicas; SQLite stays the default.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: C libraries from the system (apt: libopus-dev, libogg-dev)
        .systemLibrary(name: "COpus", path: "Sources/COpus", pkgConfig: "opus",
                       providers: [.apt(["libopus-dev"])]),
        .systemLibrary(name: "COgg", path: "Sources/COgg", pkgConfig: "ogg",
                       providers: [.apt(["libogg-dev"])]),
        // The speech engines (apt: flite1-dev; libpocketsphinx-dev, pocketsphinx-en-us). flite has
        // no pkg-config file; its module map names its libraries.
        .systemLibrary(name: "CFlite", path: "Sources/CFlite", providers: [.apt(["flite1-dev"])]),
        // No pkgConfig: Debian's pocketsphinx.pc requires sphinxbase.pc, whose Libs add -lsphinxad
        // (microphone input through PulseAudio), and with it 26 of the 66 libraries every
        // service loaded (PulseAudio, X11, libsndfile, FLAC, systemd...) though nothing here records
        // audio. The module map links pocketsphinx and sphinxbase; `swiftSettings` adds the header
        // folder pocketsphinx.h includes its own headers from, for every module that loads this one.
        .systemLibrary(name: "CPocketSphinx", path: "Sources/CPocketSphinx",
                       providers: [.apt(["libpocketsphinx-dev", "pocketsphinx-en-us"])]),

        // MARK: Shared modules
        .target(name: "FleetAudio", dependencies: ["COpus", "COgg"], swiftSettings: realTimeSwiftSettings),
        /// The multipart/form-data reader stt takes uploads with, apart from any HTTP server so the
        /// fuzz target can link it alone.
        .target(name: "FleetUploads", swiftSettings: swiftSettings),
        /// The readers of outside bytes (Ogg Opus, WAV, multipart) behind one entry point with a
        /// per-input budget, shared by the fuzz target and the tests that replay what it found.
        .target(name: "FleetFuzzing", dependencies: ["FleetAudio", "FleetUploads"], swiftSettings: swiftSettings),
        /// libFuzzer's `LLVMFuzzerTestOneInput` when built with -DFUZZING (mk/fuzz.mk), a replayer otherwise.
        .executableTarget(name: "FleetFuzz", dependencies: ["FleetFuzzing"], path: "Sources/fleet-fuzz",
                          swiftSettings: swiftSettings),
        /// Real speech on the CPU: flite speaks, pocketsphinx listens, and the text both share
        /// (numbers and abbreviations spelled out, word error rate) so they agree on what a word is.
        .target(name: "FleetSpeech", dependencies: ["FleetAudio", "CFlite", "CPocketSphinx"],
                swiftSettings: realTimeSwiftSettings),
        .target(
            name: "FleetTelemetry",
            dependencies: [
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                // The loopback OTLP relay behind the otlpBlackhole scenario.
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "ServiceKit",
            dependencies: [
                "FleetTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                // HTTP1Channel and HTTPServerBuilder: the server's timeouts and connection guards.
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // NIOThreadPool: the flag file's blocking reads, locks and writes.
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "FleetContracts",
            dependencies: [
                "ServiceKit", "FleetTelemetry", "FleetAudio",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),

        // The frame, stylesheet and live-refresh script the three pages share.
        .target(
            name: "FleetPages",
            dependencies: ["FleetTelemetry", "ServiceKit", .product(name: "Mustache", package: "swift-mustache")],
            swiftSettings: swiftSettings
        ),

        // MARK: The nine services
        service("GuardrailsService", folder: "guardrails"),
        service("LLMFlanService", folder: "llm-flan"),
        service("TTSBarkService", folder: "tts-bark", extra: ["FleetSpeech"]),
        service("AudioProcessorService", folder: "audio-processor", realTime: true),
        service("STTService", folder: "stt", extra: ["FleetSpeech", "FleetUploads"], realTime: true),
        service("OrchestratorService", folder: "orchestrator",
                extra: [.product(name: "GRDB", package: "GRDB.swift"),
                        .product(name: "PostgresNIO", package: "postgres-nio"),
                        // ORCHESTRATOR_DATABASE_URL and PGPASSWORD are read as plain optional strings.
                        .product(name: "Configuration", package: "swift-configuration")]),
        service("DiscordService", folder: "discord", extra: ["FleetSpeech", "FleetPages", .product(name: "Mustache", package: "swift-mustache")],
                realTime: true),
        service("TestingUIService", folder: "testing-ui",
                extra: ["FleetSpeech", "FleetPages", .product(name: "Mustache", package: "swift-mustache"),
                        .product(name: "GRDB", package: "GRDB.swift")]),
        service("MonitoringDashboardService", folder: "monitoring-dashboard",
                extra: ["FleetPages", .product(name: "Mustache", package: "swift-mustache"),
                        .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "GRDB", package: "GRDB.swift")]),

        // MARK: The one binary
        .executableTarget(
            name: "AudioFleetCLI",
            dependencies: [
                "ServiceKit", "FleetTelemetry", "FleetAudio", "FleetSpeech", "FleetContracts",
                "GuardrailsService", "LLMFlanService", "TTSBarkService", "AudioProcessorService",
                "STTService", "OrchestratorService", "DiscordService", "TestingUIService",
                "MonitoringDashboardService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // ExportDefault reads the environment and .env as the services do.
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Sources/audio-fleet",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests

        /// In-memory peers (fakes of the FleetContracts protocols) that every service's tests share,
        /// and `testApplication`, which builds a service over them.
        .target(
            name: "FleetTestSupport",
            dependencies: ["FleetContracts", "ServiceKit", "FleetAudio", "FleetSpeech", "FleetTelemetry",
                           // TemporaryPostgres: a real PostgreSQL server for the conversation store's tests.
                           "OrchestratorService", .product(name: "PostgresNIO", package: "postgres-nio"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "CoreMetrics", package: "swift-metrics")],
            path: "Tests/FleetTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "FleetAudioTests", dependencies: ["FleetAudio", "FleetSpeech", "FleetTestSupport"],
                    swiftSettings: swiftSettings),
        /// Replays every input the fuzzer kept (Tests/Fuzz/regressions) and the corpus through the entry point.
        .testTarget(name: "FuzzRegressionTests", dependencies: ["FleetFuzzing"], swiftSettings: swiftSettings),
        .testTarget(name: "FleetSpeechTests", dependencies: ["FleetSpeech", "FleetAudio"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "FleetTelemetry",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                // The telemetry tests compare our endpoint resolution with swift-otel's own.
                .product(name: "OTel", package: "swift-otel"),
                // The scenario tests: a live peer and the relay's fake collector are called over
                // HTTP, and the peer client's spans are read from an in-memory tracer.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ServicesTests",
            dependencies: [
                "GuardrailsService", "LLMFlanService", "TTSBarkService", "AudioProcessorService",
                "STTService", "OrchestratorService", "DiscordService", "TestingUIService",
                "MonitoringDashboardService", "FleetContracts", "ServiceKit", "FleetTelemetry", "FleetAudio",
                "FleetSpeech", "FleetTestSupport", "FleetPages", "FleetUploads",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOFoundationEssentialsCompat", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                // The barge-in span test reads a voice turn's spans from an in-memory tracer.
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                // The OpenAPI contract tests read each service's openapi.yaml.
                .product(name: "Yams", package: "Yams"),
                // The PostgreSQL conversation store's tests make a database per test on a real server.
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "FleetAudio", "FleetSpeech", "FleetTelemetry", "ServiceKit", "OrchestratorService", "FleetTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Two orchestrator processes sharing one PostgreSQL database (TemporaryPostgres).
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "StackConfigTests",
            dependencies: ["FleetTelemetry", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
    ]
)

import FleetTelemetry
import Logging
public import ServiceLifecycle

/// The one provider every service evaluates its scenario flags through. A flag source keeps
/// `runtime.scenarios` current; it has two implementations:
///
/// - `FlagFileSource` watches the flagd-format flag file (the native default);
/// - `OFREPSource` polls flagd over OFREP, the OpenFeature remote-evaluation protocol (compose,
///   where flagd serves that same file).
///
/// Both refuse bad input the same way: the error is logged naming the flag, counted in
/// `flag_errors_total{flag, reason}`, and the last good state stays in effect.
public enum FlagSource {
    /// The source the settings choose: OFREP against `http://$FLAGD_HOST:$FLAGD_OFREP_PORT` when
    /// FLAGD_HOST is set, otherwise the file at SCENARIO_FLAGS_FILE.
    public static func source(runtime: ServiceRuntime) throws -> any Service {
        let settings = try ScenarioSettings(reader: runtime.settings.reader)
        let logger = Logger(label: "\(runtime.member.name).flags")
        if let baseURL = settings.ofrepBaseURL {
            logger.info("scenario flags from flagd over OFREP", metadata: ["url": .string(baseURL)])
            return OFREPSource(baseURL: baseURL, board: runtime.scenarios, logger: logger)
        }
        logger.info("scenario flags from the flag file", metadata: ["path": .string(settings.flagsFile)])
        return FlagFileSource(file: FlagFile(path: settings.flagsFile), board: runtime.scenarios, logger: logger)
    }
}

/// What both sources do with their results.
struct FlagReport: Sendable {
    let board: ScenarioBoard
    let logger: Logger

    /// Logs and counts a refused flag; the board is left as it is.
    func refuse(_ error: FlagError, source: String) {
        MetricCatalog.flagErrors.increment(["flag": error.flag, "reason": error.reason])
        logger.error("scenario flag refused; the last good state stays", metadata: [
            "flag": .string(error.flag), "reason": .string(error.reason), "source": .string(source),
            "error": .string(error.message),
        ])
    }

    /// Puts `values` in effect when they differ from what is in effect, and says which are on.
    func apply(_ values: [String: FlagValue], source: String) {
        let current = Dictionary(uniqueKeysWithValues: board.snapshot.map { ($0.scenario.key, $0.value) })
        let next = Dictionary(uniqueKeysWithValues: Scenario.all.map { ($0.key, values[$0.key] ?? $0.offValue) })
        guard next != current else { return }
        board.replace(with: next)
        let on = Scenario.all.compactMap { scenario in
            next[scenario.key].flatMap { scenario.isActive($0) ? "\(scenario.key)=\($0)\(scenario.unit)" : nil }
        }
        logger.info("scenario flags applied", metadata: [
            "source": .string(source), "on": .string(on.isEmpty ? "none" : on.joined(separator: ", ")),
        ])
    }
}

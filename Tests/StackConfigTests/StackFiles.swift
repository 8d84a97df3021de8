import Foundation
import Yams

/// The stack's files, found relative to this source file so the tests run from any directory.
enum StackFiles {
    /// Tests/StackConfigTests/StackFiles.swift -> the repository root.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    static func text(_ relative: String) throws -> String {
        try String(contentsOf: url(relative), encoding: .utf8)
    }

    /// A YAML file as plain dictionaries and arrays (merge keys `<<` resolved by Yams).
    static func yaml(_ relative: String) throws -> [String: Any] {
        guard let value = try Yams.load(yaml: text(relative)) as? [String: Any] else {
            throw StackFileError.notAMapping(relative)
        }
        return value
    }

    /// An env file (`KEY=value` lines, `#` comments) as a dictionary.
    static func environment(_ relative: String) throws -> [String: String] {
        var env: [String: String] = [:]
        for line in try text(relative).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { env[parts[0]] = parts[1] }
        }
        return env
    }

    static func json(_ relative: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(relative))
        guard let value = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw StackFileError.notAMapping(relative)
        }
        return value
    }

    static let dashboardFiles = [
        "config/grafana/dashboards/audio-orchestrator-overview.json",
        "config/grafana/dashboards/audio-pipeline.json",
        "config/grafana/dashboards/service-details.json",
    ]
    /// Every rule file Prometheus loads (`prometheus-rules/*.yml` in both configs).
    static var ruleFiles: [String] {
        let folder = "config/prometheus-rules"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url(folder).path)) ?? []
        return names.filter { $0.hasSuffix(".yml") }.sorted().map { "\(folder)/\($0)" }
    }

    /// Every PromQL expression of a dashboard, with where it is and whether the panel is marked as
    /// only having data in the compose stack. Targets of other datasources (Loki's LogQL has an
    /// `expr` too) are left out: scripts/stack/check-dashboards.py checks those.
    static func dashboardQueries(_ dashboard: [String: Any], file: String) -> [Query] {
        var queries: [Query] = []
        var panels = dashboard["panels"] as? [[String: Any]] ?? []
        panels += panels.flatMap { $0["panels"] as? [[String: Any]] ?? [] }  // collapsed rows
        for panel in panels where panel["type"] as? String != "row" {
            let composeOnly = (panel["description"] as? String ?? "").hasPrefix("Compose stack only:")
            let panelSource = (panel["datasource"] as? [String: Any])?["type"] as? String
            for target in panel["targets"] as? [[String: Any]] ?? [] {
                let source = (target["datasource"] as? [String: Any])?["type"] as? String ?? panelSource
                guard source == nil || source == "prometheus", let expr = target["expr"] as? String else { continue }
                let place = "\(file) › \(panel["title"] as? String ?? "?") [\(target["refId"] as? String ?? "?")]"
                queries.append(Query(place: place, expr: expr, composeOnly: composeOnly))
            }
        }
        return queries
    }

    static func allDashboardQueries() throws -> [Query] {
        try dashboardFiles.flatMap { try dashboardQueries(json($0), file: $0) }
    }

    static func ruleQueries() throws -> [Query] {
        var queries: [Query] = []
        for file in ruleFiles {
            for group in try yaml(file)["groups"] as? [[String: Any]] ?? [] {
                for rule in group["rules"] as? [[String: Any]] ?? [] {
                    guard let expr = rule["expr"] as? String else { continue }
                    let name = rule["alert"] as? String ?? rule["record"] as? String ?? "?"
                    queries.append(Query(place: "\(file) › \(name)", expr: expr, composeOnly: false))
                }
            }
        }
        return queries
    }
}

enum StackFileError: Error, CustomStringConvertible {
    case notAMapping(String)
    var description: String {
        switch self {
        case .notAMapping(let file): "\(file) is not a mapping at the top level"
        }
    }
}

struct Query: Sendable {
    let place: String
    let expr: String
    let composeOnly: Bool
}

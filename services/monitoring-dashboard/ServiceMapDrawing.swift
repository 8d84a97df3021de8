import FleetTelemetry
import Foundation

/// The service map as an SVG drawn on the server: the nine services at fixed places in pipeline
/// order (the voice bridge on the left, its three stages in the middle, the orchestrator's three
/// on the right; testing-ui below the bridge, the dashboard aside), and an arrow per pair of
/// services that called each other, labelled with its call count and red when a call failed.
///
/// Fixed places keep the map readable and still from one refresh to the next; a service that is
/// not one of the nine (an odd `service.name`) gets a place in a row of its own at the bottom.
struct ServiceMapDrawing: Sendable {
    /// A service's box, its coordinates already written for the SVG.
    struct Node: Sendable {
        let name: String
        let x: String, y: String, width: String, height: String
        let textX: String, textY: String
        /// The service's readiness as last polled (ready, degraded, not_ready, unreachable, unknown).
        let health: String
        /// The dashboard itself: drawn dashed, beside the pipeline.
        let aside: Bool
    }

    /// One arrow, caller to callee, with its label.
    struct Edge: Sendable {
        /// `caller->callee`, the browser test's hook.
        let key: String
        let caller: String
        let callee: String
        let calls: Int
        let errors: Int
        let failed: Bool
        let x1: String, y1: String, x2: String, y2: String
        let labelX: String, labelY: String
        let label: String
    }

    let width: Int
    let height: Int
    let nodes: [Node]
    let edges: [Edge]

    static let nodeWidth = 150.0
    static let nodeHeight = 38.0

    /// Top-left corners of the nine, in a 760 x 340 drawing.
    static let places: [FleetMember: (x: Double, y: Double)] = [
        .monitoringDashboard: (20, 20),
        .discord: (20, 120),
        .testingUI: (20, 280),
        .audioProcessor: (300, 20),
        .stt: (300, 120),
        .orchestrator: (300, 200),
        .guardrails: (580, 120),
        .llm: (580, 200),
        .tts: (580, 280),
    ]

    /// Draws `edges` (self-calls left out: they are not between services) over the nine, each
    /// node coloured by `health` (service name -> its last polled status).
    static func draw(_ edges: [ServiceEdge], health: [String: String]) -> ServiceMapDrawing {
        let between = edges.filter { $0.caller != $0.callee }
        let known = Set(FleetMember.allCases.map(\.name))
        let strangers = Array(Set(between.flatMap { [$0.caller, $0.callee] }).subtracting(known)).sorted()

        var boxes: [String: (x: Double, y: Double)] = [:]
        for member in FleetMember.allCases { boxes[member.name] = places[member] }
        for (index, name) in strangers.enumerated() {
            boxes[name] = (20 + Double(index % 4) * 185, 380 + Double(index / 4) * 60)
        }
        let height = strangers.isEmpty ? 340 : 380 + ((strangers.count + 3) / 4) * 60

        let nodes = (FleetMember.allCases.map(\.name) + strangers).compactMap { name -> Node? in
            guard let box = boxes[name] else { return nil }
            return Node(name: name, x: c(box.x), y: c(box.y), width: c(nodeWidth), height: c(nodeHeight),
                        textX: c(box.x + nodeWidth / 2), textY: c(box.y + nodeHeight / 2 + 4),
                        health: health[name] ?? "unknown", aside: name == FleetMember.monitoringDashboard.name)
        }
        let pairs = Set(between.map { "\($0.caller)->\($0.callee)" })
        let drawn = between.sorted { ($0.caller, $0.callee) < ($1.caller, $1.callee) }.compactMap { edge -> Edge? in
            guard let from = boxes[edge.caller], let to = boxes[edge.callee] else { return nil }
            // Both directions called: each arrow moves aside a little so the two do not overlap.
            let shift = pairs.contains("\(edge.callee)->\(edge.caller)") ? 5.0 : 0
            return arrow(edge, from: from, to: to, shift: shift)
        }
        return ServiceMapDrawing(width: 760, height: height, nodes: nodes, edges: drawn)
    }

    /// The arrow from the border of one box to the border of the other, along the line between
    /// their centres, and its label beside its middle.
    private static func arrow(_ edge: ServiceEdge, from: (x: Double, y: Double), to: (x: Double, y: Double),
                              shift: Double) -> Edge {
        let (ax, ay) = (from.x + nodeWidth / 2, from.y + nodeHeight / 2)
        let (bx, by) = (to.x + nodeWidth / 2, to.y + nodeHeight / 2)
        let (dx, dy) = (bx - ax, by - ay)
        let length = max((dx * dx + dy * dy).squareRoot(), 1)
        // How far along the centre line each box's border is.
        let border = min(dx == 0 ? .infinity : (nodeWidth / 2 + 2) / abs(dx),
                         dy == 0 ? .infinity : (nodeHeight / 2 + 2) / abs(dy))
        let (nx, ny) = (-dy / length, dx / length)
        let x1 = ax + dx * border + nx * shift, y1 = ay + dy * border + ny * shift
        let x2 = bx - dx * border + nx * shift, y2 = by - dy * border + ny * shift
        let label = edge.errors > 0 ? "\(edge.calls) · \(edge.errors) failed" : "\(edge.calls)"
        // The label sits on the side the arrow was shifted to, or above it.
        let side = shift > 0 ? 9.0 : -7.0
        return Edge(key: "\(edge.caller)->\(edge.callee)", caller: edge.caller, callee: edge.callee,
                    calls: edge.calls, errors: edge.errors, failed: edge.errors > 0,
                    x1: c(x1), y1: c(y1), x2: c(x2), y2: c(y2),
                    labelX: c((x1 + x2) / 2 + nx * side), labelY: c((y1 + y2) / 2 + ny * side + 4), label: label)
    }

    private static func c(_ value: Double) -> String { DashboardFormat.coordinate(value) }
}

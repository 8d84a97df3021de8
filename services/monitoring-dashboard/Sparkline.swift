/// A small line chart drawn on the server as two SVG paths (the line and the area under it), so
/// the page needs no chart library and no script: `<svg class="spark">` in the shared stylesheet.
///
/// The x axis is a fixed time window (the last 15 minutes), so every chart on the page lines up
/// and a service that just started draws only at the right. Points are averaged into at most
/// `buckets` slots, which bounds the page's size whatever the poll interval. A slot whose points
/// are all null (the service could not be read) breaks the line; a slot with no point at all
/// (polls further apart than a slot) is simply bridged.
struct Sparkline: Sendable, Equatable {
    /// `d` of the line; empty when there is nothing to draw.
    var line: String
    /// `d` of the area under the line.
    var area: String
    /// The highest value drawn (the top of the chart); 0 when none.
    var peak: Double

    static let width = 120.0
    static let height = 36.0
    static let buckets = 60

    var isEmpty: Bool { line.isEmpty }

    static func draw(_ points: [(at: Double, value: Double?)], from start: Double, to end: Double,
                     buckets: Int = Self.buckets) -> Sparkline {
        guard end > start, buckets > 0 else { return Sparkline(line: "", area: "", peak: 0) }
        // Each slot: the sum and count of its values, and whether it saw a point at all.
        var sums = [Double](repeating: 0, count: buckets)
        var counts = [Int](repeating: 0, count: buckets)
        var seen = [Bool](repeating: false, count: buckets)
        for point in points where point.at >= start && point.at <= end {
            let slot = min(buckets - 1, Int((point.at - start) / (end - start) * Double(buckets)))
            seen[slot] = true
            if let value = point.value, value.isFinite {
                sums[slot] += value
                counts[slot] += 1
            }
        }
        let values: [Double?] = (0..<buckets).map { counts[$0] > 0 ? sums[$0] / Double(counts[$0]) : nil }
        let peak = values.compactMap { $0 }.max() ?? 0

        // Segments of consecutive drawn slots, split where a seen slot had only nulls.
        var segments: [[(x: Double, y: Double)]] = []
        var current: [(x: Double, y: Double)] = []
        for slot in 0..<buckets where seen[slot] {
            guard let value = values[slot] else {
                if !current.isEmpty { segments.append(current) }
                current = []
                continue
            }
            let x = (Double(slot) + 0.5) / Double(buckets) * width
            let y = peak > 0 ? height - 2 - value / peak * (height - 4) : height - 2
            current.append((x, y))
        }
        if !current.isEmpty { segments.append(current) }

        var line = ""
        var area = ""
        for segment in segments {
            // A lone point still shows, as a short dash.
            let drawn = segment.count == 1 ? [(segment[0].x - 0.6, segment[0].y), (segment[0].x + 0.6, segment[0].y)] : segment
            let steps = drawn.map { "\(DashboardFormat.coordinate($0.0)) \(DashboardFormat.coordinate($0.1))" }
            line += "M" + steps.joined(separator: "L")
            let baseline = DashboardFormat.coordinate(height)
            area += "M\(DashboardFormat.coordinate(drawn[0].0)) \(baseline)L" + steps.joined(separator: "L")
                + "L\(DashboardFormat.coordinate(drawn[drawn.count - 1].0)) \(baseline)Z"
        }
        return Sparkline(line: line, area: area, peak: peak)
    }
}

import Foundation
import Testing
@testable import LabAtlasCore

struct LatencyHistogramTests {
    /// Percentiles within the buckets' 4 %, from a tenth of a millisecond to seconds.
    @Test func percentilesAreWithinFourPercent() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(0.5) == nil)
        // 1 to 1,000 ms, one each: the p50 is 500 ms, the p99 990 ms.
        for milliseconds in 1...1_000 { histogram.record(milliseconds: Double(milliseconds)) }
        #expect(histogram.count == 1_000)
        for (quantile, expected) in [(0.5, 500.0), (0.9, 900.0), (0.99, 990.0), (1.0, 1_000.0), (0.001, 1.0)] {
            let found = histogram.percentile(quantile) ?? 0
            #expect(found >= expected && found <= expected * 1.04, "p\(quantile * 100): \(found) for \(expected)")
        }
        var small = LatencyHistogram()
        small.record(milliseconds: 0.15)
        small.record(milliseconds: 0)
        small.record(milliseconds: .infinity)
        small.record(milliseconds: 1e9)
        #expect((small.percentile(0.25) ?? 1) <= LatencyHistogram.smallest, "none below zero, nor a crash")
        #expect((small.percentile(0.5).map { $0 >= 0.15 && $0 <= 0.156 }) == true)
        #expect((small.percentile(1) ?? 0) > 100_000, "beyond the last bucket: counted in it")
    }

    /// The load benchmark's categories, from method and path.
    @Test func requestKindsFollowTheBenchmarksCategories() {
        let cases: [(String, String, RequestKind)] = [
            ("GET", "/", .home), ("GET", "/projects", .lists), ("GET", "/labs/lab-0000008", .details),
            ("GET", "/search", .search), ("GET", "/api/v1/search", .apiSearch), ("GET", "/api/v1/projects", .apiLists),
            ("GET", "/api/v1/projects/atelier", .apiDetails), ("GET", "/feed.atom", .feeds),
            ("GET", "/labs/lab-1/events.ics", .feeds), ("GET", "/css/labatlas.css", .files),
            ("POST", "/api/v1/projects", .writes), ("PUT", "/api/v1/projects/atelier", .writes), ("POST", "/login", .writes),
            ("HEAD", "/labs", .lists),
        ]
        for (method, path, kind) in cases {
            #expect(RequestKind(method: method, path: path) == kind, "\(method) \(path)")
        }
    }
}

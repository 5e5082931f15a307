import Foundation

/// Durations counted in buckets 4 % wide, from 0.01 ms to about 3 minutes:
/// percentiles within 4 % of the true value, in a fixed few kilobytes
/// whatever the number of requests (a server under load counts millions).
public struct LatencyHistogram: Sendable, Equatable {
    /// Each bucket's upper bound is the previous one's times this.
    static let growth = 1.04
    static let smallest = 0.01
    static let bucketCount = 430

    private var counts = [Int](repeating: 0, count: bucketCount)
    public private(set) var count = 0

    public init() {}

    public mutating func record(milliseconds: Double) {
        counts[Self.bucket(of: milliseconds)] += 1
        count += 1
    }

    /// The duration under which a fraction `quantile` (0 to 1) of those
    /// recorded fall: the upper bound of its bucket; nil when none was.
    public func percentile(_ quantile: Double) -> Double? {
        guard count > 0 else { return nil }
        let rank = max(1, Int((quantile * Double(count)).rounded(.up)))
        var seen = 0
        for (bucket, number) in counts.enumerated() {
            seen += number
            if seen >= rank { return Self.upperBound(of: bucket) }
        }
        return Self.upperBound(of: Self.bucketCount - 1)
    }

    static func bucket(of milliseconds: Double) -> Int {
        if milliseconds.isInfinite, milliseconds > 0 { return bucketCount - 1 }
        guard milliseconds.isFinite, milliseconds > smallest else { return 0 }
        let index = Int((log(milliseconds / smallest) / log(growth)).rounded(.up))
        return min(index, bucketCount - 1)
    }

    static func upperBound(of bucket: Int) -> Double {
        smallest * pow(growth, Double(bucket))
    }
}

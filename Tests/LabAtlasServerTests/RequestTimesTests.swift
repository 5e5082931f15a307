import Foundation
import Testing
import LabAtlasCore
@testable import LabAtlasServer

struct RequestTimesTests {
    /// Each kind's count and percentiles, in all and once served, in one line.
    @Test func timesAreSaidByKind() {
        let times = RequestTimes()
        times.record(.writes, total: .milliseconds(50), served: .milliseconds(50))
        times.record(.writes, total: .milliseconds(150), served: .milliseconds(140))
        times.record(.home, total: .milliseconds(40), served: .microseconds(2_500))
        #expect(times.times.map(\.kind) == [.home, .writes])
        #expect(times.times.first?.times.total.count == 1)
        let summary = times.summary
        #expect(summary.hasPrefix("home 1: 40.") && summary.contains("served in 2.5"), "\(summary)")
        #expect(summary.contains("; writes 2: 5"), "\(summary)")
        #expect(RequestTimes.isWanted(environment: "1") && RequestTimes.isWanted(environment: " true"))
        #expect(!RequestTimes.isWanted(environment: nil) && !RequestTimes.isWanted(environment: "0"))
    }
}

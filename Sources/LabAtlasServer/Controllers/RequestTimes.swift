import Foundation
import Synchronization
import Vapor
import LabAtlasCore

/// How long requests took, by kind (`RequestKind`): from arrival to answer,
/// and from the end of their wait in the read queue (`RequestQueueMiddleware`)
/// to answer. Said as the server stops (`RequestTimesReport`), when
/// `LABATLAS_REQUEST_TIMES=1`: which kinds make a slow percentile, and
/// whether they waited for their turn or were slow once served. The load
/// benchmark turns it on.
final class RequestTimes: Sendable {
    struct Times: Sendable {
        var total = LatencyHistogram()
        var served = LatencyHistogram()
    }

    private let byKind = Mutex<[RequestKind: Times]>([:])

    func record(_ kind: RequestKind, total: Duration, served: Duration) {
        byKind.withLock { times in
            times[kind, default: Times()].total.record(milliseconds: total.milliseconds)
            times[kind, default: Times()].served.record(milliseconds: served.milliseconds)
        }
    }

    var times: [(kind: RequestKind, times: Times)] {
        byKind.withLock { $0.map { ($0.key, $0.value) } }.sorted { $0.kind < $1.kind }
    }

    /// One line a kind: count, then p50 / p90 / p99 in milliseconds, in all and once served.
    var summary: String {
        func figures(_ histogram: LatencyHistogram) -> String {
            [0.5, 0.9, 0.99].map { histogram.percentile($0).map { String(format: "%.1f", $0) } ?? "-" }.joined(separator: " / ")
        }
        return times.map { "\($0.kind.rawValue) \($0.times.total.count): \(figures($0.times.total)) ms, served in \(figures($0.times.served)) ms" }
            .joined(separator: "; ")
    }

    /// Whether `LABATLAS_REQUEST_TIMES` asks for it.
    static func isWanted(environment value: String?) -> Bool {
        ["1", "true", "yes"].contains(value?.lowercased().trimmingCharacters(in: .whitespaces) ?? "")
    }
}

private extension Duration {
    var milliseconds: Double {
        Double(components.seconds) * 1_000 + Double(components.attoseconds) / 1e15
    }
}

/// First of the chain: times each request from its arrival to its answer.
struct RequestTimingMiddleware: AsyncMiddleware {
    let times: RequestTimes

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let arrived = ContinuousClock.now
        defer {
            let answered = ContinuousClock.now
            let served = request.storage[ServedFromKey.self] ?? arrived
            times.record(RequestKind(method: request.method.rawValue, path: request.url.path),
                         total: answered - arrived, served: answered - served)
        }
        return try await next.respond(to: request)
    }
}

/// Right after the read queue: notes when the request's turn came.
struct RequestServedMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        request.storage[ServedFromKey.self] = ContinuousClock.now
        return try await next.respond(to: request)
    }
}

private struct ServedFromKey: StorageKey {
    typealias Value = ContinuousClock.Instant
}

/// Says the request times as the server stops.
struct RequestTimesReport: LifecycleHandler {
    let times: RequestTimes

    func shutdown(_ application: Application) {
        guard !times.times.isEmpty else { return }
        application.logger.notice("Request times by kind (count: p50 / p90 / p99): \(times.summary).")
    }
}

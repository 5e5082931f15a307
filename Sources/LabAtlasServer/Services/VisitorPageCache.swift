import Foundation
import Synchronization
import Vapor
import LabAtlasCore

/// The pages and JSON this instance served to visitors, kept with the
/// versions of what they show (`ContentVersions`): a visitor asking again
/// gets the kept bytes as long as none of it has been written, by this
/// instance or another one on the same database. One read of the
/// versions replaces the page's queries and rendering (a list page is about
/// 30 queries and a Leaf rendering).
///
/// Only visitors' GET answers of 200 are kept: what a signed-in reader sees
/// depends on their memberships, and is neither kept nor served from here.
/// Pages that depend on the date (upcoming events) are stamped with the
/// number of events not yet ended as well (`ContentVersions.eventsNotEnded`).
/// Bounded in bytes (`LABATLAS_PAGE_CACHE_MB`, default 64; 0 keeps nothing);
/// past the bound the oldest pages go first.
final class VisitorPageCache: Sendable {
    struct Page: Sendable {
        var stamp: [Int64]
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    private struct State {
        var pages: [String: (page: Page, generation: Int)] = [:]
        /// Keys in the order they were kept, for eviction; a key kept again is
        /// listed again, and only its last listing (its generation) counts.
        var order: [(key: String, generation: Int)] = []
        var orderStart = 0
        var generation = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Bytes the cache may hold, from `LABATLAS_PAGE_CACHE_MB`.
    static func capacity(environment value: String?) -> Int {
        let megabytes = value.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { max(0, min($0, 4096)) } ?? 64
        return megabytes * 1024 * 1024
    }

    /// A page kept under `key` whose stamp is `stamp`.
    func page(_ key: String, stamp: [Int64]) -> Page? {
        state.withLock { state in
            guard let kept = state.pages[key], kept.page.stamp == stamp else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            return kept.page
        }
    }

    func keep(_ key: String, _ page: Page) {
        let size = Self.size(key, page)
        guard size <= capacity / 8 else { return }
        state.withLock { state in
            if let old = state.pages[key] { state.bytes -= Self.size(key, old.page) }
            state.generation += 1
            state.pages[key] = (page, state.generation)
            state.order.append((key, state.generation))
            state.bytes += size
            while state.bytes > capacity, state.orderStart < state.order.count {
                let oldest = state.order[state.orderStart]
                state.orderStart += 1
                guard let kept = state.pages[oldest.key], kept.generation == oldest.generation else { continue }
                state.pages[oldest.key] = nil
                state.bytes -= Self.size(oldest.key, kept.page)
            }
            if state.orderStart > 1024, state.orderStart * 2 > state.order.count {
                state.order.removeFirst(state.orderStart)
                state.orderStart = 0
            }
        }
    }

    var statistics: (hits: Int, misses: Int, pages: Int, bytes: Int) {
        state.withLock { ($0.hits, $0.misses, $0.pages.count, $0.bytes) }
    }

    private static func size(_ key: String, _ page: Page) -> Int {
        key.utf8.count + page.body.readableBytes + page.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } + 64
    }
}

extension Application {
    private struct VisitorPageCacheKey: StorageKey {
        typealias Value = VisitorPageCache
    }

    var visitorPages: VisitorPageCache {
        get {
            // Set by `configure`; an application without it keeps nothing.
            storage[VisitorPageCacheKey.self] ?? VisitorPageCache(capacity: 0)
        }
        set { storage[VisitorPageCacheKey.self] = newValue }
    }
}

extension Request {
    /// For a visitor, the page kept for this URL while what it shows
    /// (`reads`) is unchanged; otherwise `render`, kept for the next visitor.
    /// The versions are read before the page: a write landing in between only
    /// makes the page newer than its stamp, never older.
    /// `followsTheDate`: the page shows events as upcoming or past.
    func visitorPage(reads: Set<ContentVersions.Part>, followsTheDate: Bool = false,
                     _ render: () async throws -> Response) async throws -> Response {
        let cache = application.visitorPages
        guard cache.capacity > 0, method == .GET, !reader.isSignedIn, !reader.seesEverything else { return try await render() }
        let versions = try await ContentVersions.read(on: try db.sql)
        var stamp = reads.sorted { $0.sortKey < $1.sortKey }.map { versions[$0] ?? 0 }
        // Read before the page too: an event ending in between makes the page newer than its stamp.
        if followsTheDate { stamp.append(try await ContentVersions.eventsNotEnded(on: db)) }
        let key = url.string
        if let page = cache.page(key, stamp: stamp) {
            return Response(status: .ok, headers: page.headers, body: .init(buffer: page.body))
        }
        let response = try await render()
        if response.status == .ok, let body = response.body.buffer, !response.headers.contains(name: .setCookie) {
            cache.keep(key, VisitorPageCache.Page(stamp: stamp, headers: response.headers, body: body))
        }
        return response
    }
}

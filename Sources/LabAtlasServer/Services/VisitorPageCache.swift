import Foundation
import SQLKit
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
///
/// Under writes a page's stamp changes often, and several visitors may ask
/// for it at the new stamp at once: the first renders it and the others wait
/// for that page (`claim`, `land`) instead of rendering it again each.
///
/// A busy server lets a visitor's list (the home page, a list, an API list)
/// lag behind the latest writes by a moment (`Lag`): while reads wait for
/// their turn, a list kept less than five seconds ago is served as it is,
/// unless a write since changed any item's name, slug, visibility or
/// deletion, or a lab's region (`references`): a new item or an edited text
/// may wait a moment. Each new project otherwise made every project list, the
/// home page and the API lists be rendered again for nearly every visitor:
/// under the load benchmark's writes, a third of the server's time. A list
/// asked for every second or so is rendered again once a lag at most: five
/// seconds served a fifth more requests than one (two servers side by side
/// under the same load). A search answer last found exact less than the lag
/// ago is served as it is too (`lagging(_:key:)`), without checking the
/// documents written since: its stamp already holds every type's
/// references. Item pages never lag, and signed-in readers never see kept
/// pages.
final class VisitorPageCache: Sendable {
    struct Page: Sendable {
        var stamp: [Int64]
        /// The versions a lagging page must still match (`Lag`): every type's
        /// references, and the events not yet ended when the page follows the
        /// date; nil for an item's page or JSON, which never lags, and for a
        /// search answer, whose stamp holds them (`lagging(_:key:)`).
        var references: [Int64]? = nil
        /// When its versions were about to be read: what was written before is in it.
        var readAt: ContinuousClock.Instant = .now
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// A search answer's index marks: it may hold past writes (`KeptSearchAnswers`).
        var search: KeptSearchAnswers.Mark? = nil
        /// When its versions were read, in the order of `claim`: a page read
        /// earlier never replaces one read later (`keep`).
        var readOrder = 0
    }

    /// When a visitor may be served a list older than the latest writes.
    struct Lag: Sendable {
        /// How much older at most: its versions were read less than this long ago.
        var limit: Duration
        /// Whether the server is busy: reads wait for their turn (`RequestQueueMiddleware`).
        var isBusy: @Sendable () -> Bool

        /// `LABATLAS_VISITOR_LAG_MS` (default 5000; 0 never lags), for a server busy when `isBusy` says so.
        static func from(environment value: String?, isBusy: @escaping @Sendable () -> Bool) -> Lag? {
            let milliseconds = VisitorPageCache.setting(value, in: 0...60_000, default: 5000)
            return milliseconds > 0 ? Lag(limit: .milliseconds(milliseconds), isBusy: isBusy) : nil
        }
    }

    /// What a visitor asking for a page at a stamp does.
    enum Claim {
        /// Serves the page kept.
        case kept(Page)
        /// Serves the page kept, older than the stamp by a moment (`Lag`).
        case lagging(Page)
        /// Waits for the render another visitor has under way (`join`).
        case join
        /// Renders it, then says so (`land`), whether it was kept or not.
        case render(readOrder: Int)
    }

    /// A render under way: the stamp it is for, and the visitors waiting for it.
    private struct Flight {
        var stamp: [Int64]
        var waiters: [CheckedContinuation<Page?, Never>] = []
    }

    private struct State {
        var pages: [String: (page: Page, generation: Int)] = [:]
        var flights: [String: Flight] = [:]
        var reads = 0
        /// Keys in the order they were kept, for eviction; a key kept again is
        /// listed again, and only its last listing (its generation) counts.
        var order: [(key: String, generation: Int)] = []
        var orderStart = 0
        var generation = 0
        var bytes = 0
        var hits = 0
        var misses = 0
        /// Of the hits, pages served lagging (`Lag`).
        var lagging = 0
        /// Served again and rendered, by section (`section(of:)`).
        var bySection: [String: (hits: Int, misses: Int)] = [:]
    }

    let capacity: Int
    let lag: Lag?
    private let state = Mutex(State())

    init(capacity: Int, lag: Lag? = nil) {
        self.capacity = capacity
        self.lag = lag
    }

    /// Bytes the cache may hold, from `LABATLAS_PAGE_CACHE_MB`.
    static func capacity(environment value: String?) -> Int {
        setting(value, in: 0...4096, default: 64) * 1024 * 1024
    }

    /// A whole number from the environment, brought within `range`; `default` when unset or unreadable.
    static func setting(_ value: String?, in range: ClosedRange<Int>, default: Int) -> Int {
        value.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }.map { min(max($0, range.lowerBound), range.upperBound) } ?? `default`
    }

    /// A page kept under `key` whose stamp is `stamp`.
    func page(_ key: String, stamp: [Int64]) -> Page? {
        let page = candidate(key, stamp: stamp)
        count(hit: page != nil, key: key)
        return page
    }

    /// A page kept under `key` whose stamp is `stamp`, not yet counted: the
    /// caller decides whether it still holds.
    func candidate(_ key: String, stamp: [Int64]) -> Page? {
        state.withLock { state in
            state.pages[key].flatMap { $0.page.stamp == stamp ? $0.page : nil }
        }
    }

    /// The page kept under `key` at `stamp`, a render under way to wait for,
    /// or the turn to render it. Counted as served again or rendered (a
    /// visitor who waits, once the wait is over).
    /// `references`: the page may lag (`Lag`) while these versions are those it was kept with.
    func claim(_ key: String, stamp: [Int64], references: [Int64]? = nil) -> Claim {
        let lagLimit = references != nil ? busyLag : nil
        let now = ContinuousClock.now
        let claim = state.withLock { state -> Claim in
            state.reads += 1
            if let kept = state.pages[key], kept.page.stamp == stamp { return .kept(kept.page) }
            if state.flights[key]?.stamp == stamp { return .join }
            if let lagLimit, let kept = state.pages[key]?.page, kept.references == references, now - kept.readAt < lagLimit {
                state.lagging += 1
                return .lagging(kept)
            }
            // A render for another stamp is left to land: this one is kept if it was read later.
            if state.flights[key] == nil { state.flights[key] = Flight(stamp: stamp) }
            return .render(readOrder: state.reads)
        }
        switch claim {
        case .kept, .lagging: count(hit: true, key: key)
        case .render: count(hit: false, key: key)
        case .join: break
        }
        return claim
    }

    /// Waits for the render under way for `key` at `stamp`; nil when it gave
    /// nothing to keep (an error, a page not kept), then the caller renders.
    func join(_ key: String, stamp: [Int64]) async -> Page? {
        let page = await withCheckedContinuation { waiter in
            let kept = state.withLock { state -> Page?? in
                if state.flights[key]?.stamp == stamp {
                    state.flights[key]?.waiters.append(waiter)
                    return .none
                }
                // It landed in between.
                return .some(state.pages[key].flatMap { $0.page.stamp == stamp ? $0.page : nil })
            }
            if case .some(let page) = kept { waiter.resume(returning: page) }
        }
        count(hit: page != nil, key: key)
        return page
    }

    /// Ends the render of `key` at `stamp`: keeps `page` (nil: nothing to
    /// keep) and hands it to the visitors waiting for it.
    func land(_ key: String, stamp: [Int64], page: Page?) {
        if let page { keep(key, page) }
        let waiters = state.withLock { state -> [CheckedContinuation<Page?, Never>] in
            guard state.flights[key]?.stamp == stamp else { return [] }
            return state.flights.removeValue(forKey: key)?.waiters ?? []
        }
        for waiter in waiters { waiter.resume(returning: page) }
    }

    /// Visitors waiting for the render under way for `key`.
    func waiting(for key: String) -> Int {
        state.withLock { $0.flights[key]?.waiters.count ?? 0 }
    }

    func count(hit: Bool, key: String) {
        let section = Self.section(of: key)
        state.withLock { state in
            if hit { state.hits += 1 } else { state.misses += 1 }
            state.bySection[section, default: (0, 0)].hits += hit ? 1 : 0
            state.bySection[section, default: (0, 0)].misses += hit ? 0 : 1
        }
    }

    /// A URL's section: its first path segment, two for the API ("api/v1/projects").
    static func section(of key: String) -> String {
        let path = key.split(separator: "?", maxSplits: 1).first ?? ""
        let segments = path.split(separator: "/")
        let count = segments.first == "api" ? 3 : 1
        return "/" + segments.prefix(count).joined(separator: "/")
    }

    /// Served again and rendered, by section, busiest first.
    var sections: [(section: String, hits: Int, misses: Int)] {
        state.withLock { $0.bySection.map { ($0.key, $0.value.hits, $0.value.misses) } }
            .sorted { ($0.hits + $0.misses, $1.section) > ($1.hits + $1.misses, $0.section) }
    }

    /// Notes that the search answer kept under `key`, ranked at `ranked`, was
    /// found to hold at `checked`, whose marks were read at `readAt`.
    func recheck(_ key: String, ranked: SearchIndexMark, checked: SearchIndexMark, readAt: ContinuousClock.Instant) {
        state.withLock { state in
            guard let kept = state.pages[key]?.page, kept.search?.ranked == ranked else { return }
            state.pages[key]?.page.search?.checked = checked
            state.pages[key]?.page.readAt = max(kept.readAt, readAt)
        }
    }

    /// Whether a busy server may serve `page`, found at the stamp asked for,
    /// without checking what was written since it was last found exact (a
    /// search answer); counted as served again, lagging, when it may.
    func lagging(_ page: Page, key: String) -> Bool {
        guard let limit = busyLag, ContinuousClock.now - page.readAt < limit else { return false }
        state.withLock { $0.lagging += 1 }
        count(hit: true, key: key)
        return true
    }

    /// How far behind the latest writes a page may be served now: the lag's
    /// limit while the server is busy, nil otherwise.
    private var busyLag: Duration? {
        guard let lag, lag.isBusy() else { return nil }
        return lag.limit
    }

    func keep(_ key: String, _ page: Page) {
        let size = Self.size(key, page)
        guard size <= capacity / 8 else { return }
        state.withLock { state in
            if let old = state.pages[key] {
                // Versions read earlier are older, or the same: the page kept stays.
                guard old.page.readOrder <= page.readOrder || old.page.stamp == page.stamp else { return }
                state.bytes -= Self.size(key, old.page)
            }
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

    var statistics: (hits: Int, misses: Int, pages: Int, bytes: Int, lagging: Int) {
        state.withLock { ($0.hits, $0.misses, $0.pages.count, $0.bytes, $0.lagging) }
    }

    private static func size(_ key: String, _ page: Page) -> Int {
        key.utf8.count + page.body.readableBytes + page.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count } + 64
    }
}

/// Says, as the server stops, what the kept pages served, by section: what
/// `LABATLAS_PAGE_CACHE_MB` is tuned by.
struct VisitorPageCacheReport: LifecycleHandler {
    func shutdown(_ application: Application) {
        let cache = application.visitorPages
        let statistics = cache.statistics
        // Commands (a token, a backup) serve no page: they have nothing to say, and their output is read.
        guard cache.capacity > 0, statistics.hits + statistics.misses > 0 else { return }
        let sections = cache.sections.map { "\($0.section) \($0.hits)/\($0.hits + $0.misses)" }.joined(separator: ", ")
        let cards = application.visitorCards.statistics
        let json = application.visitorJSON.statistics
        application.logger.notice("""
            Pages kept for visitors: \(statistics.hits) of \(statistics.hits + statistics.misses) served again \
            (\(statistics.lagging) of them lagging behind a write, the server being busy); \(statistics.pages) \
            pages kept (\(statistics.bytes / 1024) kB of \(cache.capacity / 1024)). By section: \(sections). Cards: \(cards.hits) \
            of \(cards.hits + cards.built) served again, \(cards.items) kept. API list items: \(json.hits) of \(json.hits + json.built) \
            served again, \(json.items) kept.
            """)
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
    /// `item`: the page is an item's detail page or JSON, which shows what its
    /// version names, and its similar items when it lists them (`ItemVersions`);
    /// one of no item is not kept.
    func visitorPage(reads: Set<ContentVersions.Part>, followsTheDate: Bool = false,
                     item: (type: ItemType, slug: String, similarItems: Bool)? = nil,
                     _ render: () async throws -> Response) async throws -> Response {
        guard let (cache, sql) = visitorCache else { return try await render() }
        let readAt = ContinuousClock.now
        let stamp: [Int64]
        var references: [Int64]?
        if let item {
            let read = try await ItemVersions.read(item.type, slug: item.slug, similarItems: item.similarItems, on: sql)
            guard let itemStamp = read.item else { return try await render() }
            if let id = read.rankAgain {
                SimilarItems(service: SearchService(database: db, reader: reader), backgroundWrites: application.backgroundWrites)
                    .rankLater(id)
            }
            stamp = try await self.stamp(reads, in: read.versions, followsTheDate: followsTheDate) + itemStamp
        } else {
            let versions = try await ContentVersions.read(on: sql)
            stamp = try await self.stamp(reads, in: versions, followsTheDate: followsTheDate)
            references = try await self.stamp(ItemType.referencesOfEveryType, in: versions, followsTheDate: false)
                + (followsTheDate ? stamp.suffix(1) : [])
        }
        let key = url.string
        switch cache.claim(key, stamp: stamp, references: references) {
        case .kept(let page), .lagging(let page):
            return page.response
        case .join:
            if let page = await cache.join(key, stamp: stamp) { return page.response }
            return try await render()
        case .render(let readOrder):
            let response: Response
            do {
                response = try await render()
            } catch {
                cache.land(key, stamp: stamp, page: nil)
                throw error
            }
            cache.land(key, stamp: stamp, page: keepable(response, as: VisitorPageCache.Page(
                stamp: stamp, references: references, readAt: readAt, headers: [:], body: ByteBuffer(), readOrder: readOrder)))
            return response
        }
    }

    /// For a visitor, the search answer kept for this URL while it holds
    /// (`KeptSearchAnswers`); otherwise `render`, kept for the next visitor
    /// when it says so (an answer with no results carries a suggestion drawn
    /// from the whole index: it is not kept).
    func visitorSearch(_ query: SearchQuery, followsTheDate: Bool,
                       _ render: () async throws -> (response: Response, keep: Bool)) async throws -> Response {
        guard let (cache, sql) = visitorCache else { return try await render().response }
        let readAt = ContinuousClock.now
        let read = try await SearchIndexMark.readWithVersions(on: sql)
        let stamp = try await self.stamp(ItemType.referencesOfEveryType, in: read.versions, followsTheDate: followsTheDate)
        let now = read.mark
        let key = url.string
        if let page = cache.candidate(key, stamp: stamp), let mark = page.search {
            if cache.lagging(page, key: key) { return page.response }
            if try await KeptSearchAnswers.holds(mark, now: now, query: query, spread: KeptSearchAnswers.spread(of: key), on: sql) {
                cache.count(hit: true, key: key)
                cache.recheck(key, ranked: mark.ranked, checked: now, readAt: readAt)
                return page.response
            }
        }
        cache.count(hit: false, key: key)
        let (response, keepsIt) = try await render()
        if keepsIt {
            keep(response, in: cache, as: VisitorPageCache.Page(stamp: stamp, readAt: readAt, headers: [:], body: ByteBuffer(),
                                                                 search: KeptSearchAnswers.Mark(ranked: now, checked: now)))
        }
        return response
    }

    /// The cache and the database, when pages are kept for this request (a
    /// visitor's GET, and a cache that keeps anything).
    private var visitorCache: (VisitorPageCache, any SQLDatabase)? {
        let cache = application.visitorPages
        guard cache.capacity > 0, method == .GET, reader.isVisitor, let sql = db as? any SQLDatabase else { return nil }
        return (cache, sql)
    }

    /// The versions `reads` names, from `versions`, read before the page.
    private func stamp(_ reads: Set<ContentVersions.Part>, in versions: [ContentVersions.Part: Int64],
                       followsTheDate: Bool) async throws -> [Int64] {
        var stamp = reads.sorted { $0.sortKey < $1.sortKey }.map { versions[$0] ?? 0 }
        // Read before the page too: an event ending in between makes the page newer than its stamp.
        if followsTheDate { stamp.append(try await ContentVersions.eventsNotEnded(on: db)) }
        return stamp
    }

    /// Keeps a 200 with its whole body and no cookie, under this URL, as `page` says.
    private func keep(_ response: Response, in cache: VisitorPageCache, as page: VisitorPageCache.Page) {
        if let page = keepable(response, as: page) { cache.keep(url.string, page) }
    }

    /// `page` with the response's headers and body, when it may be kept: a 200 with its whole body and no cookie.
    private func keepable(_ response: Response, as page: VisitorPageCache.Page) -> VisitorPageCache.Page? {
        guard response.status == .ok, let body = response.body.buffer, !response.headers.contains(name: .setCookie) else { return nil }
        var page = page
        page.headers = response.headers
        page.body = body
        return page
    }
}

extension VisitorPageCache.Page {
    var response: Response { Response(status: .ok, headers: headers, body: .init(buffer: body)) }
}

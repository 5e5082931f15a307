import Fluent
import Foundation
import SQLKit
import Vapor
import LabAtlasCore

/// The fixed mix of benchmark queries, drawn from the corpus vocabulary with a
/// seed: single words, pairs, phrases, prefixes, exclusions and type filters,
/// a third typed without accents as people do.
enum SearchQueryMix {
    static func make(count: Int, seed: UInt64, corpus: SyntheticCorpus) -> [(text: String, type: ItemType?)] {
        var generator = SplitMix64(seed: seed)
        // People search for topics: every word of the field is as likely to be asked for.
        func word() -> String {
            let word = corpus.domain.words.randomElement(using: &generator) ?? "atelier"
            return Double.random(in: 0..<1, using: &generator) < 0.33 ? TextFolding.fold(word) : word
        }
        return (0..<count).map { _ in
            let roll = Double.random(in: 0..<1, using: &generator)
            switch roll {
            case ..<0.40: return (word(), nil)
            case ..<0.65: return (word() + " " + word(), nil)
            case ..<0.75: return (word() + " " + (corpus.general.words.randomElement(using: &generator) ?? "atelier"), nil)
            case ..<0.83: return ("\"" + word() + " " + word() + "\"", nil)
            case ..<0.90: return (String(word().prefix(5)) + "*", nil)
            case ..<0.95: return (word() + " -" + word(), nil)
            default: return (word(), [ItemType.projects, .experiences, .sessions].randomElement(using: &generator))
            }
        }
    }
}

extension SearchQueryMix {
    /// The kind of a query of the mix, to report latency by kind.
    static func kind(of item: (text: String, type: ItemType?)) -> String {
        if item.type != nil { return "typed" }
        if item.text.hasSuffix("*") { return "prefix" }
        if item.text.hasPrefix("\"") { return "phrase" }
        if item.text.contains(" -") { return "exclusion" }
        return item.text.contains(" ") ? "pair" : "word"
    }
}

/// `labatlas bench-load`: fills the configured database with N synthetic items.
struct BenchLoadCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "count", help: "Number of items (default 10000)") var count: Int?
        @Option(name: "seed", help: "Random seed (default 42)") var seed: Int?
        @Option(name: "vocabulary", help: "File of general French words, one per line") var vocabulary: String?
    }
    var help: String { "Benchmark only: loads N synthetic items into an empty database." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.migrateSafely()
        let corpus = SyntheticCorpus(generalWords: try BenchVocabulary.load(signature.vocabulary))
        let count = signature.count ?? 10_000
        let started = Date()
        // Building a GIN index once is much faster than growing it row by row, and
        // so is counting the items once (`item_counts`) rather than in triggers
        // that join each batch's facet rows to its items.
        let countedTables = ["item_facets"] + ItemType.allCases.map(\.table)
        if app.db.isPostgres {
            for (name, _) in SearchSchema.postgresTextIndexes { try await app.db.sql.raw("DROP INDEX IF EXISTS \(ident: name)").run() }
            for table in countedTables { try await app.db.sql.raw("ALTER TABLE \(ident: table) DISABLE TRIGGER USER").run() }
        }
        let summary = try await SyntheticAtlasLoader(database: app.db, corpus: corpus, seed: UInt64(signature.seed ?? 42))
            .load(count: count) { done in
                if done % 50_000 < SyntheticAtlasLoader.batchSize { context.console.print("  \(done) éléments…") }
            }
        if app.db.isPostgres {
            for (name, column) in SearchSchema.postgresTextIndexes {
                try await app.db.sql.raw("CREATE INDEX \(ident: name) ON search_docs USING GIN (\(ident: column))").run()
            }
            for table in countedTables { try await app.db.sql.raw("ALTER TABLE \(ident: table) ENABLE TRIGGER USER").run() }
            try await ItemCounts.recount(on: try app.db.sql)
        }
        try await app.db.searchEngine.compact(on: try app.db.sql)
        if app.db.isPostgres { try await app.db.sql.raw("VACUUM ANALYZE").run() }
        let seconds = Date().timeIntervalSince(started)
        context.console.print(String(format: "load_seconds=%.1f labs=%d projects=%d experiences=%d sessions=%d",
                                     seconds, summary.labs, summary.projects, summary.experiences, summary.sessions))
    }
}

/// `labatlas bench-search`: runs the query mix against the bare engine (the
/// ranked top 20, nothing else) and over HTTP against a running server.
struct BenchSearchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "url", help: "Base URL of a running server") var url: String?
        @Option(name: "queries", help: "Number of queries (default 1000)") var queries: Int?
        @Option(name: "seed", help: "Random seed of the mix (default 7)") var seed: Int?
        @Option(name: "vocabulary", help: "File of general French words, one per line") var vocabulary: String?
        @Flag(name: "pages", help: "Also measure the HTML page /search") var pages: Bool
        @Option(name: "kind", help: "Only the queries of one kind (word, pair, phrase, prefix, exclusion, typed)") var kind: String?
    }
    var help: String { "Benchmark only: measures search latency (engine and HTTP)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let corpus = SyntheticCorpus(generalWords: try BenchVocabulary.load(signature.vocabulary))
        let mix = SearchQueryMix.make(count: signature.queries ?? 1_000, seed: UInt64(signature.seed ?? 7), corpus: corpus)
            .filter { item in signature.kind.map { SearchQueryMix.kind(of: item) == $0 } ?? true }
        // As a request would: on one event loop's connection, with another's beside it.
        let loop = app.eventLoopGroup.any()
        let service = SearchService(database: app.databases.database(logger: app.logger, on: loop)!, reader: .anonymous,
                                    besides: app.database(besides: loop, logger: app.logger))

        // Warm caches once, as a running server would be.
        for item in mix.prefix(50) { _ = try await service.search(SearchRequest(query: SearchQuery.parse(item.text), type: item.type)) }

        // The bare engine: everything `/api/v1/search` asks of the database (counts per
        // type, candidates, ranking, the page of hits) with no HTTP, JSON or snippets.
        var engine: [Double] = []
        var totals: [Int] = []
        for item in mix {
            let request = SearchRequest(query: SearchQuery.parse(item.text), type: item.type)
            let start = DispatchTime.now().uptimeNanoseconds
            let results = try await service.search(request)
            engine.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            totals.append(results.total)
        }
        context.console.print("engine_ms " + Percentiles(engine).line)
        for index in engine.indices.sorted(by: { engine[$0] > engine[$1] }).prefix(8) {
            context.console.print(String(format: "  slow: %.1f ms, %d matches: %@%@", engine[index], totals[index], mix[index].text,
                                         mix[index].type.map { " (type=\($0.rawValue))" } ?? ""))
        }
        var byKind: [String: [Double]] = [:]
        for (index, item) in mix.enumerated() { byKind[SearchQueryMix.kind(of: item), default: []].append(engine[index]) }
        for (kind, timings) in byKind.sorted(by: { $0.key < $1.key }) {
            context.console.print("  \(kind): " + Percentiles(timings).line)
        }
        let sortedTotals = totals.sorted()
        context.console.print("matches p50=\(sortedTotals[sortedTotals.count / 2]) p95=\(sortedTotals[sortedTotals.count * 95 / 100]) max=\(sortedTotals.last ?? 0) zero=\(totals.filter { $0 == 0 }.count)")

        guard let base = signature.url else { return }
        let targets = [("http_api_ms", "/api/v1/search")] + (signature.pages ? [("http_page_ms", "/search")] : [])
        for (label, path) in targets {
            var timings: [Double] = []
            var errors = 0
            for item in mix {
                var components = URLComponents()
                components.queryItems = [URLQueryItem(name: "q", value: item.text)] + (item.type.map { [URLQueryItem(name: "type", value: $0.rawValue)] } ?? [])
                let uri = URI(string: base + path + "?" + (components.percentEncodedQuery ?? ""))
                let start = DispatchTime.now().uptimeNanoseconds
                let response = try await app.client.get(uri)
                timings.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                if response.status != .ok { errors += 1 }
            }
            context.console.print("\(label) " + Percentiles(timings).line + " errors=\(errors)")
        }
    }
}

struct Percentiles {
    let sorted: [Double]
    init(_ values: [Double]) { sorted = values.sorted() }
    func at(_ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
    }
    var line: String {
        String(format: "p50=%.2f p95=%.2f p99=%.2f max=%.2f n=%d", at(0.5), at(0.95), at(0.99), sorted.last ?? 0, sorted.count)
    }
}

enum BenchVocabulary {
    static func load(_ path: String?) throws -> [String] {
        guard let path else { return [] }
        return try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
    }
}

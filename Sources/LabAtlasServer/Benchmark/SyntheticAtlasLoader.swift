import Fluent
import Foundation
import LabAtlasCore

/// Fills a database with `count` synthetic items (labs, projects, experiences,
/// sessions) for the benchmarks, through the same mapping, facet and search
/// code as real saves but in large batches: 500,000 items one save at a time
/// would take an hour. No revisions are written; nothing here is for real use.
struct SyntheticAtlasLoader {
    let database: any Database
    let corpus: SyntheticCorpus
    let seed: UInt64
    static let batchSize = 500

    struct Summary { var labs = 0, projects = 0, experiences = 0, sessions = 0 }

    func load(count: Int, progress: (Int) -> Void = { _ in }) async throws -> Summary {
        var generator = SplitMix64(seed: seed)
        var summary = Summary()
        let today = CalendarDate(year: 2026, month: 11, day: 23)!
        let labCount = max(1, count / 100)
        var labRefs: [ItemRef] = []
        let regions = FrenchRegions.all.map(\.name)

        var done = 0
        while done < labCount {
            let size = min(Self.batchSize, labCount - done)
            let batch: [(LabDTO, Visibility)] = (0..<size).map { offset in
                var dto = LabDTO(name: "Lab " + corpus.title(&generator))
                dto.slug = String(format: "lab-%07d", done + offset)
                dto.region = regions.randomElement(using: &generator)
                dto.maturity = Maturity.allCases.randomElement(using: &generator)
                dto.governmentLevel = GovernmentLevel.allCases.randomElement(using: &generator)
                dto.highlight = corpus.paragraph(&generator, sentences: 1...2)
                dto.objectives = corpus.paragraph(&generator, sentences: 2...4)
                dto.themes = [Theme.allCases.randomElement(using: &generator)!.rawValue]
                return (dto, visibility(&generator))
            }
            let prepared = try prepare(LabKind.self, batch, today: today) { _ in ResolvedLinks() }
            try await prepared.write(database)
            let models = prepared.models
            labRefs += models.map { ItemRef(type: .labs, id: $0.id!, slug: $0.slug, title: $0.name, region: $0.region) }
            done += size
            summary.labs += size
            progress(done)
        }

        var index = 0
        let rest = count - labCount
        var pendingWrite: Task<Void, any Error>?
        while index < rest {
            let size = min(Self.batchSize, rest - index)
            var projects: [(ProjectDTO, Visibility)] = []
            var experiences: [(ExperienceDTO, Visibility)] = []
            var sessions: [(SessionDTO, Visibility)] = []
            var labOf: [String: ItemRef] = [:]
            for offset in 0..<size {
                let number = index + offset
                let lab = labRefs[Int.random(in: 0..<labRefs.count, using: &generator)]
                let roll = Double.random(in: 0..<1, using: &generator)
                let theme = Theme.allCases.randomElement(using: &generator)!.rawValue
                if roll < 0.2 {
                    var dto = ProjectDTO(title: corpus.title(&generator))
                    dto.slug = String(format: "projet-%07d", number)
                    dto.summary = corpus.paragraph(&generator, sentences: 1...2)
                    dto.description = corpus.paragraph(&generator, sentences: 4...9)
                    dto.stage = Stage.allCases.randomElement(using: &generator)
                    dto.themes = [theme]
                    labOf[dto.slug!] = lab
                    projects.append((dto, visibility(&generator)))
                } else if roll < 0.4 {
                    var dto = ExperienceDTO(title: corpus.title(&generator))
                    dto.slug = String(format: "experience-%07d", number)
                    dto.description = corpus.paragraph(&generator, sentences: 2...5)
                    dto.wentWell = corpus.paragraph(&generator, sentences: 1...3)
                    dto.wentBadly = corpus.paragraph(&generator, sentences: 1...2)
                    dto.advice = corpus.paragraph(&generator, sentences: 1...2)
                    dto.cooperation = Cooperation.allCases.randomElement(using: &generator)
                    dto.year = Int.random(in: 2015...2026, using: &generator)
                    dto.themes = [theme]
                    labOf[dto.slug!] = lab
                    experiences.append((dto, visibility(&generator)))
                } else {
                    var dto = SessionDTO(title: corpus.title(&generator))
                    dto.slug = String(format: "session-%07d", number)
                    dto.date = CalendarDate(year: Int.random(in: 2018...2026, using: &generator),
                                            month: Int.random(in: 1...12, using: &generator), day: Int.random(in: 1...28, using: &generator))
                    dto.nature = SessionNature.allCases.randomElement(using: &generator)
                    dto.format = SessionFormat.allCases.randomElement(using: &generator)
                    dto.outcome = corpus.paragraph(&generator, sentences: 1...3)
                    dto.retrospective = corpus.paragraph(&generator, sentences: 1...2)
                    dto.themes = [theme]
                    labOf[dto.slug!] = lab
                    sessions.append((dto, visibility(&generator)))
                }
            }
            let links: (String, LinkRelation) -> ResolvedLinks = { slug, relation in
                var links = ResolvedLinks()
                if let lab = labOf[slug] { links.byRelation[relation] = [lab] }
                return links
            }
            // Analysis of this batch runs while the previous one is written.
            let batches = [try prepare(ProjectKind.self, projects, today: today) { links($0.slug, .labs) }.write,
                           try prepare(ExperienceKind.self, experiences, today: today) { links($0.slug, .lab) }.write,
                           try prepare(SessionKind.self, sessions, today: today) { links($0.slug, .lab) }.write]
            try await pendingWrite?.value
            let database = self.database
            pendingWrite = Task { for write in batches { try await write(database) } }
            summary.projects += projects.count
            summary.experiences += experiences.count
            summary.sessions += sessions.count
            index += size
            progress(labCount + index)
        }
        try await pendingWrite?.value
        try await SearchIndexStore(database: database, keepsPostings: false).rebuildPostings()
        return summary
    }

    private func visibility(_ generator: inout SplitMix64) -> Visibility {
        let roll = Double.random(in: 0..<1, using: &generator)
        return roll < 0.85 ? .public : (roll < 0.95 ? .network : .members)
    }

    struct Prepared<M: AtlasModel> {
        var models: [M]
        /// One transaction: rows, links, facet values and search documents.
        var write: @Sendable (any Database) async throws -> Void
    }

    private func prepare<K: ItemKind>(_ kind: K.Type, _ batch: [(K.DTO, Visibility)], today: CalendarDate,
                                      links: (K.M) -> ResolvedLinks) throws -> Prepared<K.M> {
        guard !batch.isEmpty else { return Prepared(models: [], write: { _ in }) }
        let models = try batch.map { dto, visibility -> K.M in
            let model = K.M()
            let errors = K.apply(dto, to: model, today: today)
            guard errors.isEmpty else { throw ValidationFailure(errors: errors) }
            let common = K.commonFields(of: dto)
            model.id = UUID()
            model.slug = K.slug(of: dto) ?? UUID().uuidString.lowercased()
            model.visibility = visibility
            model.themes = common.themes
            model.extra = [:]
            model.sortKey = TextFolding.fold(model.displayTitle)
            model.revision = 1
            return model
        }
        var itemLinks: [ItemLink] = []
        var facets: [ItemFacet] = []
        for model in models {
            let id = try model.requiredID
            let resolved = links(model)
            for (relation, refs) in resolved.byRelation {
                for (position, ref) in refs.enumerated() {
                    itemLinks.append(ItemLink(source: (K.type, id), relation: relation, target: (ref.type, ref.id), position: position))
                }
            }
            var seen = Set<String>()
            for (facet, value) in K.facetValues(of: model, links: resolved) where seen.insert(facet + "\u{0}" + value).inserted {
                facets.append(ItemFacet(itemType: K.type, itemID: id, facet: facet, value: value))
            }
        }
        let documents = try models.map { try SearchDocument(K.self, $0) }
        let rows = models
        let linkRows = itemLinks
        let facetRows = facets
        return Prepared(models: models) { database in
            try await database.writeTransaction { transaction in
                try await rows.create(on: transaction)
                if !linkRows.isEmpty { try await linkRows.create(on: transaction) }
                for chunk in stride(from: 0, to: facetRows.count, by: 1_000) {
                    try await Array(facetRows[chunk..<min(chunk + 1_000, facetRows.count)]).create(on: transaction)
                }
                try await SearchIndexStore(database: transaction, keepsPostings: false).insertNew(documents)
            }
        }
    }
}

import Fluent
import Foundation
import SQLKit
import LabAtlasCore

/// The similar items visitors see, ranked once and kept in the database
/// (`similar_items`), so that every instance serves them without ranking again.
///
/// A kept list is current while its item has not been saved since (a save
/// drops it, in the save's transaction: `SearchIndexStore.remove`) and the
/// atlas has not changed by more than one to two documents in a hundred since
/// it was ranked (`isCurrent`): a new item joins its neighbours' lists by
/// then. A list out of date is still shown while it is ranked again after the
/// page (`SimilarItems.rankLater`). What a list shows is always read afresh
/// (titles, texts, visibility): keeping only decides which items are neighbours.
struct KeptSimilarItems {
    static let table = "similar_items"
    let database: any Database

    /// What the kept list of an item says now.
    struct Lookup {
        /// The kept neighbours, best first; nil when there are none.
        var neighbours: [UUID]?
        /// The index's write sequence when looked up: a list ranked now is stamped with it.
        var sequence: Int64
        /// Whether they are current (`isCurrent`); out of date, they are ranked again.
        var isCurrent = false
    }

    func lookup(_ itemID: UUID) async throws -> Lookup {
        let sql = try database.sql
        guard let row = try await sql.select()
            .column(SQLColumn("next_sequence", table: "s")).column(SQLColumn("row_count", table: "s"))
            .column(SQLColumn("neighbours", table: "k")).column(SQLColumn("sequence", table: "k"), as: "kept_sequence")
            .from(SQLAlias(SQLIdentifier(SearchSchema.statistics), as: SQLIdentifier("s")))
            .join(SQLAlias(SQLIdentifier(Self.table), as: SQLIdentifier("k")), method: SQLJoinMethod.left,
                  on: SQLBinaryExpression(left: SQLColumn("item_id", table: "k"), op: SQLBinaryOperator.equal, right: SQLBind(itemID)))
            .where(SQLColumn("id", table: "s"), .equal, SQLBind(1)).first() else {
            return Lookup(neighbours: nil, sequence: 0)
        }
        let kept = try Self.kept(in: row, item: itemID)
        return Lookup(neighbours: kept?.neighbours, sequence: try row.decode(column: "next_sequence", as: Int64.self),
                      isCurrent: kept?.isCurrent ?? false)
    }

    /// The item's kept list in a row that has its `neighbours` and
    /// `kept_sequence`, and the index's `next_sequence` and `row_count`
    /// (`lookup`, `ItemVersions.read`); nil when none is kept.
    static func kept(in row: any SQLRow, item: UUID) throws -> (neighbours: [UUID], sequence: Int64, isCurrent: Bool)? {
        guard let neighbours = try row.decode(column: "neighbours", as: String?.self),
              let sequence = try row.decode(column: "kept_sequence", as: Int64?.self) else { return nil }
        let now = try row.decode(column: "next_sequence", as: Int64?.self) ?? 0
        let documents = try row.decode(column: "row_count", as: Int64?.self) ?? 0
        return (neighbours.split(separator: ",").compactMap { UUID(uuidString: String($0)) }, sequence,
                isCurrent(keptAt: sequence, now: now, documents: documents, item: item))
    }

    /// Documents written since the list was ranked: at most one in a hundred
    /// of the atlas, up to two for some items (`spread`); none in an atlas of
    /// fifty or fewer.
    static func isCurrent(keptAt kept: Int64, now: Int64, documents: Int64, item: UUID) -> Bool {
        let written = now - kept
        return written >= 0 && written * 10_000 <= documents * (100 + spread(of: item))
    }

    /// How much longer than one document in a hundred an item's list lasts, in
    /// hundredths (0 to 99), the same on every instance. Lists ranked together
    /// (at start, or after a burst of writes) would otherwise all expire at the
    /// same write and be ranked again at once: under the load benchmark's
    /// writes, every 13 s, halving the throughput for three seconds.
    static func spread(of item: UUID) -> Int64 {
        let bytes = item.uuid
        return Int64((UInt16(bytes.14) << 8 | UInt16(bytes.15)) % 100)
    }

    /// Keeps `neighbours` for the item, unless it was saved since it was read
    /// for ranking (its document `rankedDocID` is gone): the list would
    /// describe a text the item no longer has.
    ///
    /// A visitor's page never waits for saves: while another write is under
    /// way, the list is handed to `later`, which keeps it once the saves ahead
    /// are done (or drops it when too many wait; the next view ranks again).
    /// Dropped at once, a list was ranked again at every view for as long as
    /// saves kept coming.
    func keep(_ neighbours: [UUID], for itemID: UUID, rankedDocID: Int64, sequence: Int64,
              later: BackgroundWrites) async throws {
        guard try await database.writeTransactionIfIdle(Self.keeping(neighbours, for: itemID, rankedDocID: rankedDocID,
                                                                      sequence: sequence)) == nil else { return }
        let kept = self
        later.start { try await kept.keepAfterSaves(neighbours, for: itemID, rankedDocID: rankedDocID, sequence: sequence) }
    }

    /// Keeps `neighbours` for the item, after the saves ahead (as `keep`): from a background write.
    func keepAfterSaves(_ neighbours: [UUID], for itemID: UUID, rankedDocID: Int64, sequence: Int64) async throws {
        try await database.writeTransaction(Self.keeping(neighbours, for: itemID, rankedDocID: rankedDocID, sequence: sequence))
    }

    private static func keeping(_ neighbours: [UUID], for itemID: UUID, rankedDocID: Int64,
                                sequence: Int64) -> @Sendable (any Database) async throws -> Void {
        { transaction in
            let sql = try transaction.sql
            guard try await sql.select().column("doc_id").from(SearchSchema.documents)
                .where("doc_id", .equal, SQLBind(rankedDocID)).first() != nil else { return }
            try await sql.insert(into: Self.table).columns("item_id", "neighbours", "sequence")
                .values(SQLBind(itemID), SQLBind(neighbours.map(\.uuidString).joined(separator: ",")), SQLBind(sequence))
                .onConflict(with: ["item_id"]) { $0.set(excludedValueOf: "neighbours").set(excludedValueOf: "sequence") }
                .run()
        }
    }

    /// Drops the lists of these items; called by every write of the search index.
    static func forget(_ itemIDs: [UUID], on database: any SQLDatabase) async throws {
        guard !itemIDs.isEmpty else { return }
        try await database.delete(from: table).where("item_id", .in, SQLBind.group(itemIDs)).run()
    }

    static func forgetAll(on database: any SQLDatabase) async throws {
        try await database.delete(from: table).run()
    }
}

import Fluent
import FluentSQL
import Foundation
import SQLKit
import Vapor
import LabAtlasCore

/// Who is reading, and so what they may see and change. Every read of items
/// goes through `visible(to:)` (Fluent) or `visibilityPredicate` (SQLKit):
/// this file is the one place visibility is decided.
struct Reader: Sendable {
    struct Account: Sendable, Hashable {
        var id: UUID
        var name: String
        var email: String
        var isAdmin: Bool
    }

    let account: Account?
    /// Networks the reader belongs to, by role.
    var networkRoles: [UUID: NetworkRole] = [:]
    /// Labs and projects the reader belongs to, by role.
    var labRoles: [UUID: TeamAccess] = [:]
    var projectRoles: [UUID: TeamAccess] = [:]
    /// Labs of the reader's networks: their `network` items are visible to the reader.
    var networkLabIDs: Set<UUID> = []
    /// Set for the system itself (indexing, demo loading): sees everything, never serves a page.
    private var isSystem = false

    static let anonymous = Reader(account: nil)
    static let system: Reader = {
        var reader = Reader(account: nil)
        reader.isSystem = true
        return reader
    }()

    var isSignedIn: Bool { account != nil }
    var seesEverything: Bool { isSystem || account?.isAdmin == true }
    /// Signed out, and not the system: the reader whose pages, cards and
    /// similar items may be kept and served again to every other visitor.
    var isVisitor: Bool { !isSignedIn && !seesEverything }

    var memberLabIDs: Set<UUID> { Set(labRoles.keys) }
    var memberProjectIDs: Set<UUID> { Set(projectRoles.keys) }
    var editorLabIDs: Set<UUID> { Set(labRoles.filter { $0.value.canEdit }.keys) }
    var editorProjectIDs: Set<UUID> { Set(projectRoles.filter { $0.value.canEdit }.keys) }
    var coordinatedNetworkIDs: Set<UUID> { Set(networkRoles.filter { $0.value == .coordinator }.keys) }

    /// Loads the reader's memberships and the labs of their networks.
    static func load(account: Account, on database: any Database) async throws -> Reader {
        var reader = Reader(account: account)
        for membership in try await Membership.query(on: database).filter(\.$user.$id == account.id).all() {
            switch membership.scopeType {
            case ItemType.networks.rawValue: reader.networkRoles[membership.scopeID] = NetworkRole(rawValue: membership.role)
            case ItemType.labs.rawValue: reader.labRoles[membership.scopeID] = TeamAccess(rawValue: membership.role)
            case ItemType.projects.rawValue: reader.projectRoles[membership.scopeID] = TeamAccess(rawValue: membership.role)
            default: break
            }
        }
        if !reader.networkRoles.isEmpty {
            let links = try await ItemLink.query(on: database)
                .filter(\.$relation == .networks).filter(\.$targetID ~~ Array(reader.networkRoles.keys)).all()
            reader.networkLabIDs = Set(links.map(\.sourceID))
        }
        return reader
    }
}

extension Reader {
    /// The SQL condition "this reader may see this row" for items of `type`.
    ///
    /// `public` items are seen by all; `network` items by members of a network
    /// one of the item's labs belongs to (a network item: by its members);
    /// `members` items by members of the owning lab or project. Deleted items by nobody.
    func visibilityPredicate(for type: ItemType, table: String? = nil) -> any SQLExpression {
        let notDeleted = SQLBinaryExpression(left: column("deleted_at", table), op: SQLBinaryOperator.is, right: SQLLiteral.null)
        guard !seesEverything else { return notDeleted }
        var allowed: [any SQLExpression] = [
            SQLBinaryExpression(left: column("visibility", table), op: SQLBinaryOperator.equal, right: SQLBind(Visibility.public.rawValue)),
        ]
        if isSignedIn {
            // Members of a lab or project see what its network sees, and more.
            let networkScope = ownership(type, labs: networkLabIDs.union(memberLabIDs), projects: memberProjectIDs,
                                         networks: Set(networkRoles.keys), table: table)
            if let networkScope {
                allowed.append(SQLBinaryExpression(
                    left: SQLBinaryExpression(left: column("visibility", table), op: SQLBinaryOperator.equal, right: SQLBind(Visibility.network.rawValue)),
                    op: SQLBinaryOperator.and, right: networkScope))
            }
            let memberScope = ownership(type, labs: memberLabIDs, projects: memberProjectIDs, networks: coordinatedNetworkIDs, table: table)
            if let memberScope {
                allowed.append(SQLBinaryExpression(
                    left: SQLBinaryExpression(left: column("visibility", table), op: SQLBinaryOperator.equal, right: SQLBind(Visibility.members.rawValue)),
                    op: SQLBinaryOperator.and, right: memberScope))
            }
        }
        return SQLBinaryExpression(left: notDeleted, op: SQLBinaryOperator.and, right: SQLGroupExpression.anyOf(allowed))
    }

    /// "The item belongs to one of these labs, projects or networks", or nil when it cannot.
    private func ownership(_ type: ItemType, labs: Set<UUID>, projects: Set<UUID>, networks: Set<UUID>, table: String?) -> (any SQLExpression)? {
        var conditions: [any SQLExpression] = []
        let id = column("id", table)
        switch type {
        case .labs:
            if !labs.isEmpty { conditions.append(SQLBinaryExpression(left: id, op: SQLBinaryOperator.in, right: SQLBind.group(Array(labs)))) }
        case .networks:
            if !networks.isEmpty { conditions.append(SQLBinaryExpression(left: id, op: SQLBinaryOperator.in, right: SQLBind.group(Array(networks)))) }
        case .projects:
            if !projects.isEmpty { conditions.append(SQLBinaryExpression(left: id, op: SQLBinaryOperator.in, right: SQLBind.group(Array(projects)))) }
            if !labs.isEmpty { conditions.append(linkedTo(labs, relations: [.labs], id: id)) }
        case .experiences, .sessions:
            if !labs.isEmpty { conditions.append(linkedTo(labs, relations: [.lab], id: id)) }
            if !projects.isEmpty { conditions.append(linkedTo(projects, relations: [.project], id: id)) }
        case .events:
            if !labs.isEmpty { conditions.append(linkedTo(labs, relations: [.labs], id: id)) }
        case .methods:
            // A shared library: its restricted sheets are for people who belong to at least one lab.
            if !labs.isEmpty || !projects.isEmpty {
                conditions.append(SQLBinaryExpression(left: SQLLiteral.numeric("1"), op: SQLBinaryOperator.equal, right: SQLLiteral.numeric("1")))
            }
        }
        guard !conditions.isEmpty else { return nil }
        return SQLGroupExpression.anyOf(conditions)
    }

    private func linkedTo(_ targets: Set<UUID>, relations: [LinkRelation], id: any SQLExpression) -> any SQLExpression {
        SQLBinaryExpression(left: id, op: SQLBinaryOperator.in, right: SQLSubquery.select { sub in
            sub.column("source_id").from(ItemLink.schema)
                .where("relation", .in, relations.map(\.rawValue))
                .where("target_id", .in, Array(targets))
        })
    }

    private func column(_ name: String, _ table: String?) -> any SQLExpression {
        table.map { SQLColumn(name, table: $0) } ?? SQLColumn(name)
    }
}

extension QueryBuilder where Model: AtlasModel {
    func visible(to reader: Reader) -> Self {
        filter(.sql(reader.visibilityPredicate(for: Model.itemType)))
    }
}

extension SQLPredicateBuilder {
    func whereVisible(to reader: Reader, type: ItemType, table: String? = nil) -> Self {
        self.where(reader.visibilityPredicate(for: type, table: table))
    }
}

extension Request {
    /// Set by `ReaderMiddleware` for every request; anonymous until then.
    var reader: Reader {
        get { storage[ReaderKey.self] ?? .anonymous }
        set { storage[ReaderKey.self] = newValue }
    }
}

private struct ReaderKey: StorageKey {
    typealias Value = Reader
}

import Foundation
import LabAtlasCore

/// What an item belongs to, as its links say: the basis of every edit right.
struct ItemOwnership: Sendable {
    var itemID: UUID?
    var labIDs: Set<UUID> = []
    var projectIDs: Set<UUID> = []
    var networkIDs: Set<UUID> = []
    /// For a lab: the networks it belongs to.
    var labNetworkIDs: Set<UUID> = []
}

/// Who may change what. Like visibility, decided here and nowhere else.
extension Reader {
    /// May this reader create items of this type at all (to show the "create" button)?
    func canCreate(_ type: ItemType) -> Bool {
        guard let account else { return false }
        if account.isAdmin { return true }
        switch type {
        case .networks: return false
        case .labs: return !coordinatedNetworkIDs.isEmpty
        case .projects, .sessions, .events, .experiences: return !editorLabIDs.isEmpty || (type != .projects && !editorProjectIDs.isEmpty)
        case .methods: return !editorLabIDs.isEmpty || !editorProjectIDs.isEmpty || !coordinatedNetworkIDs.isEmpty
        }
    }

    /// May this reader edit (or delete) an item of `type` owned as `ownership` says?
    func canEdit(_ type: ItemType, _ ownership: ItemOwnership) -> Bool {
        guard let account else { return false }
        if account.isAdmin { return true }
        switch type {
        case .networks:
            return ownership.itemID.map(coordinatedNetworkIDs.contains) ?? false
        case .labs:
            return (ownership.itemID.map { labRoles[$0]?.canEdit == true } ?? false)
                || !ownership.labNetworkIDs.isDisjoint(with: coordinatedNetworkIDs)
        case .projects:
            return (ownership.itemID.map { projectRoles[$0]?.canEdit == true } ?? false)
                || !ownership.labIDs.isDisjoint(with: editorLabIDs)
        case .experiences, .sessions:
            return !ownership.labIDs.isDisjoint(with: editorLabIDs) || !ownership.projectIDs.isDisjoint(with: editorProjectIDs)
        case .events:
            return !ownership.labIDs.isDisjoint(with: editorLabIDs)
        case .methods:
            return canCreate(.methods)
        }
    }

    /// Managing members and invitations of a lab, project or network.
    func canManageMembers(of type: ItemType, id: UUID) -> Bool {
        guard let account else { return false }
        if account.isAdmin { return true }
        switch type {
        case .networks: return coordinatedNetworkIDs.contains(id)
        case .labs: return labRoles[id] == .admin
        case .projects: return projectRoles[id] == .admin
        default: return false
        }
    }

    /// Contact details (e-mails, phone numbers) are for signed-in members of a network of the item.
    func seesContacts(ofLabs labIDs: Set<UUID>) -> Bool {
        guard isSignedIn else { return false }
        return seesEverything || !labIDs.isDisjoint(with: networkLabIDs) || !labIDs.isDisjoint(with: memberLabIDs)
    }
}

extension ResolvedLinks {
    /// Ownership as read from resolved links (with the system reader, so hidden owners count too).
    func ownership(itemID: UUID?, type: ItemType) -> ItemOwnership {
        var ownership = ItemOwnership(itemID: itemID)
        ownership.labIDs = Set((self[.labs] + self[.lab]).map(\.id))
        ownership.projectIDs = Set(self[.project].map(\.id))
        ownership.networkIDs = Set(self[.networks].map(\.id))
        if type == .labs {
            ownership.labNetworkIDs = ownership.networkIDs
            if let itemID { ownership.labIDs.insert(itemID) }
        }
        if type == .projects, let itemID { ownership.projectIDs.insert(itemID) }
        return ownership
    }
}

/// Roles in a network: coordinators administer it, members read what the network shares.
public enum NetworkRole: String, Vocabulary {
    case coordinator, member
    public var label: String {
        switch self {
        case .coordinator: "Coordinateur·rice"
        case .member: "Membre"
        }
    }
}

/// Roles in a lab or a project.
public enum TeamAccess: String, Vocabulary {
    case admin, editor, member
    public var label: String {
        switch self {
        case .admin: "Administrateur·rice"
        case .editor: "Éditeur·rice"
        case .member: "Membre"
        }
    }
    public var canEdit: Bool { self != .member }
}

/// What kind of revision a save produced.
public enum RevisionAction: String, Vocabulary {
    case create, update, delete, restore, undelete
    public var label: String {
        switch self {
        case .create: "Création"
        case .update: "Modification"
        case .delete: "Suppression"
        case .restore: "Restauration d'une version"
        case .undelete: "Annulation de la suppression"
        }
    }
}

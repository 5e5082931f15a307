import LabAtlasCore

extension ItemType {
    /// The table holding items of this type.
    var table: String {
        switch self {
        case .labs: Lab.schema
        case .projects: Project.schema
        case .experiences: Experience.schema
        case .sessions: WorkSession.schema
        case .events: Event.schema
        case .methods: FacilitationMethod.schema
        case .networks: Network.schema
        }
    }

    /// The column shown as the item's name.
    var titleColumn: String {
        switch self {
        case .labs, .methods, .networks: "name"
        case .projects, .experiences, .sessions, .events: "title"
        }
    }

    var kind: any ItemKind.Type {
        switch self {
        case .labs: LabKind.self
        case .projects: ProjectKind.self
        case .experiences: ExperienceKind.self
        case .sessions: SessionKind.self
        case .events: EventKind.self
        case .methods: MethodKind.self
        case .networks: NetworkKind.self
        }
    }
}

/// Every vocabulary of CONTRACT.md, with the French labels the UI shows.

public enum Visibility: String, Vocabulary {
    case `public`, network, members
    public var label: String {
        switch self {
        case .public: "Public"
        case .network: "Membres du réseau"
        case .members: "Membres du lab ou du projet"
        }
    }
}

public enum Theme: String, Vocabulary {
    case pedagogique, organisationnelle, usages, technologique, sociale, numerique, formation
    public var label: String {
        switch self {
        case .pedagogique: "Innovation pédagogique"
        case .organisationnelle: "Innovation organisationnelle"
        case .usages: "Innovation d'usages"
        case .technologique: "Innovation technologique"
        case .sociale: "Innovation sociale"
        case .numerique: "Innovation numérique"
        case .formation: "Formation et développement professionnel"
        }
    }
}

public enum Service: String, Vocabulary {
    case coaching, funding, incubation, sessions, acculturation, community, connections
    case localLabs = "local_labs"
    case promotion
    public var label: String {
        switch self {
        case .coaching: "Accompagnement méthodologique et coaching"
        case .funding: "Recherche de financements alternatifs"
        case .incubation: "Incubation de services numériques"
        case .sessions: "Conception et animation de sessions de travail collaboratif"
        case .acculturation: "Acculturation et formation à l'innovation"
        case .community: "Animation de communauté"
        case .connections: "Identification et mise en relation d'acteurs"
        case .localLabs: "Accompagnement de labs locaux"
        case .promotion: "Valorisation, diffusion, promotion"
        }
    }
}

public enum Maturity: String, Vocabulary {
    case preparing, building, active, paused, closed
    public var label: String {
        switch self {
        case .preparing: "En préfiguration"
        case .building: "En cours de réalisation"
        case .active: "Actif, fonctionnel"
        case .paused: "En pause"
        case .closed: "Fermé"
        }
    }
}

public enum Stage: String, Vocabulary {
    case exploration, prototyping, acceleration, deployment, completed, paused, abandoned
    public var label: String {
        switch self {
        case .exploration: "Exploration"
        case .prototyping: "Prototypage"
        case .acceleration: "Accélération"
        case .deployment: "Déploiement"
        case .completed: "Terminé"
        case .paused: "En suspens"
        case .abandoned: "Abandonné"
        }
    }
}

public enum GovernmentLevel: String, Vocabulary {
    case central, deconcentrated, academie
    case localAuthority = "local_authority"
    case `operator`, other
    public var label: String {
        switch self {
        case .central: "Administration centrale"
        case .deconcentrated: "Service déconcentré de l'État"
        case .academie: "Académie"
        case .localAuthority: "Collectivité territoriale"
        case .operator: "Opérateur"
        case .other: "Autre"
        }
    }
}

public enum DecisionKind: String, Vocabulary {
    case endOfInvestigation = "end_of_investigation"
    case periodicReview = "periodic_review"
    case other
    public var label: String {
        switch self {
        case .endOfInvestigation: "Fin d'investigation"
        case .periodicReview: "Revue périodique"
        case .other: "Autre comité"
        }
    }
}

public enum DecisionOutcome: String, Vocabulary {
    case `continue`, pivot, scale, stop
    public var label: String {
        switch self {
        case .continue: "Poursuite"
        case .pivot: "Pivot"
        case .scale: "Passage à l'échelle"
        case .stop: "Arrêt"
        }
    }
}

public enum TeamRole: String, Vocabulary {
    case porteur, coach, sponsor, partner
    public var label: String {
        switch self {
        case .porteur: "Porteur·se / intrapreneur·e"
        case .coach: "Coach"
        case .sponsor: "Commanditaire"
        case .partner: "Partenaire"
        }
    }
}

public enum Cooperation: String, Vocabulary {
    case `internal`, open
    public var label: String {
        switch self {
        case .internal: "Interne à un groupe"
        case .open: "Ouverte sur le monde"
        }
    }
}

public enum Audience: String, Vocabulary {
    case collegues, associatif, citoyens
    public var label: String {
        switch self {
        case .collegues: "Collègues"
        case .associatif: "Associatif"
        case .citoyens: "Citoyens"
        }
    }
}

public enum SessionNature: String, Vocabulary {
    case labSupport = "lab_support"
    case project, valorisation, acculturation, seminar, steering, other
    public var label: String {
        switch self {
        case .labSupport: "Accompagnement d'un lab"
        case .project: "Accompagnement de projet"
        case .valorisation: "Valorisation"
        case .acculturation: "Acculturation"
        case .seminar: "Séminaire ou travail collaboratif"
        case .steering: "Réunion de pilotage"
        case .other: "Autre"
        }
    }
}

public enum AccompanimentLevel: String, Vocabulary {
    case one = "1", two = "2", three = "3"
    public var label: String {
        switch self {
        case .one: "Niveau 1 — coup de pouce"
        case .two: "Niveau 2 — accompagnement partiel"
        case .three: "Niveau 3 — accompagnement de bout en bout"
        }
    }
    public var number: Int { Int(rawValue) ?? 1 }
    public init?(number: Int) { self.init(rawValue: String(number)) }
}

public enum SessionFormat: String, Vocabulary {
    case inPerson = "in_person"
    case remote, hybrid
    public var label: String {
        switch self {
        case .inPerson: "Présentiel"
        case .remote: "À distance"
        case .hybrid: "Hybride"
        }
    }
}

public enum Attendance: String, Vocabulary {
    case offline, online, mixed
    public var label: String {
        switch self {
        case .offline: "Sur place"
        case .online: "En ligne"
        case .mixed: "Sur place et en ligne"
        }
    }
}

public enum EventStatus: String, Vocabulary {
    case scheduled, rescheduled
    case movedOnline = "moved_online"
    case postponed, full, cancelled
    public var label: String {
        switch self {
        case .scheduled: "Programmé"
        case .rescheduled: "Reprogrammé"
        case .movedOnline: "Passé en ligne"
        case .postponed: "Reporté"
        case .full: "Complet"
        case .cancelled: "Annulé"
        }
    }
}

public enum MethodCategory: String, Vocabulary {
    case icebreaker, understanding, inspiration, ideation, creativity, prototyping, testing, storytelling
    public var label: String {
        switch self {
        case .icebreaker: "Intelligence collective et brise-glace"
        case .understanding: "Comprendre le problème"
        case .inspiration: "Inspiration"
        case .ideation: "Émergence d'idées"
        case .creativity: "Créativité"
        case .prototyping: "Prototypage"
        case .testing: "Test"
        case .storytelling: "Storytelling"
        }
    }
}

/// The seven item types, named as in URLs and CLI arguments.
public enum ItemType: String, Vocabulary {
    case labs, projects, experiences, sessions, events, methods, networks
    public var label: String {
        switch self {
        case .labs: "Labs"
        case .projects: "Projets"
        case .experiences: "Retours d'expérience"
        case .sessions: "Sessions de travail"
        case .events: "Événements"
        case .methods: "Méthodes et outils"
        case .networks: "Réseaux"
        }
    }
    public var singularLabel: String {
        switch self {
        case .labs: "Lab"
        case .projects: "Projet"
        case .experiences: "Retour d'expérience"
        case .sessions: "Session de travail"
        case .events: "Événement"
        case .methods: "Méthode"
        case .networks: "Réseau"
        }
    }
}

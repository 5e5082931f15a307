import Foundation
import LabAtlasCore

/// Field changes between two snapshots, in French, for the history and conflict pages.
enum HistoryPresenter {
    static func changes(old: [String: JSONValue], new: [String: JSONValue]) -> [ChangeRow] {
        RevisionDiff.compare(old: old, new: new, ignoring: ["created_at", "updated_at"]).map { change in
            ChangeRow(field: change.field, label: FieldLabels.label(for: change.field), old: change.old, new: change.new,
                      lines: change.lines.map { line in
                          DiffLineView(kind: line.kind.rawValue,
                                       sign: line.kind == .added ? "+" : line.kind == .removed ? "−" : " ",
                                       text: line.text)
                      })
        }
    }
}

/// French names of the JSON fields, for diffs.
enum FieldLabels {
    static let labels: [String: String] = [
        "slug": "Identifiant", "visibility": "Visibilité", "themes": "Thématiques", "extra": "Autres informations",
        "source": "Source", "name": "Nom", "title": "Titre", "host_organisation": "Organisation d'accueil",
        "government_level": "Niveau d'administration", "region": "Région", "city": "Ville", "postal_code": "Code postal",
        "latitude": "Latitude", "longitude": "Longitude", "maturity": "État d'avancement", "launch_date": "Date de lancement",
        "team": "Équipe", "services": "Offre de service", "highlight": "Fait marquant", "objectives": "Objectifs",
        "website": "Site web", "contact": "Contact", "networks": "Réseaux", "summary": "Résumé", "description": "Description",
        "labs": "Labs", "organisation": "Organisation porteuse", "stage": "Phase", "stage_history": "Historique des phases",
        "decisions": "Décisions des comités", "product_url": "Lien vers le produit", "achievements": "Réalisations",
        "next_steps": "Prochaines étapes", "vigilance": "Points de vigilance", "cooperation": "Type de coopération",
        "audiences": "Publics", "audiences_other": "Autres publics", "went_well": "Retours positifs",
        "went_badly": "Retours négatifs", "advice": "Conseils", "link": "Lien", "link_shareable": "Lien partageable",
        "pilot": "Pilote", "pilot_contact": "Contact du pilote", "lab": "Lab", "project": "Projet", "year": "Année",
        "date": "Date", "nature": "Nature", "level": "Niveau d'accompagnement", "format": "Format",
        "participants": "Participants", "methods": "Méthodes", "outcome": "Résultats", "retrospective": "Rétrospective",
        "timings": "Dates et horaires", "place": "Lieu", "online_url": "Lien de connexion", "attendance": "Modalité",
        "status": "Statut", "registration_url": "Lien d'inscription", "keywords": "Mots-clés", "category": "Catégorie",
        "duration_minutes": "Durée (minutes)", "group_size": "Taille du groupe", "materials": "Matériel",
        "remote_ok": "Possible à distance",
    ]

    static func label(for field: String) -> String { labels[field] ?? field }
}

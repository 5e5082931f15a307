import Foundation
import LabAtlasCore

/// How an item type is edited in a browser form: the fields, and the two
/// translations form ⇄ DTO. Fields the form does not show (history,
/// decisions, `extra`, `source`) are kept from `base`.
protocol ItemForm: ItemPresenter {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec]
    static func formData(from dto: DTO) -> FormData
    static func dto(from form: FormData, base: DTO?) -> (DTO, [FieldError])
}

extension LabKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "name", label: "Nom du lab", kind: .text, required: true),
         FieldSpec(name: "host_organisation", label: "Organisation d'accueil", kind: .text),
         .vocabulary("government_level", "Niveau d'administration", GovernmentLevel.self),
         .vocabulary("maturity", "État d'avancement", Maturity.self),
         FieldSpec(name: "launch_date", label: "Date de lancement", kind: .text, hint: "Une année (2019), un mois (2021-09) ou un jour (2022-03-14)."),
         FieldSpec(name: "region", label: "Région", kind: .select, options: FrenchRegions.all.map { ($0.name, $0.name) }),
         FieldSpec(name: "city", label: "Ville", kind: .text),
         FieldSpec(name: "postal_code", label: "Code postal", kind: .text, hint: "5 chiffres."),
         FieldSpec(name: "latitude", label: "Latitude", kind: .text, hint: "En degrés décimaux, par exemple 45,76."),
         FieldSpec(name: "longitude", label: "Longitude", kind: .text, hint: "En degrés décimaux, par exemple 4,83."),
         FieldSpec(name: "networks", label: "Réseaux", kind: .checkboxes, options: choices.networks),
         .themes, .otherThemes,
         .checkboxes("services", "Offre de service", Service.self),
         FieldSpec(name: "services_other", label: "Autres services", kind: .text, hint: "Séparés par des virgules."),
         .markdown("highlight", "Fait marquant de l'année"),
         .markdown("objectives", "Objectifs"),
         .markdown("team", "Équipe", rows: 4),
         FieldSpec(name: "website", label: "Site web", kind: .url, hint: "Adresse complète, commençant par https://."),
         FieldSpec(name: "contact", label: "Contact", kind: .text, hint: "Adresse électronique ; visible des seuls membres connectés d'un réseau du lab."),
         .visibility]
    }

    static func formData(from dto: LabDTO) -> FormData {
        var form = FormData()
        form["name"] = dto.name
        form["host_organisation"] = dto.hostOrganisation
        form["government_level"] = dto.governmentLevel?.rawValue
        form["maturity"] = dto.maturity?.rawValue
        form["launch_date"] = dto.launchDate?.description
        form["region"] = dto.region
        form["city"] = dto.city
        form["postal_code"] = dto.postalCode
        form.setDecimal("latitude", dto.latitude)
        form.setDecimal("longitude", dto.longitude)
        form.set("networks", dto.networks)
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        form.set("services", dto.services.filter { Service(rawValue: $0) != nil })
        form["services_other"] = dto.services.filter { Service(rawValue: $0) == nil }.joined(separator: ", ")
        form["highlight"] = dto.highlight
        form["objectives"] = dto.objectives
        form["team"] = dto.team
        form["website"] = dto.website
        form["contact"] = dto.contact
        return form
    }

    static func dto(from form: FormData, base: LabDTO?) -> (LabDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? LabDTO(name: "")
        dto.name = reader.text("name") ?? ""
        dto.hostOrganisation = reader.text("host_organisation")
        dto.governmentLevel = reader.vocabulary("government_level", GovernmentLevel.self)
        dto.maturity = reader.vocabulary("maturity", Maturity.self)
        dto.launchDate = reader.partialDate("launch_date")
        dto.region = reader.text("region")
        dto.city = reader.text("city")
        dto.postalCode = reader.text("postal_code")
        dto.latitude = reader.decimal("latitude")
        dto.longitude = reader.decimal("longitude")
        dto.networks = form.all("networks")
        dto.themes = reader.themes()
        dto.services = form.all("services") + reader.list("services_other")
        dto.highlight = reader.text("highlight")
        dto.objectives = reader.text("objectives")
        dto.team = reader.text("team")
        dto.website = reader.text("website")
        dto.contact = reader.text("contact")
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        return (dto, reader.errors)
    }
}

extension ProjectKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "title", label: "Titre du projet", kind: .text, required: true),
         FieldSpec(name: "summary", label: "Résumé", kind: .textarea, hint: "Une ou deux phrases.", rows: 3),
         FieldSpec(name: "labs", label: "Labs accompagnateurs", kind: .checkboxes, options: choices.labs, required: true),
         FieldSpec(name: "organisation", label: "Organisation porteuse", kind: .text),
         .vocabulary("stage", "Phase", Stage.self, required: true,
                     hint: "À la création seulement : ensuite, la phase change depuis la page du projet, avec sa date."),
         .markdown("description", "Description", rows: 8),
         FieldSpec(name: "team", label: "Équipe", kind: .textarea,
                   hint: "Une personne par ligne : « Nom ; rôle », le rôle parmi porteur, coach, commanditaire, partenaire.", rows: 4),
         FieldSpec(name: "achievements", label: "Réalisations", kind: .textarea,
                   hint: "Une réalisation par ligne : « 2025 : texte ».", rows: 4),
         .markdown("next_steps", "Prochaines étapes"),
         .markdown("vigilance", "Points de vigilance"),
         FieldSpec(name: "product_url", label: "Lien vers le produit", kind: .url),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: ProjectDTO) -> FormData {
        var form = FormData()
        form["title"] = dto.title
        form["summary"] = dto.summary
        form.set("labs", dto.labs)
        form["organisation"] = dto.organisation
        form["stage"] = dto.stage?.rawValue
        form["description"] = dto.description
        form["team"] = dto.team.map { "\($0.name) ; \($0.role.label)" }.joined(separator: "\n")
        form["achievements"] = dto.achievements.map { "\($0.year) : \($0.text)" }.joined(separator: "\n")
        form["next_steps"] = dto.nextSteps
        form["vigilance"] = dto.vigilance
        form["product_url"] = dto.productUrl
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: ProjectDTO?) -> (ProjectDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? ProjectDTO(title: "")
        dto.title = reader.text("title") ?? ""
        dto.summary = reader.text("summary")
        dto.labs = form.all("labs")
        dto.organisation = reader.text("organisation")
        if base == nil { dto.stage = reader.vocabulary("stage", Stage.self) }
        dto.description = reader.text("description")
        dto.team = []
        for (index, line) in (reader.text("team") ?? "").split(separator: "\n").enumerated() {
            let parts = line.split(separator: ";", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, let role = TeamRole.parse(parts[1]) ?? Self.roleAlias(parts[1]) else {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    reader.errors.append(FieldError("team", "Ligne \(index + 1) : attendu « Nom ; rôle » avec un rôle parmi porteur, coach, commanditaire, partenaire."))
                }
                continue
            }
            dto.team.append(TeamMember(name: parts[0], role: role))
        }
        dto.achievements = []
        for (index, line) in (reader.text("achievements") ?? "").split(separator: "\n").enumerated() {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let year = Int(parts[0]), !parts[1].isEmpty else {
                if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    reader.errors.append(FieldError("achievements", "Ligne \(index + 1) : attendu « année : texte »."))
                }
                continue
            }
            dto.achievements.append(Achievement(year: year, text: parts[1]))
        }
        dto.nextSteps = reader.text("next_steps")
        dto.vigilance = reader.text("vigilance")
        dto.productUrl = reader.text("product_url")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        if dto.labs.isEmpty { reader.errors.append(FieldError("labs", "Choisissez au moins un lab accompagnateur.")) }
        return (dto, reader.errors)
    }

    private static func roleAlias(_ text: String) -> TeamRole? {
        switch TextFolding.fold(text) {
        case "porteur", "porteuse", "porteur·se", "intrapreneur", "intrapreneuse": .porteur
        case "commanditaire": .sponsor
        case "partenaire": .partner
        default: nil
        }
    }
}

extension ExperienceKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "title", label: "Titre", kind: .text, required: true),
         FieldSpec(name: "lab", label: "Lab", kind: .select, options: choices.labs, required: true),
         FieldSpec(name: "project", label: "Projet", kind: .select, options: choices.projects),
         FieldSpec(name: "year", label: "Année", kind: .number),
         .vocabulary("cooperation", "Type de coopération", Cooperation.self),
         .checkboxes("audiences", "Publics", Audience.self),
         FieldSpec(name: "audiences_other", label: "Autres publics", kind: .text),
         .markdown("description", "Description", rows: 8),
         .markdown("went_well", "Retours positifs"),
         .markdown("went_badly", "Retours négatifs"),
         .markdown("advice", "Conseils — et si c'était à refaire"),
         FieldSpec(name: "link", label: "Lien web", kind: .url),
         FieldSpec(name: "link_shareable", label: "Le lien peut-il être partagé ?", kind: .select, options: [("true", "Oui"), ("false", "Non")]),
         FieldSpec(name: "pilot", label: "Pilote(s)", kind: .text),
         FieldSpec(name: "pilot_contact", label: "Contact du pilote", kind: .text, hint: "Visible des seuls membres connectés d'un réseau du lab."),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: ExperienceDTO) -> FormData {
        var form = FormData()
        form["title"] = dto.title
        form["lab"] = dto.lab
        form["project"] = dto.project
        form.setNumber("year", dto.year)
        form["cooperation"] = dto.cooperation?.rawValue
        form.set("audiences", dto.audiences.map(\.rawValue))
        form["audiences_other"] = dto.audiencesOther
        form["description"] = dto.description
        form["went_well"] = dto.wentWell
        form["went_badly"] = dto.wentBadly
        form["advice"] = dto.advice
        form["link"] = dto.link
        form["link_shareable"] = dto.linkShareable.map { $0 ? "true" : "false" }
        form["pilot"] = dto.pilot
        form["pilot_contact"] = dto.pilotContact
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: ExperienceDTO?) -> (ExperienceDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? ExperienceDTO(title: "")
        dto.title = reader.text("title") ?? ""
        dto.lab = reader.text("lab")
        dto.project = reader.text("project")
        dto.year = reader.integer("year", 1990...2100)
        dto.cooperation = reader.vocabulary("cooperation", Cooperation.self)
        dto.audiences = reader.vocabularies("audiences", Audience.self)
        dto.audiencesOther = reader.text("audiences_other")
        dto.description = reader.text("description")
        dto.wentWell = reader.text("went_well")
        dto.wentBadly = reader.text("went_badly")
        dto.advice = reader.text("advice")
        dto.link = reader.text("link")
        dto.linkShareable = reader.boolean("link_shareable")
        dto.pilot = reader.text("pilot")
        dto.pilotContact = reader.text("pilot_contact")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        if dto.lab == nil { reader.errors.append(FieldError("lab", "Choisissez le lab de ce retour d'expérience.")) }
        return (dto, reader.errors)
    }
}

extension SessionKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "title", label: "Titre de la session", kind: .text, required: true),
         FieldSpec(name: "date", label: "Date", kind: .date, required: true),
         FieldSpec(name: "lab", label: "Lab", kind: .select, options: choices.labs, required: true),
         .vocabulary("nature", "Nature", SessionNature.self),
         FieldSpec(name: "level", label: "Niveau d'accompagnement", kind: .select,
                   options: AccompanimentLevel.allCases.map { ($0.rawValue, $0.label) }),
         .vocabulary("format", "Format", SessionFormat.self),
         FieldSpec(name: "participants", label: "Nombre de participants", kind: .number),
         FieldSpec(name: "project", label: "Projet accompagné", kind: .select, options: choices.projects),
         FieldSpec(name: "methods", label: "Méthodes utilisées", kind: .checkboxes, options: choices.methods),
         .markdown("outcome", "Résultats"),
         .markdown("retrospective", "Rétrospective", hint: "Ce qui a marché, ce qu'il faudrait changer."),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: SessionDTO) -> FormData {
        var form = FormData()
        form["title"] = dto.title
        form["date"] = dto.date?.description
        form["lab"] = dto.lab
        form["nature"] = dto.nature?.rawValue
        form.setNumber("level", dto.level)
        form["format"] = dto.format?.rawValue
        form.setNumber("participants", dto.participants)
        form["project"] = dto.project
        form.set("methods", dto.methods)
        form["outcome"] = dto.outcome
        form["retrospective"] = dto.retrospective
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: SessionDTO?) -> (SessionDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? SessionDTO(title: "")
        dto.title = reader.text("title") ?? ""
        dto.date = reader.date("date")
        dto.lab = reader.text("lab")
        dto.nature = reader.vocabulary("nature", SessionNature.self)
        dto.level = reader.integer("level", 1...3)
        dto.format = reader.vocabulary("format", SessionFormat.self)
        dto.participants = reader.integer("participants", 0...100_000)
        dto.project = reader.text("project")
        dto.methods = form.all("methods")
        dto.outcome = reader.text("outcome")
        dto.retrospective = reader.text("retrospective")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        return (dto, reader.errors)
    }
}

extension EventKind: ItemForm {
    static let timingRows = 4

    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "title", label: "Titre de l'événement", kind: .text, required: true),
         FieldSpec(name: "timings", label: "Dates et horaires", kind: .datetimeRows,
                   hint: "Heure de Paris. Une ligne par jour ou par séance ; laissez vides les lignes inutiles.", required: true, rowCount: timingRows),
         FieldSpec(name: "labs", label: "Labs organisateurs", kind: .checkboxes, options: choices.labs, required: true),
         .vocabulary("status", "Statut", EventStatus.self),
         .vocabulary("attendance", "Modalité", Attendance.self),
         FieldSpec(name: "place_name", label: "Lieu", kind: .text),
         FieldSpec(name: "place_address", label: "Adresse", kind: .text),
         FieldSpec(name: "place_postal_code", label: "Code postal", kind: .text),
         FieldSpec(name: "place_city", label: "Ville", kind: .text),
         FieldSpec(name: "online_url", label: "Lien de connexion", kind: .url),
         FieldSpec(name: "registration_url", label: "Lien d'inscription", kind: .url),
         .markdown("description", "Présentation", rows: 8),
         FieldSpec(name: "keywords", label: "Mots-clés", kind: .text, hint: "Séparés par des virgules."),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: EventDTO) -> FormData {
        var form = FormData()
        form["title"] = dto.title
        for (index, timing) in dto.timings.enumerated() {
            form["timings_begin_\(index)"] = ParisLocalInput.format(timing.begin)
            form["timings_end_\(index)"] = ParisLocalInput.format(timing.end)
        }
        form.set("labs", dto.labs)
        form["status"] = dto.status?.rawValue
        form["attendance"] = dto.attendance?.rawValue
        form["place_name"] = dto.place?.name
        form["place_address"] = dto.place?.address
        form["place_postal_code"] = dto.place?.postalCode
        form["place_city"] = dto.place?.city
        form["online_url"] = dto.onlineUrl
        form["registration_url"] = dto.registrationUrl
        form["description"] = dto.description
        form["keywords"] = dto.keywords.joined(separator: ", ")
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: EventDTO?) -> (EventDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? EventDTO(title: "")
        dto.title = reader.text("title") ?? ""
        dto.timings = []
        for row in 0..<max(timingRows, (base?.timings.count ?? 0) + 1) {
            let beginText = reader.text("timings_begin_\(row)"), endText = reader.text("timings_end_\(row)")
            if beginText == nil && endText == nil { continue }
            guard let beginText, let begin = ParisLocalInput.parse(beginText) else {
                reader.errors.append(FieldError("timings", "Ligne \(row + 1) : indiquez le début (date et heure)."))
                continue
            }
            // An end left empty means a two-hour slot, as most agenda tools assume.
            let end = endText.flatMap(ParisLocalInput.parse) ?? begin.addingTimeInterval(2 * 3600)
            if endText != nil, ParisLocalInput.parse(endText ?? "") == nil {
                reader.errors.append(FieldError("timings", "Ligne \(row + 1) : la fin n'est pas une date et une heure valides."))
            }
            dto.timings.append(Timing(begin: begin, end: end))
        }
        dto.labs = form.all("labs")
        dto.status = reader.vocabulary("status", EventStatus.self)
        dto.attendance = reader.vocabulary("attendance", Attendance.self)
        var place = dto.place ?? Place()
        place.name = reader.text("place_name")
        place.address = reader.text("place_address")
        place.postalCode = reader.text("place_postal_code")
        place.city = reader.text("place_city")
        dto.place = place.isEmpty ? nil : place
        dto.onlineUrl = reader.text("online_url")
        dto.registrationUrl = reader.text("registration_url")
        dto.description = reader.text("description")
        dto.keywords = reader.list("keywords")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        if dto.labs.isEmpty { reader.errors.append(FieldError("labs", "Choisissez au moins un lab organisateur.")) }
        return (dto, reader.errors)
    }
}

extension MethodKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "name", label: "Nom de la méthode", kind: .text, required: true),
         .vocabulary("category", "Catégorie", MethodCategory.self, required: true),
         FieldSpec(name: "duration_minutes", label: "Durée (minutes)", kind: .number),
         FieldSpec(name: "group_size", label: "Taille du groupe", kind: .text, hint: "Par exemple « 6 à 12 personnes »."),
         FieldSpec(name: "materials", label: "Matériel", kind: .text),
         FieldSpec(name: "remote_ok", label: "Possible à distance ?", kind: .select, options: [("true", "Oui"), ("false", "Non")]),
         .markdown("description", "Déroulé", rows: 10),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: MethodDTO) -> FormData {
        var form = FormData()
        form["name"] = dto.name
        form["category"] = dto.category?.rawValue
        form.setNumber("duration_minutes", dto.durationMinutes)
        form["group_size"] = dto.groupSize
        form["materials"] = dto.materials
        form["remote_ok"] = dto.remoteOk.map { $0 ? "true" : "false" }
        form["description"] = dto.description
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: MethodDTO?) -> (MethodDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? MethodDTO(name: "")
        dto.name = reader.text("name") ?? ""
        dto.category = reader.vocabulary("category", MethodCategory.self)
        dto.durationMinutes = reader.integer("duration_minutes", 1...100_000)
        dto.groupSize = reader.text("group_size")
        dto.materials = reader.text("materials")
        dto.remoteOk = reader.boolean("remote_ok")
        dto.description = reader.text("description")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        return (dto, reader.errors)
    }
}

extension NetworkKind: ItemForm {
    static func fieldSpecs(_ choices: FormChoices) -> [FieldSpec] {
        [FieldSpec(name: "name", label: "Nom du réseau", kind: .text, required: true),
         .markdown("description", "Présentation", rows: 8),
         .themes, .otherThemes, .visibility]
    }

    static func formData(from dto: NetworkDTO) -> FormData {
        var form = FormData()
        form["name"] = dto.name
        form["description"] = dto.description
        form.setCommon(visibility: dto.visibility, themes: dto.themes)
        return form
    }

    static func dto(from form: FormData, base: NetworkDTO?) -> (NetworkDTO, [FieldError]) {
        var reader = FormReader(form)
        var dto = base ?? NetworkDTO(name: "")
        dto.name = reader.text("name") ?? ""
        dto.description = reader.text("description")
        dto.themes = reader.themes()
        dto.visibility = reader.vocabulary("visibility", Visibility.self)
        return (dto, reader.errors)
    }
}

import Foundation

/// The rules each item type checks before any save, whatever the channel (form, API, import, demo).
extension LabDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(name, "name", maxLength: 200)
        check.limitText(hostOrganisation, "host_organisation", maxLength: 300)
        if let region, !region.isEmpty, FrenchRegions.canonicalName(region) == nil {
            check.fail("region", "Région inconnue : indiquez l'une des 18 régions françaises.")
        }
        check.limitText(city, "city", maxLength: 200)
        check.checkPostalCode(postalCode)
        check.checkCoordinates(latitude: latitude, longitude: longitude)
        check.checkURL(website, "website")
        if let contact, !contact.isEmpty, !WebLink.isSafeEmail(contact), !WebLink.isSafe(contact) {
            check.fail("contact", "Indiquez une adresse électronique ou une adresse web.")
        }
        for field in [("team", team), ("highlight", highlight), ("objectives", objectives)] {
            check.limitText(field.1, field.0)
        }
        check.checkThemes(themes)
        check.checkThemes(services)
        check.checkSlugList(networks, "networks")
        return check.errors
    }
}

extension ProjectDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(title, "title", maxLength: 200)
        check.limitText(summary, "summary", maxLength: 1000)
        for field in [("description", description), ("next_steps", nextSteps), ("vigilance", vigilance)] {
            check.limitText(field.1, field.0)
        }
        check.checkURL(productUrl, "product_url")
        check.checkSlugList(labs, "labs")
        check.checkThemes(themes)
        if let stage, let current = StageHistory.currentStage(of: stageHistory), current != stage {
            check.fail("stage", "La phase indiquée (\(stage.label)) ne correspond pas à la dernière étape de l'historique (\(current.label)).")
        }
        if stage == nil, stageHistory.isEmpty {
            check.fail("stage", "Indiquez la phase du projet.")
        }
        for member in team where member.name.trimmingCharacters(in: .whitespaces).isEmpty {
            check.fail("team", "Chaque membre de l'équipe doit avoir un nom.")
            break
        }
        for achievement in achievements where !(1990...2100).contains(achievement.year) {
            check.fail("achievements", "L'année \(achievement.year) n'est pas plausible.")
            break
        }
        return check.errors
    }

    /// The history as stored: ordered, and starting from `stage` alone when no history was given.
    public func normalisedStageHistory(today: CalendarDate) -> [StageEntry] {
        if stageHistory.isEmpty, let stage { return [StageEntry(stage: stage, since: today)] }
        return StageHistory.ordered(stageHistory)
    }
}

extension ExperienceDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(title, "title", maxLength: 200)
        for field in [("description", description), ("went_well", wentWell), ("went_badly", wentBadly), ("advice", advice)] {
            check.limitText(field.1, field.0)
        }
        check.checkURL(link, "link")
        if let year, !(1990...2100).contains(year) { check.fail("year", "L'année doit être comprise entre 1990 et 2100.") }
        if let lab { check.checkSlugList([lab], "lab") }
        if let project { check.checkSlugList([project], "project") }
        check.checkThemes(themes)
        return check.errors
    }
}

extension SessionDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(title, "title", maxLength: 200)
        if date == nil { check.fail("date", "La date de la session est obligatoire.") }
        if lab == nil || lab?.isEmpty == true { check.fail("lab", "Indiquez le lab qui a animé la session.") }
        if let level, AccompanimentLevel(number: level) == nil {
            check.fail("level", "Le niveau d'accompagnement doit être 1, 2 ou 3.")
        }
        if let participants, !(0...100_000).contains(participants) {
            check.fail("participants", "Le nombre de participants doit être positif.")
        }
        check.checkSlugList(methods, "methods")
        if let lab, !lab.isEmpty { check.checkSlugList([lab], "lab") }
        if let project { check.checkSlugList([project], "project") }
        check.limitText(outcome, "outcome")
        check.limitText(retrospective, "retrospective")
        check.checkThemes(themes)
        return check.errors
    }
}

extension EventDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(title, "title", maxLength: 200)
        check.limitText(description, "description")
        if timings.isEmpty { check.fail("timings", "Indiquez au moins une date de début et de fin.") }
        for timing in timings where timing.end < timing.begin {
            check.fail("timings", "La date de fin doit suivre la date de début.")
            break
        }
        if let place {
            check.checkPostalCode(place.postalCode, "place")
            check.checkCoordinates(latitude: place.latitude, longitude: place.longitude)
        }
        check.checkURL(onlineUrl, "online_url")
        check.checkURL(registrationUrl, "registration_url")
        if attendance == .online, (onlineUrl ?? "").isEmpty, status != .cancelled {
            check.fail("online_url", "Un événement en ligne a besoin de son adresse de connexion.")
        }
        check.checkSlugList(labs, "labs")
        check.checkThemes(themes)
        check.checkThemes(keywords)
        return check.errors
    }
}

extension MethodDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(name, "name", maxLength: 200)
        if category == nil { check.fail("category", "Choisissez une catégorie : \(MethodCategory.keyList).") }
        if let durationMinutes, !(1...100_000).contains(durationMinutes) {
            check.fail("duration_minutes", "La durée doit être un nombre de minutes positif.")
        }
        check.limitText(description, "description")
        check.limitText(groupSize, "group_size", maxLength: 200)
        check.limitText(materials, "materials", maxLength: 2000)
        check.checkThemes(themes)
        return check.errors
    }
}

extension NetworkDTO {
    public func validate() -> [FieldError] {
        var check = Validator()
        check.checkSlug(slug)
        check.requireText(name, "name", maxLength: 200)
        check.limitText(description, "description")
        check.checkThemes(themes)
        return check.errors
    }
}

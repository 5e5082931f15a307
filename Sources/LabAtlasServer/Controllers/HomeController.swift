import Fluent
import Vapor
import LabAtlasCore

/// `/`: key figures, upcoming events, latest items; and `/healthz`.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("healthz", use: health)
    }

    @Sendable func home(req: Request) async throws -> Response {
        // Figures and latest items of every type, upcoming events.
        try await req.visitorPage(reads: ContentVersions.Part.everything, followsTheDate: true) { try await page(req: req) }
    }

    private func page(req: Request) async throws -> Response {
        let repository = req.repository
        var activeLabs = ListQuery(type: .labs, reader: req.reader)
        activeLabs.filters["maturity"] = Maturity.active.rawValue
        var upcoming = ListQuery(type: .events, reader: req.reader)
        upcoming.filters["when"] = "upcoming"
        let counted: [(query: ListQuery, label: String, href: String)] = [
            (ListQuery(type: .labs, reader: req.reader), "labs d'innovation publique", "/labs"),
            (activeLabs, "labs actifs", "/labs?maturity=active"),
            (ListQuery(type: .projects, reader: req.reader), "projets accompagnés", "/projects"),
            (ListQuery(type: .sessions, reader: req.reader), "sessions de travail", "/sessions"),
            (ListQuery(type: .experiences, reader: req.reader), "retours d'expérience", "/experiences"),
            (upcoming, "événements à venir", "/events?when=upcoming"),
        ]
        let counts = try await ListQuery.counts(counted.map(\.query), on: req.db)
        let figures = zip(counted, counts).map { figure, count in
            KeyFigure(value: French.number(count), label: figure.label, href: figure.href)
        }
        let recentProjects = ListQuery.recent(.projects, reader: req.reader)
        let recentExperiences = ListQuery.recent(.experiences, reader: req.reader)
        var recentSessions = ListQuery(type: .sessions, reader: req.reader)
        recentSessions.sort = ListSort.defaultSort(for: .sessions)
        let page = HomePage(
            layout: Layout(title: "LabAtlas — l'atlas des labs d'innovation publique", section: "home",
                           description: "Qui a déjà fait quelque chose de semblable ? Les labs d'innovation publique, leurs projets, sessions, événements et retours d'expérience."),
            figures: figures,
            upcomingEvents: try await repository.cards(EventKind.self, ids: try await upcoming.ids(offset: 0, limit: 5, on: req.db)),
            latestProjects: try await repository.cards(ProjectKind.self, ids: try await recentProjects.ids(offset: 0, limit: 4, on: req.db)),
            latestExperiences: try await repository.cards(ExperienceKind.self, ids: try await recentExperiences.ids(offset: 0, limit: 4, on: req.db)),
            latestSessions: try await repository.cards(SessionKind.self, ids: try await recentSessions.ids(offset: 0, limit: 4, on: req.db)))
        return try await req.renderPage("home", page)
    }

    @Sendable func health(req: Request) async throws -> Response {
        do {
            _ = try await req.db.sql.raw("SELECT 1 AS ok").first()
            return Response(status: .ok, headers: ["Content-Type": "text/plain; charset=utf-8"], body: .init(string: "ok"))
        } catch {
            req.logger.error("health check failed: \(String(reflecting: error))")
            return Response(status: .serviceUnavailable, headers: ["Content-Type": "text/plain; charset=utf-8"],
                            body: .init(string: "database unavailable"))
        }
    }
}

extension ListQuery {
    static func recent(_ type: ItemType, reader: Reader) -> ListQuery {
        var query = ListQuery(type: type, reader: reader)
        query.sort = ListSort.options(for: type).first { $0.key == "recent" } ?? query.sort
        return query
    }
}

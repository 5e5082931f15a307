import Vapor

/// Every URL of CONTRACT.md that exists so far, in the order of its Web table.
func routes(_ app: Application) throws {
    try app.register(collection: HomeController())
    try app.register(collection: ItemPagesController<LabKind>())
    try app.register(collection: ItemPagesController<ProjectKind>())
    try app.register(collection: ItemPagesController<ExperienceKind>())
    try app.register(collection: ItemPagesController<SessionKind>())
    try app.register(collection: ItemPagesController<EventKind>())
    try app.register(collection: ItemPagesController<MethodKind>())
    try app.register(collection: ItemPagesController<NetworkKind>())

    try app.register(collection: APIController<LabKind>())
    try app.register(collection: APIController<ProjectKind>())
    try app.register(collection: APIController<ExperienceKind>())
    try app.register(collection: APIController<SessionKind>())
    try app.register(collection: APIController<EventKind>())
    try app.register(collection: APIController<MethodKind>())
    try app.register(collection: APIController<NetworkKind>())
}

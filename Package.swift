// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "LabAtlas",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "labatlas", targets: ["labatlas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.0"),
        .package(url: "https://github.com/JohnSundell/Ink.git", from: "0.6.0"),
    ],
    targets: [
        .target(
            name: "LabAtlasCore",
            dependencies: [
                .product(name: "Ink", package: "Ink"),
            ]
        ),
        .target(
            name: "LabAtlasServer",
            dependencies: [
                "LabAtlasCore",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
            ],
            resources: [.copy("Demo")]
        ),
        .executableTarget(
            name: "labatlas",
            dependencies: ["LabAtlasServer"]
        ),
        .testTarget(
            name: "LabAtlasCoreTests",
            dependencies: ["LabAtlasCore"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "LabAtlasServerTests",
            dependencies: [
                "LabAtlasServer",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ]
)

// swift-tools-version: 6.1
import PackageDescription

/// One set of compiler settings for every target: Swift 6 language mode with strict concurrency.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardStore", targets: ["SwitchboardStore"]),
        .library(name: "SwitchboardStoreSQLite", targets: ["SwitchboardStoreSQLite"]),
        .library(name: "SwitchboardServer", targets: ["SwitchboardServer"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
        .library(name: "SwitchboardWebChat", targets: ["SwitchboardWebChat"]),
        .library(name: "SwitchboardRouting", targets: ["SwitchboardRouting"]),
        .library(name: "SwitchboardMIME", targets: ["SwitchboardMIME"]),
        .library(name: "SwitchboardEmail", targets: ["SwitchboardEmail"]),
        .library(name: "SwitchboardTickets", targets: ["SwitchboardTickets"]),
        .library(name: "SwitchboardXML", targets: ["SwitchboardXML"]),
        .library(name: "SwitchboardWeChat", targets: ["SwitchboardWeChat"]),
        .library(name: "SwitchboardWeibo", targets: ["SwitchboardWeibo"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .target(
            name: "SwitchboardCore",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardStore",
            dependencies: ["SwitchboardCore", "SwitchboardRouting", "SwitchboardTickets"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardStoreSQLite",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardRouting", "SwitchboardTickets",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardRouting",
            dependencies: [
                "SwitchboardCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardTickets",
            dependencies: ["SwitchboardCore", "SwitchboardRouting"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardMIME",
            path: "Adapters/Email/MIME",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardEmail",
            dependencies: [
                "SwitchboardCore", "SwitchboardMIME",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Adapters/Email/Adapter",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardWebChat",
            dependencies: [
                "SwitchboardCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Adapters/WebChat",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardXML",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardWeChat",
            dependencies: [
                "SwitchboardCore", "SwitchboardXML",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Adapters/WeChat",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardWeibo",
            dependencies: [
                "SwitchboardCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Adapters/Weibo",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardServer",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardRouting", "SwitchboardTickets",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "SwitchboardTesting",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardServer", "SwitchboardStoreSQLite", "SwitchboardRouting",
                "SwitchboardTickets",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: [
                "SwitchboardCore", "SwitchboardStore", "SwitchboardStoreSQLite", "SwitchboardServer",
                "SwitchboardWebChat", "SwitchboardEmail", "SwitchboardMIME", "SwitchboardWeChat", "SwitchboardWeibo",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-tickets-bench",
            dependencies: [
                "SwitchboardTickets", "SwitchboardServer", "SwitchboardStore", "SwitchboardStoreSQLite", "SwitchboardRouting", "SwitchboardCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Benchmarks/Tickets",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-bench-requests",
            dependencies: ["SwitchboardWeChat", "SwitchboardWebChat"],
            path: "Benchmarks/PushRequests",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "switchboard-routing-bench",
            dependencies: ["SwitchboardRouting", "SwitchboardCore"],
            path: "Benchmarks/Routing",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardEmailTests",
            dependencies: [
                "SwitchboardEmail", "SwitchboardMIME", "SwitchboardCore", "SwitchboardTesting",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardMIMETests",
            dependencies: ["SwitchboardMIME", "SwitchboardCore"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardTicketsTests",
            dependencies: ["SwitchboardTickets", "SwitchboardRouting", "SwitchboardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardRoutingTests",
            dependencies: ["SwitchboardRouting", "SwitchboardCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardCoreTests",
            dependencies: ["SwitchboardCore", "SwitchboardTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardStoreSQLiteTests",
            dependencies: [
                "SwitchboardStoreSQLite", "SwitchboardTesting", "SwitchboardRouting", "SwitchboardTickets",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardWebChatTests",
            dependencies: [
                "SwitchboardWebChat", "SwitchboardTesting", "SwitchboardStoreSQLite", "SwitchboardServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardWeChatTests",
            dependencies: [
                "SwitchboardWeChat", "SwitchboardXML", "SwitchboardTesting", "SwitchboardStoreSQLite", "SwitchboardServer",
                "SwitchboardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardWeiboTests",
            dependencies: [
                "SwitchboardWeibo", "SwitchboardTesting", "SwitchboardStoreSQLite", "SwitchboardServer", "SwitchboardCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardXMLTests",
            dependencies: ["SwitchboardXML"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SwitchboardServerTests",
            dependencies: [
                "SwitchboardServer", "SwitchboardTesting", "SwitchboardStoreSQLite", "SwitchboardWebChat", "SwitchboardTickets",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "SwitchboardTesting", "SwitchboardWebChat", "SwitchboardStoreSQLite", "SwitchboardCore", "SwitchboardEmail",
                "SwitchboardStore", "SwitchboardMIME", "SwitchboardWeChat", "SwitchboardWeibo",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)

// swift-tools-version: 6.0
import PackageDescription

let package = Package(
  name: "batchrun",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "batchrun", targets: ["batchrun"]),
    .library(name: "BatchrunKit", targets: ["BatchrunKit"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
  ],
  targets: [
    .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
    .target(name: "CBatchrunShims"),
    .target(name: "CBatchrunEntry", dependencies: ["CBatchrunShims"]),
    .target(
      name: "BatchrunKit",
      dependencies: [
        "CBatchrunShims",
        "CYAML",
        .product(name: "SystemPackage", package: "swift-system"),
      ]
    ),
    .executableTarget(
      name: "batchrun",
      dependencies: [
        "BatchrunKit",
        "CBatchrunEntry",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "ValidateManifest",
      dependencies: ["BatchrunKit"],
      path: "Examples/ValidateManifest"
    ),
    .executableTarget(name: "BatchrunBenchmarks", dependencies: ["BatchrunKit"], path: "Benchmarks/Micro"),
    .target(name: "TestSupport", path: "Tests/TestSupport"),
    .testTarget(
      name: "BatchrunKitTests",
      dependencies: ["BatchrunKit", "TestSupport"],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "EndToEndTests",
      dependencies: ["BatchrunKit", "TestSupport"]
    ),
  ]
)

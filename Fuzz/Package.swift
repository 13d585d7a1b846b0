// swift-tools-version: 6.0
// The libFuzzer targets for the manifest loader and the report reader. Build and run
// with Fuzz/run.sh.
import Foundation
import PackageDescription

// A path dependency's identity is its directory's name, which depends on the checkout.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
  name: "batchrun-fuzz",
  platforms: [.macOS(.v15)],
  dependencies: [.package(path: "..")],
  targets: [
    .executableTarget(
      name: "ManifestFuzzer",
      dependencies: [.product(name: "BatchrunKit", package: rootIdentity)],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ),
    .executableTarget(
      name: "ReportFuzzer",
      dependencies: [.product(name: "BatchrunKit", package: rootIdentity)],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ),
  ]
)

// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "neuron-probe",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "probe", targets: ["Probe"]),
        .library(name: "NeuronProbe", targets: ["HDF5", "Files", "Engine", "Activations", "Attacks", "Report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries: a module map and a shim.h each, found through pkg-config.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5-serial", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLBFGSB", providers: [.apt(["liblbfgsb-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CLinux"),
        .systemLibrary(name: "CCPU"),

        .target(name: "HDF5", dependencies: ["CHDF5"]),
        .target(name: "Files", dependencies: ["HDF5", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Engine", dependencies: ["CBLAS", "CCPU", "HDF5", "Files"]),
        .target(name: "Activations", dependencies: ["Engine", "Files", "HDF5", "CZlib", "CDeflate", "CLinux", "CPNG", "CTurboJPEG", "CArchive"]),
        .target(name: "Attacks", dependencies: ["Engine", "Files", "HDF5", "CLBFGSB"]),
        .target(name: "Report", dependencies: ["Engine", "Files", "Activations", "Attacks", "CPNG"]),
        .executableTarget(
            name: "Probe",
            dependencies: ["Files", "Engine", "Activations", "Attacks", "HDF5", "Report", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "ProbeBench", dependencies: ["Files", "Engine", "Activations", "Attacks", "CBLAS"], path: "bench/Sources/ProbeBench"),

        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "HDF5Tests", dependencies: ["HDF5", "CHDF5", "TestSupport"]),
        .testTarget(name: "FilesTests", dependencies: ["Files", "HDF5", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "Files", "HDF5"], exclude: ["Fixtures"]),
        .testTarget(name: "ActivationsTests", dependencies: ["Activations", "Engine", "Files", "HDF5", "TestSupport"]),
        .testTarget(name: "ProbeTests", dependencies: ["Probe", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Attacks", "Engine", "TestSupport"], exclude: ["Golden"]),
        .testTarget(name: "AttacksTests", dependencies: ["Attacks", "Engine", "Files"]),
    ],
    swiftLanguageModes: [.v5]
)

import ArgumentParser
import Activations
import Foundation
import Files

/// `probe data`: the data sets the tool knows, where they are, and fetching them.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "List, verify and fetch the data sets.",
        subcommands: [List.self, Verify.self, Fetch.self])

    /// `probe data list`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List each known data set, where it was found, and whether it verifies.")

        @OptionGroup var directory: DataDirectoryOption

        @OptionGroup var jsonOutput: JSONOption

        func run() throws {
            let search = directory.search
            let statuses = DatasetRegistry.standard.statusOfAll(search: search, verify: true)
            if jsonOutput.json {
                try printJSON(statuses)
                return
            }
            for status in statuses {
                print("\(status.descriptor.name): \(status.descriptor.summary)")
                for split in status.splits {
                    print(
                        "  \(split.split.rawValue): \(split.location.map { "found in \($0.described(naming: CommandLineWording.name))" } ?? "not found")"
                    )
                }
                for check in status.files { print("    \(check.file.name): \(check.outcome)") }
                if !status.isComplete {
                    print(
                        "  to complete it: probe data fetch \(status.descriptor.name)"
                            + (status.descriptor.debianPackage.map { ", or apt-get install \($0)" } ?? ""))
                }
            }
        }
    }

    /// `probe data verify NAME`.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check every file of a data set against the registry's checksums.")

        @Argument(help: ArgumentHelp("The data set: \(DatasetRegistry.standard.names.joined(separator: ", "))."))
        var name: String

        @OptionGroup var directory: DataDirectoryOption

        @OptionGroup var jsonOutput: JSONOption

        func run() throws {
            let search = directory.search
            let status = try DatasetRegistry.standard.status(name, search: search, verify: true)
            if jsonOutput.json {
                try printJSON(status)
            } else {
                for check in status.files {
                    print("\(check.file.name): \(check.outcome)\(check.url.map { " (\($0.path))" } ?? "")")
                }
            }
            guard status.isComplete else {
                throw ExitCode.failure
            }
        }
    }

    /// `probe data fetch NAME`.
    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download a data set from its upstream mirrors, verify each file, and install it atomically.")

        @Argument(help: ArgumentHelp("The data set: \(DatasetRegistry.standard.names.joined(separator: ", "))."))
        var name: String

        @Option(name: .long, help: "The directory to install into (default ~/.cache/neuron-probe/NAME).")
        var dir: String?

        @Option(name: .long, help: "A base URL to download from instead of the registered mirrors (also $PROBE_MIRROR).")
        var mirror: String?

        @Option(name: .long, help: "Fetch only this split (train or test).")
        var split: DatasetSplit?

        @OptionGroup var outputOptions: OutputOptions

        func run() throws {
            let mirrors = try mirror.map { value -> [URL] in
                guard let url = URL(string: value), url.scheme != nil else { throw ValidationError("--mirror \(value) is not a URL") }
                return [url]
            }
            let fetcher = try DatasetFetcher(mirrors: mirrors)
            let descriptor = try DatasetRegistry.standard.descriptor(named: name)
            let directory = dir.map { URL(fileURLWithPath: $0, isDirectory: true) } ?? DataSearchPaths().cacheDirectory(for: name)
            let bar = ProgressLine(quiet: outputOptions.quiet)
            let results = try fetcher.fetch(
                descriptor, into: directory, splits: split.map { [$0] } ?? DatasetSplit.allCases,
                progress: { file, done, total in bar.show(file: file, done: done, total: total) })
            bar.finish()
            if outputOptions.json {
                try printJSON(results)
            } else {
                for r in results {
                    switch r.action {
                    case .alreadyPresent: print("\(r.file.name): already present and verified (\(r.method))")
                    case .downloaded(let from): print("\(r.file.name): downloaded from \(from.absoluteString), verified (\(r.method))")
                    }
                }
                print("installed in \(directory.path)")
            }
        }
    }
}

/// Download progress from the fetcher's background thread, drawn through a `ProgressBar` per file.
private final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var bar: ProgressBar?
    private var file = ""
    private let quiet: Bool

    init(quiet: Bool) { self.quiet = quiet }

    func show(file: String, done: Int64, total: Int64?) {
        lock.lock()
        defer { lock.unlock() }
        if file != self.file {
            bar?.finish()
            self.file = file
            bar = ProgressBar(file, total: Int(total ?? 0), unit: "B", quiet: quiet)
        }
        bar?.update(Int(done), total: total.map(Int.init))
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        bar?.finish()
    }
}

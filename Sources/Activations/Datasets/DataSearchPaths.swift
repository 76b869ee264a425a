import Foundation

/// One place where data set files are looked for, and why it is in the search order.
public struct DataLocation: Sendable, Equatable, CustomStringConvertible {
    /// Which rule of the search order produced a location.
    public enum Source: String, Sendable, Equatable {
        /// The directory a caller names first: the `dataDirectory` parameter (`probe`'s `--data-dir`).
        case dataDirectory = "dataDirectory"
        /// The `PROBE_DATA` environment variable.
        case probeData = "$PROBE_DATA"
        /// The per-user cache, where `probe data fetch` installs.
        case cache = "cache"
        /// The system-wide Debian path `/usr/share/datasets`.
        case system = "system"
    }

    /// The rule that produced this location.
    public var source: Source
    /// The directory looked in.
    public var directory: URL

    /// A location `directory` from `source`.
    public init(source: Source, directory: URL) {
        self.source = source
        self.directory = directory
    }

    /// `/path (source)`.
    public var description: String { described(naming: \.rawValue) }

    /// `/path (source)`, the source named by `name` (a front end names its own option).
    public func described(naming name: (Source) -> String) -> String { "\(directory.path) (\(name(source)))" }
}

/// The search order for data set files, as DESIGN.md fixes it:
///
/// 1. the explicit data directory (`--data-dir`), holding the files or a `<name>/` folder;
/// 2. `$PROBE_DATA/<name>/`, then `$PROBE_DATA` itself holding the files;
/// 3. the cache `~/.cache/neuron-probe/<name>/` (`$XDG_CACHE_HOME/neuron-probe/<name>/` when that is set);
/// 4. the Debian path `/usr/share/datasets/<name>/`.
///
/// The first directory holding both files of a split wins. In a folder named after the data
/// set there is no doubt which data set the files are; in a flat folder (`--data-dir` or
/// `$PROBE_DATA` holding files directly) MNIST and Fashion-MNIST share file names, so loading
/// verifies checksums by default, which catches one taken for the other.
public struct DataSearchPaths: Sendable, Equatable {
    /// The explicit data directory (`--data-dir`); nil when not given.
    public var dataDirectory: URL?
    /// The directory from `$PROBE_DATA`; nil when the variable is unset or empty.
    public var probeData: URL?
    /// The per-user cache root (`~/.cache/neuron-probe`); data sets go in `<name>/` below it.
    public var cacheRoot: URL
    /// The system root (`/usr/share/datasets`); data sets are in `<name>/` below it.
    public var systemRoot: URL

    /// The search order for the given options and environment.
    ///
    /// - Parameters:
    ///   - dataDirectory: the `--data-dir` value, if given.
    ///   - environment: where `PROBE_DATA`, `XDG_CACHE_HOME` and `HOME` are read; the process environment by default.
    ///   - systemRoot: the Debian data root; `/usr/share/datasets` except in tests.
    public init(
        dataDirectory: URL? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        systemRoot: URL = URL(fileURLWithPath: "/usr/share/datasets", isDirectory: true)
    ) {
        self.dataDirectory = dataDirectory
        if let value = environment["PROBE_DATA"], !value.isEmpty {
            self.probeData = URL(fileURLWithPath: value, isDirectory: true)
        } else {
            self.probeData = nil
        }
        self.cacheRoot = Self.defaultCacheRoot(environment: environment)
        self.systemRoot = systemRoot
    }

    /// The cache root for an environment: `$XDG_CACHE_HOME/neuron-probe` when set, else `$HOME/.cache/neuron-probe`.
    public static func defaultCacheRoot(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("neuron-probe", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".cache", isDirectory: true)
            .appendingPathComponent("neuron-probe", isDirectory: true)
    }

    /// The cache directory of one data set: where `probe data fetch` installs it.
    public func cacheDirectory(for name: String) -> URL {
        cacheRoot.appendingPathComponent(name, isDirectory: true)
    }

    /// The directories to look in for data set `name`, in order. Unset options are left out.
    public func locations(for name: String) -> [DataLocation] {
        var out: [DataLocation] = []
        if let dir = dataDirectory {
            out.append(DataLocation(source: .dataDirectory, directory: dir))
            out.append(DataLocation(source: .dataDirectory, directory: dir.appendingPathComponent(name, isDirectory: true)))
        }
        if let dir = probeData {
            out.append(DataLocation(source: .probeData, directory: dir.appendingPathComponent(name, isDirectory: true)))
            out.append(DataLocation(source: .probeData, directory: dir))
        }
        out.append(DataLocation(source: .cache, directory: cacheDirectory(for: name)))
        out.append(DataLocation(source: .system, directory: systemRoot.appendingPathComponent(name, isDirectory: true)))
        return out
    }

    /// The sources of the search order that were not given (a data directory, `$PROBE_DATA`), for error messages.
    public var unsetSources: [DataLocation.Source] {
        (dataDirectory == nil ? [.dataDirectory] : []) + (probeData == nil ? [.probeData] : [])
    }
}

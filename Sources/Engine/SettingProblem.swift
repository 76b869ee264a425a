/// A setting that cannot work, in the library's words: the setting as the library names it
/// ("batch size"), the value given, and what is wrong with it. A front end names its own way of
/// giving the setting instead (`probe` prints "--batch-size 0 must be at least 1").
public struct SettingProblem: Error, CustomStringConvertible, Equatable, Sendable {
    /// The setting, as the library names it ("epochs", "step size").
    public var setting: String
    /// The value given, as text, when the message quotes it.
    public var value: String?
    /// What is wrong and what would work ("must be at least 1").
    public var problem: String

    /// The problem `problem` with `setting`, whatever its value.
    public init(_ setting: String, _ problem: String) {
        self.init(setting, nil, problem)
    }

    /// The problem `problem` with `setting`, given `value`.
    public init(_ setting: String, _ value: String?, _ problem: String) {
        self.setting = setting
        self.value = value
        self.problem = problem
    }

    public var description: String { described(naming: { $0 }) }

    /// The message with the setting named by `name` (a flag, a keyword argument).
    public func described(naming name: (String) -> String) -> String {
        ([name(setting)] + (value.map { [$0] } ?? []) + [problem]).joined(separator: " ")
    }
}

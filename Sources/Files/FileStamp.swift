import HDF5

/// The root attributes every neuron-probe file carries (DESIGN.md, "Files it writes"): its kind and
/// layout version, the tool version that wrote it and when, and the BLAS kernel that computed it.
public enum FileStamp {
    /// Writes `format`, `format_version`, `tool_version`, `created`, `command_line`, `blas_kernel`
    /// and `blas_kernel_selection` on `root`.
    public static func stamp(_ root: Group, kind: FileKind, engine: EngineStamp) throws {
        try root.setAttribute("format", kind.format)
        try root.setAttribute("format_version", Int64(kind.version))
        try root.setAttribute("tool_version", ToolInfo.version)
        try root.setAttribute("created", ToolInfo.timestamp())
        try root.setAttribute("command_line", ToolInfo.commandLine)
        try root.setAttribute("blas_kernel", engine.blasKernel)
        try root.setAttribute("blas_kernel_selection", engine.blasKernelSelection)
    }
}

/// What computed a file's contents, as its root attributes name it: the engine fills it in
/// (`EngineStamp.current` in `Engine`), so that this layer needs to know nothing of BLAS.
public struct EngineStamp: Sendable, Equatable {
    /// The OpenBLAS kernel in use (`Haswell`).
    public var blasKernel: String
    /// How it was chosen (`BLASKernelStatus.summary`).
    public var blasKernelSelection: String

    /// A stamp naming `blasKernel`, chosen as `blasKernelSelection` says.
    public init(blasKernel: String, blasKernelSelection: String) {
        self.blasKernel = blasKernel
        self.blasKernelSelection = blasKernelSelection
    }
}

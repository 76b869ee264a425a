import HDF5

/// The root attributes every neuron-probe file carries (DESIGN.md, "Files it writes"): its kind,
/// layout version, the tool version that wrote it and when, and the BLAS kernel that computed it.
public enum FileStamp {
    /// Writes `format`, `format_version`, `tool_version`, `created`, `blas_kernel` (the OpenBLAS kernel
    /// in use, `Haswell`) and `blas_kernel_selection` (how it was chosen, `BLASKernelStatus.summary`) on `root`.
    public static func stamp(_ root: Group, format: String, version: Int) throws {
        try root.setAttribute("format", format)
        try root.setAttribute("format_version", Int64(version))
        try root.setAttribute("tool_version", ToolInfo.version)
        try root.setAttribute("created", ToolInfo.timestamp())
        let blas = BLASKernelSelection.status
        try root.setAttribute("blas_kernel", blas.kernel)
        try root.setAttribute("blas_kernel_selection", blas.summary)
    }
}

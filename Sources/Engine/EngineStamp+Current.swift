import Files

extension EngineStamp {
    /// The engine of this process: the OpenBLAS kernel in use and how it was chosen
    /// (`BLASKernelSelection.status`).
    public static var current: EngineStamp {
        let blas = BLASKernelSelection.status
        return EngineStamp(blasKernel: blas.kernel, blasKernelSelection: blas.summary)
    }
}

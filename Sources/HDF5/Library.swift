import CHDF5

/// Process-wide settings of the HDF5 library.
public enum HDF5Library {
    /// Asks HDF5 not to close the files still open when the process exits (`H5dont_atexit`).
    ///
    /// A file whose writes failed (a full disk, a file-size limit) cannot be flushed, so its
    /// `H5Fclose` fails; HDF5 1.10 then crashes in its exit-time cleanup, which tries to close it
    /// again. Programs that close every file they write (neuron-probe does, and removes the
    /// partial file of a failed recording) lose nothing by skipping that cleanup.
    ///
    /// It only has an effect before the first other HDF5 call (later, HDF5 has installed its handler).
    /// - Returns: false when it was called before.
    @discardableResult
    public static func skipCleanupAtExit() -> Bool {
        H5dont_atexit() >= 0
    }
}

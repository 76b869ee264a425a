import CHDF5

/// An open HDF5 file; closes itself when the last reference to it (including from its groups and datasets) goes away.
///
/// Groups and datasets keep their file alive, so they may outlive the variable that
/// held the file. `close()` releases this handle early; HDF5 then keeps the file open
/// until the last of its objects is closed too.
public final class HDF5File {
    /// The file system path the file was created or opened with.
    public let path: String
    /// The file handle; stale once `close()` has run.
    let id: hid_t
    /// Whether this object still owns an open handle.
    public private(set) var isOpen: Bool

    /// Whether the file was created or opened for writing.
    public let isWritable: Bool

    private init(id: hid_t, path: String, writable: Bool) {
        isWritable = writable
        self.id = id
        self.path = path
        self.isOpen = true
    }

    deinit {
        if isOpen { H5Fclose(id) }
    }

    /// Creates a file, replacing any file at `path`.
    ///
    /// The file is written in the HDF5 1.8–1.10 formats whatever library version this
    /// is built against, so h5py, MATLAB and HDF5 1.10 tools can read it. Object
    /// modification times are not recorded, so writing the same content twice gives
    /// the same bytes (and the same sha256).
    ///
    /// - Parameter path: Where to create the file.
    /// - Returns: The new file, open for writing.
    /// - Throws: `HDF5Error` when the file cannot be created (missing directory, no permission, the file is open elsewhere).
    public static func create(_ path: String) throws -> HDF5File {
        let site = Site(path: path, file: nil)
        let creation = try check(H5Pcreate(np_H5P_FILE_CREATE()), "H5Pcreate", path: path)
        defer { H5Pclose(creation) }
        // NOTE: timestamps would make every run's file differ byte for byte.
        try check(H5Pset_obj_track_times(creation, false), "H5Pset_obj_track_times", path: path)
        let access = try fileAccessList(lowBound: np_H5F_LIBVER_V18(), at: site)
        defer { H5Pclose(access) }
        let id = try check(H5Fcreate(path, np_H5F_ACC_TRUNC(), creation, access), "H5Fcreate", path: path)
        return HDF5File(id: id, path: path, writable: true)
    }

    /// Opens an existing file.
    ///
    /// - Parameters:
    ///   - path: The file to open.
    ///   - writable: Whether to open it for writing; read-only by default.
    /// - Returns: The open file.
    /// - Throws: `HDF5Error` naming `path` when the file is missing, unreadable or not an HDF5 file.
    public static func open(_ path: String, writable: Bool = false) throws -> HDF5File {
        let site = Site(path: path, file: nil)
        // NOTE: a low bound of "earliest" leaves an older file's format alone; the high bound
        // keeps objects added to it readable by HDF5 1.10.
        let access = try fileAccessList(lowBound: np_H5F_LIBVER_EARLIEST(), at: site)
        defer { H5Pclose(access) }
        let flags = writable ? np_H5F_ACC_RDWR() : np_H5F_ACC_RDONLY()
        let id = try check(H5Fopen(path, flags, access), "H5Fopen", path: path)
        return HDF5File(id: id, path: path, writable: writable)
    }

    /// A file access property list with library version bounds from `lowBound` to HDF5 1.10.
    private static func fileAccessList(lowBound: H5F_libver_t, at site: Site) throws -> hid_t {
        let access = try check(H5Pcreate(np_H5P_FILE_ACCESS()), "H5Pcreate", path: site.path)
        do {
            try check(H5Pset_libver_bounds(access, lowBound, np_H5F_LIBVER_V110()), "H5Pset_libver_bounds", path: site.path)
        } catch {
            H5Pclose(access)
            throw error
        }
        return access
    }

    /// Whether `path` names a readable HDF5 file; false for missing files and other formats, never throws.
    ///
    /// - Parameter path: The file to test.
    /// - Returns: True when HDF5 finds its signature in the file.
    public static func isHDF5(_ path: String) -> Bool {
        np_silence_error_printing()
        return np_H5Fis_hdf5(path) > 0
    }

    /// The root group, `/`.
    public var root: Group {
        // The root group is reached through the file handle itself, so it needs no handle of its own.
        Group(file: self, id: id, path: "/", ownsHandle: false)
    }

    /// Writes buffered data of this file to disk.
    ///
    /// - Throws: `HDF5Error` when HDF5 cannot flush (for instance after `close()`).
    public func flush() throws {
        try check(H5Fflush(id, H5F_SCOPE_GLOBAL), "H5Fflush", path: path)
    }

    /// Closes this file handle now instead of at deinit; a second call does nothing. A writable
    /// file is flushed first.
    ///
    /// Groups and datasets still open keep the file itself open until they are released, and
    /// HDF5 reports nothing of the writes it makes then: the flush makes every write happen now,
    /// so that a full disk or a file-size limit is reported here rather than lost.
    /// - Throws: `HDF5Error` when HDF5 fails to flush or close the file.
    public func close() throws {
        guard isOpen else { return }
        if isWritable {
            do {
                try flush()
            } catch {
                isOpen = false
                H5Fclose(id)
                throw error
            }
        }
        isOpen = false
        try check(H5Fclose(id), "H5Fclose", path: path)
    }

    /// The number of HDF5 objects open in this file, the file handle included: 1 when nothing else is open, 0 after `close()`.
    public var openObjectCount: Int {
        guard isOpen else { return 0 }
        np_silence_error_printing()
        return max(0, Int(H5Fget_obj_count(id, np_H5F_OBJ_ALL())))
    }
}

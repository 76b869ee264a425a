// The HDF5 C API as Swift sees it: the library headers plus the macro constants
// that do not import into Swift, re-exported as static inline functions.
#ifndef NEURON_PROBE_CHDF5_SHIM_H
#define NEURON_PROBE_CHDF5_SHIM_H

#include <hdf5.h>
#include <hdf5_hl.h>

// Property lists and dataspaces.
static inline hid_t np_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t np_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline hid_t np_H5S_ALL(void) { return H5S_ALL; }
static inline hsize_t np_H5S_UNLIMITED(void) { return H5S_UNLIMITED; }
static inline size_t np_H5T_VARIABLE(void) { return H5T_VARIABLE; }

// Property list classes.
static inline hid_t np_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t np_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t np_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t np_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t np_H5P_DATASET_ACCESS(void) { return H5P_DATASET_ACCESS; }
static inline hid_t np_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t np_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }

// Chunk cache: the preemption weight that keeps the file access list's (0.75 unless set there).
static inline double np_H5D_CHUNK_CACHE_W0_DEFAULT(void) { return H5D_CHUNK_CACHE_W0_DEFAULT; }

// File access flags.
static inline unsigned np_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned np_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned np_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned np_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }

// Which open objects H5Fget_obj_count counts.
static inline unsigned np_H5F_OBJ_ALL(void) { return H5F_OBJ_ALL; }

// Library version bounds: the newest format this wrapper writes is HDF5 1.10's,
// whatever library version it is built against.
static inline H5F_libver_t np_H5F_LIBVER_V18(void) { return H5F_LIBVER_V18; }
static inline H5F_libver_t np_H5F_LIBVER_V110(void) { return H5F_LIBVER_V110; }
static inline H5F_libver_t np_H5F_LIBVER_EARLIEST(void) { return H5F_LIBVER_EARLIEST; }

// Native and string types.
static inline hid_t np_H5T_C_S1(void) { return H5T_C_S1; }
static inline hid_t np_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t np_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t np_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t np_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t np_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t np_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t np_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t np_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t np_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t np_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }

// Whether a file is HDF5: H5Fis_accessible replaced H5Fis_hdf5 in 1.12.
static inline htri_t np_H5Fis_hdf5(const char *name) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Fis_accessible(name, H5P_DEFAULT);
#else
    return H5Fis_hdf5(name);
#endif
}

// HDF5 prints its error stack to stderr by default, and in a thread-safe build that
// setting belongs to each thread's own error stack. The wrapper reports errors
// itself, so it turns printing off once per thread before its first call there.
static inline void np_silence_error_printing(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

#endif

"""Read gzip'd IDX files (the MNIST / Fashion-MNIST format) with the stdlib and NumPy."""
import gzip
import os
import struct

import numpy as np

DEFAULT_DIR = "/usr/share/datasets/fashion-mnist"  # Debian package dataset-fashion-mnist

# IDX type codes -> big-endian NumPy dtypes
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """Return the array stored in one IDX file (gzip'd or not)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    zero, type_code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or type_code not in _DTYPES:
        raise ValueError(f"{path}: not an IDX file")
    shape = struct.unpack(f">{ndim}I", data[4:4 + 4 * ndim])
    array = np.frombuffer(data, dtype=_DTYPES[type_code], offset=4 + 4 * ndim)
    return array.reshape(shape)


def load_train(data_dir=None):
    """Fashion-MNIST training set: images (60000, 784) float32 in [0, 1], labels (60000,) int64."""
    data_dir = data_dir or DEFAULT_DIR
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte.gz"))
    x = images.reshape(len(images), -1).astype(np.float32) / np.float32(255)
    y = labels.astype(np.int64)
    assert x.dtype == np.float32 and x.shape == (60000, 784), (x.dtype, x.shape)
    return x, y

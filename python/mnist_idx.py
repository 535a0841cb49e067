"""MNIST-style IDX3 image files (unsigned bytes, big-endian header), read the way Latent Lab's IDX reader does."""
import numpy as np


def read_idx_images(path, limit):
    """The first `limit` images of an IDX3 file as uint8 [count, rows, cols, 1]."""
    with open(path, "rb") as f:
        magic, count, rows, cols = np.frombuffer(f.read(16), dtype=">u4")
        if magic != 0x803:
            raise SystemExit(f"error: {path} is not an IDX3 unsigned-byte file (magic {magic:#x})")
        count = min(int(count), limit)
        pixels = np.frombuffer(f.read(count * rows * cols), dtype=np.uint8)
    return pixels.reshape(count, rows, cols, 1)

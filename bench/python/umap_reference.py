"""umap-learn reference for `umapTimeRatio` and `umapTrustDelta`: umap-learn with its defaults
(n_neighbors 15, min_dist 0.1, spectral init) on the same latents Latent Lab projects.

numba compiles umap-learn's kernels on first use. A warm-up fit on WARMUP points (above umap-learn's
4096-point threshold, so that NN-descent is compiled too) runs first; the timed fits then measure
UMAP, not the compiler. The warm-up is fitted a second time, so its first time minus its second is
the compilation cost, and the cold figure is the fastest timed fit plus that cost.

The benchmark alternates its own runs with these fits, so both sides see the same load on a shared
machine: after the warm-up this prints `ready`, then for each line `fit` on stdin it fits once and
prints that fit's times as one JSON line. On `done` (or end of input) it saves the fastest fit's
embedding and prints the summary JSON line. With --ours and --subsample it also scores both
embeddings with sklearn.manifold.trustworthiness on the given rows, which the benchmark compares
with its own trustworthiness function.

Usage: python umap_reference.py LATENTS.npy EMBEDDING_OUT.npy [--warmup 5000]
       [--ours OURS.npy --subsample ROWS.npy --k 10]   (commands on stdin)
"""
import argparse
import json
import sys
import time
import warnings

# umap-learn imports TensorFlow only for ParametricUMAP, which is not used here: blocking it saves
# seconds of start-up and TensorFlow's log lines.
sys.modules["tensorflow"] = None

import numpy as np  # noqa: E402
import umap  # noqa: E402
from sklearn.manifold import trustworthiness  # noqa: E402


def timed_fit(data):
    start = time.perf_counter()
    cpu = time.process_time()
    embedding = umap.UMAP().fit_transform(data)
    return time.perf_counter() - start, time.process_time() - cpu, embedding


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("latents")
    parser.add_argument("out")
    parser.add_argument("--warmup", type=int, default=5000)
    parser.add_argument("--ours")
    parser.add_argument("--subsample")
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    if (args.ours is None) != (args.subsample is None):
        raise SystemExit("error: --ours and --subsample go together")

    data = np.load(args.latents)
    if data.ndim != 2 or data.dtype != np.float32:
        raise SystemExit(f"error: {args.latents} must hold a 2-D float32 array, got {data.dtype} {data.shape}")
    warm_rows = data[: min(args.warmup, len(data))]
    # umap-learn warns that n_jobs is overridden only when a random_state is set; none is set here.
    warnings.filterwarnings("ignore", category=UserWarning)
    first_warmup, _, _ = timed_fit(warm_rows)
    second_warmup, _, _ = timed_fit(warm_rows)
    print("ready", flush=True)
    fits = []
    for line in sys.stdin:
        if line.strip() == "done":
            break
        if line.strip() != "fit":
            raise SystemExit(f"error: unknown command {line.strip()!r} (fit or done)")
        fits.append(timed_fit(data))
        print(json.dumps({"seconds": fits[-1][0], "cpuSeconds": fits[-1][1]}), flush=True)
    if not fits:
        raise SystemExit("error: no fit was asked for")
    seconds, cpu_seconds, embedding = min(fits, key=lambda fit: fit[0])
    np.save(args.out, embedding.astype(np.float32))

    jit = max(0.0, first_warmup - second_warmup)
    result = {
        "umapLearn": umap.__version__,
        "points": int(len(data)),
        "dimensions": int(data.shape[1]),
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "jitSeconds": jit,
        "coldSeconds": seconds + jit,
        "warmupPoints": int(len(warm_rows)),
    }
    if args.ours is not None:
        rows = np.load(args.subsample).astype(np.int64)
        ours = np.load(args.ours)
        result["sklearnTrustworthiness"] = {
            "ours": float(trustworthiness(data[rows], ours[rows], n_neighbors=args.k)),
            "reference": float(trustworthiness(data[rows], embedding[rows], n_neighbors=args.k)),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()

"""umap-learn reference for `umapTimeRatio` and `umapTrustDelta`: umap-learn with its defaults
(n_neighbors 15, min_dist 0.1, spectral init) on the same latents Latent Lab projects.

numba compiles umap-learn's kernels on first use. A warm-up fit on WARMUP points (above umap-learn's
4096-point threshold, so that NN-descent is compiled too) runs first; the timed fits then measure
UMAP, not the compiler. The warm-up is fitted a second time, so its first time minus its second is
the compilation cost, and the cold figure is the fastest timed fit plus that cost.

The benchmark alternates its own runs with these fits, so both sides see the same load on a shared
machine; the commands and the summary are reference_protocol.py's.

Usage: python umap_reference.py LATENTS.npy EMBEDDING_OUT.npy [--warmup 5000]
       [--ours OURS.npy --subsample ROWS.npy --k 10]   (commands on stdin)
"""
import sys
import warnings

# umap-learn imports TensorFlow only for ParametricUMAP, which is not used here: blocking it saves
# seconds of start-up and TensorFlow's log lines.
sys.modules["tensorflow"] = None

import umap  # noqa: E402
from reference_protocol import reference_args, serve, timed  # noqa: E402


def fit(data):
    return umap.UMAP().fit_transform(data)


def main():
    args, data = reference_args()
    warm_rows = data[: min(args.warmup, len(data))]
    # umap-learn warns that n_jobs is overridden only when a random_state is set; none is set here.
    warnings.filterwarnings("ignore", category=UserWarning)
    first_warmup, _, _ = timed(fit, warm_rows)
    second_warmup, _, _ = timed(fit, warm_rows)
    jit = max(0.0, first_warmup - second_warmup)
    serve(args, data, fit, lambda seconds: {"umapLearn": umap.__version__, "jitSeconds": jit, "coldSeconds": seconds + jit, "warmupPoints": int(len(warm_rows))})


if __name__ == "__main__":
    main()

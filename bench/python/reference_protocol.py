"""The protocol the projection references (umap_reference.py, tsne_reference.py) speak with
bench/umap.ts: after the script's own warm-up it prints `ready`; each `fit` line on stdin fits the
latents once and prints that fit's times as one JSON line; on `done` (or end of input) it saves the
fastest fit's embedding and prints the summary JSON line — with --ours and --subsample, sklearn's
trustworthiness of both embeddings on the given rows, which the bench compares with its own.
"""
import argparse
import json
import sys
import time

import numpy as np
from sklearn.manifold import trustworthiness


def reference_args(add_arguments=lambda parser: None):
    """The command line every reference takes (plus its own), checked, and the latents it names."""
    parser = argparse.ArgumentParser()
    parser.add_argument("latents")
    parser.add_argument("out")
    parser.add_argument("--warmup", type=int, default=5000)
    parser.add_argument("--ours")
    parser.add_argument("--subsample")
    parser.add_argument("--k", type=int, default=10)
    add_arguments(parser)
    args = parser.parse_args()
    if (args.ours is None) != (args.subsample is None):
        raise SystemExit("error: --ours and --subsample go together")
    data = np.load(args.latents)
    if data.ndim != 2 or data.dtype != np.float32:
        raise SystemExit(f"error: {args.latents} must hold a 2-D float32 array, got {data.dtype} {data.shape}")
    return args, data


def timed(fit, data):
    """Wall and process CPU seconds of one fit, and its embedding."""
    start = time.perf_counter()
    cpu = time.process_time()
    embedding = np.asarray(fit(data))
    return time.perf_counter() - start, time.process_time() - cpu, embedding


def serve(args, data, fit, summary):
    """Fits on each `fit` command; at the end, `summary(fastest_seconds)` names the library and its extra figures."""
    print("ready", flush=True)
    fits = []
    for line in sys.stdin:
        if line.strip() == "done":
            break
        if line.strip() != "fit":
            raise SystemExit(f"error: unknown command {line.strip()!r} (fit or done)")
        fits.append(timed(fit, data))
        print(json.dumps({"seconds": fits[-1][0], "cpuSeconds": fits[-1][1]}), flush=True)
    if not fits:
        raise SystemExit("error: no fit was asked for")
    seconds, cpu_seconds, embedding = min(fits, key=lambda fit: fit[0])
    np.save(args.out, embedding.astype(np.float32))
    result = {**summary(seconds), "points": int(len(data)), "dimensions": int(data.shape[1]), "seconds": seconds, "cpuSeconds": cpu_seconds}
    if args.ours is not None:
        rows = np.load(args.subsample).astype(np.int64)
        ours = np.load(args.ours)
        result["sklearnTrustworthiness"] = {
            "ours": float(trustworthiness(data[rows], ours[rows], n_neighbors=args.k)),
            "reference": float(trustworthiness(data[rows], embedding[rows], n_neighbors=args.k)),
        }
    print(json.dumps(result))

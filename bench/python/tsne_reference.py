"""openTSNE reference for `tsneTimeRatio` and `tsneTrustDelta`: openTSNE (FFT-accelerated
interpolation, Linderman et al. 2019) with its defaults — perplexity 30, PCA initialisation, 250
early-exaggeration iterations (12) then 500, learning rate max(200, n/12), approximate neighbours
("auto") — on every core (n_jobs = the machine's cores; openTSNE's own default is one), on the same
latents Latent Lab projects. After a warm-up fit on WARMUP rows it speaks reference_protocol.py's
protocol.

Usage: python tsne_reference.py LATENTS.npy EMBEDDING_OUT.npy [--warmup 5000] [--threads N]
       [--ours OURS.npy --subsample ROWS.npy --k 10]   (commands on stdin)
"""
import os
import sys

import openTSNE
from reference_protocol import reference_args, serve, timed


def main():
    args, data = reference_args(lambda parser: parser.add_argument("--threads", type=int, default=os.cpu_count()))

    def fit(rows):
        return openTSNE.TSNE(n_jobs=args.threads).fit(rows)

    warm_rows = data[: min(args.warmup, len(data))]
    warmup, _, _ = timed(fit, warm_rows)
    serve(args, data, fit, lambda seconds: {"openTSNE": openTSNE.__version__, "threads": args.threads, "warmupSeconds": warmup, "warmupPoints": int(len(warm_rows))})


if __name__ == "__main__":
    sys.exit(main())

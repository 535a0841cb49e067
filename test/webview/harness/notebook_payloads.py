"""Writes the notebook renderer's test payloads from real data with python/latent_lab_display.py.

Usage: notebook_payloads.py OUT_DIR. Writes:
  digits.json      the 8×8 digits shipped with scikit-learn: 64-d pixel vectors as latents, labels
                   with names, the images as float thumbnails in [0, 1]
  digits-pca.json  scikit-learn's PCA of the same vectors, to check the renderer's own PCA against
  plane.json       2-D latents (that PCA) without labels or thumbnails
  errors.json      the helper's message for each kind of bad argument
"""

import json
import sys
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "python"))
from latent_lab_display import LatentMapError, latent_map, latent_map_payload  # noqa: E402

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]

out = Path(sys.argv[1])
digits = load_digits()
latents = digits.data.astype(np.float32)
pca = PCA(n_components=2, svd_solver="full").fit(latents.astype(np.float64))
plane = pca.transform(latents.astype(np.float64))

payload = latent_map_payload(latents, labels=digits.target, label_names=NAMES, thumbnails=digits.images / 16.0, title="scikit-learn digits, 64-d pixels")
(out / "digits.json").write_text(json.dumps(payload))
(out / "digits-pca.json").write_text(json.dumps({"x": plane[:, 0].tolist(), "y": plane[:, 1].tolist(), "explained": float(pca.explained_variance_ratio_.sum())}))
(out / "plane.json").write_text(json.dumps(latent_map_payload(plane)))

bad_calls = {
    "flat latents": lambda: latent_map_payload(latents[:, 0]),
    "no dims": lambda: latent_map_payload(np.zeros((5, 0))),
    "not finite": lambda: latent_map_payload(np.array([[0.0, np.nan]])),
    "labels count": lambda: latent_map_payload(latents, labels=digits.target[:-1]),
    "unnamed label": lambda: latent_map_payload(latents, labels=digits.target, label_names=NAMES[:9]),
    "flat thumbnails": lambda: latent_map_payload(latents, thumbnails=digits.data),
    "thumbnail range": lambda: latent_map_payload(latents, thumbnails=digits.images),
    "names without labels": lambda: latent_map_payload(latents, label_names=NAMES),
}
errors = {}
for name, call in bad_calls.items():
    try:
        call()
        errors[name] = None
    except LatentMapError as error:
        errors[name] = str(error)
try:
    import IPython  # noqa: F401

    errors["without IPython"] = "IPython is installed here"
except ImportError:
    try:
        latent_map(latents)
    except RuntimeError as error:
        errors["without IPython"] = str(error)
(out / "errors.json").write_text(json.dumps(errors))

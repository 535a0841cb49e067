"""Show latents as Latent Lab's interactive map in a VS Code notebook.

    from latent_lab_display import latent_map
    latent_map(latents, labels=y, label_names=names, thumbnails=images, title="VAE on MNIST")

    # one epoch of a run's latent timeline (`latent-lab timeline RUN --out timeline.npz`)
    timeline_map("timeline.npz", epoch=5, labels=y_train, label_names=names)

The output carries the MIME type ``application/vnd.latent-lab.latents+json``, which the Latent Lab
extension renders (the payload is specified in its README, "Jupyter notebooks"). Only numpy is
needed to build the payload; IPython only to display it.
"""

import base64

import numpy as np

MIME = "application/vnd.latent-lab.latents+json"
PAYLOAD_VERSION = 1
# The renderer projects latents with a PCA in the browser, whose cost grows with d².
MAX_LATENT_DIM = 1024
MAX_THUMBNAIL_SIDE = 1024
MAX_TEXT = 256
MAX_LABEL_NAMES = 100_000


class LatentMapError(ValueError):
    """An argument that cannot become a latent map; the message says which and what to do."""


def latent_map_payload(latents, labels=None, label_names=None, thumbnails=None, title=None):
    """The payload dict (JSON-serialisable) for these arrays, without displaying anything.

    latents: [n, d] real numbers, d from 1 to 1024, all finite (sent as float32).
    labels: [n] integers, or [n] strings (then the distinct strings, sorted, become the label names).
    label_names: one name per label value; every label must then lie in 0..len(label_names) - 1.
    thumbnails: [n, h, w] or [n, h, w, c] with c in 1, 3, 4; uint8 as is, other integers in
        0..255, floats in [0, 1] (scaled by 255).
    title: a line above the map.
    """
    points = _latents(latents)
    count = points.shape[0]
    payload = {"version": PAYLOAD_VERSION, "latents": _encoded(points, "float32")}
    if title is not None:
        payload["title"] = _text(title, "title")
    if labels is not None:
        codes, names = _labels(labels, label_names, count)
        payload["labels"] = _encoded(codes, "int32")
        if names is not None:
            payload["labelNames"] = names
    elif label_names is not None:
        raise LatentMapError("latent_map: label_names given without labels; pass labels=[...] too")
    if thumbnails is not None:
        payload["thumbnails"] = _encoded(_thumbnails(thumbnails, count), "uint8")
    return payload


def latent_map(latents, labels=None, label_names=None, thumbnails=None, title=None):
    """Displays the latent map as this cell's output (needs IPython, i.e. a notebook kernel).

    Arguments as for latent_map_payload. A plain-text summary goes along for frontends without
    the Latent Lab renderer.
    """
    _display(latent_map_payload(latents, labels, label_names, thumbnails, title))


def _display(payload):
    try:
        from IPython.display import display
    except ImportError:
        raise RuntimeError(
            "latent_map: IPython is not installed, so there is no notebook to display into; "
            "call latent_map_payload(...) or timeline_epoch_payload(...) for the payload dict instead"
        ) from None
    count, dims = payload["latents"]["shape"]
    summary = f"Latent Lab map: {count} points in {dims} dims (open in VS Code with Latent Lab to see it)"
    display({MIME: payload, "text/plain": summary}, raw=True)


def timeline_epoch_payload(timeline, epoch=None, labels=None, label_names=None, thumbnails=None, title=None):
    """The payload for the probe samples' latents after one epoch of a recorded timeline.

    timeline: the .npz written by ``latent-lab timeline``, or what numpy.load returned for it.
    epoch: an epoch the run recorded (default: the last).
    labels, thumbnails: of the whole training data; the timeline's ``probe_rows`` pick the probes' own.
    """
    arrays = np.load(timeline) if isinstance(timeline, (str, bytes)) or hasattr(timeline, "__fspath__") else timeline
    epochs = [int(value) for value in arrays["epochs"]]
    chosen = epochs[-1] if epoch is None else int(epoch)
    if chosen not in epochs:
        raise LatentMapError(f"timeline_map: epoch {chosen} was not recorded; the timeline has epochs {epochs[0]}–{epochs[-1]}")
    rows = arrays["probe_rows"]
    picked = lambda values: None if values is None else np.asarray(values)[rows]  # noqa: E731
    return latent_map_payload(
        arrays["latents"][epochs.index(chosen)],
        labels=picked(labels),
        label_names=label_names,
        thumbnails=picked(thumbnails),
        title=title if title is not None else f"epoch {chosen} of {epochs[-1]}, {len(rows)} probes",
    )


def timeline_map(timeline, epoch=None, labels=None, label_names=None, thumbnails=None, title=None):
    """Displays one epoch of a recorded timeline as this cell's output (see timeline_epoch_payload)."""
    _display(timeline_epoch_payload(timeline, epoch, labels, label_names, thumbnails, title))


def _latents(latents):
    array = _numeric(latents, "latents")
    if array.ndim != 2:
        hint = "; use latents.reshape(-1, 1) for 1-D latents" if array.ndim == 1 else ""
        raise LatentMapError(f"latent_map: latents must be 2-D [n, d], got shape {array.shape}{hint}")
    count, dims = array.shape
    if count == 0:
        raise LatentMapError("latent_map: latents has no rows (n = 0); pass at least one point")
    if not 1 <= dims <= MAX_LATENT_DIM:
        raise LatentMapError(f"latent_map: latents has d = {dims} dims; the map shows 1 to {MAX_LATENT_DIM} (reduce them first, e.g. with PCA)")
    points = array.astype("<f4")
    if not np.isfinite(points).all():
        row, dim = np.argwhere(~np.isfinite(points))[0]
        raise LatentMapError(f"latent_map: latents[{row}, {dim}] is {array[row, dim]} (not finite as float32); drop or fix that point")
    return points


def _labels(labels, label_names, count):
    array = np.asarray(labels)
    if array.shape != (count,):
        raise LatentMapError(f"latent_map: labels must have shape ({count},), one per point, got {array.shape}")
    if array.dtype.kind in "USO":
        if label_names is not None:
            raise LatentMapError("latent_map: labels are strings, which name themselves; leave out label_names")
        names, codes = np.unique(array.astype(str), return_inverse=True)
        return codes.astype("<i4"), _names(names)
    if array.dtype.kind == "f":
        if not np.isfinite(array).all() or not (array == np.round(array)).all():
            raise LatentMapError("latent_map: labels must be whole numbers or strings; got fractional or non-finite floats")
    elif array.dtype.kind not in "iub":
        raise LatentMapError(f"latent_map: labels must be integers or strings, got dtype {array.dtype}")
    if array.size and (array.min() < -(2**31) or array.max() >= 2**31):
        raise LatentMapError("latent_map: labels must fit in int32")
    codes = array.astype("<i4")
    if label_names is None:
        return codes, None
    names = _names(label_names)
    outside = (codes < 0) | (codes >= len(names))
    if outside.any():
        index = int(np.argmax(outside))
        raise LatentMapError(f"latent_map: label {codes[index]} of point {index} has no name (label_names has {len(names)}); labels must lie in 0..{len(names) - 1}")
    return codes, names


def _names(names):
    if len(names) > MAX_LABEL_NAMES:
        raise LatentMapError(f"latent_map: {len(names)} label names; the map shows at most {MAX_LABEL_NAMES}")
    return [_text(name, "label name") for name in names]


def _thumbnails(thumbnails, count):
    array = _numeric(thumbnails, "thumbnails")
    if array.ndim not in (3, 4):
        hint = "; reshape flat images, e.g. thumbnails.reshape(-1, 8, 8)" if array.ndim == 2 else ""
        raise LatentMapError(f"latent_map: thumbnails must be [n, h, w] or [n, h, w, c], got shape {array.shape}{hint}")
    if array.shape[0] != count:
        raise LatentMapError(f"latent_map: {array.shape[0]} thumbnails for {count} points; pass one per point")
    height, width = array.shape[1:3]
    if not (1 <= height <= MAX_THUMBNAIL_SIDE and 1 <= width <= MAX_THUMBNAIL_SIDE):
        raise LatentMapError(f"latent_map: thumbnails of {height}×{width}; each side must be 1 to {MAX_THUMBNAIL_SIDE}")
    if array.ndim == 4 and array.shape[3] not in (1, 3, 4):
        raise LatentMapError(f"latent_map: thumbnails have {array.shape[3]} channels; use 1 (grey), 3 (RGB) or 4 (RGBA)")
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind == "f":
        if not np.isfinite(array).all() or array.min() < 0 or array.max() > 1:
            raise LatentMapError("latent_map: float thumbnails must lie in [0, 1]; scale them, or pass uint8 in 0..255")
        return np.round(array * 255).astype(np.uint8)
    if array.min() < 0 or array.max() > 255:
        raise LatentMapError(f"latent_map: integer thumbnails must lie in 0..255, got {array.min()}..{array.max()}")
    return array.astype(np.uint8)


def _numeric(value, name):
    array = np.asarray(value)
    if array.dtype.kind not in "iubf":
        raise LatentMapError(f"latent_map: {name} must be a numeric array, got dtype {array.dtype}")
    return array


def _text(value, name):
    text = str(value)
    if len(text) > MAX_TEXT:
        raise LatentMapError(f"latent_map: {name} {text[:40]!r}… is longer than {MAX_TEXT} characters")
    return text


def _encoded(array, dtype):
    """The wire form of an array: dtype, shape and base64 of its little-endian bytes in C order."""
    data = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "shape": [int(extent) for extent in data.shape], "data": base64.b64encode(data.tobytes()).decode("ascii")}

"""Parquet and Arrow IPC latents files as Spark, Ray and pandas jobs write them, for the columnar tests.

Usage: make_columnar_fixtures.py OUT_DIR

For every readable fixture NAME.EXT it writes NAME.npy, the float32 latents a reader must find, and
NAME.json, the metadata columns it must find beside them ({"column": [value or null, ...]}, text and
booleans as strings, in file order). The hostile fixtures (no floats, ragged lists, NaN, ...) have no
references: the tests only check that they are refused.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

ROWS = 300
DIM = 8
SPECIES = ["cat", "dog", "bird", "fish"]


def with_nulls(values, every, rng):
    """Every `every`-th value (from a random start) becomes null, so nulls fall in every row group."""
    start = int(rng.integers(0, every))
    return [None if (i - start) % every == 0 else value for i, value in enumerate(values)]


def metadata_columns(rng):
    """Text, integer, float and boolean columns with nulls, and a label column without any."""
    species = with_nulls([SPECIES[i] for i in rng.integers(0, len(SPECIES), ROWS)], 7, rng)
    count = with_nulls([int(v) for v in rng.integers(-1000, 1000, ROWS)], 11, rng)
    score = with_nulls([float(v) for v in rng.standard_normal(ROWS)], 13, rng)
    flag = with_nulls([bool(v) for v in rng.integers(0, 2, ROWS)], 5, rng)
    label = [f"class {v}" for v in rng.integers(0, 3, ROWS)]
    return {
        "species": pa.array(species, pa.string()),
        "count": pa.array(count, pa.int64()),
        "score": pa.array(score, pa.float64()),
        "flag": pa.array(flag, pa.bool_()),
        "label": pa.array(label, pa.string()),
    }


def as_json(column):
    """The values a reader must report: numbers as numbers, text and booleans as strings, nulls as null."""
    values = column.to_pylist()
    if pa.types.is_boolean(column.type):
        return [None if v is None else ("true" if v else "false") for v in values]
    return values


def write_references(out, name, latents, metadata):
    np.save(out / f"{name}.npy", latents.astype(np.float32))
    (out / f"{name}.json").write_text(json.dumps({key: as_json(column) for key, column in metadata.items()}))


def fixed_size_list(latents):
    return pa.FixedSizeListArray.from_arrays(pa.array(latents.reshape(-1), pa.float32()), latents.shape[1])


def write_list_tables(out, rng):
    """One fixed-size-list latents column among metadata: Parquet in several row groups, Arrow IPC file,
    stream and Feather, all with the references list.npy and list.json."""
    latents = rng.standard_normal((ROWS, DIM)).astype(np.float32)
    metadata = metadata_columns(rng)
    table = pa.table({"embedding": fixed_size_list(latents), **metadata})
    pq.write_table(table, out / "list.parquet", compression="snappy", row_group_size=64)
    write_references(out, "list", latents, metadata)

    # In Arrow the text column is dictionary-encoded, as pandas categoricals are.
    dictionary = table.set_column(1, "species", pc.dictionary_encode(table["species"]))
    for name, open_writer in [("list.arrow", ipc.new_file), ("list.arrows", ipc.new_stream)]:
        with open_writer(out / name, dictionary.schema) as writer:
            for batch in dictionary.to_batches(max_chunksize=50):
                writer.write_batch(batch)
    feather.write_feather(dictionary, out / "list.feather", compression="uncompressed", chunksize=100)
    feather.write_feather(dictionary, out / "list-zstd.feather", compression="zstd", chunksize=100)


def write_variable_list(out, rng):
    """A plain list<double> column (every row the same length), zstd-compressed: float64 read as float32."""
    latents = rng.standard_normal((ROWS, DIM))
    metadata = {"id": pa.array(np.arange(ROWS), pa.int32())}
    table = pa.table({"z": pa.array(list(latents), pa.list_(pa.float64())), **metadata})
    pq.write_table(table, out / "variable.parquet", compression="zstd", row_group_size=100)
    feather.write_feather(table, out / "variable.feather", compression="uncompressed", chunksize=100)
    write_references(out, "variable", latents, metadata)


def write_named_columns(out, rng):
    """z0..z7 as float columns, gzip-compressed, with a float column beside them that stays metadata and an integer class column."""
    latents = rng.standard_normal((ROWS, DIM)).astype(np.float32)
    metadata = {
        "confidence": pa.array(rng.random(ROWS).astype(np.float32)),
        "class": pa.array(rng.integers(0, 4, ROWS), pa.int64()),
    }
    # Columns out of order: the number in the name, not the position, gives the dimension.
    dims = {f"z{j}": pa.array(latents[:, j]) for j in reversed(range(DIM))}
    table = pa.table({"confidence": metadata["confidence"], **dims, "class": metadata["class"]})
    pq.write_table(table, out / "columns.parquet", compression="gzip", row_group_size=128)
    with ipc.new_stream(out / "columns.arrows", table.schema) as writer:
        writer.write_table(table, max_chunksize=128)
    write_references(out, "columns", latents, metadata)


def write_unnamed_floats(out, rng):
    """Float columns with no latent-like names: all of them are the latents; the text column is metadata."""
    latents = rng.standard_normal((ROWS, 3))
    metadata = {"word": pa.array([f"w{i % 17}" for i in range(ROWS)])}
    table = pa.table({"pc_a": latents[:, 0], "word": metadata["word"], "pc_b": latents[:, 1], "pc_c": latents[:, 2]})
    pq.write_table(table, out / "floats.parquet")
    # The other codecs hyparquet-compressors brings; the references are floats.npy and floats.json.
    for codec in ["brotli", "lz4"]:
        pq.write_table(table, out / f"floats-{codec}.parquet", compression=codec)
    write_references(out, "floats", latents, metadata)


def write_hostile(out, rng):
    """Files a reader must refuse in one line."""
    pq.write_table(pa.table({"id": pa.array(range(10)), "name": pa.array([str(i) for i in range(10)])}), out / "no-floats.parquet")
    pq.write_table(pa.table({"z": pa.array([[0.5, 1.0, 2.0]] * 5 + [[1.0, 2.0]] + [[0.5, 1.0, 2.0]] * 4, pa.list_(pa.float32()))}), out / "ragged.parquet")
    nan = rng.standard_normal((10, 4)).astype(np.float32)
    nan[6, 2] = np.nan
    pq.write_table(pa.table({"embedding": fixed_size_list(nan)}), out / "nan.parquet")
    inf = rng.standard_normal((10, 4)).astype(np.float32)
    inf[3, 1] = np.inf
    with ipc.new_file(out / "inf.arrow", pa.schema([("embedding", pa.list_(pa.float32(), 4))])) as writer:
        writer.write_table(pa.table({"embedding": fixed_size_list(inf)}))
    missing = pa.array([[0.5, 1.0]] * 3 + [None] + [[0.5, 1.0]], pa.list_(pa.float32(), 2))
    pq.write_table(pa.table({"embedding": missing}), out / "null-row.parquet")
    with ipc.new_stream(out / "null-row.arrows", pa.schema([("embedding", missing.type)])) as writer:
        writer.write_table(pa.table({"embedding": missing}))
    two = fixed_size_list(rng.standard_normal((10, 4)).astype(np.float32))
    pq.write_table(pa.table({"a": two, "b": two}), out / "two-lists.parquet")
    wide = {"embedding": fixed_size_list(rng.standard_normal((4, 4)).astype(np.float32))}
    wide.update({f"tag{i}": pa.array(["x"] * 4) for i in range(300)})
    pq.write_table(pa.table(wide), out / "wide.parquet")
    feather.write_feather(pa.table({"embedding": two}), out / "lz4.feather", compression="lz4")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_columnar_fixtures.py OUT_DIR")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(15)
    write_list_tables(out, rng)
    write_variable_list(out, rng)
    write_named_columns(out, rng)
    write_unnamed_floats(out, rng)
    write_hostile(out, rng)


if __name__ == "__main__":
    main()

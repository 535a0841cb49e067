"""Keras peers for `trainRatioVsKerasXla`, the per-kind `trainRatioVsKeras*` fields and
`encodeSamplesPerSecRatio`: Latent Lab's kinds rebuilt layer by layer in Keras 3 on tensorflow-cpu,
in one long-lived process so that the benchmark can alternate its own rounds with these without
paying TensorFlow's import each time.

After start-up this prints `ready`; then each stdin line is one JSON command and gets one JSON line:
  {"op": "train", "kind": "vae"|"betavae"|"conv"|"vqvae"|"ae", "jit": false|true,
   "warmup": 10, "steps": 80, "batch": 128, "latent": 16}
      builds a fresh model (same seed every time), trains warm-up + steps batches of the first
      (warm-up + steps) × batch digits with model.fit and a custom train_step, and reports samples/s
      and samples per CPU-second of the steps after the warm-up (tracing, XLA compilation).
  {"op": "encode", "weights": DIR, "count": N, "jit": false|true, "batch": 1024, "out": FILE|null}
      sets the conv-VAE encoder's weights from DIR/0.npy, 1.npy, … (Latent Lab's encoder weights in
      its order, which is Keras' order), runs encoder.predict on the first N digits of the images,
      reports samples/s; with "out" it saves the means as .npy for the benchmark to compare.
Usage: python keras_peers.py TRAIN_IDX [EXTRA_IDX …] [--threads N]
"""
import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from keras_conv_vae import LEARNING_RATE, StepClock, build_decoder, build_encoder, conv_trunk  # noqa: E402
from mnist_idx import read_idx_images  # noqa: E402

DENSE_HIDDEN = 256
BETA = 4.0
# VQ-VAE defaults of Latent Lab's `vqvae`.
CODEBOOK = 64
POSITIONS = 4
COMMITMENT = 0.25
DECAY = 0.99


def bce_per_image(x, logits):
    flat_x = tf.reshape(x, (tf.shape(x)[0], -1))
    flat_logits = tf.reshape(logits, (tf.shape(x)[0], -1))
    return tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=flat_x, logits=flat_logits), axis=1), flat_x, flat_logits


class Autoencoder(keras.Model):
    """`conv` and `ae`: BCE on logits summed per image, batch mean."""

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def train_step(self, x):
        with tf.GradientTape() as tape:
            per_image, flat_x, flat_logits = bce_per_image(x, self.decoder(self.encoder(x)))
            loss = tf.reduce_mean(per_image)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return {"loss": loss, "mse": tf.reduce_mean(tf.square(flat_x - tf.sigmoid(flat_logits)))}


class Variational(keras.Model):
    """`vae` (β = 1) and `betavae` (β = 4, no capacity): BCE + β·KL, each summed per image, batch means."""

    def __init__(self, encoder, decoder, beta, seed):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.beta = beta
        self.noise = keras.random.SeedGenerator(seed)

    def train_step(self, x):
        with tf.GradientTape() as tape:
            mean, log_var = self.encoder(x)
            epsilon = keras.random.normal(tf.shape(mean), seed=self.noise)
            z = mean + tf.exp(0.5 * log_var) * epsilon
            per_image, flat_x, flat_logits = bce_per_image(x, self.decoder(z))
            reconstruction = tf.reduce_mean(per_image)
            kl = tf.reduce_mean(tf.reduce_sum(-0.5 * (1.0 + log_var - tf.square(mean) - tf.exp(log_var)), axis=1))
            loss = reconstruction + self.beta * kl
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return {"loss": loss, "reconstruction": reconstruction, "kl": kl, "mse": tf.reduce_mean(tf.square(flat_x - tf.sigmoid(flat_logits)))}


class VqVae(keras.Model):
    """`vqvae`: nearest-code quantiser with straight-through gradients, commitment β‖z − sg(e)‖²
    summed per image, EMA codebook with Laplace smoothing and dead-code restarts, as Latent Lab's.
    The EMA update uses this step's encoder outputs (the paper's algorithm and the usual Keras
    code), as Latent Lab's step does."""

    def __init__(self, encoder, decoder, latent, seed):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.latent = latent
        init = keras.initializers.RandomNormal(0.0, 1.0, seed=seed + 17)
        self.codebook = self.add_weight(shape=(CODEBOOK, latent), initializer=init, trainable=False, name="codebook")
        self.ema_count = self.add_weight(shape=(CODEBOOK,), initializer="ones", trainable=False, name="ema_count")
        self.ema_sum = self.add_weight(shape=(CODEBOOK, latent), initializer="zeros", trainable=False, name="ema_sum")
        self.picks = keras.random.SeedGenerator(seed + 29)

    def rows(self, x):
        return tf.reshape(self.encoder(x), (-1, self.latent))

    def prepare(self, x):
        """Codes seeded from real encoder outputs (untimed), as Latent Lab's prepareForTraining."""
        rows = self.rows(x[:2048])
        picks = keras.random.randint((CODEBOOK,), 0, int(rows.shape[0]), seed=self.picks)
        start = tf.gather(rows, picks) + keras.random.normal((CODEBOOK, self.latent), stddev=0.01, seed=self.picks)
        self.codebook.assign(start)
        self.ema_sum.assign(start)
        self.ema_count.assign(tf.ones((CODEBOOK,)))

    def train_step(self, x):
        batch = tf.shape(x)[0]
        with tf.GradientTape() as tape:
            rows = self.rows(x)
            codebook = tf.convert_to_tensor(self.codebook)
            distances = tf.reduce_sum(tf.square(rows), 1, keepdims=True) - 2.0 * tf.matmul(rows, codebook, transpose_b=True) + tf.reduce_sum(tf.square(codebook), 1)[None, :]
            codes = tf.argmin(distances, 1)
            quantised = tf.gather(codebook, codes)
            straight_through = rows + tf.stop_gradient(quantised - rows)
            per_image, flat_x, flat_logits = bce_per_image(x, self.decoder(tf.reshape(straight_through, (batch, -1))))
            reconstruction = tf.reduce_mean(per_image)
            commitment = tf.reduce_sum(tf.square(rows - tf.stop_gradient(quantised))) / tf.cast(batch, tf.float32)
            loss = reconstruction + COMMITMENT * commitment
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        rows = tf.stop_gradient(rows)
        one_hot = tf.one_hot(codes, CODEBOOK)
        new_count = DECAY * self.ema_count + (1.0 - DECAY) * tf.reduce_sum(one_hot, 0)
        new_sum = DECAY * self.ema_sum + (1.0 - DECAY) * tf.matmul(one_hot, rows, transpose_a=True)
        total = tf.reduce_sum(new_count)
        smoothed = (new_count + 1e-5) / (total + CODEBOOK * 1e-5) * total
        updated = new_sum / smoothed[:, None]
        dead = (new_count < 1e-3)[:, None]
        fresh = tf.gather(rows, keras.random.randint((CODEBOOK,), 0, tf.shape(rows)[0], seed=self.picks))
        self.codebook.assign(tf.where(dead, fresh, updated))
        self.ema_sum.assign(tf.where(dead, fresh, new_sum))
        self.ema_count.assign(tf.where(dead[:, 0], tf.ones_like(new_count), new_count))
        return {"loss": loss, "reconstruction": reconstruction, "commitment": commitment, "mse": tf.reduce_mean(tf.square(flat_x - tf.sigmoid(flat_logits)))}


def conv_code_encoder(shape, units):
    """Latent Lab's convEncoder with one linear `code` head."""
    inputs, h = conv_trunk(shape)
    return keras.Model(inputs, layers.Dense(units, name="encoder_code")(h), name="encoder")


def dense_parts(shape, latent):
    """Latent Lab's `ae` defaults: 784 → 256 (ReLU) → latent (linear) → 256 (ReLU) → 784 logits."""
    inputs = keras.Input(shape=shape, name="encoder_input")
    h = layers.Flatten(name="encoder_flatten")(inputs)
    h = layers.Dense(DENSE_HIDDEN, activation="relu", name="encoder_dense0")(h)
    encoder = keras.Model(inputs, layers.Dense(latent, name="encoder_code")(h), name="encoder")
    z = keras.Input(shape=(latent,), name="decoder_input")
    h = layers.Dense(DENSE_HIDDEN, activation="relu", name="decoder_dense0")(z)
    h = layers.Dense(int(np.prod(shape)), name="decoder_out")(h)
    decoder = keras.Model(z, layers.Reshape(shape, name="decoder_reshape")(h), name="decoder")
    return encoder, decoder


def build(kind, shape, latent, seed):
    if kind in ("vae", "betavae"):
        encoder, decoder = build_encoder(shape, latent), build_decoder(shape, latent)
        return Variational(encoder, decoder, 1.0 if kind == "vae" else BETA, seed), encoder, decoder
    if kind == "conv":
        encoder, decoder = conv_code_encoder(shape, latent), build_decoder(shape, latent)
        return Autoencoder(encoder, decoder), encoder, decoder
    if kind == "vqvae":
        encoder, decoder = conv_code_encoder(shape, POSITIONS * latent), build_decoder(shape, POSITIONS * latent)
        return VqVae(encoder, decoder, latent, seed), encoder, decoder
    if kind == "ae":
        encoder, decoder = dense_parts(shape, latent)
        return Autoencoder(encoder, decoder), encoder, decoder
    raise ValueError(f"unknown kind {kind!r}")


def train(images, command):
    kind, batch, warmup, steps = command["kind"], command["batch"], command["warmup"], command["steps"]
    x = images[: (warmup + steps) * batch]
    if len(x) < (warmup + steps) * batch:
        raise ValueError(f"{len(images)} images; {warmup + steps} steps of {batch} need {(warmup + steps) * batch}")
    keras.utils.set_random_seed(0)
    model, encoder, decoder = build(kind, x.shape[1:], command["latent"], 0)
    # Keras' Adam adds epsilon before the bias correction and tfjs' after it: the same work per step.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE), jit_compile=bool(command.get("jit", False)))
    if kind == "vqvae":
        model.prepare(x)
    clock = StepClock(warmup)
    model.fit(x, batch_size=batch, epochs=1, shuffle=True, verbose=0, callbacks=[clock])
    seconds, cpu_seconds = (end - start for end, start in zip(clock.end, clock.start))
    return {
        "framework": f"keras {keras.__version__} on tensorflow {tf.__version__}",
        "kind": kind,
        "params": int(encoder.count_params() + decoder.count_params()),
        "samplesPerSecond": steps * batch / seconds,
        "samplesPerCpuSecond": steps * batch / cpu_seconds,
        "seconds": seconds,
        "xla": bool(model.jit_compile),
        "lastLoss": float(clock.last_loss) if clock.last_loss is not None else None,
    }


def encode(images, command):
    x = images[: command["count"]]
    encoder = build_encoder(x.shape[1:], command["latent"])
    files = sorted((name for name in os.listdir(command["weights"]) if name.endswith(".npy")), key=lambda name: int(name[:-4]))
    weights = [np.load(os.path.join(command["weights"], name)) for name in files]
    encoder.set_weights(weights)
    encoder.compile(jit_compile=bool(command.get("jit", False)))
    batch = command["batch"]
    # Traces predict (and compiles with XLA) on one small call, untimed.
    encoder.predict(x[: 2 * batch], batch_size=batch, verbose=0)
    start, cpu = time.perf_counter(), time.process_time()
    mean, _ = encoder.predict(x, batch_size=batch, verbose=0)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    if command.get("out"):
        np.save(command["out"], mean.astype(np.float32))
    return {
        "framework": f"keras {keras.__version__} on tensorflow {tf.__version__}",
        "params": int(encoder.count_params()),
        "samplesPerSecond": len(x) / seconds,
        "samplesPerCpuSecond": len(x) / cpu_seconds,
        "seconds": seconds,
        "xla": bool(encoder.jit_compile),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("images", nargs="+")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    # Scaled to [0, 1] as Latent Lab normalises MNIST; several files are concatenated (train, then t10k).
    images = np.concatenate([read_idx_images(path, 1 << 30).astype(np.float32) / 255.0 for path in args.images])
    print(json.dumps({"ready": True, "threads": tf.config.threading.get_intra_op_parallelism_threads(), "images": int(len(images))}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            result = train(images, command) if command["op"] == "train" else encode(images, command)
        except Exception as error:  # one line back to the benchmark, which fails with it
            result = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

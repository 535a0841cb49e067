"""Keras reference for `trainRatioVsKeras`: Latent Lab's conv VAE (kind `vae`, encoder `conv`,
default config) rebuilt layer by layer in Keras 3 on tensorflow-cpu, trained on MNIST digits with a
custom train_step under model.fit, timed after the warm-up steps (graph tracing).

Usage: python keras_conv_vae.py IDX_IMAGES [--latent 16] [--batch 128] [--warmup 10] [--steps 100]
The last stdout line is one JSON object: parameter count, samples/s and the timing details.
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from mnist_idx import read_idx_images  # noqa: E402

FILTERS = (32, 64)
KERNEL = 3
LEARNING_RATE = 1e-3


def conv_trunk(shape):
    """Latent Lab's convEncoder up to its heads: the input and the flattened features."""
    inputs = keras.Input(shape=shape, name="encoder_input")
    h = inputs
    for index, filters in enumerate(FILTERS):
        h = layers.Conv2D(filters, KERNEL, strides=2, padding="same", activation="relu", name=f"encoder_conv{index}")(h)
    return inputs, layers.Flatten(name="encoder_flatten")(h)


def build_encoder(shape, latent):
    inputs, h = conv_trunk(shape)
    mean = layers.Dense(latent, name="encoder_mean")(h)
    log_var = layers.Dense(latent, name="encoder_logvar")(h)
    return keras.Model(inputs, [mean, log_var], name="encoder")


def build_decoder(shape, latent):
    height, width, channels = shape
    factor = 2 ** len(FILTERS)
    smallest = (height // factor, width // factor, FILTERS[-1])
    inputs = keras.Input(shape=(latent,), name="decoder_input")
    x = layers.Dense(int(np.prod(smallest)), activation="relu", name="decoder_dense")(inputs)
    x = layers.Reshape(smallest, name="decoder_reshape")(x)
    for index, filters in enumerate(reversed(FILTERS)):
        x = layers.Conv2DTranspose(filters, KERNEL, strides=2, padding="same", activation="relu", name=f"decoder_deconv{index}")(x)
    logits = layers.Conv2D(channels, KERNEL, padding="same", name="decoder_out")(x)
    return keras.Model(inputs, logits, name="decoder")


class ConvVae(keras.Model):
    """Loss as Latent Lab's `vae`: BCE on logits summed per image + KL summed per image, batch means."""

    def __init__(self, encoder, decoder, seed):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.noise = keras.random.SeedGenerator(seed)

    def terms(self, x):
        mean, log_var = self.encoder(x)
        epsilon = keras.random.normal(tf.shape(mean), seed=self.noise)
        z = mean + tf.exp(0.5 * log_var) * epsilon
        logits = self.decoder(z)
        flat_x = tf.reshape(x, (tf.shape(x)[0], -1))
        flat_logits = tf.reshape(logits, (tf.shape(x)[0], -1))
        reconstruction = tf.reduce_mean(tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=flat_x, logits=flat_logits), axis=1))
        kl = tf.reduce_mean(tf.reduce_sum(-0.5 * (1.0 + log_var - tf.square(mean) - tf.exp(log_var)), axis=1))
        mse = tf.reduce_mean(tf.square(flat_x - tf.sigmoid(flat_logits)))
        return reconstruction + kl, reconstruction, kl, mse

    def train_step(self, x):
        with tf.GradientTape() as tape:
            loss, reconstruction, kl, mse = self.terms(x)
        gradients = tape.gradient(loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(gradients, self.trainable_weights))
        return {"loss": loss, "reconstruction": reconstruction, "kl": kl, "mse": mse}


class StepClock(keras.callbacks.Callback):
    """Wall and process CPU time from the end of the last warm-up step to the end of the last timed step."""

    def __init__(self, warmup):
        super().__init__()
        self.warmup = warmup
        self.start = None
        self.end = None
        self.last_loss = None

    def on_train_batch_end(self, batch, logs=None):
        now = (time.perf_counter(), time.process_time())
        if batch == self.warmup - 1:
            self.start = now
        self.end = now
        self.last_loss = logs.get("loss") if logs else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("images")
    parser.add_argument("--latent", type=int, default=16)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.warmup < 1 or args.steps < 1:
        raise SystemExit("error: --warmup and --steps must be at least 1")

    total_steps = args.warmup + args.steps
    # Scaled to [0, 1] as Latent Lab normalises MNIST.
    x = read_idx_images(args.images, total_steps * args.batch).astype(np.float32) / 255.0
    if len(x) < total_steps * args.batch:
        raise SystemExit(f"error: {args.images} holds {len(x)} images; {total_steps} steps of {args.batch} need {total_steps * args.batch}")

    keras.utils.set_random_seed(args.seed)
    encoder = build_encoder(x.shape[1:], args.latent)
    decoder = build_decoder(x.shape[1:], args.latent)
    model = ConvVae(encoder, decoder, args.seed)
    # Keras' defaults: a traced tf.function per step; jit_compile "auto" means no XLA on a CPU-only machine.
    # Keras' Adam adds epsilon before the bias correction and tfjs' after it: the same work per step.
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE))
    clock = StepClock(args.warmup)
    # One epoch over exactly warm-up + timed batches, shuffled, as Latent Lab's loop does.
    model.fit(x, batch_size=args.batch, epochs=1, shuffle=True, verbose=0, callbacks=[clock])
    seconds, cpu_seconds = (end - start for end, start in zip(clock.end, clock.start))
    print(json.dumps({
        "framework": f"keras {keras.__version__} on tensorflow {tf.__version__}",
        "params": int(encoder.count_params() + decoder.count_params()),
        "samplesPerSecond": args.steps * args.batch / seconds,
        "steps": args.steps,
        "warmup": args.warmup,
        "batch": args.batch,
        "seconds": seconds,
        # Load on the machine stretches wall time more than the CPU time the work itself takes.
        "samplesPerCpuSecond": args.steps * args.batch / cpu_seconds,
        "xla": bool(model.jit_compile),
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
        "lastLoss": float(clock.last_loss) if clock.last_loss is not None else None,
    }))


if __name__ == "__main__":
    main()

"""Real "bring your own model" fixtures, made with the frameworks users train with.

Usage: python make_foreign_models.py keras|torch MNIST_DIR OUT_DIR   (reference venv: tf-keras, torch)
TensorFlow and PyTorch each bundle LLVM and abort when loaded into one process, so each part runs alone.

Writes into OUT_DIR:
  inputs.npy                 uint8 [N, 28, 28, 1]: the first N MNIST test digits (what Latent Lab reads)
  keras/vae_full.h5          a Keras dense VAE as one deterministic autoencoder (bottleneck layer `z_mean`)
  keras/vae_encoder.h5       its encoder (outputs z_mean, z_log_var) and decoder, saved separately
  keras/vae_decoder.h5
  keras/skip_full.h5         an autoencoder with a skip connection around its bottleneck `code`
  keras/tutorial_full.h5     TensorFlow's autoencoder tutorial as one Sequential: input [28, 28] (no channel
                             axis), Flatten → Dense `code` → Dense → Reshape to [28, 28]
  keras_latents.npy          z_mean of the inputs, computed by Keras
  keras_decoded.npy          the decoder's output for those latents, computed by Keras
  skip_latents.npy           the skip model's bottleneck for the inputs, computed by Keras
  tutorial_latents.npy       the tutorial model's `code` for the inputs, computed by Keras
  tutorial_decoded.npy       the layers after `code` applied to those latents, [N, 28, 28], by Keras
  savedmodel/                the same VAE as a TF SavedModel: `serving_default` and `encode` (x → z_mean,
                             z_log_var), `decode` (z → x_hat)
  onnx/encoder.onnx          a PyTorch conv AE (NCHW input) exported with torch.onnx.export
  onnx/decoder.onnx
  onnx_batch1/encoder.onnx   the same encoder and decoder exported without dynamic_axes (torch.onnx.export's
  onnx_batch1/decoder.onnx   default): the batch size is fixed at 1
  onnx_batch5/encoder.onnx   the encoder exported from a batch of 5, so its batch size is fixed at 5
  torch_latents.npy          its latents for the inputs, computed by PyTorch
  torch_decoded.npy          its decoder's output for those latents, by PyTorch, transposed to NHWC

Pixels are scaled by /255 as Latent Lab's readers do, so the engine feeds the models the same floats.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from mnist_idx import read_idx_images  # noqa: E402

SAMPLES = 64
TRAIN = 10000
STEPS = 300
BATCH = 128
LATENT = 8
SEED = 7


def batches(x, rng):
    for _ in range(STEPS):
        yield x[rng.integers(0, len(x), BATCH)]


def make_keras(train, inputs, out):
    import tensorflow as tf
    import tf_keras as keras
    from tf_keras import layers

    tf.random.set_seed(SEED)
    x_in = keras.Input(shape=(28, 28, 1), name="image")
    h = layers.Dense(256, activation="relu", name="enc_hidden")(layers.Flatten(name="flatten")(x_in))
    z_mean = layers.Dense(LATENT, name="z_mean")(h)
    z_log_var = layers.Dense(LATENT, name="z_log_var")(h)
    encoder = keras.Model(x_in, [z_mean, z_log_var], name="vae_encoder")

    decoder_layers = [
        layers.Dense(256, activation="relu", name="dec_hidden"),
        layers.Dense(28 * 28, activation="sigmoid", name="dec_out"),
        layers.Reshape((28, 28, 1), name="dec_reshape"),
    ]

    def decode(z):
        for layer in decoder_layers:
            z = layer(z)
        return z

    z_in = keras.Input(shape=(LATENT,), name="latent")
    decoder = keras.Model(z_in, decode(z_in), name="vae_decoder")
    # One flat graph that shares the layers: what a user gets from Model(inputs, decoder_output).
    full = keras.Model(x_in, decode(z_mean), name="vae_full")

    optimizer = keras.optimizers.Adam(1e-3)
    rng = np.random.default_rng(SEED)
    variables = encoder.trainable_variables + decoder.trainable_variables
    for batch in batches(train, rng):
        with tf.GradientTape() as tape:
            mean, log_var = encoder(batch, training=True)
            z = mean + tf.exp(0.5 * log_var) * tf.random.normal(tf.shape(mean))
            x_hat = decoder(z, training=True)
            reconstruction = tf.reduce_sum(keras.losses.binary_crossentropy(batch, x_hat), axis=[1, 2])
            kl = -0.5 * tf.reduce_sum(1 + log_var - tf.square(mean) - tf.exp(log_var), axis=1)
            loss = tf.reduce_mean(reconstruction + kl)
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))

    # The skip connection (decoder output also sees `hidden`) means nothing after `code` alone decodes.
    s_in = keras.Input(shape=(28, 28, 1), name="image")
    hidden = layers.Dense(64, activation="relu", name="hidden")(layers.Flatten(name="flatten")(s_in))
    code = layers.Dense(4, name="code")(hidden)
    up = layers.Dense(64, activation="relu", name="up")(code)
    merged = layers.Concatenate(name="skip")([up, hidden])
    skip_out = layers.Reshape((28, 28, 1), name="reshape")(layers.Dense(28 * 28, activation="sigmoid", name="out")(merged))
    skip_full = keras.Model(s_in, skip_out, name="skip_full")
    skip_encoder = keras.Model(s_in, code)

    os.makedirs(os.path.join(out, "keras"), exist_ok=True)
    full.save(os.path.join(out, "keras", "vae_full.h5"))
    encoder.save(os.path.join(out, "keras", "vae_encoder.h5"))
    decoder.save(os.path.join(out, "keras", "vae_decoder.h5"))
    skip_full.save(os.path.join(out, "keras", "skip_full.h5"))

    latents = encoder.predict(inputs, verbose=0)[0]
    np.save(os.path.join(out, "keras_latents.npy"), latents.astype(np.float32))
    np.save(os.path.join(out, "keras_decoded.npy"), decoder.predict(latents, verbose=0).astype(np.float32))
    np.save(os.path.join(out, "skip_latents.npy"), skip_encoder.predict(inputs, verbose=0).astype(np.float32))

    class Exported(tf.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder
            self.decoder = decoder

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28, 1], tf.float32, name="x")])
        def encode(self, x):
            mean, log_var = self.encoder(x, training=False)
            return {"z_mean": mean, "z_log_var": log_var}

        @tf.function(input_signature=[tf.TensorSpec([None, LATENT], tf.float32, name="z")])
        def decode(self, z):
            return {"x_hat": self.decoder(z, training=False)}

    module = Exported()
    tf.saved_model.save(module, os.path.join(out, "savedmodel"), signatures={"serving_default": module.encode, "encode": module.encode, "decode": module.decode})
    make_keras_tutorial(train, inputs, out)


def make_keras_tutorial(train, inputs, out):
    """https://www.tensorflow.org/tutorials/generative/autoencoder: images without a channel axis."""
    import tf_keras as keras
    from tf_keras import layers

    full = keras.Sequential([
        keras.Input(shape=(28, 28), name="image"),
        layers.Flatten(name="flatten"),
        layers.Dense(LATENT, activation="relu", name="code"),
        layers.Dense(28 * 28, activation="sigmoid", name="dec_out"),
        layers.Reshape((28, 28), name="dec_reshape"),
    ], name="tutorial_full")
    full.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    rng = np.random.default_rng(SEED)
    for batch in batches(train[..., 0], rng):
        full.train_on_batch(batch, batch)
    full.save(os.path.join(out, "keras", "tutorial_full.h5"))

    encoder = keras.Model(full.inputs, full.get_layer("code").output)
    z_in = keras.Input(shape=(LATENT,))
    decoder = keras.Model(z_in, full.get_layer("dec_reshape")(full.get_layer("dec_out")(z_in)))
    latents = encoder.predict(inputs[..., 0], verbose=0)
    np.save(os.path.join(out, "tutorial_latents.npy"), latents.astype(np.float32))
    np.save(os.path.join(out, "tutorial_decoded.npy"), decoder.predict(latents, verbose=0).astype(np.float32))


def make_torch(train, inputs, out):
    import torch
    from torch import nn

    torch.manual_seed(SEED)
    encoder = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(16 * 7 * 7, LATENT),
    )
    decoder = nn.Sequential(
        nn.Linear(LATENT, 16 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (16, 7, 7)),
        nn.ConvTranspose2d(16, 8, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1), nn.Sigmoid(),
    )
    optimizer = torch.optim.Adam(list(encoder.parameters()) + list(decoder.parameters()), 1e-3)
    rng = np.random.default_rng(SEED)
    for batch in batches(train, rng):
        x = torch.from_numpy(batch.transpose(0, 3, 1, 2).copy())
        loss = nn.functional.mse_loss(decoder(encoder(x)), x)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    encoder.eval()
    decoder.eval()

    os.makedirs(os.path.join(out, "onnx"), exist_ok=True)
    x = torch.from_numpy(inputs.transpose(0, 3, 1, 2).copy())
    with torch.no_grad():
        latents = encoder(x)
        decoded = decoder(latents)
    batch_axis = {0: "batch"}
    torch.onnx.export(encoder, (x,), os.path.join(out, "onnx", "encoder.onnx"), input_names=["image"], output_names=["latent"], dynamic_axes={"image": batch_axis, "latent": batch_axis}, dynamo=False)
    torch.onnx.export(decoder, (latents,), os.path.join(out, "onnx", "decoder.onnx"), input_names=["latent"], output_names=["image"], dynamic_axes={"latent": batch_axis, "image": batch_axis}, dynamo=False)
    # Without dynamic_axes the exported batch size is the example's: what torch.onnx.export gives by default.
    for folder, example in (("onnx_batch1", 1), ("onnx_batch5", 5)):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        torch.onnx.export(encoder, (x[:example],), os.path.join(out, folder, "encoder.onnx"), input_names=["image"], output_names=["latent"], dynamo=False)
    torch.onnx.export(decoder, (latents[:1],), os.path.join(out, "onnx_batch1", "decoder.onnx"), input_names=["latent"], output_names=["image"], dynamo=False)
    np.save(os.path.join(out, "torch_latents.npy"), latents.numpy().astype(np.float32))
    np.save(os.path.join(out, "torch_decoded.npy"), decoded.numpy().transpose(0, 2, 3, 1).astype(np.float32))


def main():
    parts = {"keras": make_keras, "torch": make_torch}
    if len(sys.argv) != 4 or sys.argv[1] not in parts:
        raise SystemExit("usage: make_foreign_models.py keras|torch MNIST_DIR OUT_DIR")
    part, mnist, out = sys.argv[1:]
    os.makedirs(out, exist_ok=True)
    train = read_idx_images(os.path.join(mnist, "train-images-idx3-ubyte"), TRAIN).astype(np.float32) / 255.0
    raw_inputs = read_idx_images(os.path.join(mnist, "t10k-images-idx3-ubyte"), SAMPLES)
    np.save(os.path.join(out, "inputs.npy"), raw_inputs)
    inputs = raw_inputs.astype(np.float32) / 255.0
    parts[part](train, inputs, out)


if __name__ == "__main__":
    main()

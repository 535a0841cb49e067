"""PyTorch peer for `trainRatioVsTorch`: Latent Lab's conv VAE (kind `vae`, encoder `conv`, default
config) rebuilt in PyTorch on the CPU, eager or through torch.compile, in one long-lived process so
that the benchmark alternates its own rounds with these.

TensorFlow's "same" padding of a stride-2, 3×3 convolution on 28×28 pads 0 before and 1 after;
PyTorch's padding=1 pads 1 on both sides: the same output sizes (14, 7) and the same work, the
window shifted by one pixel. Transposed convolutions use padding=1, output_padding=1 (size × 2).

After start-up this prints a JSON line with `ready`; then each stdin line is one JSON command and
gets one JSON line:
  {"op": "train", "mode": "eager"|"compile", "channelsLast": false|true, "warmup": 10,
   "steps": 80, "batch": 128, "latent": 16}
      a fresh model (seed 0) trained on the first (warm-up + steps) × batch digits, shuffled; Adam
      1e-3; the loss read back every step (as Keras' and Latent Lab's loops do); samples/s and
      samples per CPU-second of the steps after the warm-up (which include compilation).
Usage: python torch_peers.py TRAIN_IDX [--threads N]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "python"))
from mnist_idx import read_idx_images  # noqa: E402

FILTERS = (32, 64)
KERNEL = 3
LEARNING_RATE = 1e-3


class ConvVae(nn.Module):
    def __init__(self, latent, channels=1, size=28):
        super().__init__()
        self.smallest = (FILTERS[-1], size // 4, size // 4)
        self.conv0 = nn.Conv2d(channels, FILTERS[0], KERNEL, stride=2, padding=1)
        self.conv1 = nn.Conv2d(FILTERS[0], FILTERS[1], KERNEL, stride=2, padding=1)
        features = int(np.prod(self.smallest))
        self.mean = nn.Linear(features, latent)
        self.log_var = nn.Linear(features, latent)
        self.dense = nn.Linear(latent, features)
        self.deconv0 = nn.ConvTranspose2d(FILTERS[1], FILTERS[1], KERNEL, stride=2, padding=1, output_padding=1)
        self.deconv1 = nn.ConvTranspose2d(FILTERS[1], FILTERS[0], KERNEL, stride=2, padding=1, output_padding=1)
        self.out = nn.Conv2d(FILTERS[0], channels, KERNEL, padding=1)

    def forward(self, x, epsilon):
        """The loss as Latent Lab's `vae`: BCE on logits summed per image + KL summed per image, batch means."""
        h = F.relu(self.conv1(F.relu(self.conv0(x))))
        h = torch.flatten(h, 1)
        mean, log_var = self.mean(h), self.log_var(h)
        z = mean + torch.exp(0.5 * log_var) * epsilon
        d = F.relu(self.dense(z)).reshape(-1, *self.smallest)
        logits = self.out(F.relu(self.deconv1(F.relu(self.deconv0(d)))))
        reconstruction = F.binary_cross_entropy_with_logits(logits, x, reduction="none").flatten(1).sum(1).mean()
        kl = (-0.5 * (1.0 + log_var - mean.square() - log_var.exp())).sum(1).mean()
        return reconstruction + kl


def train(images, command):
    batch, warmup, steps, latent = command["batch"], command["warmup"], command["steps"], command["latent"]
    total = (warmup + steps) * batch
    if len(images) < total:
        raise ValueError(f"{len(images)} images; {warmup + steps} steps of {batch} need {total}")
    torch.manual_seed(0)
    model = ConvVae(latent)
    x = images[:total]
    if command.get("channelsLast"):
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    loss_of = torch.compile(model) if command["mode"] == "compile" else model
    order = torch.randperm(len(x))
    start = None
    loss = None
    for step in range(warmup + steps):
        rows = order[step * batch:(step + 1) * batch]
        xb = x[rows]
        if command.get("channelsLast"):
            xb = xb.contiguous(memory_format=torch.channels_last)
        epsilon = torch.randn(len(rows), latent)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_of(xb, epsilon)
        loss.backward()
        optimizer.step()
        last_loss = loss.item()
        if step == warmup - 1:
            start = (time.perf_counter(), time.process_time())
    seconds, cpu_seconds = time.perf_counter() - start[0], time.process_time() - start[1]
    return {
        "framework": f"pytorch {torch.__version__}",
        "mode": command["mode"],
        "channelsLast": bool(command.get("channelsLast")),
        "params": int(sum(p.numel() for p in model.parameters())),
        "samplesPerSecond": steps * batch / seconds,
        "samplesPerCpuSecond": steps * batch / cpu_seconds,
        "seconds": seconds,
        "threads": torch.get_num_threads(),
        "lastLoss": last_loss,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("images")
    parser.add_argument("--threads", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    # NCHW float32 in [0, 1], as Latent Lab normalises MNIST.
    images = torch.from_numpy(read_idx_images(args.images, 1 << 30).astype(np.float32) / 255.0).permute(0, 3, 1, 2).contiguous()
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "images": int(len(images))}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        try:
            result = train(images, command)
        except Exception as error:  # one line back to the benchmark, which fails with it
            result = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

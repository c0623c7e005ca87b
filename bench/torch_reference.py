#!/usr/bin/python3
"""PyTorch reference timings for fluxion's comparison benchmarks (bench/ops_bench.ts and
bench/train_bench.ts): the same workloads, shapes and math, measured at PyTorch's best on this
machine, written to bench/results/torch.json for `deno task bench:report`.

Run by hand with Debian's python3-torch (never by CI):

    apt-get install -y python3-torch libopenblas0-pthread
    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_reference.py --threads 2

Debian's torch runs one thread on the reference BLAS by default; with libopenblas0-pthread
installed (it replaces libblas.so.3 through update-alternatives), OpenBLAS's own threads off and
two intra-op threads, it is at its fastest here (matmul and conv2d run through OpenBLAS sgemm).
"""
import argparse
import json
import os
import platform
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timed(fn, n, warmup):
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n


class SeedNet(nn.Module):
    """PyTorch's MNIST example network, as fluxion's examples/lib/seed_net.ts."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv2(F.relu(self.conv1(x))))
        x = self.dropout1(F.max_pool2d(x, 2))
        x = self.dropout2(F.relu(self.fc1(torch.flatten(x, 1))))
        return F.log_softmax(self.fc2(x), dim=1)


def train_step(model, x, y, loss_fn):
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    model.train()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        loss.item()  # read back, as the Deno benchmarks do

    return step


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "results", "torch.json"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = {}

    for n in (256, 512, 1024):
        a, b = torch.randn(n, n), torch.randn(n, n)
        results[f"matmul {n}"] = timed(lambda: torch.mm(a, b).numpy(), 20 if n < 1024 else 10, 3)

    x = torch.randn(64, 32, 26, 26)
    w = torch.randn(64, 32, 3, 3) * 0.05
    results["conv2 forward"] = timed(lambda: F.conv2d(x, w).numpy(), 30, 3)
    xg = x.clone().requires_grad_(True)
    wg = w.clone().requires_grad_(True)

    g = torch.randn(64, 64, 24, 24)

    def conv_fwd_bwd():
        # A random upstream gradient, as the Deno benchmarks use: the gradient of a plain sum is
        # a constant, which PyTorch's backward shortcuts (it measured above the CPU's peak).
        gx, gw = torch.autograd.grad((F.conv2d(xg, wg) * g).sum(), (xg, wg))
        gx.numpy(), gw.numpy()

    results["conv2 forward+backward"] = timed(conv_fwd_bwd, 30, 3)

    cnn = SeedNet()
    xs, ys = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
    results["seed CNN step, batch 64"] = timed(train_step(cnn, xs, ys, F.nll_loss), 100, 10)

    mlp = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    xm, ym = torch.randn(128, 784), torch.randint(0, 10, (128,))
    results["MLP step, batch 128"] = timed(train_step(mlp, xm, ym, F.cross_entropy), 300, 30)

    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    out = {
        "library": f"pytorch {torch.__version__}",
        "config": f"torch.set_num_threads({args.threads}), OPENBLAS_NUM_THREADS="
        f"{os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}, BLAS: "
        + ("OpenBLAS" if "openblas" in torch.__config__.show().lower()
           or os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3").find("openblas") >= 0
           else "system libblas"),
        "machine": f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "seconds_per_iteration": results,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    for k, v in results.items():
        print(f"{k:28s} {v * 1e3:10.2f} ms")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

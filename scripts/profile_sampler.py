"""Where the sampler's time goes, per chunk of samples, by elimination, on the bundled demo model.

Runs the real :class:`certs.sampler.Sampler` over ``--inputs`` inputs of ``n`` samples at a fixed batch size,
four ways, in rotating order, ``--repeats`` times (medians reported):

- ``full``: optimised demo graph + Gaussian noise (what ``certs certify`` runs);
- ``no-noise``: the same, with a noise family that draws nothing (the buffer keeps stale samples);
- ``null-model``: Gaussian noise, a "model" that returns a constant (no forward pass);
- ``bookkeeping``: neither noise nor forward: batching, packing and counting only.

So ``full − no-noise`` is the noise, ``null-model − bookkeeping`` the noise again (cross-check),
``bookkeeping`` the loop itself, and ``full − null-model`` the forward passes. It also prints the generator
floor: nanoseconds per float of ``random_`` (the bare mt19937 words), ``uniform_`` and ``normal_`` on one CPU
``torch.Generator``, the least any sampler bound to per-input torch generators can pay for its noise. The raw
forward rate of the same graph at the same batch size (one reused input tensor, as in ``bench_sampler.py``'s
ceiling) is printed beside them.
Run: ``python scripts/profile_sampler.py [--batch 400] [--n 100] [--inputs 3000]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from certs.graph import optimize
from certs.models import load_model
from certs.noise import NoiseSpec
from certs.sampler import Job, Sampler, SamplerConfig, seed_for

ROOT = Path(__file__).resolve().parents[1]


class NoNoise(NoiseSpec):
    def draw(self, out: torch.Tensor, x: torch.Tensor, generator: torch.Generator) -> None:
        """Draws nothing (profiling only)."""


class ConstantModel:
    def __init__(self, max_batch: int) -> None:
        self.out = torch.zeros(max_batch, 10)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.out[: x.shape[0]]


def generator_floor(floats: int = 64_000, seconds: float = 0.5) -> dict[str, float]:
    """Nanoseconds per float of ``random_``, ``uniform_``, ``normal_`` on one CPU ``torch.Generator``."""
    gen = torch.Generator().manual_seed(0)
    buf = torch.empty(floats)
    ops = {"random_": lambda: buf.random_(generator=gen), "uniform_": lambda: buf.uniform_(generator=gen),
           "normal_": lambda: buf.normal_(generator=gen)}  # fmt: skip
    out: dict[str, float] = {}
    for name, op in ops.items():
        for _ in range(5):
            op()
        t0, k = time.perf_counter(), 0
        while time.perf_counter() - t0 < seconds:
            op()
            k += 1
        out[name] = (time.perf_counter() - t0) / (k * floats) * 1e9
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--batch", type=int, default=400)
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--inputs", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    demo = load_model(ROOT / "cases/demo/demo_cnn.safetensors", builder="certs.demo_model:build").module
    graph = optimize(demo.eval(), torch.rand(8, 1, 8, 8))
    xs = torch.rand((args.inputs, 1, 8, 8), generator=torch.Generator().manual_seed(0))
    gauss = NoiseSpec("gaussian", sigma="0.25")
    none = NoNoise("gaussian", sigma="0.25")
    null = ConstantModel(args.batch)
    ways = {"full": (graph, gauss), "no-noise": (graph, none), "null-model": (null, gauss),
            "bookkeeping": (null, none)}  # fmt: skip
    samples = args.inputs * args.n
    chunks = samples / 100
    times: dict[str, list[float]] = {k: [] for k in [*ways, "raw-forward"]}
    x = torch.rand(args.batch, 1, 8, 8)
    for r in range(args.repeats):
        names = list(ways)[r % 4 :] + list(ways)[: r % 4]
        for name in names:
            model, noise = ways[name]
            s = Sampler(model, noise, (1, 8, 8), 10, SamplerConfig(batch_size=args.batch))
            jobs = [Job(v, seed_for(0, i), 0, args.n) for i, v in enumerate(xs)]
            t0 = time.perf_counter()
            for _ in s.run(jobs):
                pass
            times[name].append(time.perf_counter() - t0)
        with torch.inference_mode():
            graph(x)
            t0 = time.perf_counter()
            reps = max(1, samples // args.batch)
            for _ in range(reps):
                graph(x)
            times["raw-forward"].append((time.perf_counter() - t0) * samples / (reps * args.batch))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, batch {args.batch}, "
          f"n {args.n}, {args.inputs} inputs, medians of {args.repeats}")  # fmt: skip
    print("| way | µs per 100 samples | evaluations/s |")
    print("|---|---|---|")
    for k, v in med.items():
        print(f"| {k} | {v / chunks * 1e6:.1f} | {samples / v:,.0f} |")
    print(f"\nnoise {(med['full'] - med['no-noise']) / chunks * 1e6:.1f} µs/100 samples "
          f"(cross-check {(med['null-model'] - med['bookkeeping']) / chunks * 1e6:.1f}); "
          f"full / raw-forward rate = {med['raw-forward'] / med['full']:.3f}")  # fmt: skip
    floor = generator_floor()
    per_sample = 64 * floor["normal_"] / 1e3
    share = per_sample / (med["raw-forward"] / samples * 1e6)
    rates = ", ".join(f"{k} {v:.2f}" for k, v in floor.items())
    print(f"generator floor (ns per float): {rates}; normal_ for one 8x8 sample: {per_sample:.2f} µs "
          f"= {share:.1%} of one raw forward evaluation")  # fmt: skip


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""PyTorch baseline for the RnnGpu benchmarks.

Runs the configurations of bench/configs.json (the list the C# suite uses) with torch.nn.RNN / LSTM / GRU,
float32, batch-first, one module per layer (stacked layers may differ in width), zero initial state:

  inference: forward under torch.no_grad()
  training:  zero_grad, forward with autograd, backward from a fixed output gradient (weight gradients; the
             data needs no gradient, as in our suite)

GPU (default): cuDNN, timed with CUDA events around each call after warm-up, once with TF32 off ("cudnn-fp32")
and once with TF32 on ("cudnn-tf32"). --cpu: torch on the CPU with torch.set_num_threads(N), timed with
time.perf_counter ("torch-cpu").

Writes the shared results format read by `RnnGpu.Bench report`:
  {"meta": {...}, "results": [{"config", "mode", "device", "impl", "mean_ms", "median_ms", "min_ms", "std_ms",
                               "runs", "warmup"}]}
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simplernn": torch.nn.RNN}


def load_configs(path, selection):
    """Configs from configs.json; selection as in the C# suite: small, medium, all, a group, or name,name,..."""
    with open(path, encoding="utf-8") as f:
        configs = json.load(f)["configs"]
    if selection == "all":
        return configs
    if selection == "small":
        return [c for c in configs if c["cpu"] == "small"]
    if selection == "medium":
        return [c for c in configs if c["cpu"] in ("small", "medium")]
    if any(c["group"] == selection for c in configs):
        return [c for c in configs if c["group"] == selection]
    names = [n.strip() for n in selection.split(",") if n.strip()]
    by_name = {c["name"]: c for c in configs}
    missing = [n for n in names if n not in by_name]
    if missing:
        sys.exit(f"unknown configuration(s): {', '.join(missing)}")
    return [by_name[n] for n in names]


class Stack(torch.nn.Module):
    """A configuration's layers, each returning its whole output sequence."""

    def __init__(self, config):
        super().__init__()
        layers = []
        width = config["input"]
        for units in config["units"]:
            # nn.RNN defaults to tanh, which is SimpleRNN's default too; GRU is reset-after like ours.
            layers.append(MODULES[config["kind"]](width, units, batch_first=True))
            width = units
        self.layers = torch.nn.ModuleList(layers)

    def forward(self, x):
        for layer in self.layers:
            x, _ = layer(x)
        return x


def make_case(config, device):
    torch.manual_seed(1)
    model = Stack(config).to(device=device, dtype=torch.float32)
    b, t = config["batch"], config["steps"]
    x = (torch.rand(b, t, config["input"], device=device) * 0.2 - 0.1)
    grad = (torch.rand(b, t, config["units"][-1], device=device) * 0.2 - 0.1)

    def inference():
        with torch.no_grad():
            model(x)

    def training():
        model.zero_grad(set_to_none=False)
        model(x).backward(grad)

    return {"model": model, "inference": inference, "training": training}


def time_gpu(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    starts = [torch.cuda.Event(enable_timing=True) for _ in range(runs)]
    ends = [torch.cuda.Event(enable_timing=True) for _ in range(runs)]
    for i in range(runs):
        starts[i].record()
        fn()
        ends[i].record()
    torch.cuda.synchronize()
    return [s.elapsed_time(e) for s, e in zip(starts, ends)]


def time_cpu(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return times


def summarise(times):
    return {
        "mean_ms": statistics.fmean(times),
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "std_ms": statistics.stdev(times) if len(times) > 1 else 0.0,
    }


def gpu_meta():
    meta = {
        "device": torch.cuda.get_device_name(0),
        "cuda": str(torch.version.cuda),
        "cudnn": str(torch.backends.cudnn.version()),
    }
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30, check=True)
        meta["driver"] = out.stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        meta["driver"] = "unknown"
    return meta


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--configs", default=os.path.join(HERE, "..", "configs.json"), help="configs.json path")
    parser.add_argument("--set", default=None,
                        help="configurations: small, medium, all, a group, or name,name,... "
                             "(default: all on the GPU, small with --cpu)")
    parser.add_argument("--cpu", action="store_true", help="run torch on the CPU instead of cuDNN")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch.set_num_threads for --cpu")
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--out", default=None, help="output JSON (default baseline-gpu.json / baseline-cpu.json)")
    args = parser.parse_args()

    configs = load_configs(args.configs, args.set or ("small" if args.cpu else "all"))
    meta = {
        "tool": "bench/torch/baseline.py",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "host": f"{platform.platform()}; {platform.processor() or platform.machine()}; {os.cpu_count()} logical cores",
        "warmup": str(args.warmup),
        "runs": str(args.runs),
        "command": " ".join(sys.argv),
    }

    if args.cpu:
        torch.set_num_threads(args.threads)
        meta["threads"] = str(torch.get_num_threads())
        variants = [("torch-cpu", "cpu", None)]
        timer = time_cpu
    else:
        if not torch.cuda.is_available():
            sys.exit("no CUDA device; use --cpu for the CPU baseline")
        torch.backends.cudnn.enabled = True
        torch.backends.cudnn.benchmark = True
        meta.update(gpu_meta())
        variants = [("cudnn-fp32", "cuda", False), ("cudnn-tf32", "cuda", True)]
        timer = time_gpu

    results = []
    for impl, device, tf32 in variants:
        if tf32 is not None:
            torch.backends.cuda.matmul.allow_tf32 = tf32
            torch.backends.cudnn.allow_tf32 = tf32
        for config in configs:
            case = make_case(config, device)
            for mode in ("inference", "training"):
                # nn.LSTM/GRU/RNN hand their training flag to cuDNN, which runs its training forward (activations
                # kept in a reserve space) whenever the flag is set, under no_grad too: inference runs in eval mode.
                case["model"].train(mode == "training")
                entry = {"config": config["name"], "mode": mode, "device": "cpu" if device == "cpu" else "gpu",
                         "impl": impl, "runs": args.runs, "warmup": args.warmup}
                try:
                    entry.update(summarise(timer(case[mode], args.warmup, args.runs)))
                    print(f"{impl:11} {config['name']:28} {mode:9} mean {entry['mean_ms']:10.3f} ms", flush=True)
                except RuntimeError as e:  # e.g. out of memory: recorded, the run goes on
                    entry["error"] = str(e).splitlines()[0]
                    print(f"{impl:11} {config['name']:28} {mode:9} FAILED {entry['error']}", flush=True)
                    if device == "cuda":
                        torch.cuda.empty_cache()
                results.append(entry)
            del case

    out = args.out or ("baseline-cpu.json" if args.cpu else "baseline-gpu.json")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()

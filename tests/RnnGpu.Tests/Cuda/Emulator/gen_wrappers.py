#!/usr/bin/env python3
"""Writes, for one kernels/*.cu file, a C++ translation unit that includes it and registers an argument unpacker per
extern "C" kernel with the emulated driver. Usage: gen_wrappers.py kernel.cu out.cpp"""
import os, re, sys

source_path, out_path = sys.argv[1], sys.argv[2]
source = open(source_path).read()
# The engine prepends kernels/common.cuh, then the other kernels/*.cuh in name order, to every family; do the same here.
folder = os.path.dirname(source_path)
headers = sorted((h for h in os.listdir(folder) if h.endswith(".cuh")), key=lambda h: "" if h == "common.cuh" else h)
lines = ['#include "cuda_shim.h"'] + [f'#include "{os.path.join(folder, h)}"' for h in headers] + [f'#include "{source_path}"', ""]
for name, params in re.findall(r'extern "C" __global__ void (\w+)\s*\(([^)]*)\)', source, re.S):
    args = []
    for i, p in enumerate(x.strip() for x in params.split(",") if x.strip()):
        ctype = re.sub(r"\s*\b\w+$", "", p).strip()  # drop the parameter name
        args.append(f"*({ctype}*)a[{i}]")
    lines.append(f"static void emu_{name}(void** a) {{ {name}({', '.join(args)}); }}")
    lines.append(f'static EmuRegistrar emu_reg_{name}("{name}", emu_{name}, {len(args)});')
open(out_path, "w").write("\n".join(lines) + "\n")

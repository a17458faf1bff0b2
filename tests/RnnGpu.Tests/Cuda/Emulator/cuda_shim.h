// Lets the header-free kernels in kernels/*.cu compile as C++ for the CPU emulator. Each CUDA thread of a block runs
// as a fiber (ucontext); __syncthreads() yields to the block scheduler in fake_driver.cpp, so block-wide reductions
// in shared memory behave as on a GPU. Blocks run one after another (a cooperative grid's blocks take turns, switching
// only where a block waits at grid_sync, when none of its shared memory is live), so __shared__ can be a
// function-local static.
#pragma once
#include <math.h>

struct EmuDim3 { unsigned x, y, z; };
extern "C" EmuDim3 threadIdx, blockIdx, blockDim, gridDim;
extern "C" void emu_syncthreads();

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __syncthreads() emu_syncthreads()

// Fibers of a block never run at the same time, so a plain add is atomic here.
static inline float atomicAdd(float* address, float value) { float old = *address; *address = old + value; return old; }
static inline unsigned atomicAdd(unsigned* address, unsigned value) { unsigned old = *address; *address = old + value; return old; }
static inline unsigned atomicExch(unsigned* address, unsigned value) { unsigned old = *address; *address = value; return old; }
// One address space, one host thread: nothing to fence.
static inline void __threadfence() {}
// A thread waiting for the rest of a cooperative grid (grid_sync's spin) hands its block's turn to the next block.
extern "C" void emu_spin_yield();
#define __nanosleep(ns) emu_spin_yield()
// Every other block runs to the barrier between two of a block's polls, so a healthy barrier opens within a poll per
// block (at most 8 here); a broken one reaches this bound quickly and traps, as it would after seconds on a GPU.
#define GRID_SYNC_POLLS 1000u
// The kernel aborts: the thread stops for good and the launch fails (CUDA_ERROR_LAUNCH_FAILED).
extern "C" void emu_trap();
#define __trap() emu_trap()


// Every emulated kernel registers an unpacker from a cuLaunchKernel argument array.
typedef void (*EmuKernelEntry)(void** args);
// The parameter count lets stream capture keep a copy of each launch's arguments (8 bytes each, as RnnGpu passes them).
extern "C" void emu_register_kernel(const char* name, EmuKernelEntry entry, int parameters);
struct EmuRegistrar { EmuRegistrar(const char* name, EmuKernelEntry entry, int parameters) { emu_register_kernel(name, entry, parameters); } };

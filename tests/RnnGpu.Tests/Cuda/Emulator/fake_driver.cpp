// A CPU stand-in for libcuda.so.1, exporting the driver API symbols RnnGpu binds. Device memory is host memory,
// streams are synchronous, "modules" ignore the CUBIN and resolve kernels from the emulated kernel registry, and
// cuLaunchKernel runs every block with one fiber per CUDA thread (cuLaunchCooperativeKernel: every block's threads at
// once, see runGrid). Stream capture records launches (with a copy of their arguments) instead of running them; a
// graph launch runs the recorded ones in order. For checking the CUDA backend's host logic and the kernels'
// arithmetic on a machine without a GPU; it says nothing about real GPU timing or memory behaviour.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>
#include <ucontext.h>
#include "cuda_shim.h"

extern "C" { EmuDim3 threadIdx, blockIdx, blockDim, gridDim; }

namespace {
struct Kernel { std::string name; EmuKernelEntry entry; int parameters; };
std::map<std::string, Kernel>& registry() { static std::map<std::string, Kernel> r; return r; }
struct Launch { Kernel* kernel; unsigned gx, bx, by; std::vector<unsigned long long> arguments; };
typedef std::vector<Launch> Graph;
Graph* capturing; // the graph being captured from the (only) stream, or null
bool invalidateCaptures; // set by emu_invalidate_captures: end every capture as CUDA_ERROR_STREAM_CAPTURE_INVALIDATED

ucontext_t scheduler;
struct Fiber { ucontext_t context; bool done; };
const size_t StackBytes = 128 * 1024;
std::vector<Fiber> fibers;
std::vector<char*> stacks;
int current;
EmuKernelEntry running;
void** runningArgs;

void fiberMain() { running(runningArgs); fibers[current].done = true; }

// Gives fibers [0, count) fresh contexts that start the running kernel.
void prepareFibers(size_t count)
{
    if (fibers.size() < count) fibers.resize(count);
    while (stacks.size() < count) stacks.push_back(static_cast<char*>(std::malloc(StackBytes)));
    for (size_t i = 0; i < count; i++)
    {
        getcontext(&fibers[i].context);
        fibers[i].context.uc_stack.ss_sp = stacks[i];
        fibers[i].context.uc_stack.ss_size = StackBytes;
        fibers[i].context.uc_link = &scheduler;
        makecontext(&fibers[i].context, fiberMain, 0);
        fibers[i].done = false;
    }
}

bool spun;     // the fiber that last yielded did so from emu_spin_yield, not __syncthreads()
bool trapped;  // a fiber of the running grid called __trap()

// Runs thread i of block bx (fiber f) to its next yield; true when it finished.
bool resume(size_t f, unsigned i, unsigned bx)
{
    current = static_cast<int>(f);
    spun = false;
    threadIdx = { i % blockDim.x, (i / blockDim.x) % blockDim.y, i / (blockDim.x * blockDim.y) };
    blockIdx = { bx, 0, 0 };
    swapcontext(&scheduler, &fibers[f].context);
    return fibers[f].done;
}

void runBlock(unsigned threads, unsigned bx)
{
    prepareFibers(threads);
    unsigned remaining = threads;
    while (remaining > 0)
    {
        // One round: every live thread runs to its next __syncthreads() or to its end.
        for (unsigned i = 0; i < threads; i++)
            if (!fibers[i].done && resume(i, i, bx)) remaining--;
    }
}

// A cooperative grid: every block's threads exist at once. A block runs round after round until a thread spins in
// grid_sync (the block is parked there, and resumes with that thread, so the threads after it in the round stay at
// their __syncthreads()) or it ends; then the next block takes its turn. The barrier's last arrival releases the rest.
// False when a thread trapped: grid_sync does so once a barrier has stayed closed for GRID_SYNC_POLLS polls (one that
// never opens), so a broken kernel fails its test instead of hanging it; the stuck fibers are simply abandoned.
bool runGrid(unsigned threads, unsigned blocks)
{
    prepareFibers(size_t(threads) * blocks);
    std::vector<unsigned> next(blocks, 0), remaining(blocks, threads);
    unsigned live = blocks;
    trapped = false;
    while (live > 0)
        for (unsigned b = 0; b < blocks; b++)
        {
            while (remaining[b] > 0)
            {
                unsigned i = next[b];
                bool parked = false;
                for (; i < threads && !parked; i++)
                {
                    size_t f = size_t(b) * threads + i;
                    if (fibers[f].done) continue;
                    if (resume(f, i, b)) remaining[b]--;
                    if (trapped) return false;
                    parked = spun;
                }
                if (parked) { next[b] = i - 1; break; }
                next[b] = 0;
                if (remaining[b] == 0) live--;
            }
        }
    return true;
}
}

extern "C" void emu_register_kernel(const char* name, EmuKernelEntry entry, int parameters) { registry()[name] = Kernel{ name, entry, parameters }; }
extern "C" void emu_syncthreads() { swapcontext(&fibers[current].context, &scheduler); }
extern "C" void emu_spin_yield() { spun = true; swapcontext(&fibers[current].context, &scheduler); }
extern "C" void emu_trap() { trapped = true; swapcontext(&fibers[current].context, &scheduler); } // never resumed

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
#define API extern "C" __attribute__((visibility("default")))

API CUresult cuInit(unsigned) { return 0; }
API CUresult cuDriverGetVersion(int* v) { *v = 12040; return 0; }
API CUresult cuGetErrorName(CUresult e, const char** s)
{
    switch (e)
    {
        case 0: *s = "CUDA_SUCCESS"; break;
        case 1: *s = "CUDA_ERROR_INVALID_VALUE"; break;
        case 2: *s = "CUDA_ERROR_OUT_OF_MEMORY"; break;
        case 901: *s = "CUDA_ERROR_STREAM_CAPTURE_INVALIDATED"; break;
        case 500: *s = "CUDA_ERROR_NOT_FOUND"; break;
        case 719: *s = "CUDA_ERROR_LAUNCH_FAILED"; break;
        case 720: *s = "CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE"; break;
        default: *s = "CUDA_ERROR_UNKNOWN"; break;
    }
    return 0;
}
API CUresult cuGetErrorString(CUresult e, const char** s) { return cuGetErrorName(e, s); }
API CUresult cuDeviceGetCount(int* n) { *n = 1; return 0; }
API CUresult cuDeviceGet(int* d, int ordinal) { if (ordinal != 0) return 101; *d = 0; return 0; }
API CUresult cuDeviceGetName(char* name, int length, int) { std::strncpy(name, "RnnGpu CPU emulator", length); return 0; }
API CUresult cuDeviceGetAttribute(int* v, int attribute, int)
{
    switch (attribute)
    {
        case 1: *v = 1024; break;   // max threads per block
        case 16: *v = 1; break;     // one SM keeps grids small
        case 95: *v = 1; break;     // cooperative launches (runGrid)
        case 75: *v = 8; break;     // compute capability 8.0: NVRTC 11.8 makes a real sm_80 CUBIN, which is then ignored
        case 76: *v = 0; break;
        default: *v = 0; break;
    }
    return 0;
}
API CUresult cuDeviceTotalMem_v2(size_t* bytes, int) { *bytes = size_t(8) << 30; return 0; }
API CUresult cuDevicePrimaryCtxRetain(void** c, int) { static int context; *c = &context; return 0; }
API CUresult cuDevicePrimaryCtxRelease_v2(int) { return 0; }
API CUresult cuCtxSetCurrent(void*) { return 0; }
API CUresult cuCtxSynchronize() { return 0; }
API CUresult cuModuleLoadData(void** m, const void* image)
{
    // NVRTC output is either an ELF CUBIN or NUL-terminated PTX text.
    const unsigned char* p = static_cast<const unsigned char*>(image);
    bool elf = p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F';
    bool ptx = std::strstr(static_cast<const char*>(image), ".version") != nullptr;
    if (!elf && !ptx) return 200;
    static int module;
    *m = &module;
    return 0;
}
API CUresult cuModuleGetFunction(void** f, void*, const char* name)
{
    auto it = registry().find(name);
    if (it == registry().end()) return 500;
    *f = new Kernel(it->second);
    return 0;
}
API CUresult cuModuleUnload(void*) { return 0; }
namespace {
// A 1-D grid of 1- or 2-D blocks, as RnnGpu launches them.
bool validLaunch(unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz)
{
    return gx > 0 && bx > 0 && gy == 1 && gz == 1 && bz == 1 && bx * by <= 1024;
}

// Makes kernel f, with its argument array, the one the fibers run, on a gx-block grid of bx × by threads.
void prepareLaunch(void* f, void** args, unsigned gx, unsigned bx, unsigned by)
{
    running = static_cast<Kernel*>(f)->entry;
    runningArgs = args;
    gridDim = { gx, 1, 1 };
    blockDim = { bx, by, 1 };
}

const int SmThreads = 2048; // threads the one emulated SM holds at once: the bound on a cooperative grid
}

API CUresult cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                            unsigned, void*, void** args, void**)
{
    if (!validLaunch(gx, gy, gz, bx, by, bz)) return 1;
    auto* kernel = static_cast<Kernel*>(f);
    if (capturing)
    {
        Launch launch{ kernel, gx, bx, by, {} };
        for (int i = 0; i < kernel->parameters; i++) launch.arguments.push_back(*static_cast<unsigned long long*>(args[i]));
        capturing->push_back(launch);
        return 0;
    }
    prepareLaunch(f, args, gx, bx, by);
    for (unsigned b = 0; b < gx; b++) runBlock(bx * by, b);
    return 0;
}
API CUresult cuOccupancyMaxActiveBlocksPerMultiprocessor(int* blocks, void*, int blockSize, size_t)
{
    *blocks = blockSize > 0 ? SmThreads / blockSize : 0;
    return 0;
}
API CUresult cuLaunchCooperativeKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                       unsigned, void*, void** args)
{
    if (!validLaunch(gx, gy, gz, bx, by, bz)) return 1;
    if (gx * bx * by > unsigned(SmThreads)) return 720; // CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE
    if (capturing) return 900;                          // not needed by RnnGpu, so not emulated
    prepareLaunch(f, args, gx, bx, by);
    return runGrid(bx * by, gx) ? 0 : 719; // CUDA_ERROR_LAUNCH_FAILED
}
API CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes)
{
    void* memory = std::malloc(bytes);
    if (!memory) return 2;
    std::memset(memory, 0xFF, bytes); // NaN-filled, as unwritten device memory is not zero
    *p = reinterpret_cast<CUdeviceptr>(memory);
    return 0;
}
API CUresult cuMemFree_v2(CUdeviceptr p) { std::free(reinterpret_cast<void*>(p)); return 0; }
API CUresult cuMemGetInfo_v2(size_t* free, size_t* total) { *free = size_t(4) << 30; *total = size_t(8) << 30; return 0; }
API CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned) { *p = std::malloc(bytes); return *p ? 0 : 2; }
API CUresult cuMemFreeHost(void* p) { std::free(p); return 0; }
API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void* s, size_t n, void*) { std::memcpy(reinterpret_cast<void*>(d), s, n); return 0; }
API CUresult cuMemcpyDtoHAsync_v2(void* d, CUdeviceptr s, size_t n, void*) { std::memcpy(d, reinterpret_cast<void*>(s), n); return 0; }
API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr d, CUdeviceptr s, size_t n, void*) { std::memmove(reinterpret_cast<void*>(d), reinterpret_cast<void*>(s), n); return 0; }
API CUresult cuMemsetD32Async(CUdeviceptr d, unsigned value, size_t count, void*)
{
    auto* p = reinterpret_cast<unsigned*>(d);
    for (size_t i = 0; i < count; i++) p[i] = value;
    return 0;
}
API CUresult cuStreamCreate(void** s, unsigned) { static int stream; *s = &stream; return 0; }
API CUresult cuStreamSynchronize(void*) { return 0; }
API CUresult cuStreamDestroy_v2(void*) { return 0; }
// Work runs synchronously, so an event completes when it is recorded: it holds that moment of the host's clock.
API CUresult cuEventCreate(void** e, unsigned) { *e = new double(0); return 0; }
API CUresult cuEventRecord(void* e, void*)
{
    *static_cast<double*>(e) = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
    return 0;
}
API CUresult cuEventSynchronize(void*) { return 0; }
API CUresult cuEventElapsedTime(float* ms, void* start, void* end)
{
    *ms = static_cast<float>(*static_cast<double*>(end) - *static_cast<double*>(start));
    return 0;
}
API CUresult cuEventElapsedTime_v2(float* ms, void* start, void* end) { return cuEventElapsedTime(ms, start, end); }
API CUresult cuEventDestroy_v2(void* e) { delete static_cast<double*>(e); return 0; }
API CUresult cuStreamBeginCapture_v2(void*, int)
{
    if (capturing) return 900; // CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED
    capturing = new Graph();
    return 0;
}
// For tests of the fallback: while on, every capture ends invalidated and its launches are lost, as on a GPU when
// something illegal happens during a capture.
API void emu_invalidate_captures(int on) { invalidateCaptures = on != 0; }
API CUresult cuStreamEndCapture(void*, void** graph)
{
    if (!capturing) return 1;
    if (invalidateCaptures)
    {
        delete capturing;
        capturing = nullptr;
        *graph = nullptr;
        return 901; // CUDA_ERROR_STREAM_CAPTURE_INVALIDATED
    }
    *graph = capturing;
    capturing = nullptr;
    return 0;
}
API CUresult cuGraphInstantiateWithFlags(void** exec, void* graph, unsigned long long)
{
    *exec = new Graph(*static_cast<Graph*>(graph));
    return 0;
}
API CUresult cuGraphLaunch(void* exec, void* stream)
{
    for (auto& launch : *static_cast<Graph*>(exec))
    {
        std::vector<void*> pointers;
        for (auto& value : launch.arguments) pointers.push_back(&value);
        CUresult rc = cuLaunchKernel(launch.kernel, launch.gx, 1, 1, launch.bx, launch.by, 1, 0, stream, pointers.data(), nullptr);
        if (rc != 0) return rc;
    }
    return 0;
}
API CUresult cuGraphExecDestroy(void* exec) { delete static_cast<Graph*>(exec); return 0; }
API CUresult cuGraphDestroy(void* graph) { delete static_cast<Graph*>(graph); return 0; }

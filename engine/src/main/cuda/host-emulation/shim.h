// Part of the host emulation check of kernels.cu; see run.sh and docs/CUDA.md.
// Host emulation of the CUDA subset kernels.cu uses: one std::thread per CUDA thread,
// blocks run one after another, std::barrier for __syncthreads and warp collectives.
#pragma once
#include <barrier>
#include <thread>
#include <mutex>
#include <vector>
#include <cmath>
#include <functional>
#include <algorithm>
#include <memory>
#include <cstring>
struct dim3 { unsigned x = 1, y = 1, z = 1; };
struct alignas(16) float4 { float x, y, z, w; };
inline thread_local dim3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
#define __global__
#define __device__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
#define __launch_bounds__(...)
using std::min; using std::max;
inline double __longlong_as_double(long long v) { double d; std::memcpy(&d, &v, 8); return d; }
inline long long __double_as_longlong(double d) { long long v; std::memcpy(&v, &d, 8); return v; }
using std::isfinite;
inline std::mutex atomicMu;
template <class T> T atomicAdd(T* p, T v) { std::lock_guard<std::mutex> g(atomicMu); T o = *p; *p = o + v; return o; }
inline std::unique_ptr<std::barrier<>> blockBar;
inline std::vector<std::unique_ptr<std::barrier<>>> warpBars;
inline double warpBuf[1024];
inline void __syncthreads() { blockBar->arrive_and_wait(); }
inline int linearTid() { return threadIdx.x + threadIdx.y * blockDim.x; }
inline std::barrier<>& wbar() { return *warpBars[linearTid() / 32]; }
inline void __syncwarp(unsigned = 0xffffffffu) { wbar().arrive_and_wait(); }
template <class T> T __shfl_down_sync(unsigned, T v, int o) {
  int t = linearTid(), lane = t & 31; wbar().arrive_and_wait(); warpBuf[t] = (double)v; wbar().arrive_and_wait();
  T r = lane + o < 32 ? (T)warpBuf[t + o] : v; wbar().arrive_and_wait(); return r; }
template <class T> T __shfl_xor_sync(unsigned, T v, int o) {
  int t = linearTid(), lane = t & 31; wbar().arrive_and_wait(); warpBuf[t] = (double)v; wbar().arrive_and_wait();
  T r = (T)warpBuf[(t - lane) + (lane ^ o)]; wbar().arrive_and_wait(); return r; }
template <class T> T __shfl_sync(unsigned, T v, int src) {
  int t = linearTid(), lane = t & 31; wbar().arrive_and_wait(); warpBuf[t] = (double)v; wbar().arrive_and_wait();
  T r = (T)warpBuf[t - lane + src]; wbar().arrive_and_wait(); return r; }
inline bool __all_sync(unsigned, bool p) {
  int t = linearTid(), lane = t & 31; wbar().arrive_and_wait(); warpBuf[t] = p ? 1 : 0; wbar().arrive_and_wait();
  bool r = true; for (int i = 0; i < 32; i++) r = r && warpBuf[t - lane + i] != 0; wbar().arrive_and_wait(); return r; }
template <class F> void launch(dim3 g, dim3 b, F f) {
  gridDim = g; blockDim = b; int nt = b.x * b.y;
  for (unsigned bz = 0; bz < g.z; bz++) for (unsigned by = 0; by < g.y; by++) for (unsigned bx = 0; bx < g.x; bx++) {
    blockBar = std::make_unique<std::barrier<>>(nt);
    warpBars.clear(); for (int w = 0; w < (nt + 31) / 32; w++) warpBars.push_back(std::make_unique<std::barrier<>>(std::min(32, nt - 32 * w)));
    std::vector<std::thread> ts;
    for (int t = 0; t < nt; t++) ts.emplace_back([=] { threadIdx = dim3{(unsigned)(t % b.x), (unsigned)(t / b.x), 1}; blockIdx = dim3{bx, by, bz}; f(); });
    for (auto& th : ts) th.join();
  }
}

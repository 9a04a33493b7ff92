// CUDA kernels of the MambaMixer engine's CudaBackend (see docs/CUDA.md).
//
// Compiled to PTX by scripts/build-ptx.sh; the committed PTX under
// engine/src/main/resources/dev/mambamixer/engine/backend/cuda/kernels.ptx is the source of
// truth at run time. Everything is float32 storage; reductions that the contract says are
// "accumulated in double" use double partials. No fast-math: expf/log1pf are the accurate ones.
//
// Layout conventions follow Backend.java: dense row-major, sequence tensors token-major
// (S, L, E), B/C (S, L, N), checkpoints (S, chunks, E, N).
//
// Every kernel is 1-D over its output unless stated, launched from CudaBackend with
// grid-stride loops so any size works with a capped grid.

#include <cuda_runtime.h>

#define FULL_MASK 0xffffffffu

// ------------------------------------------------------------------ helpers

__device__ __forceinline__ float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }

__device__ __forceinline__ float siluf_(float x) { return x * sigmoidf_(x); }

// SiLU'(x) = s (1 + x (1 - s)) (MODEL.md §2)
__device__ __forceinline__ float siluGradf_(float x) {
    float s = sigmoidf_(x);
    return s * (1.0f + x * (1.0f - s));
}

// softplus_20 (MODEL.md §2): identity above the threshold.
__device__ __forceinline__ float softplus20f_(float x) { return x > 20.0f ? x : log1pf(expf(x)); }

// Sum of v over the whole (1-D, blockDim a multiple of 32, <= 1024) block; every thread gets
// the result. sh must hold 32 doubles. Safe to call repeatedly with the same sh.
__device__ double blockSumD(double v, double* sh) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(FULL_MASK, v, o);
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    __syncthreads();                       // earlier readers of sh are done
    if (lane == 0) sh[warp] = v;
    __syncthreads();
    int nw = (blockDim.x + 31) >> 5;
    if (warp == 0) {
        double w = lane < nw ? sh[lane] : 0.0;
        for (int o = 16; o > 0; o >>= 1) w += __shfl_down_sync(FULL_MASK, w, o);
        if (lane == 0) sh[0] = w;
    }
    __syncthreads();
    return sh[0];
}

#define GRID_STRIDE(i, n) for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
                               i += (long long)gridDim.x * blockDim.x)

// ------------------------------------------------------------------ GEMM

#define TS 32   // tile edge of the column-reduction kernels (block (32, 8))
#define TROWS 8 // thread rows per block of those kernels
#define GBM 64  // GEMM block tile: 64 x 64 outputs, 16 x 16 threads, 4 x 4 outputs per thread
#define GBK 16  // GEMM k step per shared-memory tile

// C = alpha op(A) op(B) + beta C, row-major; op(A) m x k, op(B) k x n. Pointers already include
// the element offsets. grid = (ceil(m/64), ceil(n/64), splits), block 256.
// Split-k: block z covers k in [z*kSlice, min(k, (z+1)*kSlice)). With one split the block writes
// C (beta == 0 overwrites without reading C, so NaNs there are ignored); with several it writes
// its raw partial tile to W[z][m][n] and gemm_splitk_reduce_f32 combines them in a fixed order
// (deterministic). Splitting k is what makes weight gradients (m, n ~ 16..256, k = B*L rows ~
// 10^4..10^5) use the whole GPU instead of one or two blocks looping over k.
// Tile loads: consecutive threads read consecutive addresses for all four transpose combinations.
// Thread (tx, ty) computes rows ty + 16 i, columns tx + 16 j (i, j < 4): shared reads of a row of
// B are conflict-free, those of A are broadcasts, and the C stores are coalesced.
extern "C" __global__ void gemm_f32(int transA, int transB, int m, int n, int k, float alpha,
                                    const float* __restrict__ A, const float* __restrict__ B,
                                    float beta, float* __restrict__ C, int kSlice, float* __restrict__ W) {
    __shared__ float As[GBK][GBM + 4];   // As[p][i] = op(A)[row0 + i][p0 + p]
    __shared__ float Bs[GBK][GBM + 4];   // Bs[p][j] = op(B)[p0 + p][col0 + j]
    const int tx = threadIdx.x, ty = threadIdx.y, tid = ty * 16 + tx;
    const int row0 = blockIdx.x * GBM, col0 = blockIdx.y * GBM;
    const int kBegin = blockIdx.z * kSlice, kEnd = min(k, kBegin + kSlice);
    float acc[4][4];
#pragma unroll
    for (int i = 0; i < 4; i++)
#pragma unroll
        for (int j = 0; j < 4; j++) acc[i][j] = 0.0f;
    for (int p0 = kBegin; p0 < kEnd; p0 += GBK) {
#pragma unroll
        for (int q = 0; q < 4; q++) {
            if (!transA) {           // A stored m x k: 16 consecutive p per row
                int r = tid / GBK + 16 * q, c = tid % GBK, i = row0 + r, p = p0 + c;
                As[c][r] = (i < m && p < kEnd) ? A[(long long)i * k + p] : 0.0f;
            } else {                 // A stored k x m: op(A)[i][p] = A[p*m + i], 64 consecutive i
                int c = tid % GBM, r = tid / GBM + 4 * q, i = row0 + c, p = p0 + r;
                As[r][c] = (i < m && p < kEnd) ? A[(long long)p * m + i] : 0.0f;
            }
            if (!transB) {           // B stored k x n: 64 consecutive j
                int c = tid % GBM, r = tid / GBM + 4 * q, j = col0 + c, p = p0 + r;
                Bs[r][c] = (p < kEnd && j < n) ? B[(long long)p * n + j] : 0.0f;
            } else {                 // B stored n x k: op(B)[p][j] = B[j*k + p], 16 consecutive p
                int r = tid / GBK + 16 * q, c = tid % GBK, j = col0 + r, p = p0 + c;
                Bs[c][r] = (p < kEnd && j < n) ? B[(long long)j * k + p] : 0.0f;
            }
        }
        __syncthreads();
#pragma unroll
        for (int p = 0; p < GBK; p++) {
            float a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = As[p][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = Bs[p][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] += a[i] * b[j];
        }
        __syncthreads();
    }
    const bool split = gridDim.z > 1;
    float* Wz = split ? W + (long long)blockIdx.z * m * n : nullptr;
#pragma unroll
    for (int i = 0; i < 4; i++) {
        const int r = row0 + ty + 16 * i;
        if (r >= m) continue;
#pragma unroll
        for (int j = 0; j < 4; j++) {
            const int c = col0 + tx + 16 * j;
            if (c >= n) continue;
            const long long ci = (long long)r * n + c;
            if (split) Wz[ci] = acc[i][j];
            else C[ci] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * C[ci];
        }
    }
}

// C = alpha * sum_z W[z] + beta C over mn elements (split-k partials, summed in z order).
extern "C" __global__ void gemm_splitk_reduce_f32(long long mn, int splits, float alpha,
                                                  const float* __restrict__ W, float beta, float* __restrict__ C) {
    GRID_STRIDE(i, mn) {
        float s = 0.0f;
        for (int z = 0; z < splits; z++) s += W[(long long)z * mn + i];
        C[i] = beta == 0.0f ? alpha * s : alpha * s + beta * C[i];
    }
}

// ------------------------------------------------------------------ element-wise

// op: 0 add, 1 sub, 2 mul
extern "C" __global__ void binary_f32(int op, long long n, const float* __restrict__ a,
                                      const float* __restrict__ b, float* __restrict__ out) {
    GRID_STRIDE(i, n) {
        float x = a[i], y = b[i];
        out[i] = op == 0 ? x + y : (op == 1 ? x - y : x * y);
    }
}

// y += alpha x (x, y may be the same tensor at different offsets only if the ranges do not
// overlap; the Java side checks that).
extern "C" __global__ void axpy_f32(long long n, float alpha, const float* x, float* y) {
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

// dst[i] = src[i] (ranges must not overlap; CudaBackend bounces overlapping copies via scratch).
extern "C" __global__ void copy_f32(long long n, const float* __restrict__ src, float* __restrict__ dst) {
    GRID_STRIDE(i, n) dst[i] = src[i];
}

extern "C" __global__ void scale_f32(long long n, float alpha, float* x) {
    GRID_STRIDE(i, n) x[i] *= alpha;
}

extern "C" __global__ void silu_fwd_f32(long long n, const float* __restrict__ x, float* __restrict__ out) {
    GRID_STRIDE(i, n) out[i] = siluf_(x[i]);
}

extern "C" __global__ void silu_bwd_f32(long long n, const float* __restrict__ x,
                                        const float* __restrict__ dout, float* __restrict__ dx) {
    GRID_STRIDE(i, n) dx[i] = dout[i] * siluGradf_(x[i]);
}

// result[0] += sum a*b (mode 0) or sum |a| (mode 1); double partials, one atomic per block.
// result must be zeroed by the caller. blockDim = 256.
extern "C" __global__ void reduce_f64(int mode, long long n, const float* __restrict__ a,
                                      const float* __restrict__ b, double* result) {
    __shared__ double sh[32];
    double s = 0.0;
    GRID_STRIDE(i, n) s += mode == 0 ? (double)a[i] * (double)b[i] : fabs((double)a[i]);
    s = blockSumD(s, sh);
    if (threadIdx.x == 0) atomicAdd(result, s);
}

// Inverted dropout mask with exactly the draws of java.util.SplittableRandom(seed): element i
// gets the (i+1)-th nextDouble() = (mix64(seed + (i+1) * GOLDEN_GAMMA) >>> 11) * 2^-53, so masks
// match the reference and CPU backends bit for bit without a host round trip. keep arrives as the
// raw bits of a double (the comparison is in double, like the host's).
__device__ void dropoutDraws_(long long n, unsigned long long seed, long long keepBits, float kept,
                              float* __restrict__ mask) {
    const double keep = __longlong_as_double(keepBits);
    GRID_STRIDE(i, n) {
        unsigned long long z = seed + (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        const double d = (double)(z >> 11) * 0x1.0p-53;
        mask[i] = d < keep ? kept : 0.0f;
    }
}

extern "C" __global__ void dropout_mask_f32(long long n, long long seed, long long keepBits, float kept,
                                            float* __restrict__ mask) {
    dropoutDraws_(n, (unsigned long long)seed, keepBits, kept, mask);
}

// x[r, c] += v[c]
extern "C" __global__ void add_row_vector_f32(long long n, int cols, float* x, const float* __restrict__ v) {
    GRID_STRIDE(i, n) x[i] += v[i % cols];
}

// out[c] += sum_r x[r, c]. block (32, 8), grid (ceil(cols/32), gy); each thread sums a strided
// set of rows in double, the 8 thread rows are combined in shared memory, one atomic per column
// per block.
extern "C" __global__ void sum_rows_f32(int rows, int cols, const float* __restrict__ x, float* out) {
    __shared__ double sh[TROWS][33];
    const int c = blockIdx.x * 32 + threadIdx.x;
    double s = 0.0;
    if (c < cols)
        for (int r = blockIdx.y * TROWS + threadIdx.y; r < rows; r += gridDim.y * TROWS)
            s += x[(long long)r * cols + c];
    sh[threadIdx.y][threadIdx.x] = s;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
        double t = 0.0;
        for (int q = 0; q < TROWS; q++) t += sh[q][threadIdx.x];
        atomicAdd(out + c, (float)t);
    }
}

// ------------------------------------------------------------------ layout

// (A, B, C, D) -> (A, C, B, D), one thread per output element.
extern "C" __global__ void swap_middle_f32(int a, int b, int c, int d, const float* __restrict__ x,
                                           float* __restrict__ out) {
    long long n = (long long)a * b * c * d;
    GRID_STRIDE(o, n) {
        long long q = o % d;  long long r = o / d;
        long long j = r % b;  r /= b;          // out index (i, l, j, q)
        long long l = r % c;  long long i = r / c;
        out[o] = x[((i * b + j) * c + l) * d + q];
    }
}

// (S, L, E): out[s, L-1-t, e] = x[s, t, e]
extern "C" __global__ void flip_sequence_f32(int s, int l, int e, const float* __restrict__ x,
                                             float* __restrict__ out) {
    long long n = (long long)s * l * e;
    GRID_STRIDE(o, n) {
        long long ei = o % e;  long long r = o / e;
        long long t = r % l;   long long si = r / l;
        out[o] = x[(si * l + (l - 1 - t)) * e + ei];
    }
}

// ------------------------------------------------------------------ causal conv (MODEL.md §4.2)

#define MAXK 16

// out[s,t,e] = bias[e] + sum_k w[e,k] x[s, t-K+1+k, e]
extern "C" __global__ void conv_fwd_f32(int S, int L, int E, int K, const float* __restrict__ x,
                                        const float* __restrict__ w, const float* __restrict__ bias,
                                        float* __restrict__ out) {
    long long n = (long long)S * L * E;
    GRID_STRIDE(o, n) {
        int e = (int)(o % E);  long long r = o / E;   // r = s*L + t
        int t = (int)(r % L);
        float acc = bias[e];
        for (int kk = 0; kk < K; kk++) {
            int src = t - K + 1 + kk;
            if (src >= 0) acc += w[e * K + kk] * x[(r - (K - 1 - kk)) * E + e];
        }
        out[o] = acc;
    }
}

// dx[s,u,e] = sum_kk dout[s, u+K-1-kk, e] w[e,kk] over taps that land inside [0, L) (gather, overwrite).
extern "C" __global__ void conv_bwd_dx_f32(int S, int L, int E, int K, const float* __restrict__ w,
                                           const float* __restrict__ dout, float* __restrict__ dx) {
    long long n = (long long)S * L * E;
    GRID_STRIDE(o, n) {
        int e = (int)(o % E);  long long r = o / E;
        int u = (int)(r % L);
        float acc = 0.0f;
        for (int kk = 0; kk < K; kk++) {
            int t = u + K - 1 - kk;
            if (t < L) acc += dout[(r + (K - 1 - kk)) * E + e] * w[e * K + kk];
        }
        dx[o] = acc;
    }
}

// dw[e,kk] += sum_{s,t} dout[s,t,e] x[s,t-K+1+kk,e]; dbias[e] += sum dout. Column reduction like
// sum_rows_f32: block (32, 8), grid (ceil(E/32), gy).
extern "C" __global__ void conv_bwd_params_f32(int S, int L, int E, int K, const float* __restrict__ x,
                                               const float* __restrict__ dout, float* dw, float* dbias) {
    __shared__ float sh[TROWS][33];
    const int e = blockIdx.x * 32 + threadIdx.x;
    float accw[MAXK];
#pragma unroll
    for (int q = 0; q < MAXK; q++) accw[q] = 0.0f;
    float accb = 0.0f;
    const int rows = S * L;
    if (e < E) {
        for (int r = blockIdx.y * TROWS + threadIdx.y; r < rows; r += gridDim.y * TROWS) {
            int t = r % L;
            float g = dout[(long long)r * E + e];
            accb += g;
#pragma unroll
            for (int kk = 0; kk < MAXK; kk++) {
                if (kk < K && t - K + 1 + kk >= 0)
                    accw[kk] += g * x[((long long)r - (K - 1 - kk)) * E + e];
            }
        }
    }
    // Combine the 8 thread rows, one tap at a time (K + 1 rounds).
    for (int kk = 0; kk <= K; kk++) {
        float v = accb;
#pragma unroll
        for (int q = 0; q < MAXK; q++) if (q == kk && kk < K) v = accw[q];   // kk == K: the bias
        __syncthreads();
        sh[threadIdx.y][threadIdx.x] = v;
        __syncthreads();
        if (threadIdx.y == 0 && e < E) {
            float t = 0.0f;
            for (int q = 0; q < TROWS; q++) t += sh[q][threadIdx.x];
            if (kk < K) atomicAdd(dw + e * K + kk, t); else atomicAdd(dbias + e, t);
        }
    }
}

// ------------------------------------------------------------------ images (ViM2, MODEL.md §7)
// Channels-last (B, H, W, E): consecutive threads = consecutive channels, so every load of x /
// dout / out coalesces; the (E, k, k) weight is read with stride k·k (small, cached).

// out[b,i,j,e] = bias[e] + sum_{p,q} w[e,p,q] x[b, i+p-K/2, j+q-K/2, e] (zero outside, 'same').
extern "C" __global__ void dwconv2d_fwd_f32(int B, int H, int W, int E, int K, const float* __restrict__ x,
                                            const float* __restrict__ w, const float* __restrict__ bias,
                                            float* __restrict__ out) {
    const int half = K / 2;
    GRID_STRIDE(o, (long long)B * H * W * E) {
        int e = (int)(o % E);  long long r = o / E;   // r = (b*H + i)*W + j
        int j = (int)(r % W);  int i = (int)((r / W) % H);
        float acc = bias[e];
        for (int p = 0; p < K; p++) {
            int ii = i + p - half;
            if (ii < 0 || ii >= H) continue;
            for (int q = 0; q < K; q++) {
                int jj = j + q - half;
                if (jj >= 0 && jj < W)
                    acc += w[(e * K + p) * K + q] * x[(r + (long long)(p - half) * W + (q - half)) * E + e];
            }
        }
        out[o] = acc;
    }
}

// dx[b,i,j,e] = sum_{p,q} w[e,p,q] dout[b, i-p+K/2, j-q+K/2, e] over taps that land inside the
// image (gather, overwrite, no atomics).
extern "C" __global__ void dwconv2d_bwd_dx_f32(int B, int H, int W, int E, int K, const float* __restrict__ w,
                                               const float* __restrict__ dout, float* __restrict__ dx) {
    const int half = K / 2;
    GRID_STRIDE(o, (long long)B * H * W * E) {
        int e = (int)(o % E);  long long r = o / E;
        int j = (int)(r % W);  int i = (int)((r / W) % H);
        float acc = 0.0f;
        for (int p = 0; p < K; p++) {
            int ii = i - p + half;
            if (ii < 0 || ii >= H) continue;
            for (int q = 0; q < K; q++) {
                int jj = j - q + half;
                if (jj >= 0 && jj < W)
                    acc += w[(e * K + p) * K + q] * dout[(r + (long long)(half - p) * W + (half - q)) * E + e];
            }
        }
        dx[o] = acc;
    }
}

// dw[e,p,q] += sum_{b,i,j} dout[b,i,j,e] x[b, i+p-K/2, j+q-K/2, e]; dbias[e] += sum dout.
// Column reduction like conv_bwd_params_f32 (block (32, 8): 32 channels, 8 row groups, strided
// rows, shared-memory combine), but deterministic: grid (ceil(E/32), K*K + 1), one block per
// (channel group, tap) with blockIdx.y == K*K the bias, and that block sums ALL B*H*W rows
// (double partials in a fixed order, then the 8 row groups in a fixed order), so each dw / dbias
// element gets exactly one plain add from exactly one thread: no atomics, bit-reproducible.
extern "C" __global__ void dwconv2d_bwd_params_f32(int B, int H, int W, int E, int K, const float* __restrict__ x,
                                                   const float* __restrict__ dout, float* dw, float* dbias) {
    __shared__ double sh[TROWS][33];
    const int e = blockIdx.x * 32 + threadIdx.x;
    const int tap = blockIdx.y;                   // p*K + q, or K*K = the bias
    const int half = K / 2;
    const long long rows = (long long)B * H * W;
    double acc = 0.0;
    if (e < E) {
        if (tap == K * K) {
            for (long long r = threadIdx.y; r < rows; r += TROWS) acc += dout[r * E + e];
        } else {
            const int dp = tap / K - half, dq = tap % K - half;
            const long long shift = (long long)dp * W + dq;   // row offset of the tap's source
            for (long long r = threadIdx.y; r < rows; r += TROWS) {
                int j = (int)(r % W), i = (int)((r / W) % H);
                int ii = i + dp, jj = j + dq;
                if (ii >= 0 && ii < H && jj >= 0 && jj < W)
                    acc += (double)dout[r * E + e] * x[(r + shift) * E + e];
            }
        }
    }
    sh[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && e < E) {
        double t = 0.0;
        for (int q = 0; q < TROWS; q++) t += sh[q][threadIdx.x];
        if (tap == K * K) dbias[e] += (float)t; else dw[e * K * K + tap] += (float)t;
    }
}

// PatchMerging2D gather: (B, H, W, C) -> (B, ceil(H/2), ceil(W/2), 4C), neighbour `part` of
// output cell (i, j) is x[b, 2i + (part & 1), 2j + (part >> 1)] (order (0,0), (1,0), (0,1), (1,1):
// row offset first), zero past an odd edge. One thread per output element.
extern "C" __global__ void merge2x2_fwd_f32(int B, int H, int W, int C, const float* __restrict__ x,
                                            float* __restrict__ out) {
    const int Ho = (H + 1) / 2, Wo = (W + 1) / 2;
    GRID_STRIDE(o, (long long)B * Ho * Wo * 4 * C) {
        int c = (int)(o % C);     long long r = o / C;
        int part = (int)(r & 3);  r >>= 2;
        int j = (int)(r % Wo);    r /= Wo;
        int i = (int)(r % Ho);    long long b = r / Ho;
        int ii = 2 * i + (part & 1), jj = 2 * j + (part >> 1);
        out[o] = ii < H && jj < W ? x[((b * H + ii) * W + jj) * C + c] : 0.0f;
    }
}

// Adjoint (gather, overwrite): every input cell has exactly one source, one thread per dx element.
extern "C" __global__ void merge2x2_bwd_f32(int B, int H, int W, int C, const float* __restrict__ dout,
                                            float* __restrict__ dx) {
    const int Ho = (H + 1) / 2, Wo = (W + 1) / 2;
    GRID_STRIDE(o, (long long)B * H * W * C) {
        int c = (int)(o % C);  long long r = o / C;
        int j = (int)(r % W);  r /= W;
        int i = (int)(r % H);  long long b = r / H;
        int part = (i & 1) | ((j & 1) << 1);
        dx[o] = dout[(((b * Ho + (i >> 1)) * Wo + (j >> 1)) * 4 + part) * C + c];
    }
}

// ------------------------------------------------------------------ LayerNorm

// One block (256 threads) per row; statistics in double, two passes (population variance).
extern "C" __global__ void layernorm_fwd_f32(int rows, int n, float eps, const float* __restrict__ x,
                                             const float* __restrict__ gamma, const float* __restrict__ beta,
                                             float* __restrict__ out, float* __restrict__ meanOut,
                                             float* __restrict__ rstdOut) {
    __shared__ double sh[32];
    const int row = blockIdx.x;
    const float* xr = x + (long long)row * n;
    float* orow = out + (long long)row * n;
    double s = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += xr[i];
    const double mean = blockSumD(s, sh) / n;
    double v = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) { double d = xr[i] - mean; v += d * d; }
    const double var = blockSumD(v, sh) / n;
    const double rs = 1.0 / sqrt(var + (double)eps);
    const float mf = (float)mean, rf = (float)rs;
    if (threadIdx.x == 0) { meanOut[row] = mf; rstdOut[row] = rf; }
    for (int i = threadIdx.x; i < n; i += blockDim.x) orow[i] = (xr[i] - mf) * rf * gamma[i] + beta[i];
}

// dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dout gamma. One block per row.
extern "C" __global__ void layernorm_bwd_dx_f32(int rows, int n, const float* __restrict__ x,
                                                const float* __restrict__ gamma, const float* __restrict__ mean,
                                                const float* __restrict__ rstd, const float* __restrict__ dout,
                                                float* __restrict__ dx) {
    __shared__ double sh[32];
    const int row = blockIdx.x;
    const long long base = (long long)row * n;
    const float m = mean[row], r = rstd[row];
    double sd = 0.0, sdx = 0.0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float xhat = (x[base + i] - m) * r;
        float dxh = dout[base + i] * gamma[i];
        sd += dxh;
        sdx += (double)dxh * xhat;
    }
    const float meanD = (float)(blockSumD(sd, sh) / n);
    const float meanDX = (float)(blockSumD(sdx, sh) / n);
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        float xhat = (x[base + i] - m) * r;
        float dxh = dout[base + i] * gamma[i];
        dx[base + i] = r * (dxh - meanD - xhat * meanDX);
    }
}

// dgamma[i] += sum_r dout xhat; dbeta[i] += sum_r dout. block (32, 8), grid (ceil(n/32), gy).
extern "C" __global__ void layernorm_bwd_params_f32(int rows, int n, const float* __restrict__ x,
                                                    const float* __restrict__ mean, const float* __restrict__ rstd,
                                                    const float* __restrict__ dout, float* dgamma, float* dbeta) {
    __shared__ double shg[TROWS][33];
    __shared__ double shb[TROWS][33];
    const int i = blockIdx.x * 32 + threadIdx.x;
    double g = 0.0, b = 0.0;
    if (i < n)
        for (int r = blockIdx.y * TROWS + threadIdx.y; r < rows; r += gridDim.y * TROWS) {
            long long idx = (long long)r * n + i;
            float xhat = (x[idx] - mean[r]) * rstd[r];
            g += dout[idx] * xhat;
            b += dout[idx];
        }
    shg[threadIdx.y][threadIdx.x] = g;
    shb[threadIdx.y][threadIdx.x] = b;
    __syncthreads();
    if (threadIdx.y == 0 && i < n) {
        double tg = 0.0, tb = 0.0;
        for (int q = 0; q < TROWS; q++) { tg += shg[q][threadIdx.x]; tb += shb[q][threadIdx.x]; }
        atomicAdd(dgamma + i, (float)tg);
        atomicAdd(dbeta + i, (float)tb);
    }
}

// ------------------------------------------------------------------ RevIN (MODEL.md §6.3 step 1)

// One thread per (b, m): statistics over T in double (population variance).
extern "C" __global__ void revin_norm_f32(int B, int T, int M, float eps, const float* __restrict__ x,
                                          const float* __restrict__ gamma, const float* __restrict__ beta,
                                          float* __restrict__ out, float* __restrict__ meanOut,
                                          float* __restrict__ stdOut) {
    GRID_STRIDE(pm, (long long)B * M) {
        int bi = (int)(pm / M), mi = (int)(pm % M);
        const float* xb = x + (long long)bi * T * M + mi;     // x[bi, t, mi] = xb[t*M]
        double s = 0.0;
        for (int t = 0; t < T; t++) s += xb[(long long)t * M];
        double mean = s / T;
        double v = 0.0;
        for (int t = 0; t < T; t++) { double d = xb[(long long)t * M] - mean; v += d * d; }
        double sd = sqrt(v / T + (double)eps);
        meanOut[pm] = (float)mean;
        stdOut[pm] = (float)sd;
        float mf = (float)mean, inv = (float)(1.0 / sd), g = gamma[mi], bt = beta[mi];
        float* ob = out + (long long)bi * T * M + mi;
        for (int t = 0; t < T; t++) ob[(long long)t * M] = (xb[(long long)t * M] - mf) * inv * g + bt;
    }
}

// dgamma[m] += sum_{b,t} dout (x - mean)/std; dbeta[m] += sum dout. One thread per (b, m).
extern "C" __global__ void revin_norm_bwd_f32(int B, int T, int M, const float* __restrict__ x,
                                              const float* __restrict__ mean, const float* __restrict__ std,
                                              const float* __restrict__ dout, float* dgamma, float* dbeta) {
    GRID_STRIDE(pm, (long long)B * M) {
        int bi = (int)(pm / M), mi = (int)(pm % M);
        long long base = (long long)bi * T * M + mi;
        float mu = mean[pm], inv = 1.0f / std[pm];
        double g = 0.0, b = 0.0;
        for (int t = 0; t < T; t++) {
            float gv = dout[base + (long long)t * M];
            g += gv * (x[base + (long long)t * M] - mu) * inv;
            b += gv;
        }
        atomicAdd(dgamma + mi, (float)g);
        atomicAdd(dbeta + mi, (float)b);
    }
}

// out = (y - beta)/(gamma + eps^2) * std + mean, element-wise over (B, H, M).
extern "C" __global__ void revin_denorm_f32(int B, int H, int M, float eps2, const float* __restrict__ y,
                                            const float* __restrict__ gamma, const float* __restrict__ beta,
                                            const float* __restrict__ mean, const float* __restrict__ std,
                                            float* __restrict__ out) {
    GRID_STRIDE(i, (long long)B * H * M) {
        int mi = (int)(i % M);
        long long bi = i / ((long long)H * M);
        long long pm = bi * M + mi;
        out[i] = (y[i] - beta[mi]) / (gamma[mi] + eps2) * std[pm] + mean[pm];
    }
}

// dy = dout std/(gamma + eps^2) (overwrite); dbeta -= sum dy; dgamma -= sum dy (y - beta)/(gamma + eps^2).
// One thread per (b, m) looping over H.
extern "C" __global__ void revin_denorm_bwd_f32(int B, int H, int M, float eps2, const float* __restrict__ y,
                                                const float* __restrict__ gamma, const float* __restrict__ beta,
                                                const float* __restrict__ std, const float* __restrict__ dout,
                                                float* __restrict__ dy, float* dgamma, float* dbeta) {
    GRID_STRIDE(pm, (long long)B * M) {
        int bi = (int)(pm / M), mi = (int)(pm % M);
        long long base = (long long)bi * H * M + mi;
        float denom = gamma[mi] + eps2, sd = std[pm], bt = beta[mi];
        double g = 0.0, b = 0.0;
        for (int h = 0; h < H; h++) {
            long long i = base + (long long)h * M;
            float k = dout[i] * sd / denom;   // dL/dy
            dy[i] = k;
            b -= k;
            g -= (double)k * (y[i] - bt) / denom;
        }
        atomicAdd(dgamma + mi, (float)g);
        atomicAdd(dbeta + mi, (float)b);
    }
}

// ------------------------------------------------------------------ patching (MODEL.md §6.3 step 2)

// out[b,m,j,p] = x[b, min(j*S + p, T-1), m]
extern "C" __global__ void patchify_f32(int B, int T, int M, int P, int S, int NP, const float* __restrict__ x,
                                        float* __restrict__ out) {
    GRID_STRIDE(o, (long long)B * M * NP * P) {
        int pi = (int)(o % P);  long long r = o / P;
        int j = (int)(r % NP);  r /= NP;
        int mi = (int)(r % M);  long long bi = r / M;
        int src = min(j * S + pi, T - 1);
        out[o] = x[(bi * T + src) * M + mi];
    }
}

// Gather adjoint: dx[b,t,m] = sum of dout[b,m,j,p] over (j, p) with min(j*S + p, T-1) == t.
extern "C" __global__ void patchify_bwd_f32(int B, int T, int M, int P, int S, int NP,
                                            const float* __restrict__ dout, float* __restrict__ dx) {
    GRID_STRIDE(o, (long long)B * T * M) {
        int mi = (int)(o % M);  long long r = o / M;
        int t = (int)(r % T);   long long bi = r / T;
        const float* g = dout + (bi * M + mi) * (long long)NP * P;   // g[j*P + p]
        float acc = 0.0f;
        for (int j = 0; j < NP; j++) {
            int lo = t - j * S;                // the p with j*S + p == t
            if (t < T - 1) {
                if (lo >= 0 && lo < P) acc += g[j * P + lo];
            } else {                           // last step also collects the end padding
                for (int p = max(lo, 0); p < P; p++) acc += g[j * P + p];
            }
        }
        dx[o] = acc;
    }
}

// ------------------------------------------------------------------ AdamW

// omb1 = 1 - b1 and omb2 = 1 - b2 come from the host in double: 1.0f - 0.999f is off by 1e-5.
extern "C" __global__ void adamw_f32(long long n, float* __restrict__ p, const float* __restrict__ grad,
                                     float* __restrict__ m, float* __restrict__ v, float lr, float b1,
                                     float b2, float omb1, float omb2, float eps, float wd, float c1,
                                     float c2, float gradScale) {
    GRID_STRIDE(i, n) {
        float g = grad[i] * gradScale;
        float mi = b1 * m[i] + omb1 * g;
        float vi = b2 * v[i] + omb2 * g * g;
        m[i] = mi;
        v[i] = vi;
        float mHat = mi / c1, vHat = vi / c2;
        p[i] -= lr * (mHat / (sqrtf(vHat) + eps) + wd * p[i]);
    }
}

// ------------------------------------------------------------------ multi-tensor (one launch for a list)
//
// A tensor list lives on the device as a table of 64-bit words (CudaBackend.MultiTable), uploaded
// once per list: K pointer columns of T entries (column k, tensor i at k*T + i), then T element
// counts, then (AdamW only) T weight decays as double bits. Every block walks all T tensors with a
// grid-stride loop each, so one launch replaces T (the per-launch host cost dominated a step).

// Writes the device address p into *dst: the host cannot read a CUdeviceptr's address.
extern "C" __global__ void store_ptr_u64(const float* p, unsigned long long* dst) {
    if (blockIdx.x == 0 && threadIdx.x == 0) *dst = (unsigned long long)p;
}

// AdamW over a tensor table, tensor by tensor, with adamw_f32's arithmetic (shared by the host-driven
// and the device-resident multi-tensor kernels, so both give the per-tensor results bit for bit).
__device__ void adamwTable_(int T, const long long* __restrict__ table, float lr, float b1, float b2, float omb1,
                            float omb2, float eps, float c1, float c2, float gradScale) {
    for (int k = 0; k < T; k++) {
        float* __restrict__ p = (float*)table[k];
        const float* __restrict__ grad = (const float*)table[T + k];
        float* __restrict__ m = (float*)table[2 * T + k];
        float* __restrict__ v = (float*)table[3 * T + k];
        const long long n = table[4 * T + k];
        const float wd = (float)__longlong_as_double(table[5 * T + k]);
        GRID_STRIDE(i, n) {
            float g = grad[i] * gradScale;
            float mi = b1 * m[i] + omb1 * g;
            float vi = b2 * v[i] + omb2 * g * g;
            m[i] = mi;
            v[i] = vi;
            float mHat = mi / c1, vHat = vi / c2;
            p[i] -= lr * (mHat / (sqrtf(vHat) + eps) + wd * p[i]);
        }
    }
}

// Same arithmetic as adamw_f32, tensor by tensor (results identical to T adamw_f32 launches).
extern "C" __global__ void adamw_multi_f32(int T, const long long* __restrict__ table, float lr, float b1,
                                           float b2, float omb1, float omb2, float eps, float c1, float c2,
                                           float gradScale) {
    adamwTable_(T, table, lr, b1, b2, omb1, omb2, eps, c1, c2, gradScale);
}

// result[0] += sum over the T tensors of x*x in double (one atomic per block; caller zeroes it).
extern "C" __global__ void sumsq_multi_f64(int T, const long long* __restrict__ table, double* result) {
    __shared__ double sh[32];
    double s = 0.0;
    for (int k = 0; k < T; k++) {
        const float* __restrict__ x = (const float*)table[k];
        const long long n = table[T + k];
        GRID_STRIDE(i, n) s += (double)x[i] * (double)x[i];
    }
    s = blockSumD(s, sh);
    if (threadIdx.x == 0) atomicAdd(result, s);
}

// Zeroes all T tensors.
extern "C" __global__ void zero_multi_f32(int T, const long long* __restrict__ table) {
    for (int k = 0; k < T; k++) {
        float* __restrict__ x = (float*)table[k];
        const long long n = table[T + k];
        GRID_STRIDE(i, n) x[i] = 0.0f;
    }
}

// ------------------------------------------------------------------ selective scan (MODEL.md §3)
//
// Two schemes. N <= 32 (scan_*_n16, scan_*_n32, below the N = 64 one): NL lanes per (s, e)
// pair, lane n holding state n. N = 64 (scan_*_n64, this one): one thread per (s, e) pair, pid = s*E + e, holding its N-vector state in
// registers (MAXN is a compile-time bound >= N; loops run to MAXN with an n < N guard so the
// arrays stay in registers). Consecutive threads are consecutive channels, so loads of
// u/deltaRaw/z (S, L, E) are coalesced and B/C (S, L, N) rows are broadcast.

template <int MAXN>
__device__ void scanFwd(int S, int L, int E, int N, int chunk, int NC,
                        const float* __restrict__ u, const float* __restrict__ deltaRaw,
                        const float* __restrict__ aLog, const float* __restrict__ bmat,
                        const float* __restrict__ cmat, const float* __restrict__ dvec,
                        const float* __restrict__ z, const float* __restrict__ deltaBias,
                        float* __restrict__ out, float* __restrict__ ck) {
    const long long pid = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (pid >= (long long)S * E) return;
    const int s = (int)(pid / E), e = (int)(pid % E);
    float a[MAXN], h[MAXN];
#pragma unroll
    for (int n = 0; n < MAXN; n++) { a[n] = n < N ? -expf(aLog[e * N + n]) : 0.0f; h[n] = 0.0f; }
    const float db = deltaBias[e], dd = dvec[e];
    for (int t = 0; t < L; t++) {
        if (t % chunk == 0) {   // state entering chunk t/chunk, i.e. h_{t-1}
            float* dst = ck + (((long long)s * NC + t / chunk) * E + e) * N;
#pragma unroll
            for (int n = 0; n < MAXN; n++) if (n < N) dst[n] = h[n];
        }
        const long long ti = ((long long)s * L + t) * E + e;   // (s, t, e) in (S, L, E)
        const long long tn = ((long long)s * L + t) * N;       // (s, t, 0) in (S, L, N)
        const float ut = u[ti];
        const float delta = softplus20f_(deltaRaw[ti] + db);
        const float du = delta * ut;
        float y = dd * ut;
#pragma unroll
        for (int n = 0; n < MAXN; n++) {
            if (n < N) {
                h[n] = expf(delta * a[n]) * h[n] + du * bmat[tn + n];
                y += cmat[tn + n] * h[n];
            }
        }
        out[ti] = z == nullptr ? y : y * siluf_(z[ti]);
    }
}

#define SCAN_FWD(NAME, MAXN)                                                                        \
    extern "C" __global__ void NAME(int S, int L, int E, int N, int chunk, int NC,                   \
                                    const float* u, const float* deltaRaw, const float* aLog,        \
                                    const float* bmat, const float* cmat, const float* dvec,         \
                                    const float* z, const float* deltaBias, float* out, float* ck) { \
        scanFwd<MAXN>(S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z, deltaBias, out, ck); \
    }
SCAN_FWD(scan_fwd_n64, 64)

// Adds v into *dst for every lane; when the whole warp is one sequence (warpUniform) the 32
// contributions are summed with shuffles first and lane 0 issues one atomic.
__device__ __forceinline__ void warpAtomicAdd(float* dst, float v, bool warpUniform, bool valid) {
    if (warpUniform) {
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
        if ((threadIdx.x & 31) == 0) atomicAdd(dst, v);
    } else if (valid) {
        atomicAdd(dst, v);
    }
}

// Backward (MODEL.md §3.3) for pairs [p0, p0 + count). For each chunk, last to first, the chunk's
// states are recomputed from its checkpoint into scratch rows hs[tt][n][lp] (tt = 0 is the
// state entering the chunk; lp = local pair, fastest, so scratch traffic is coalesced), then the
// steps are walked backwards with the adjoint carry Ā_{t+1} λ_{t+1} in registers.
// dB, dC (sum over e) must be zeroed by the caller; dALog, dD, dDeltaBias accumulate.
// Lanes past the end stay in the loops (computing on a clamped pair) so warp shuffles are safe.
template <int MAXN>
__device__ void scanBwd(int p0, int count, int S, int L, int E, int N, int chunk, int NC,
                        const float* __restrict__ u, const float* __restrict__ deltaRaw,
                        const float* __restrict__ aLog, const float* __restrict__ bmat,
                        const float* __restrict__ cmat, const float* __restrict__ dvec,
                        const float* __restrict__ z, const float* __restrict__ deltaBias,
                        const float* __restrict__ ck, const float* __restrict__ dout,
                        float* __restrict__ du, float* __restrict__ dDeltaRaw, float* dALog,
                        float* dB, float* dC, float* dD, float* __restrict__ dz, float* dDeltaBias,
                        float* __restrict__ hs) {
    const int lp = blockIdx.x * blockDim.x + threadIdx.x;          // local pair
    const bool valid = lp < count;
    const long long pid = (long long)p0 + (valid ? lp : count - 1);
    const int s = (int)(pid / E), e = (int)(pid % E);
    // All 32 lanes valid and on the same sequence -> shuffle-reduce dB/dC before the atomics.
    const int s0 = __shfl_sync(FULL_MASK, s, 0);
    const bool warpUniform = __all_sync(FULL_MASK, valid && s == s0);
    const long long rowStride = (long long)N * count;               // one tt row of hs
    float* hp = hs + lp;                                            // hs[(tt*N + n)*count + lp]

    float a[MAXN], carry[MAXN], dA[MAXN], hcur[MAXN];
#pragma unroll
    for (int n = 0; n < MAXN; n++) {
        a[n] = n < N ? -expf(aLog[e * N + n]) : 0.0f;
        carry[n] = 0.0f;      // nothing flows in from t = L
        dA[n] = 0.0f;
    }
    const float db = deltaBias[e], dd = dvec[e];
    float dDacc = 0.0f, dDBacc = 0.0f;

    for (int c = NC - 1; c >= 0; c--) {
        const int t0 = c * chunk, t1 = min(L, t0 + chunk);
        // Recompute the chunk's states (same arithmetic as the forward).
        const float* src = ck + (((long long)s * NC + c) * E + e) * N;
#pragma unroll
        for (int n = 0; n < MAXN; n++) if (n < N) { hcur[n] = src[n]; if (valid) hp[(long long)n * count] = hcur[n]; }
        for (int t = t0; t < t1; t++) {
            const long long ti = ((long long)s * L + t) * E + e, tn = ((long long)s * L + t) * N;
            const float delta = softplus20f_(deltaRaw[ti] + db);
            const float dxu = delta * u[ti];
            float* row = hp + (long long)(t - t0 + 1) * rowStride;
#pragma unroll
            for (int n = 0; n < MAXN; n++)
                if (n < N) {
                    hcur[n] = expf(delta * a[n]) * hcur[n] + dxu * bmat[tn + n];
                    if (valid) row[(long long)n * count] = hcur[n];
                }
        }
        for (int t = t1 - 1; t >= t0; t--) {
            const long long ti = ((long long)s * L + t) * E + e, tn = ((long long)s * L + t) * N;
            const float* rowCur = hp + (long long)(t - t0 + 1) * rowStride;   // h_t
            const float* rowPrev = rowCur - rowStride;                          // h_{t-1}
            // Lanes past the end never wrote scratch (their column may lie outside it), so they
            // read zeros; with g = 0 all their contributions are zero anyway.
            const float x = deltaRaw[ti] + db;
            const float delta = softplus20f_(x);
            const float ut = u[ti];
            const float g = valid ? dout[ti] : 0.0f;

            // 1. Gate: y is the pre-gate output (includes D u).
            float gt = g;
            if (z != nullptr) {
                float y = dd * ut;
#pragma unroll
                for (int n = 0; n < MAXN; n++) if (n < N) y += cmat[tn + n] * (valid ? rowCur[(long long)n * count] : 0.0f);
                const float zt = z[ti];
                if (valid) dz[ti] = g * y * siluGradf_(zt);
                gt = g * siluf_(zt);
            }
            // 2. Skip.
            dDacc += gt * ut;
            float dut = dd * gt;
            float ddelta = 0.0f, lamB = 0.0f;
#pragma unroll
            for (int n = 0; n < MAXN; n++) {
                if (n < N) {
                    const float hc = valid ? rowCur[(long long)n * count] : 0.0f;
                    const float hprev = valid ? rowPrev[(long long)n * count] : 0.0f;
                    const float abar = expf(delta * a[n]);
                    // 3. C: dC_t[n] = sum_e g_t h_t.
                    warpAtomicAdd(dC + tn + n, gt * hc, warpUniform, valid);
                    // 4. State adjoint: λ_t = g_t C_t + Ā_{t+1} λ_{t+1}.
                    const float lam = gt * cmat[tn + n] + carry[n];
                    // 5. p_t = Ā_t h_{t-1}.
                    const float p = abar * hprev;
                    warpAtomicAdd(dB + tn + n, lam * delta * ut, warpUniform, valid);
                    lamB += lam * bmat[tn + n];
                    ddelta += lam * a[n] * p;
                    dA[n] += lam * delta * p;
                    carry[n] = abar * lam;   // Ā_t λ_t, used by step t-1
                }
            }
            dut += delta * lamB;
            ddelta += ut * lamB;
            // 6. Softplus: σ(x) below the threshold, identity above.
            const float ddr = x > 20.0f ? ddelta : ddelta * sigmoidf_(x);
            if (valid) { du[ti] = dut; dDeltaRaw[ti] = ddr; }
            dDBacc += ddr;
        }
    }
    if (valid) {
        // dA_log = dA ⊙ A since ∂A/∂A_log = A.
#pragma unroll
        for (int n = 0; n < MAXN; n++) if (n < N) atomicAdd(dALog + e * N + n, dA[n] * a[n]);
        atomicAdd(dD + e, dDacc);
        atomicAdd(dDeltaBias + e, dDBacc);
    }
}

#define SCAN_BWD(NAME, MAXN)                                                                          \
    extern "C" __global__ void NAME(int p0, int count, int S, int L, int E, int N, int chunk, int NC,  \
                                    const float* u, const float* deltaRaw, const float* aLog,          \
                                    const float* bmat, const float* cmat, const float* dvec,           \
                                    const float* z, const float* deltaBias, const float* ck,           \
                                    const float* dout, float* du, float* dDeltaRaw, float* dALog,      \
                                    float* dB, float* dC, float* dD, float* dz, float* dDeltaBias,     \
                                    float* hs) {                                                       \
        scanBwd<MAXN>(p0, count, S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z,       \
                      deltaBias, ck, dout, du, dDeltaRaw, dALog, dB, dC, dD, dz, dDeltaBias, hs);     \
    }
SCAN_BWD(scan_bwd_n64, 64)

// ------------------------------------------------------------------ selective scan, N <= 32
//
// One thread per (sequence s, channel e) with the N-state in registers (MAXN = 16 or 32 is the
// compile-time bound; states n >= N run with A = 0 and B = C = 0, so they stay exactly zero and
// contribute nothing). A block is up to SCANR_BLOCK consecutive channels of ONE sequence (grid
// (S, ceil(E / blockDim))), so a warp's loads of u / Δ_raw / z / dout rows are one coalesced
// 128-byte transaction and sums over n (y, λ·B, λ·A·p) stay inside the thread (no shuffles).
// Latency hiding: the sequential loop over L runs on tiles of SCANR_TT steps whose inputs are
// staged into shared memory first (B/C rows cooperatively, u/Δ/z/dout each thread its own
// column), so all of a tile's loads are in flight at once instead of one dependent load per step.

#define SCANR_BLOCK 128
#define SCANR_TT 16

template <int MAXN>
__device__ void scanFwdReg(int S, int L, int E, int N, int chunk, int NC,
                           const float* __restrict__ u, const float* __restrict__ deltaRaw,
                           const float* __restrict__ aLog, const float* __restrict__ bmat,
                           const float* __restrict__ cmat, const float* __restrict__ dvec,
                           const float* __restrict__ z, const float* __restrict__ deltaBias,
                           float* __restrict__ out, float* __restrict__ ck) {
    __shared__ float sB[SCANR_TT][MAXN], sC[SCANR_TT][MAXN];
    __shared__ float sU[SCANR_TT][SCANR_BLOCK], sX[SCANR_TT][SCANR_BLOCK], sZ[SCANR_TT][SCANR_BLOCK];
    const int tid = threadIdx.x, s = blockIdx.x;
    const int eRaw = blockIdx.y * blockDim.x + tid;
    const bool valid = eRaw < E;
    const int e = valid ? eRaw : E - 1;   // channels past E compute on a clamped channel, write nothing
    float a[MAXN], h[MAXN];
#pragma unroll
    for (int n = 0; n < MAXN; n++) { a[n] = n < N ? -expf(aLog[e * N + n]) : 0.0f; h[n] = 0.0f; }
    const float db = deltaBias[e], dd = dvec[e];
    const long long rowS = (long long)s * L;   // row (s, 0) of (S, L, *)
    for (int tb = 0; tb < L; tb += SCANR_TT) {
        const int nt = min(SCANR_TT, L - tb);
        __syncthreads();   // the previous tile is consumed
        for (int i = tid; i < SCANR_TT * MAXN; i += blockDim.x) {
            const int tt = i / MAXN, n = i % MAXN;
            const bool in = tt < nt && n < N;
            const long long o = (rowS + tb + tt) * N + n;   // (s, t, n) in (S, L, N)
            sB[tt][n] = in ? bmat[o] : 0.0f;
            sC[tt][n] = in ? cmat[o] : 0.0f;
        }
#pragma unroll
        for (int tt = 0; tt < SCANR_TT; tt++) {
            if (tt < nt) {
                const long long ti = (rowS + tb + tt) * E + e;   // (s, t, e) in (S, L, E)
                sU[tt][tid] = u[ti];
                sX[tt][tid] = deltaRaw[ti];
                if (z != nullptr) sZ[tt][tid] = z[ti];
            }
        }
        __syncthreads();
        for (int tt = 0; tt < nt; tt++) {
            const int t = tb + tt;
            if (t % chunk == 0 && valid) {   // state entering chunk t/chunk, i.e. h_{t-1}
                float* dst = ck + (((long long)s * NC + t / chunk) * E + e) * N;
#pragma unroll
                for (int n = 0; n < MAXN; n++) if (n < N) dst[n] = h[n];
            }
            const float ut = sU[tt][tid];
            const float delta = softplus20f_(sX[tt][tid] + db);
            const float dxu = delta * ut;
            float y = dd * ut;
#pragma unroll
            for (int n = 0; n < MAXN; n++) {
                h[n] = expf(delta * a[n]) * h[n] + dxu * sB[tt][n];
                y += sC[tt][n] * h[n];
            }
            if (valid) out[(rowS + t) * E + e] = z == nullptr ? y : y * siluf_(sZ[tt][tid]);
        }
    }
}

// Sum over the warp's 32 lanes of v[lane] ends in lane `lane` (reduce-scatter: 16+8+4+2+1 = 31
// shuffles for 32 sums instead of 32 * 5). At each stage a lane keeps the half of its values
// selected by its lane bit and adds the partner's copy of that half.
template <int O>
__device__ __forceinline__ void reduceScatterStage(float (&v)[32], int lane) {
    const bool up = (lane & O) != 0;
#pragma unroll
    for (int i = 0; i < O; i++) {
        const float keep = up ? v[i + O] : v[i];
        const float send = up ? v[i] : v[i + O];
        v[i] = keep + __shfl_xor_sync(FULL_MASK, send, O);
    }
}

// (Stages as template calls so every index is a compile-time constant: v stays in registers.)
__device__ __forceinline__ float warpReduceScatter32(float (&v)[32]) {
    const int lane = threadIdx.x & 31;
    reduceScatterStage<16>(v, lane);
    reduceScatterStage<8>(v, lane);
    reduceScatterStage<4>(v, lane);
    reduceScatterStage<2>(v, lane);
    reduceScatterStage<1>(v, lane);
    return v[0];
}

// ------------------------------------------------------------------ selective scan, N <= 16, fast path
//
// scan_fwd_f16 / scan_bwd_f16 (CudaBackend uses them for N <= 16; the backward for chunk <= 64).
// Same thread mapping as the N <= 32 kernels below (one thread per (s, e), the 16 states in
// registers, states n >= N run with A = B = C = 0 and stay 0), but built to keep the memory
// system busy while the SFU works:
//  * one MUFU ex2 per state update: Ā = 2^(Δ · A·log2 e) with A·log2 e precomputed;
//  * forward: 16-step tiles of u/Δ_raw/z (each thread its column) and B/C rows are copied into a
//    double-buffered shared-memory stage with cp.async one tile ahead, so the loads of tile k+1
//    are in flight while tile k is computed (2 __syncthreads per 16 steps, none per step);
//  * backward: no global scratch. One warp per block (32 channels); per checkpoint chunk
//    (<= SB_SUB * SB_T = 64 steps) the warp first runs the chunk forward from its checkpoint and
//    keeps the state entering each SB_T-step segment in shared memory (sSub), then for each
//    segment, last first, recomputes its SB_T states into shared memory (sHist) and walks them
//    backwards. Each lane only touches its own column of sSub/sHist, so only the B/C rows need
//    __syncwarp. The next segment's inputs are prefetched into registers while the current one
//    is computed. Cost: 3 ex2 per state and step (chunk pass, segment recompute, adjoint) in
//    exchange for zero scratch traffic; 33 KB shared memory per warp.
//  * dB/dC: warp reduce-scatter (lane k ends with value k of the 32 = 16 dB + 16 dC), then one
//    coalesced store (E <= 32: one block holds all channels) or atomic add (onto zeros) per lane.

#define SF_BLK 64   // channels per forward block
#define SF_T 8      // steps per forward stage (2 stages: 14 KB per block)
#define SB_T 8      // steps per backward segment (states recomputed into shared memory)
#define SB_SUB 8    // segments per checkpoint chunk at most: the fast backward needs chunk <= 64
#define LOG2E_F 1.4426950408889634f

__device__ __forceinline__ float ex2f_(float x) {
#ifdef __CUDA_ARCH__
    float r;
    asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(r) : "f"(x));
    return r;
#else
    return exp2f(x);
#endif
}

// 4-byte global -> shared copy, asynchronous on the device (cp.async, sm_80+).
__device__ __forceinline__ void cpAsync4_(float* sdst, const float* gsrc) {
#ifdef __CUDA_ARCH__
    const unsigned sa = (unsigned)__cvta_generic_to_shared(sdst);
    asm volatile("cp.async.ca.shared.global [%0], [%1], 4;\n" ::"r"(sa), "l"(gsrc));
#else
    *sdst = *gsrc;
#endif
}
__device__ __forceinline__ void cpAsyncCommit_() {
#ifdef __CUDA_ARCH__
    asm volatile("cp.async.commit_group;\n" ::);
#endif
}
// Waits until at most one committed group of this thread is still in flight.
__device__ __forceinline__ void cpAsyncWait1_() {
#ifdef __CUDA_ARCH__
    asm volatile("cp.async.wait_group 1;\n" ::);
#endif
}

// The 16 floats of a shared-memory row as four 128-bit loads.
__device__ __forceinline__ void loadRow16_(const float4 (&row)[4], float (&v)[16]) {
#pragma unroll
    for (int q = 0; q < 4; q++) {
        const float4 x = row[q];
        v[4 * q] = x.x; v[4 * q + 1] = x.y; v[4 * q + 2] = x.z; v[4 * q + 3] = x.w;
    }
}

// Grid (S, ceil(E / blockDim.x)), block 32 or SF_BLK channels (CudaBackend.scanFastFwdBlock).
extern "C" __global__ void __launch_bounds__(SF_BLK, 12)
scan_fwd_f16(int S, int L, int E, int N, int chunk, int NC, const float* __restrict__ u,
             const float* __restrict__ deltaRaw, const float* __restrict__ aLog, const float* __restrict__ bmat,
             const float* __restrict__ cmat, const float* __restrict__ dvec, const float* __restrict__ z,
             const float* __restrict__ deltaBias, float* __restrict__ out, float* __restrict__ ck) {
    __shared__ float fU[2][SF_T][SF_BLK], fX[2][SF_T][SF_BLK], fZ[2][SF_T][SF_BLK];
    __shared__ float4 fB[2][SF_T][4], fC[2][SF_T][4];   // B/C rows, read as float4
    const int tid = threadIdx.x, s = blockIdx.x;
    const int eRaw = blockIdx.y * blockDim.x + tid;
    const bool valid = eRaw < E;
    const int e = valid ? eRaw : E - 1;
    const bool gate = z != nullptr;
    float a2[16], h[16];
#pragma unroll
    for (int n = 0; n < 16; n++) { a2[n] = n < N ? -expf(aLog[e * N + n]) * LOG2E_F : 0.0f; h[n] = 0.0f; }
    const float db = deltaBias[e], dd = dvec[e];
    const long long rowS = (long long)s * L;
    const int nTiles = (L + SF_T - 1) / SF_T;

    // Stage tile k into buffer b: asynchronous copies for what exists, zeros for the rest.
    auto issue = [&](int k, int b) {
        const int tb = k * SF_T;
#pragma unroll
        for (int tt = 0; tt < SF_T; tt++) {
            const int t = tb + tt;
            if (t < L && valid) {
                const long long ti = (rowS + t) * E + e;
                cpAsync4_(&fU[b][tt][tid], u + ti);
                cpAsync4_(&fX[b][tt][tid], deltaRaw + ti);
                if (gate) cpAsync4_(&fZ[b][tt][tid], z + ti);
            } else {
                fU[b][tt][tid] = 0.0f; fX[b][tt][tid] = 0.0f; fZ[b][tt][tid] = 0.0f;
            }
        }
        for (int i = tid; i < SF_T * 16; i += blockDim.x) {
            const int tt = i >> 4, n = i & 15, t = tb + tt;
            float* pb = reinterpret_cast<float*>(fB[b][tt]) + n;
            float* pc = reinterpret_cast<float*>(fC[b][tt]) + n;
            if (t < L && n < N) {
                const long long o = (rowS + t) * N + n;
                cpAsync4_(pb, bmat + o);
                cpAsync4_(pc, cmat + o);
            } else {
                *pb = 0.0f; *pc = 0.0f;
            }
        }
        cpAsyncCommit_();
    };

    issue(0, 0);
    int nextCk = 0;   // next step whose entering state is a checkpoint
    for (int k = 0; k < nTiles; k++) {
        const int b = k & 1, tb = k * SF_T;
        if (k + 1 < nTiles) issue(k + 1, b ^ 1); else cpAsyncCommit_();   // (empty group keeps the count)
        cpAsyncWait1_();     // this thread's copies of tile k have landed
        __syncthreads();     // ... and everyone else's
        const int nt = min(SF_T, L - tb);
        for (int tt = 0; tt < nt; tt++) {
            const int t = tb + tt;
            if (t == nextCk) {   // state entering chunk t / chunk, i.e. h_{t-1}
                if (valid) {
                    float* dst = ck + (((long long)s * NC + t / chunk) * E + e) * N;
#pragma unroll
                    for (int n = 0; n < 16; n++) if (n < N) dst[n] = h[n];
                }
                nextCk += chunk;
            }
            const float ut = fU[b][tt][tid];
            const float delta = softplus20f_(fX[b][tt][tid] + db);
            const float dxu = delta * ut;
            float y = dd * ut;
#pragma unroll
            for (int q = 0; q < 4; q++) {
                const float4 bq = fB[b][tt][q], cq = fC[b][tt][q];
                const float bv[4] = {bq.x, bq.y, bq.z, bq.w}, cv[4] = {cq.x, cq.y, cq.z, cq.w};
#pragma unroll
                for (int r = 0; r < 4; r++) {
                    const int n = 4 * q + r;
                    h[n] = ex2f_(delta * a2[n]) * h[n] + dxu * bv[r];
                    y += cv[r] * h[n];
                }
            }
            if (valid) out[(rowS + t) * E + e] = gate ? y * siluf_(fZ[b][tt][tid]) : y;
        }
        __syncthreads();     // buffer b is consumed before tile k + 2 is staged into it
    }
}

// Backward, grid (sCount, ceil(E / 32)) for sequences [s0, s0 + sCount), block 32 (one warp).
// Needs min(chunk, L) <= SB_SUB * SB_T. dB/dC are stored when gridDim.y == 1, otherwise added
// (the caller zeroes them); dALog, dD, dDeltaBias accumulate. `hs` is unused (no scratch).
extern "C" __global__ void __launch_bounds__(32)
scan_bwd_f16(int s0, int sCount, int S, int L, int E, int N, int chunk, int NC,
             const float* __restrict__ u, const float* __restrict__ deltaRaw, const float* __restrict__ aLog,
             const float* __restrict__ bmat, const float* __restrict__ cmat, const float* __restrict__ dvec,
             const float* __restrict__ z, const float* __restrict__ deltaBias, const float* __restrict__ ck,
             const float* __restrict__ dout, float* __restrict__ du, float* __restrict__ dDeltaRaw, float* dALog,
             float* dB, float* dC, float* dD, float* __restrict__ dz, float* dDeltaBias, float* hs) {
    __shared__ float sSub[SB_SUB][16][32];    // state entering each segment of the chunk
    __shared__ float sHist[SB_T][16][32];     // h_t of the segment being walked
    __shared__ float sDl[SB_T][32];           // Δ_t of the segment (softplus once per step)
    __shared__ float4 sB4[SB_T][4], sC4[SB_T][4];   // B/C rows of the segment, read as float4
    const int lane = threadIdx.x;
    const int s = s0 + blockIdx.x;
    const int eRaw = blockIdx.y * 32 + lane;
    const bool valid = eRaw < E;
    const int e = valid ? eRaw : E - 1;
    const bool direct = gridDim.y == 1;
    const bool gate = z != nullptr;
    const long long rowS = (long long)s * L;

    float a[16], a2[16], carry[16], dA[16], h[16];
#pragma unroll
    for (int n = 0; n < 16; n++) {
        a[n] = n < N ? -expf(aLog[e * N + n]) : 0.0f;
        a2[n] = a[n] * LOG2E_F;
        carry[n] = 0.0f;      // nothing flows in from t = L
        dA[n] = 0.0f;
        h[n] = 0.0f;
    }
    const float db = deltaBias[e], dd = dvec[e];
    float dDacc = 0.0f, dDBacc = 0.0f;

    // Schedule: for each chunk c, last first: "A" segments j = 0 .. nseg-2 (forward, recording
    // the state entering segment j+1), then "B" segments j = nseg-1 .. 0 (recompute + adjoint).
    auto nseg = [&](int c) { return (min(L, (c + 1) * chunk) - c * chunk + SB_T - 1) / SB_T; };
    int cc = NC - 1, cj = 0;
    bool cA = nseg(cc) > 1;
    if (!cA) cj = 0;
    // Prefetched inputs of the next segment (own column) and its B/C values (8 per lane).
    float pU[SB_T], pX[SB_T], pZ[SB_T], pG[SB_T], pBC[8];
    auto load = [&](int c, int j, bool A) {
        const int tb = c * chunk + j * SB_T, t1 = min(L, (c + 1) * chunk);
#pragma unroll
        for (int tt = 0; tt < SB_T; tt++) {
            const int t = tb + tt;
            const bool in = t < t1;
            const long long ti = (rowS + (in ? t : tb)) * E + e;
            pU[tt] = in ? u[ti] : 0.0f;
            pX[tt] = in ? deltaRaw[ti] : 0.0f;
            pZ[tt] = in && !A && gate ? z[ti] : 0.0f;
            pG[tt] = in && !A && valid ? dout[ti] : 0.0f;   // zero upstream gradient past E
        }
#pragma unroll
        for (int k = 0; k < 8; k++) {   // value k*32 + lane of the (tt, [B 16 | C 16]) block
            const int i = k * 32 + lane, tt = i >> 5, q = i & 31, n = q & 15, t = tb + tt;
            const bool isC = q >= 16;
            pBC[k] = t < t1 && n < N && (!isC || !A) ? (isC ? cmat : bmat)[(rowS + t) * N + n] : 0.0f;
        }
    };
    load(cc, cj, cA);
    int lastC = -1;
    while (cc >= 0) {
        const int c = cc, j = cj;
        const bool A = cA;
        const int t0 = c * chunk, t1 = min(L, t0 + chunk), tb = t0 + j * SB_T, nt = min(SB_T, t1 - tb);
        float xU[SB_T], xX[SB_T], xZ[SB_T], xG[SB_T];
#pragma unroll
        for (int tt = 0; tt < SB_T; tt++) { xU[tt] = pU[tt]; xX[tt] = pX[tt]; xZ[tt] = pZ[tt]; xG[tt] = pG[tt]; }
        __syncwarp();   // the previous segment's B/C rows are consumed
#pragma unroll
        for (int k = 0; k < 8; k++) {
            const int i = k * 32 + lane, tt = i >> 5, q = i & 31;
            if (q < 16) reinterpret_cast<float*>(sB4[tt])[q] = pBC[k]; else reinterpret_cast<float*>(sC4[tt])[q - 16] = pBC[k];
        }
        __syncwarp();
        // Advance the schedule and prefetch the next segment while this one is computed.
        if (A) {
            if (j + 1 < nseg(c) - 1) cj = j + 1; else { cA = false; cj = nseg(c) - 1; }
        } else if (j > 0) {
            cj = j - 1;
        } else {
            cc = c - 1;
            if (cc >= 0) { cA = nseg(cc) > 1; cj = 0; }
        }
        if (cc >= 0) load(cc, cj, cA);

        if (c != lastC) {   // first segment of chunk c: its checkpoint enters segment 0
            const float* src = ck + (((long long)s * NC + c) * E + e) * N;
#pragma unroll
            for (int n = 0; n < 16; n++) { h[n] = n < N ? src[n] : 0.0f; sSub[0][n][lane] = h[n]; }
            lastC = c;
        }
        if (A) {
            // Forward over segment j; record the state entering segment j + 1.
#pragma unroll
            for (int tt = 0; tt < SB_T; tt++) {
                if (tt < nt) {
                    const float delta = softplus20f_(xX[tt] + db);
                    const float dxu = delta * xU[tt];
                    float bv[16];
                    loadRow16_(sB4[tt], bv);
#pragma unroll
                    for (int n = 0; n < 16; n++) h[n] = ex2f_(delta * a2[n]) * h[n] + dxu * bv[n];
                }
            }
#pragma unroll
            for (int n = 0; n < 16; n++) sSub[j + 1][n][lane] = h[n];
            continue;
        }
        // B: recompute the segment's states h_t (same arithmetic as the forward) ...
#pragma unroll
        for (int n = 0; n < 16; n++) h[n] = sSub[j][n][lane];
#pragma unroll
        for (int tt = 0; tt < SB_T; tt++) {
            if (tt < nt) {
                const float delta = softplus20f_(xX[tt] + db);
                const float dxu = delta * xU[tt];
                float bv[16];
                loadRow16_(sB4[tt], bv);
                sDl[tt][lane] = delta;
#pragma unroll
                for (int n = 0; n < 16; n++) {
                    h[n] = ex2f_(delta * a2[n]) * h[n] + dxu * bv[n];
                    if (tt < SB_T - 1) sHist[tt][n][lane] = h[n];   // the last state stays in h
                }
            }
        }
        // ... then walk them backwards with the carry Ā_{t+1} λ_{t+1} in registers; h_t of the
        // step being walked is in hc (first h, then the previous step's h_{t-1}).
        float hc[16];
#pragma unroll
        for (int n = 0; n < 16; n++) hc[n] = h[n];
#pragma unroll
        for (int tt = SB_T - 1; tt >= 0; tt--) {
            if (tt < nt) {
                const int t = tb + tt;
                const long long ti = (rowS + t) * E + e;
                const float x = xX[tt] + db;
                const float delta = sDl[tt][lane];   // softplus20f_(x), from the recompute
                const float ut = xU[tt];
                const float g = xG[tt];
                float hp[16], bv[16], cv[16];
#pragma unroll
                for (int n = 0; n < 16; n++) hp[n] = tt > 0 ? sHist[tt > 0 ? tt - 1 : 0][n][lane] : sSub[j][n][lane];
                loadRow16_(sB4[tt], bv);
                loadRow16_(sC4[tt], cv);
                // 1. Gate: y is the pre-gate output (includes D u).
                float gt = g;
                if (gate) {
                    float y = dd * ut;
#pragma unroll
                    for (int n = 0; n < 16; n++) y += cv[n] * hc[n];
                    const float zt = xZ[tt];
                    if (valid) dz[ti] = g * y * siluGradf_(zt);
                    gt = g * siluf_(zt);
                }
                // 2. Skip.
                dDacc += gt * ut;
                const float dxu = delta * ut;
                float ddelta = 0.0f, lamB = 0.0f;
                float v[32];
#pragma unroll
                for (int n = 0; n < 16; n++) {
                    const float abar = ex2f_(delta * a2[n]);
                    v[16 + n] = gt * hc[n];                      // 3. dC_t[n] = Σ_e g_t h_t
                    const float lam = gt * cv[n] + carry[n];     // 4. λ_t = g_t C_t + Ā_{t+1} λ_{t+1}
                    v[n] = lam * dxu;                            //    dB_t[n] = Σ_e λ Δ u
                    lamB += lam * bv[n];
                    carry[n] = abar * lam;                       // Ā_t λ_t, used by step t-1
                    const float lp = carry[n] * hp[n];           // 5. λ_t p_t with p_t = Ā_t h_{t-1}
                    ddelta += lp * a[n];
                    dA[n] += lp * delta;
                    hc[n] = hp[n];                               // h_{t-1} is the next step's h_t
                }
                const float dut = dd * gt + delta * lamB;
                ddelta += ut * lamB;
                // 6. Softplus: σ(x) below the threshold, identity above.
                const float ddr = x > 20.0f ? ddelta : ddelta * sigmoidf_(x);
                if (valid) { du[ti] = dut; dDeltaRaw[ti] = ddr; }
                dDBacc += ddr;
                const float r = warpReduceScatter32(v);   // lane < 16: dB[lane], else dC[lane - 16]
                const int n = lane & 15;
                if (n < N) {
                    float* dst = (lane < 16 ? dB : dC) + (rowS + t) * N + n;
                    if (direct) *dst = r; else atomicAdd(dst, r);
                }
            }
        }
    }
    if (valid) {
        // dA_log = dA ⊙ A since ∂A/∂A_log = A.
#pragma unroll
        for (int n = 0; n < 16; n++) if (n < N) atomicAdd(dALog + e * N + n, dA[n] * a[n]);
        atomicAdd(dD + e, dDacc);
        atomicAdd(dDeltaBias + e, dDBacc);
    }
}

// Backward (MODEL.md §3.3) for sequences [s0, s0 + gridDim.x), same thread mapping. Per checkpoint
// chunk, last to first: recompute the chunk's states from its checkpoint into this block's
// scratch rows hs[tt][n][thread] (tt = 0 is the state entering the chunk; coalesced), then walk
// the chunk backwards in tiles with the adjoint carry Ā_{t+1} λ_{t+1} in registers; h_{t-1} is
// prefetched one step ahead. dB/dC (sums over e): a warp reduce-scatter, then shared atomics per
// tile; when the block holds all E channels (gridDim.y == 1) the tile's sums are STORED (no
// zeroing needed), otherwise added with one global atomic per (t, n) per block (caller zeroes).
// dALog, dD, dDeltaBias accumulate per thread, one atomic each at the end.
template <int MAXN>
__device__ void scanBwdReg(int s0, int sCount, int S, int L, int E, int N, int chunk, int NC,
                           const float* __restrict__ u, const float* __restrict__ deltaRaw,
                           const float* __restrict__ aLog, const float* __restrict__ bmat,
                           const float* __restrict__ cmat, const float* __restrict__ dvec,
                           const float* __restrict__ z, const float* __restrict__ deltaBias,
                           const float* __restrict__ ck, const float* __restrict__ dout,
                           float* __restrict__ du, float* __restrict__ dDeltaRaw, float* dALog,
                           float* dB, float* dC, float* dD, float* __restrict__ dz, float* dDeltaBias,
                           float* __restrict__ hs) {
    __shared__ float sB[SCANR_TT][MAXN], sC[SCANR_TT][MAXN];
    __shared__ float sU[SCANR_TT][SCANR_BLOCK], sX[SCANR_TT][SCANR_BLOCK];
    __shared__ float sZ[SCANR_TT][SCANR_BLOCK], sG[SCANR_TT][SCANR_BLOCK];
    __shared__ float sRed[SCANR_TT][2 * MAXN];   // [0, MAXN): dB, [MAXN, 2 MAXN): dC
    const int tid = threadIdx.x, lane = tid & 31, bd = blockDim.x;
    const int s = s0 + blockIdx.x;
    const int eRaw = blockIdx.y * bd + tid;
    const bool valid = eRaw < E;
    const int e = valid ? eRaw : E - 1;
    const bool direct = gridDim.y == 1;
    const long long rowStride = (long long)N * bd;   // one tt row of this block's scratch
    // min(chunk, L) + 1 rows per block (CudaBackend.scanRegBatch sizes the scratch the same way).
    float* hp = hs + ((long long)blockIdx.x * gridDim.y + blockIdx.y) * (long long)(min(chunk, L) + 1) * rowStride + tid;

    float a[MAXN], carry[MAXN], dA[MAXN], h[MAXN], hprev[MAXN];
#pragma unroll
    for (int n = 0; n < MAXN; n++) {
        a[n] = n < N ? -expf(aLog[e * N + n]) : 0.0f;
        carry[n] = 0.0f;      // nothing flows in from t = L
        dA[n] = 0.0f;
    }
    const float db = deltaBias[e], dd = dvec[e];
    float dDacc = 0.0f, dDBacc = 0.0f;
    const long long rowS = (long long)s * L;

    for (int c = NC - 1; c >= 0; c--) {
        const int t0 = c * chunk, t1 = min(L, t0 + chunk);
        // 1. Recompute h_t, t in [t0, t1), from the checkpoint (same arithmetic as the forward).
        const float* src = ck + (((long long)s * NC + c) * E + e) * N;
#pragma unroll
        for (int n = 0; n < MAXN; n++) { h[n] = n < N ? src[n] : 0.0f; if (n < N) hp[(long long)n * bd] = h[n]; }
        for (int tb = t0; tb < t1; tb += SCANR_TT) {
            const int nt = min(SCANR_TT, t1 - tb);
            __syncthreads();
            for (int i = tid; i < SCANR_TT * MAXN; i += bd) {
                const int tt = i / MAXN, n = i % MAXN;
                sB[tt][n] = tt < nt && n < N ? bmat[(rowS + tb + tt) * N + n] : 0.0f;
            }
#pragma unroll
            for (int tt = 0; tt < SCANR_TT; tt++) {
                if (tt < nt) {
                    const long long ti = (rowS + tb + tt) * E + e;
                    sU[tt][tid] = u[ti];
                    sX[tt][tid] = deltaRaw[ti];
                }
            }
            __syncthreads();
            for (int tt = 0; tt < nt; tt++) {
                const float delta = softplus20f_(sX[tt][tid] + db);
                const float dxu = delta * sU[tt][tid];
                float* row = hp + (long long)(tb - t0 + tt + 1) * rowStride;
#pragma unroll
                for (int n = 0; n < MAXN; n++) {
                    h[n] = expf(delta * a[n]) * h[n] + dxu * sB[tt][n];
                    if (n < N) row[(long long)n * bd] = h[n];
                }
            }
        }
        // h now holds h_{t1-1}; prefetch h_{t1-2} (row t1-1-t0) as the first step's h_{t-1}.
        {
            const float* rp = hp + (long long)(t1 - 1 - t0) * rowStride;
#pragma unroll
            for (int n = 0; n < MAXN; n++) hprev[n] = n < N ? rp[(long long)n * bd] : 0.0f;
        }
        // 2. Walk the chunk backwards, tiles last first.
        for (int tEnd = t1; tEnd > t0; tEnd -= SCANR_TT) {
            const int tb = max(t0, tEnd - SCANR_TT), nt = tEnd - tb;
            __syncthreads();   // the previous tile's sRed is written out, shared rows consumed
            for (int i = tid; i < SCANR_TT * MAXN; i += bd) {
                const int tt = i / MAXN, n = i % MAXN;
                const bool in = tt < nt && n < N;
                const long long o = (rowS + tb + tt) * N + n;
                sB[tt][n] = in ? bmat[o] : 0.0f;
                sC[tt][n] = in ? cmat[o] : 0.0f;
            }
            for (int i = tid; i < SCANR_TT * 2 * MAXN; i += bd) sRed[i / (2 * MAXN)][i % (2 * MAXN)] = 0.0f;
#pragma unroll
            for (int tt = 0; tt < SCANR_TT; tt++) {
                if (tt < nt) {
                    const long long ti = (rowS + tb + tt) * E + e;
                    sU[tt][tid] = u[ti];
                    sX[tt][tid] = deltaRaw[ti];
                    if (z != nullptr) sZ[tt][tid] = z[ti];
                    sG[tt][tid] = valid ? dout[ti] : 0.0f;   // zero upstream gradient past E
                }
            }
            __syncthreads();
            for (int tt = nt - 1; tt >= 0; tt--) {
                const int t = tb + tt;
                const long long ti = (rowS + t) * E + e;
                // h_{t-1} is in hprev; start loading h_{t-2} for the next step now.
                float hnext[MAXN];
                const float* rp = hp + (long long)(t > t0 ? t - 1 - t0 : 0) * rowStride;
#pragma unroll
                for (int n = 0; n < MAXN; n++) hnext[n] = n < N && t > t0 ? rp[(long long)n * bd] : 0.0f;
                const float x = sX[tt][tid] + db;
                const float delta = softplus20f_(x);
                const float ut = sU[tt][tid];
                const float g = sG[tt][tid];
                // 1. Gate: y is the pre-gate output (includes D u).
                float gt = g;
                if (z != nullptr) {
                    float y = dd * ut;
#pragma unroll
                    for (int n = 0; n < MAXN; n++) y += sC[tt][n] * h[n];
                    const float zt = sZ[tt][tid];
                    if (valid) dz[ti] = g * y * siluGradf_(zt);
                    gt = g * siluf_(zt);
                }
                // 2. Skip.
                dDacc += gt * ut;
                float dut = dd * gt, ddelta = 0.0f, lamB = 0.0f;
                float vb[32], vc[32];
#pragma unroll
                for (int n = 0; n < MAXN; n++) {
                    const float abar = expf(delta * a[n]);
                    vc[n] = gt * h[n];                              // 3. dC_t[n] = Σ_e g_t h_t
                    const float lam = gt * sC[tt][n] + carry[n];    // 4. λ_t = g_t C_t + Ā_{t+1} λ_{t+1}
                    const float p = abar * hprev[n];                // 5. p_t = Ā_t h_{t-1}
                    vb[n] = lam * delta * ut;                       //    dB_t[n] = Σ_e λ Δ u
                    lamB += lam * sB[tt][n];
                    ddelta += lam * a[n] * p;
                    dA[n] += lam * delta * p;
                    carry[n] = abar * lam;                          // Ā_t λ_t, used by step t-1
                }
                dut += delta * lamB;
                ddelta += ut * lamB;
                // 6. Softplus: σ(x) below the threshold, identity above.
                const float ddr = x > 20.0f ? ddelta : ddelta * sigmoidf_(x);
                if (valid) { du[ti] = dut; dDeltaRaw[ti] = ddr; }
                dDBacc += ddr;
                // dB/dC: sums over the warp's channels, lane k ends with value k.
                if constexpr (MAXN == 16) {
#pragma unroll
                    for (int n = 0; n < 16; n++) vb[16 + n] = vc[n];
                    atomicAdd(&sRed[tt][lane], warpReduceScatter32(vb));   // lane < 16: dB, else dC
                } else {
                    atomicAdd(&sRed[tt][lane], warpReduceScatter32(vb));
                    atomicAdd(&sRed[tt][MAXN + lane], warpReduceScatter32(vc));
                }
#pragma unroll
                for (int n = 0; n < MAXN; n++) { h[n] = hprev[n]; hprev[n] = hnext[n]; }
            }
            __syncthreads();   // the tile's dB/dC sums are complete
            for (int i = tid; i < nt * 2 * MAXN; i += bd) {
                const int tt = i / (2 * MAXN), q = i % (2 * MAXN), n = q % MAXN;
                if (n < N) {
                    float* dst = (q < MAXN ? dB : dC) + (rowS + tb + tt) * N + n;
                    if (direct) *dst = sRed[tt][q]; else atomicAdd(dst, sRed[tt][q]);
                }
            }
        }
    }
    if (valid) {
        // dA_log = dA ⊙ A since ∂A/∂A_log = A.
#pragma unroll
        for (int n = 0; n < MAXN; n++) if (n < N) atomicAdd(dALog + e * N + n, dA[n] * a[n]);
        atomicAdd(dD + e, dDacc);
        atomicAdd(dDeltaBias + e, dDBacc);
    }
}

#define SCAN_FWD_REG(NAME, MAXN)                                                                    \
    extern "C" __global__ void NAME(int S, int L, int E, int N, int chunk, int NC,                   \
                                    const float* u, const float* deltaRaw, const float* aLog,        \
                                    const float* bmat, const float* cmat, const float* dvec,         \
                                    const float* z, const float* deltaBias, float* out, float* ck) { \
        scanFwdReg<MAXN>(S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z, deltaBias, out, ck); \
    }
SCAN_FWD_REG(scan_fwd_n16, 16)
SCAN_FWD_REG(scan_fwd_n32, 32)

#define SCAN_BWD_REG(NAME, MAXN)                                                                      \
    extern "C" __global__ void NAME(int s0, int sCount, int S, int L, int E, int N, int chunk, int NC, \
                                    const float* u, const float* deltaRaw, const float* aLog,          \
                                    const float* bmat, const float* cmat, const float* dvec,           \
                                    const float* z, const float* deltaBias, const float* ck,           \
                                    const float* dout, float* du, float* dDeltaRaw, float* dALog,      \
                                    float* dB, float* dC, float* dD, float* dz, float* dDeltaBias,     \
                                    float* hs) {                                                       \
        scanBwdReg<MAXN>(s0, sCount, S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z,   \
                         deltaBias, ck, dout, du, dDeltaRaw, dALog, dB, dC, dD, dz, dDeltaBias, hs);  \
    }
SCAN_BWD_REG(scan_bwd_n16, 16)
SCAN_BWD_REG(scan_bwd_n32, 32)

// ------------------------------------------------------------------ device-resident training step
//
// A whole training step can be replayed as one CUDA graph (docs/CUDA.md "Training step as a CUDA
// graph"), so nothing that changes from step to step may be a launch argument. Those values live
// in two small double blocks instead:
//   step inputs  (written by the host before each step, copied in stream order):
//     [0] step seed (long long bits), [1] learning rate, [2] c1 = 1 - b1^t, [3] c2 = 1 - b2^t,
//     [4] clip norm (0 = none)
//   step results (written by the step's kernels, copied back asynchronously):
//     [0] loss, [1] sum of squared gradients, [2] sticky "bad step" flag (1 once a loss or
//     gradient was not finite: every later update is skipped, the host stops a step later)
// The arithmetic of each kernel is the eager one's, so a graph replay gives the eager numbers.

// Dropout with the seed base*mul + add, base read from the step inputs (wrapping 64-bit
// arithmetic, like Java's long), otherwise dropout_mask_f32.
extern "C" __global__ void dropout_mask_step_f32(long long n, const double* __restrict__ in, long long mul,
                                                 long long add, long long keepBits, float kept,
                                                 float* __restrict__ mask) {
    const unsigned long long base = (unsigned long long)__double_as_longlong(in[0]);
    dropoutDraws_(n, base * (unsigned long long)mul + (unsigned long long)add, keepBits, kept, mask);
}

// res[slot] /= divisor (divisor as double bits): the loss is a sum until divided by its count,
// exactly as the host's dot(diff, diff) / count.
extern "C" __global__ void divide_result_f64(double* res, int slot, long long divisorBits) {
    if (blockIdx.x == 0 && threadIdx.x == 0) res[slot] /= __longlong_as_double(divisorBits);
}

// Sets the sticky flag res[2] when the loss res[0] or the squared-gradient sum res[1] is not finite.
extern "C" __global__ void step_guard_f64(double* res) {
    if (blockIdx.x == 0 && threadIdx.x == 0 && !(isfinite(res[0]) && isfinite(res[1]))) res[2] = 1.0;
}

// adamw_multi_f32 with lr, c1, c2 from the step inputs and the clipping scale from the results:
// gn = sqrt(res[1]); scale = clip > 0 && gn > clip ? clip / gn : 1 (in double, like the host).
// Does nothing once the step was flagged bad.
extern "C" __global__ void adamw_multi_step_f32(int T, const long long* __restrict__ table,
                                                const double* __restrict__ in, const double* __restrict__ res,
                                                float b1, float b2, float omb1, float omb2, float eps) {
    if (res[2] != 0.0) return;
    const double clip = in[4], gn = sqrt(res[1]);
    const float gradScale = (float)(clip > 0.0 && gn > clip ? clip / gn : 1.0);
    adamwTable_(T, table, (float)in[1], b1, b2, omb1, omb2, eps, (float)in[2], (float)in[3], gradScale);
}

// ------------------------------------------------------------------ weighted averaging (MODEL.md §5.3)
//
// The averaging weights stay on the device: each kernel derives the effective weight of source
// j from the raw parameter (softmax over the S sources in softmax mode), in double like the host.
__device__ double wavgWeight_(int S, int j, int softmax, const float* __restrict__ raw) {
    if (!softmax) return (double)raw[j];
    double mx = -INFINITY, sum = 0.0;
    for (int i = 0; i < S; i++) mx = fmax(mx, (double)raw[i]);
    for (int i = 0; i < S; i++) sum += exp((double)raw[i] - mx);
    return exp((double)raw[j] - mx) / sum;
}

// y += w_j x (nothing when w_j == 0), as axpy_f32 with alpha = (float) w_j.
extern "C" __global__ void wavg_axpy_f32(long long n, int S, int j, int softmax, const float* __restrict__ raw,
                                         const float* x, float* y) {
    const double w = wavgWeight_(S, j, softmax, raw);
    if (w == 0.0) return;
    const float alpha = (float)w;
    GRID_STRIDE(i, n) y[i] += alpha * x[i];
}

// rawGrad[j] += gw[j] (free weights) or the softmax chain w_j (gw_j - sum_i w_i gw_i), in double,
// gw[j] = <dOut, src_j> from reduce_f64. One thread.
extern "C" __global__ void wavg_grad_f32(int S, int softmax, const float* __restrict__ raw,
                                         const double* __restrict__ gw, float* rawGrad) {
    if (blockIdx.x != 0 || threadIdx.x != 0) return;
    double mean = 0.0;
    if (softmax) for (int i = 0; i < S; i++) mean += wavgWeight_(S, i, 1, raw) * gw[i];
    for (int j = 0; j < S; j++) {
        double g = (double)rawGrad[j];
        g += softmax ? wavgWeight_(S, j, 1, raw) * (gw[j] - mean) : gw[j];
        rawGrad[j] = (float)g;
    }
}

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

// SiLU'(x) = s (1 + x (1 - s)) (spec §2)
__device__ __forceinline__ float siluGradf_(float x) {
    float s = sigmoidf_(x);
    return s * (1.0f + x * (1.0f - s));
}

// softplus_20 (spec §2): identity above the threshold.
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
extern "C" __global__ void dropout_mask_f32(long long n, long long seed, long long keepBits, float kept,
                                            float* __restrict__ mask) {
    const double keep = __longlong_as_double(keepBits);
    GRID_STRIDE(i, n) {
        unsigned long long z = (unsigned long long)seed + (unsigned long long)(i + 1) * 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        const double d = (double)(z >> 11) * 0x1.0p-53;
        mask[i] = d < keep ? kept : 0.0f;
    }
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

// ------------------------------------------------------------------ causal conv (spec §4.2)

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

// ------------------------------------------------------------------ RevIN (spec §6.3 step 1)

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

// ------------------------------------------------------------------ patching (spec §6.3 step 2)

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

// Same arithmetic as adamw_f32, tensor by tensor (results identical to T adamw_f32 launches).
extern "C" __global__ void adamw_multi_f32(int T, const long long* __restrict__ table, float lr, float b1,
                                           float b2, float omb1, float omb2, float eps, float c1, float c2,
                                           float gradScale) {
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

// ------------------------------------------------------------------ selective scan (spec §3)
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

// Backward (spec §3.3) for pairs [p0, p0 + count). For each chunk, last to first, the chunk's
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
// NL (16 or 32) lanes per (sequence s, channel e) pair, lane n holding state n (lanes n >= N hold
// zeros and contribute nothing), so a (S, L, E) problem runs S*E*NL threads instead of S*E: the
// sequential loop over L is latency bound, and the extra parallelism is what hides it. Sums over n
// (the output y, λ·B, λ·A·p) are NL-lane xor shuffles. A block (SCANL_BLOCK threads) covers
// SCANL_BLOCK/NL consecutive channels of ONE sequence (grid = S * ceil(E / pairsPerBlock), 1-D), so
// the threads of a warp read consecutive channels of a token row, B/C rows are coalesced over n, and
// the block can pre-sum dB/dC (sums over e) in shared memory. Channels past E run clamped with a
// zero upstream gradient and write nothing, so every lane takes part in shuffles and barriers.

#define SCANL_BLOCK 128
#define SCANL_SUB 32   // backward: steps of recomputed states held in shared memory at a time

template <int NL>
__device__ __forceinline__ float groupSum(float v) {
#pragma unroll
    for (int o = NL / 2; o > 0; o >>= 1) v += __shfl_xor_sync(FULL_MASK, v, o);
    return v;
}

template <int NL>
__device__ void scanFwdLanes(int S, int L, int E, int N, int chunk, int NC,
                             const float* __restrict__ u, const float* __restrict__ deltaRaw,
                             const float* __restrict__ aLog, const float* __restrict__ bmat,
                             const float* __restrict__ cmat, const float* __restrict__ dvec,
                             const float* __restrict__ z, const float* __restrict__ deltaBias,
                             float* __restrict__ out, float* __restrict__ ck) {
    constexpr int PB = SCANL_BLOCK / NL;
    const int eBlocks = (E + PB - 1) / PB;
    const int s = blockIdx.x / eBlocks;
    const int eRaw = (blockIdx.x % eBlocks) * PB + threadIdx.x / NL;
    const int n = threadIdx.x % NL;
    const bool valid = eRaw < E, nv = valid && n < N;
    const int e = valid ? eRaw : E - 1, nc = n < N ? n : N - 1;   // clamped for loads
    const float a = n < N ? -expf(aLog[e * N + nc]) : 0.0f;
    const float db = deltaBias[e], dd = dvec[e];
    float h = 0.0f;
    for (int t = 0; t < L; t++) {
        if (t % chunk == 0 && nv) ck[(((long long)s * NC + t / chunk) * E + e) * N + n] = h;   // h_{t-1}
        const long long ti = ((long long)s * L + t) * E + e;   // (s, t, e) in (S, L, E)
        const long long tn = ((long long)s * L + t) * N + nc;  // (s, t, n) in (S, L, N)
        const float ut = u[ti];
        const float delta = softplus20f_(deltaRaw[ti] + db);
        const float bn = n < N ? bmat[tn] : 0.0f, cn = n < N ? cmat[tn] : 0.0f;
        h = expf(delta * a) * h + delta * ut * bn;
        float y = groupSum<NL>(cn * h);
        if (valid && n == 0) {
            y += dd * ut;
            out[ti] = z == nullptr ? y : y * siluf_(z[ti]);
        }
    }
}

// Backward (spec §3.3). Per checkpoint chunk, last to first, and within it per sub-chunk of
// SCANL_SUB steps, last to first: recompute the states from the chunk's checkpoint (same
// arithmetic as the forward), keeping the sub-chunk's in shared memory (each thread its own
// column, so no barrier is needed around them), then walk the sub-chunk backwards with the
// adjoint carry Ā_{t+1} λ_{t+1} in a register. dB, dC (sums over e) go through shared memory
// (one shared atomic per lane, then one global atomic per (t, n) per block); the caller zeroes
// them. dALog, dD, dDeltaBias accumulate per thread, one atomic each at the end.
template <int NL>
__device__ void scanBwdLanes(int S, int L, int E, int N, int chunk, int NC,
                             const float* __restrict__ u, const float* __restrict__ deltaRaw,
                             const float* __restrict__ aLog, const float* __restrict__ bmat,
                             const float* __restrict__ cmat, const float* __restrict__ dvec,
                             const float* __restrict__ z, const float* __restrict__ deltaBias,
                             const float* __restrict__ ck, const float* __restrict__ dout,
                             float* __restrict__ du, float* __restrict__ dDeltaRaw, float* dALog,
                             float* dB, float* dC, float* dD, float* __restrict__ dz, float* dDeltaBias) {
    constexpr int PB = SCANL_BLOCK / NL;
    __shared__ float hs[SCANL_SUB][SCANL_BLOCK];   // hs[t - a0][thread] = h_t
    __shared__ float sdB[SCANL_SUB][NL], sdC[SCANL_SUB][NL];
    const int tid = threadIdx.x, lane = tid & 31;
    const int eBlocks = (E + PB - 1) / PB;
    const int s = blockIdx.x / eBlocks;
    const int eRaw = (blockIdx.x % eBlocks) * PB + tid / NL;
    const int n = tid % NL;
    const bool valid = eRaw < E, nv = valid && n < N;
    const int e = valid ? eRaw : E - 1, nc = n < N ? n : N - 1;
    const float a = n < N ? -expf(aLog[e * N + nc]) : 0.0f;
    const float db = deltaBias[e], dd = dvec[e];
    float carry = 0.0f, dA = 0.0f, dDacc = 0.0f, dDBacc = 0.0f;
    for (int i = tid; i < SCANL_SUB * NL; i += SCANL_BLOCK) { sdB[i / NL][i % NL] = 0.0f; sdC[i / NL][i % NL] = 0.0f; }
    __syncthreads();

    for (int c = NC - 1; c >= 0; c--) {
        const int t0 = c * chunk, t1 = min(L, t0 + chunk);
        const float hck = nv ? ck[(((long long)s * NC + c) * E + e) * N + n] : 0.0f;
        for (int a0 = t0 + ((t1 - 1 - t0) / SCANL_SUB) * SCANL_SUB; a0 >= t0; a0 -= SCANL_SUB) {
            const int b0 = min(t1, a0 + SCANL_SUB);
            // Recompute h_t for t in [t0, b0); keep [a0, b0) and h_{a0-1} (the checkpoint if a0 == t0).
            float h = hck, hBefore = hck;
            for (int t = t0; t < b0; t++) {
                const long long ti = ((long long)s * L + t) * E + e, tn = ((long long)s * L + t) * N + nc;
                const float delta = softplus20f_(deltaRaw[ti] + db);
                const float bn = n < N ? bmat[tn] : 0.0f;
                h = expf(delta * a) * h + delta * u[ti] * bn;
                if (t >= a0) hs[t - a0][tid] = h; else hBefore = h;
            }
            for (int t = b0 - 1; t >= a0; t--) {
                const long long ti = ((long long)s * L + t) * E + e, tn = ((long long)s * L + t) * N + nc;
                const float hc = hs[t - a0][tid];
                const float hp = t > a0 ? hs[t - a0 - 1][tid] : hBefore;
                const float x = deltaRaw[ti] + db;
                const float delta = softplus20f_(x);
                const float ut = u[ti];
                const float g = valid ? dout[ti] : 0.0f;
                const float bn = n < N ? bmat[tn] : 0.0f, cn = n < N ? cmat[tn] : 0.0f;
                // 1. Gate: y is the pre-gate output (includes D u).
                float gt = g;
                if (z != nullptr) {
                    const float y = groupSum<NL>(cn * hc) + dd * ut;
                    const float zt = z[ti];
                    if (valid && n == 0) dz[ti] = g * y * siluGradf_(zt);
                    gt = g * siluf_(zt);
                }
                const float abar = expf(delta * a);
                // 3. C: dC_t[n] = sum_e g_t h_t.  4. λ_t = g_t C_t + Ā_{t+1} λ_{t+1}.  5. p_t = Ā_t h_{t-1}.
                float vC = gt * hc;
                const float lam = gt * cn + carry;
                const float p = abar * hp;
                float vB = lam * delta * ut;                      // dB_t[n] = sum_e λ Δ u
                if (NL < 32) {                                    // the warp's other pair(s)
#pragma unroll
                    for (int o = NL; o < 32; o <<= 1) {
                        vC += __shfl_xor_sync(FULL_MASK, vC, o);
                        vB += __shfl_xor_sync(FULL_MASK, vB, o);
                    }
                }
                if (lane < NL && n < N) {
                    atomicAdd(&sdC[t - a0][n], vC);
                    atomicAdd(&sdB[t - a0][n], vB);
                }
                const float lamB = groupSum<NL>(lam * bn);
                float ddelta = groupSum<NL>(lam * a * p);
                dA += lam * delta * p;
                carry = abar * lam;                               // Ā_t λ_t, used by step t-1
                if (n == 0) {
                    // 2. Skip, and the Δ, u paths through B̄ = Δ B.
                    dDacc += gt * ut;
                    const float dut = dd * gt + delta * lamB;
                    ddelta += ut * lamB;
                    // 6. Softplus: σ(x) below the threshold, identity above.
                    const float ddr = x > 20.0f ? ddelta : ddelta * sigmoidf_(x);
                    if (valid) { du[ti] = dut; dDeltaRaw[ti] = ddr; }
                    dDBacc += ddr;
                }
            }
            __syncthreads();   // the sub-chunk's dB/dC partials are complete
            for (int i = tid; i < (b0 - a0) * NL; i += SCANL_BLOCK) {
                const int tt = i / NL, q = i % NL;
                if (q < N) {
                    const long long o = ((long long)s * L + a0 + tt) * N + q;
                    atomicAdd(dB + o, sdB[tt][q]);
                    atomicAdd(dC + o, sdC[tt][q]);
                }
                sdB[tt][q] = 0.0f;
                sdC[tt][q] = 0.0f;
            }
            __syncthreads();
        }
    }
    // dA_log = dA ⊙ A since ∂A/∂A_log = A.
    if (nv) atomicAdd(dALog + e * N + n, dA * a);
    if (valid && n == 0) {
        atomicAdd(dD + e, dDacc);
        atomicAdd(dDeltaBias + e, dDBacc);
    }
}

#define SCAN_FWD_LANES(NAME, NL)                                                                    \
    extern "C" __global__ void NAME(int S, int L, int E, int N, int chunk, int NC,                   \
                                    const float* u, const float* deltaRaw, const float* aLog,        \
                                    const float* bmat, const float* cmat, const float* dvec,         \
                                    const float* z, const float* deltaBias, float* out, float* ck) { \
        scanFwdLanes<NL>(S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z, deltaBias, out, ck); \
    }
SCAN_FWD_LANES(scan_fwd_n16, 16)
SCAN_FWD_LANES(scan_fwd_n32, 32)

#define SCAN_BWD_LANES(NAME, NL)                                                                      \
    extern "C" __global__ void NAME(int S, int L, int E, int N, int chunk, int NC,                     \
                                    const float* u, const float* deltaRaw, const float* aLog,          \
                                    const float* bmat, const float* cmat, const float* dvec,           \
                                    const float* z, const float* deltaBias, const float* ck,           \
                                    const float* dout, float* du, float* dDeltaRaw, float* dALog,      \
                                    float* dB, float* dC, float* dD, float* dz, float* dDeltaBias) {   \
        scanBwdLanes<NL>(S, L, E, N, chunk, NC, u, deltaRaw, aLog, bmat, cmat, dvec, z, deltaBias, ck,  \
                         dout, du, dDeltaRaw, dALog, dB, dC, dD, dz, dDeltaBias);                      \
    }
SCAN_BWD_LANES(scan_bwd_n16, 16)
SCAN_BWD_LANES(scan_bwd_n32, 32)

// Host emulation check of kernels.cu (docs/CUDA.md "Checking kernels without a GPU"):
// each kernel is compared with an independent double-precision loop on small random inputs.
#include "kernels_host.cpp"  // kernels.cu with the CUDA-only bits rewritten by run.sh
#include <cstdio>
#include <random>
static std::mt19937 rng(5);
static std::vector<float> rnd(size_t n, float lo, float hi) { std::uniform_real_distribution<float> d(lo, hi); std::vector<float> v(n); for (auto& x : v) x = d(rng); return v; }
static double err(const std::vector<float>& g, const std::vector<double>& w) {
  double sc = 1e-6, d = 0; for (double x : w) sc = std::max(sc, std::fabs(x));
  for (size_t i = 0; i < g.size(); i++) { double e = std::fabs(g[i] - w[i]); if (!(e <= d)) d = e; } return d / sc; }
static int fails = 0;
static void rep(const char* name, double e, double tol) { bool ok = e <= tol; if (!ok) fails++; printf("%-40s %.3e %s\n", name, e, ok ? "PASS" : "FAIL"); }
static unsigned cdiv(long a, long b) { return (unsigned)((a + b - 1) / b); }
static double sp(double x) { return x > 20 ? x : std::log1p(std::exp(x)); }
static double sg(double x) { return 1 / (1 + std::exp(-x)); }

void testGemm(int m, int n, int k, int ta, int tb, float beta, int kSlice = 1 << 30) {
  auto A = rnd((size_t)m * k, -1, 1), B = rnd((size_t)k * n, -1, 1), C = rnd((size_t)m * n, -1, 1);
  std::vector<double> W(m * n);
  for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) { double s = 0;
    for (int p = 0; p < k; p++) s += (double)(ta ? A[p * m + i] : A[i * k + p]) * (tb ? B[j * k + p] : B[p * n + j]);
    W[i * n + j] = 0.7 * s + (beta == 0 ? 0 : beta * C[i * n + j]); }
  if (beta == 0) std::fill(C.begin(), C.end(), NAN);
  // kSlice as CudaBackend.gemmSlice makes it (a multiple of 16), splits = ceil(k / kSlice) partial tiles.
  int splits = kSlice >= k ? 1 : cdiv(k, kSlice); std::vector<float> Wk((size_t)splits * m * n, NAN);
  launch({cdiv(m, 64), cdiv(n, 64), (unsigned)splits}, {16, 16}, [&] { gemm_f32(ta, tb, m, n, k, 0.7f, A.data(), B.data(), beta, C.data(), kSlice, Wk.data()); });
  if (splits > 1) launch({3}, {256}, [&] { gemm_splitk_reduce_f32((long long)m * n, splits, 0.7f, Wk.data(), beta, C.data()); });
  char nm[80]; snprintf(nm, 80, "gemm %c%c %dx%dx%d b=%.1f split%d", ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, beta, splits); rep(nm, err(C, W), 1e-5);
}

void testLN(int rows, int n) {
  auto x = rnd(rows * n, -2, 3), g = rnd(n, .5, 1.5), b = rnd(n, -.5, .5), dout = rnd(rows * n, -1, 1);
  std::vector<float> out(rows * n), mean(rows), rstd(rows), dx(rows * n), dg(n, 0.f), db(n, 0.f);
  std::vector<double> W(rows * n), Wdx(rows * n), Wdg(n), Wdb(n);
  for (int r = 0; r < rows; r++) { double m = 0; for (int i = 0; i < n; i++) m += x[r * n + i]; m /= n; double v = 0;
    for (int i = 0; i < n; i++) v += (x[r * n + i] - m) * (x[r * n + i] - m); v /= n; double rs = 1 / std::sqrt(v + 1e-5);
    double sD = 0, sDX = 0;
    for (int i = 0; i < n; i++) { double xh = (x[r * n + i] - m) * rs; W[r * n + i] = xh * g[i] + b[i]; double d = dout[r * n + i] * g[i]; sD += d; sDX += d * xh; Wdg[i] += dout[r * n + i] * xh; Wdb[i] += dout[r * n + i]; }
    for (int i = 0; i < n; i++) { double xh = (x[r * n + i] - m) * rs; Wdx[r * n + i] = rs * (dout[r * n + i] * g[i] - sD / n - xh * sDX / n); } }
  launch({(unsigned)rows}, {256}, [&] { layernorm_fwd_f32(rows, n, 1e-5f, x.data(), g.data(), b.data(), out.data(), mean.data(), rstd.data()); });
  launch({(unsigned)rows}, {256}, [&] { layernorm_bwd_dx_f32(rows, n, x.data(), g.data(), mean.data(), rstd.data(), dout.data(), dx.data()); });
  launch({cdiv(n, 32), std::max(1u, std::min(1024u, cdiv(rows, 8)))}, {32, 8}, [&] { layernorm_bwd_params_f32(rows, n, x.data(), mean.data(), rstd.data(), dout.data(), dg.data(), db.data()); });
  rep("layernorm out", err(out, W), 1e-5); rep("layernorm dx", err(dx, Wdx), 1e-5); rep("layernorm dgamma", err(dg, Wdg), 1e-5); rep("layernorm dbeta", err(db, Wdb), 1e-5);
}

void testConvSumReduce(int S, int L, int E, int K) {
  auto x = rnd(S * L * E, -1, 1), dout = rnd(S * L * E, -1, 1);
  std::vector<float> dw(E * K, 0.f), dbias(E, 0.f); std::vector<double> Wdw(E * K), Wdb(E);
  for (int s = 0; s < S; s++) for (int t = 0; t < L; t++) for (int e = 0; e < E; e++) { double g = dout[(s * L + t) * E + e]; Wdb[e] += g;
    for (int kk = 0; kk < K; kk++) { int src = t - K + 1 + kk; if (src >= 0) Wdw[e * K + kk] += g * x[(s * L + src) * E + e]; } }
  launch({cdiv(E, 32), std::max(1u, std::min(1024u, cdiv(S * L, 8)))}, {32, 8}, [&] { conv_bwd_params_f32(S, L, E, K, x.data(), dout.data(), dw.data(), dbias.data()); });
  rep("conv bwd dw", err(dw, Wdw), 1e-5); rep("conv bwd dbias", err(dbias, Wdb), 1e-5);
  int rows = S * L, cols = E; std::vector<float> out(cols, 0.f); std::vector<double> Wo(cols);
  for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) Wo[c] += x[r * cols + c];
  launch({cdiv(cols, 32), std::max(1u, std::min(1024u, cdiv(rows, 8)))}, {32, 8}, [&] { sum_rows_f32(rows, cols, x.data(), out.data()); });
  rep("sum rows", err(out, Wo), 1e-5);
  double res[1] = {0}, W = 0; for (size_t i = 0; i < x.size(); i++) W += (double)x[i] * dout[i];
  launch({4}, {256}, [&] { reduce_f64(0, (long long)x.size(), x.data(), dout.data(), res); });
  rep("reduce dot", std::fabs(res[0] - W) / std::fabs(W), 1e-12);
}

void testScan(int S, int L, int E, int N, int chunk, bool gate, int batch, bool fast = false) {
  int NC = (L + chunk - 1) / chunk; size_t sle = (size_t)S * L * E, sln = (size_t)S * L * N;
  auto u = rnd(sle, -1, 1), dr = rnd(sle, -4, .5), al = rnd(E * N, 0, 2.5), B = rnd(sln, -1, 1), C = rnd(sln, -1, 1), D = rnd(E, -1, 1), db = rnd(E, -.5, .5), z = rnd(sle, -2, 2), G = rnd(sle, -1, 1);
  dr[0] = 25;
  const float* zp = gate ? z.data() : nullptr;
  // double reference (spec §3.2/§3.3), storing all states
  std::vector<double> Wout(sle), Wck((size_t)S * NC * E * N), Wdu(sle), Wddr(sle), Wdal(E * N), WdB(sln), WdC(sln), WdD(E), Wdz(sle), Wddb(E);
  std::vector<double> hs((size_t)(L + 1) * N);
  for (int s = 0; s < S; s++) for (int e = 0; e < E; e++) {
    std::fill(hs.begin(), hs.end(), 0.0);
    for (int t = 0; t < L; t++) { size_t ti = ((size_t)s * L + t) * E + e, tn = ((size_t)s * L + t) * N;
      if (t % chunk == 0) for (int n = 0; n < N; n++) Wck[(((size_t)s * NC + t / chunk) * E + e) * N + n] = hs[t * N + n];
      double d = sp(dr[ti] + db[e]), y = D[e] * u[ti];
      for (int n = 0; n < N; n++) { double a = -std::exp((double)al[e * N + n]); hs[(t + 1) * N + n] = std::exp(d * a) * hs[t * N + n] + d * B[tn + n] * u[ti]; y += C[tn + n] * hs[(t + 1) * N + n]; }
      Wout[ti] = gate ? y * z[ti] * sg(z[ti]) : y; }
    std::vector<double> carry(N, 0.0);
    for (int t = L - 1; t >= 0; t--) { size_t ti = ((size_t)s * L + t) * E + e, tn = ((size_t)s * L + t) * N;
      double x = dr[ti] + db[e], d = sp(x), y = D[e] * u[ti]; for (int n = 0; n < N; n++) y += C[tn + n] * hs[(t + 1) * N + n];
      double gt = G[ti]; if (gate) { double sz = sg(z[ti]); Wdz[ti] = G[ti] * y * sz * (1 + z[ti] * (1 - sz)); gt = G[ti] * z[ti] * sz; }
      WdD[e] += gt * u[ti]; double du = D[e] * gt, dd = 0, lamB = 0;
      for (int n = 0; n < N; n++) { double a = -std::exp((double)al[e * N + n]), ab = std::exp(d * a); WdC[tn + n] += gt * hs[(t + 1) * N + n];
        double lam = gt * C[tn + n] + carry[n], p = ab * hs[t * N + n]; WdB[tn + n] += lam * d * u[ti]; lamB += lam * B[tn + n]; dd += lam * a * p; Wdal[e * N + n] += lam * d * p * a; carry[n] = ab * lam; }
      du += d * lamB; dd += u[ti] * lamB; Wdu[ti] = du; double ddr = x > 20 ? dd : dd * sg(x); Wddr[ti] = ddr; Wddb[e] += ddr; } }
  std::vector<float> out(sle, NAN), ck((size_t)S * NC * E * N, NAN), du(sle, NAN), ddr(sle, NAN), dal(E * N, 0.f), dB(sln, 0.f), dC(sln, 0.f), dD(E, 0.f), dz(sle, NAN), ddb(E, 0.f);
  if (fast) {      // scan_fwd_f16 / scan_bwd_f16 (CudaBackend.scanFast: N <= 16; backward chunk <= 64)
    unsigned fb = batch == 1 ? 32 : 64;   // forward block: 32 or 64 channels (CudaBackend.scanFastFwdBlock)
    launch({(unsigned)S, cdiv(E, fb)}, {fb}, [&] { scan_fwd_f16(S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), out.data(), ck.data()); });
    unsigned gy = cdiv(E, 32);
    if (gy > 1) { std::fill(dB.begin(), dB.end(), 0.f); std::fill(dC.begin(), dC.end(), 0.f); }
    else { std::fill(dB.begin(), dB.end(), NAN); std::fill(dC.begin(), dC.end(), NAN); }   // stored, not added
    int perSeq = std::max(1, batch);
    for (int s0 = 0; s0 < S; s0 += perSeq) { int count = std::min(perSeq, S - s0);
      launch({(unsigned)count, gy}, {32}, [&] { scan_bwd_f16(s0, count, S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), ck.data(), G.data(), du.data(), ddr.data(), dal.data(), dB.data(), dC.data(), dD.data(), dz.data(), ddb.data(), nullptr); }); }
  } else if (N <= 32) {   // register kernels: thread per (s, e), blocks of <= 128 channels of one sequence (CudaBackend.scanRegBlock)
    int bd = std::min(128, (E + 31) / 32 * 32); unsigned gy = cdiv(E, bd);
    launch({(unsigned)S, gy}, {(unsigned)bd}, [&] { (N <= 16 ? scan_fwd_n16 : scan_fwd_n32)(S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), out.data(), ck.data()); });
    if (gy > 1) { std::fill(dB.begin(), dB.end(), 0.f); std::fill(dC.begin(), dC.end(), 0.f); }
    else { std::fill(dB.begin(), dB.end(), NAN); std::fill(dC.begin(), dC.end(), NAN); }   // stored, not added
    int perSeq = std::max(1, batch);   // sequences per launch
    std::vector<float> scratch((size_t)perSeq * gy * bd * (std::min(chunk, L) + 1) * N, NAN);
    for (int s0 = 0; s0 < S; s0 += perSeq) { int count = std::min(perSeq, S - s0);
      launch({(unsigned)count, gy}, {(unsigned)bd}, [&] { (N <= 16 ? scan_bwd_n16 : scan_bwd_n32)(s0, count, S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), ck.data(), G.data(), du.data(), ddr.data(), dal.data(), dB.data(), dC.data(), dD.data(), dz.data(), ddb.data(), scratch.data()); }); }
  } else {          // thread-per-pair N <= 64 kernels, pairs batched through the recompute scratch
    launch({cdiv((long)S * E, 128)}, {128}, [&] { scan_fwd_n64(S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), out.data(), ck.data()); });
    long pairs = (long)S * E; std::vector<float> scratch((size_t)(chunk + 1) * N * batch);
    for (long p0 = 0; p0 < pairs; p0 += batch) { int count = (int)std::min<long>(batch, pairs - p0);
      launch({cdiv(count, 128)}, {128}, [&] {
        scan_bwd_n64((int)p0, count, S, L, E, N, chunk, NC, u.data(), dr.data(), al.data(), B.data(), C.data(), D.data(), zp, db.data(), ck.data(), G.data(), du.data(), ddr.data(), dal.data(), dB.data(), dC.data(), dD.data(), dz.data(), ddb.data(), scratch.data()); }); }
  }
  char tag[80]; snprintf(tag, 80, " S%d L%d E%d N%d c%d%s b%d%s", S, L, E, N, chunk, gate ? " z" : "", batch, fast ? " fast" : "");
  auto R = [&](const char* nm, const std::vector<float>& g, const std::vector<double>& w, double tol) { std::string s = std::string(nm) + tag; rep(s.c_str(), err(g, w), tol); };
  R("scan out", out, Wout, 2e-5); R("scan ck", ck, Wck, 2e-5); R("scan du", du, Wdu, 1e-4); R("scan ddr", ddr, Wddr, 1e-4); R("scan dAlog", dal, Wdal, 1e-4);
  R("scan dB", dB, WdB, 1e-4); R("scan dC", dC, WdC, 1e-4); R("scan dD", dD, WdD, 1e-4); R("scan ddb", ddb, Wddb, 1e-4); if (gate) R("scan dz", dz, Wdz, 1e-4);
}

void testMisc() {
  // patchify fwd/bwd with and without end padding
  int B = 2, T = 37, M = 3, P = 8, S = 4;
  for (int NP : {(T - P) / S + 1, (T - P) / S + 2}) {
    auto x = rnd(B * T * M, -1, 1), g = rnd(B * M * NP * P, -1, 1);
    std::vector<float> out(B * M * NP * P, NAN), dx(B * T * M, NAN); std::vector<double> Wo(out.size()), Wdx(dx.size(), 0.0);
    for (int b = 0; b < B; b++) for (int m = 0; m < M; m++) for (int j = 0; j < NP; j++) for (int p = 0; p < P; p++) {
      int src = std::min(j * S + p, T - 1); Wo[((b * M + m) * NP + j) * P + p] = x[(b * T + src) * M + m]; Wdx[(b * T + src) * M + m] += g[((b * M + m) * NP + j) * P + p]; }
    launch({4}, {256}, [&] { patchify_f32(B, T, M, P, S, NP, x.data(), out.data()); });
    launch({4}, {256}, [&] { patchify_bwd_f32(B, T, M, P, S, NP, g.data(), dx.data()); });
    rep("patchify fwd", err(out, Wo), 0); rep("patchify bwd", err(dx, Wdx), 1e-6);
  }
  // conv fwd / bwd dx
  int Sq = 2, L = 9, E = 5, K = 4;
  auto x = rnd(Sq * L * E, -1, 1), w = rnd(E * K, -1, 1), bias = rnd(E, -1, 1), g = rnd(Sq * L * E, -1, 1);
  std::vector<float> out(x.size(), NAN), dx(x.size(), NAN); std::vector<double> Wo(x.size()), Wdx(x.size(), 0.0);
  for (int s = 0; s < Sq; s++) for (int t = 0; t < L; t++) for (int e = 0; e < E; e++) { double a = bias[e];
    for (int kk = 0; kk < K; kk++) { int src = t - K + 1 + kk; if (src >= 0) { a += w[e * K + kk] * x[(s * L + src) * E + e]; Wdx[(s * L + src) * E + e] += g[(s * L + t) * E + e] * w[e * K + kk]; } }
    Wo[(s * L + t) * E + e] = a; }
  launch({2}, {256}, [&] { conv_fwd_f32(Sq, L, E, K, x.data(), w.data(), bias.data(), out.data()); });
  launch({2}, {256}, [&] { conv_bwd_dx_f32(Sq, L, E, K, w.data(), g.data(), dx.data()); });
  rep("conv fwd", err(out, Wo), 1e-6); rep("conv bwd dx", err(dx, Wdx), 1e-6);
  // swapMiddle / flip
  int a = 3, b = 5, c = 7, d = 4; auto xs = rnd(a * b * c * d, -1, 1); std::vector<float> o(xs.size(), NAN); std::vector<double> Wsw(xs.size());
  for (int i = 0; i < a; i++) for (int j = 0; j < b; j++) for (int l = 0; l < c; l++) for (int q = 0; q < d; q++) Wsw[((i * c + l) * b + j) * d + q] = xs[((i * b + j) * c + l) * d + q];
  launch({2}, {256}, [&] { swap_middle_f32(a, b, c, d, xs.data(), o.data()); }); rep("swapMiddle", err(o, Wsw), 0);
}
void testAdamRevin() {
  int n = 1000; auto p = rnd(n, -1, 1); std::vector<float> m(n, 0.f), v(n, 0.f);
  std::vector<double> P(p.begin(), p.end()), Mw(n, 0.0), Vw(n, 0.0);
  for (int step = 1; step <= 3; step++) {
    auto g = rnd(n, -0.1f, 0.1f);
    double b1 = 0.9, b2 = 0.999, c1 = 1 - std::pow(b1, step), c2 = 1 - std::pow(b2, step);
    for (int i = 0; i < n; i++) { double gi = g[i] * 0.5; Mw[i] = b1 * Mw[i] + (1 - b1) * gi; Vw[i] = b2 * Vw[i] + (1 - b2) * gi * gi;
      P[i] -= 1e-3 * (Mw[i] / c1 / (std::sqrt(Vw[i] / c2) + 1e-8) + 0.01 * P[i]); }
    launch({4}, {256}, [&] { adamw_f32(n, p.data(), g.data(), m.data(), v.data(), 1e-3f, 0.9f, 0.999f, (float)(1 - b1), (float)(1 - b2), 1e-8f, 0.01f, (float)c1, (float)c2, 0.5f); });
  }
  rep("adamw param", err(p, P), 1e-6); rep("adamw m", err(m, Mw), 1e-5); rep("adamw v", err(v, Vw), 1e-5);
  int B = 4, T = 96, M = 7, H = 24; double eps = 1e-5, eps2 = eps * eps;
  auto x = rnd(B * T * M, -2, 5), ga = rnd(M, .5, 1.5), be = rnd(M, -.5, .5), dout = rnd(B * T * M, -1, 1);
  std::vector<float> out(B * T * M), mean(B * M), sd(B * M), dg(M, 0.f), db(M, 0.f);
  std::vector<double> Wo(out.size()), Wm(B * M), Ws(B * M), Wdg(M), Wdb(M);
  for (int b = 0; b < B; b++) for (int mi = 0; mi < M; mi++) { double s = 0; for (int t = 0; t < T; t++) s += x[(b * T + t) * M + mi]; double mu = s / T, var = 0;
    for (int t = 0; t < T; t++) { double c = x[(b * T + t) * M + mi] - mu; var += c * c; } double st = std::sqrt(var / T + eps); Wm[b * M + mi] = mu; Ws[b * M + mi] = st;
    for (int t = 0; t < T; t++) { int i = (b * T + t) * M + mi; Wo[i] = (x[i] - mu) / st * ga[mi] + be[mi]; } }
  launch({1}, {256}, [&] { revin_norm_f32(B, T, M, (float)eps, x.data(), ga.data(), be.data(), out.data(), mean.data(), sd.data()); });
  rep("revin out", err(out, Wo), 1e-5); rep("revin mean", err(mean, Wm), 1e-6); rep("revin std", err(sd, Ws), 1e-6);
  for (int b = 0; b < B; b++) for (int t = 0; t < T; t++) for (int mi = 0; mi < M; mi++) { int i = (b * T + t) * M + mi; Wdg[mi] += dout[i] * (x[i] - mean[b * M + mi]) / sd[b * M + mi]; Wdb[mi] += dout[i]; }
  launch({1}, {256}, [&] { revin_norm_bwd_f32(B, T, M, x.data(), mean.data(), sd.data(), dout.data(), dg.data(), db.data()); });
  rep("revin bwd dgamma", err(dg, Wdg), 1e-5); rep("revin bwd dbeta", err(db, Wdb), 1e-5);
  auto y = rnd(B * H * M, -2, 2), dO = rnd(B * H * M, -1, 1); std::vector<float> yo(y.size()), dy(y.size()), dg2(M, 0.f), db2(M, 0.f);
  std::vector<double> Wy(y.size()), Wdy(y.size()), Wdg2(M), Wdb2(M);
  for (int b = 0; b < B; b++) for (int h = 0; h < H; h++) for (int mi = 0; mi < M; mi++) { int i = (b * H + h) * M + mi; double den = ga[mi] + eps2;
    Wy[i] = (y[i] - be[mi]) / den * sd[b * M + mi] + mean[b * M + mi]; double k = dO[i] * sd[b * M + mi] / den; Wdy[i] = k; Wdb2[mi] -= k; Wdg2[mi] -= k * (y[i] - be[mi]) / den; }
  launch({3}, {256}, [&] { revin_denorm_f32(B, H, M, (float)eps2, y.data(), ga.data(), be.data(), mean.data(), sd.data(), yo.data()); });
  launch({1}, {256}, [&] { revin_denorm_bwd_f32(B, H, M, (float)eps2, y.data(), ga.data(), be.data(), sd.data(), dO.data(), dy.data(), dg2.data(), db2.data()); });
  rep("revin denorm out", err(yo, Wy), 2e-6); rep("revin denorm dy", err(dy, Wdy), 2e-6); rep("revin denorm dgamma", err(dg2, Wdg2), 1e-5); rep("revin denorm dbeta", err(db2, Wdb2), 1e-5);
}
void testDropout() {
  // Expected draws from java.util.SplittableRandom (seed -7: nextDouble() < 0.7 -> 11011011;
  // seed 1234567890123: 0.6021, 0.0767, 0.4369, 0.00045, 0.2381 against keep 0.5 -> 01111).
  std::vector<float> m(8, NAN); float kept = (float)(1 / 0.7); double keep = 0.7; long long bits; std::memcpy(&bits, &keep, 8);
  launch({1}, {256}, [&] { dropout_mask_f32(8, -7, bits, kept, m.data()); });
  const char* want = "11011011"; double e = 0; for (int i = 0; i < 8; i++) e = std::max(e, (double)std::fabs(m[i] - (want[i] == '1' ? kept : 0.f)));
  rep("dropout mask (SplittableRandom seed -7)", e, 0);
  std::vector<float> m2(5, NAN); keep = 0.5; std::memcpy(&bits, &keep, 8);
  launch({2}, {2}, [&] { dropout_mask_f32(5, 1234567890123LL, bits, 2.f, m2.data()); });
  const char* want2 = "01111"; e = 0; for (int i = 0; i < 5; i++) e = std::max(e, (double)std::fabs(m2[i] - (want2[i] == '1' ? 2.f : 0.f)));
  rep("dropout mask (seed 1234567890123, grid stride)", e, 0);
}
void testMulti() {
  // adamw_multi_f32 / sumsq_multi_f64 / zero_multi_f32 over a 3-tensor table (sizes 1000, 1, 300)
  // against per-tensor adamw_f32 launches (must match bit for bit) and a double loop.
  int T = 3; long long sz[3] = {1000, 1, 300}; double wd[3] = {0.01, 0.0, 0.1};
  std::vector<std::vector<float>> P, G, M, V, P2, M2, V2;
  for (int k = 0; k < T; k++) { P.push_back(rnd(sz[k], -1, 1)); G.push_back(rnd(sz[k], -.1f, .1f)); M.push_back(rnd(sz[k], -.01f, .01f));
    V.push_back(rnd(sz[k], 0, .001f)); P2.push_back(P[k]); M2.push_back(M[k]); V2.push_back(V[k]); }
  std::vector<long long> tab(6 * T);
  for (int k = 0; k < T; k++) { tab[k] = (long long)P[k].data(); tab[T + k] = (long long)G[k].data(); tab[2 * T + k] = (long long)M[k].data();
    tab[3 * T + k] = (long long)V[k].data(); tab[4 * T + k] = sz[k]; std::memcpy(&tab[5 * T + k], &wd[k], 8); }
  // store_ptr_u64 writes a device address into a table slot
  std::vector<long long> slot(1, 0); launch({1}, {1}, [&] { store_ptr_u64(P[1].data(), (unsigned long long*)slot.data()); });
  rep("store_ptr_u64", slot[0] == (long long)P[1].data() ? 0 : 1, 0);
  double c1 = 1 - std::pow(0.9, 2), c2 = 1 - std::pow(0.999, 2);
  launch({2}, {256}, [&] { adamw_multi_f32(T, tab.data(), 1e-3f, .9f, .999f, .1f, (float)(1 - .999), 1e-8f, (float)c1, (float)c2, .7f); });
  double e = 0;
  for (int k = 0; k < T; k++) {
    launch({3}, {256}, [&] { adamw_f32(sz[k], P2[k].data(), G[k].data(), M2[k].data(), V2[k].data(), 1e-3f, .9f, .999f, .1f, (float)(1 - .999), 1e-8f, (float)wd[k], (float)c1, (float)c2, .7f); });
    for (long long i = 0; i < sz[k]; i++) e = std::max(e, (double)std::fabs(P[k][i] - P2[k][i]) + std::fabs(M[k][i] - M2[k][i]) + std::fabs(V[k][i] - V2[k][i]));
  }
  rep("adamw_multi == adamw_f32 per tensor", e, 0);
  double want = 0; for (int k = 0; k < T; k++) for (float x : G[k]) want += (double)x * x;
  std::vector<double> res(1, 0.0); std::vector<long long> tab2 = {tab[T], tab[T + 1], tab[T + 2], sz[0], sz[1], sz[2]};
  launch({3}, {256}, [&] { sumsq_multi_f64(T, tab2.data(), res.data()); });
  rep("sumsq_multi", std::fabs(res[0] - want) / want, 1e-12);
  launch({2}, {256}, [&] { zero_multi_f32(T, tab2.data()); });
  double z = 0; for (int k = 0; k < T; k++) for (float x : G[k]) z = std::max(z, (double)std::fabs(x)); rep("zero_multi", z, 0);
}
void testDeviceStep() {
  // The device-resident step's kernels against the eager ones they replace (bit for bit) and double loops.
  // dropout_mask_step_f32: seed = base * mul + add with base read from the step inputs.
  long long base = 42 * 1000003LL + 17, mul = 31, add = 2, seed = base * mul + add;
  std::vector<double> in(8, 0.0); std::memcpy(&in[0], &base, 8);
  double keep = 0.9; long long kb; std::memcpy(&kb, &keep, 8);
  std::vector<float> a(700, NAN), b(700, NAN);
  launch({2}, {256}, [&] { dropout_mask_f32(700, seed, kb, (float)(1 / keep), a.data()); });
  launch({3}, {256}, [&] { dropout_mask_step_f32(700, in.data(), mul, add, kb, (float)(1 / keep), b.data()); });
  double e = 0; for (int i = 0; i < 700; i++) e = std::max(e, (double)std::fabs(a[i] - b[i])); rep("dropout_mask_step == dropout_mask", e, 0);
  // divide_result_f64, step_guard_f64
  std::vector<double> res = {12.0, 4.0, 0.0, 0.0}; double div = 3.0; long long db; std::memcpy(&db, &div, 8);
  launch({1}, {1}, [&] { divide_result_f64(res.data(), 0, db); }); rep("divide_result", std::fabs(res[0] - 4.0), 0);
  launch({1}, {1}, [&] { step_guard_f64(res.data()); }); rep("step_guard (finite: no flag)", res[2], 0);
  // adamw_multi_step_f32 == adamw_multi_f32 with lr, c1, c2 and the clip scale computed as the host does.
  int T = 2; long long sz[2] = {300, 5}; double wd[2] = {0.01, 0.0};
  std::vector<std::vector<float>> P, G, M, V, P2, M2, V2;
  for (int k = 0; k < T; k++) { P.push_back(rnd(sz[k], -1, 1)); G.push_back(rnd(sz[k], -.5f, .5f)); M.push_back(rnd(sz[k], -.01f, .01f));
    V.push_back(rnd(sz[k], 0, .001f)); P2.push_back(P[k]); M2.push_back(M[k]); V2.push_back(V[k]); }
  auto table = [&](std::vector<std::vector<float>>& p, std::vector<std::vector<float>>& m, std::vector<std::vector<float>>& v) {
    std::vector<long long> t(6 * T);
    for (int k = 0; k < T; k++) { t[k] = (long long)p[k].data(); t[T + k] = (long long)G[k].data(); t[2 * T + k] = (long long)m[k].data();
      t[3 * T + k] = (long long)v[k].data(); t[4 * T + k] = sz[k]; std::memcpy(&t[5 * T + k], &wd[k], 8); }
    return t; };
  std::vector<long long> t1 = table(P, M, V), t2 = table(P2, M2, V2);
  double lr = 3e-3, c1 = 1 - std::pow(0.9, 3), c2 = 1 - std::pow(0.999, 3), clip = 0.8, ss = 0;
  for (int k = 0; k < T; k++) for (float x : G[k]) ss += (double)x * x;
  double gn = std::sqrt(ss), scale = clip > 0 && gn > clip ? clip / gn : 1.0;
  std::vector<double> sin = {0, lr, c1, c2, clip, 0, 0, 0}, sres = {0.5, ss, 0, 0};
  launch({2}, {256}, [&] { adamw_multi_f32(T, t1.data(), (float)lr, .9f, .999f, .1f, (float)(1 - .999), 1e-8f, (float)c1, (float)c2, (float)scale); });
  launch({3}, {256}, [&] { adamw_multi_step_f32(T, t2.data(), sin.data(), sres.data(), .9f, .999f, .1f, (float)(1 - .999), 1e-8f); });
  e = 0; for (int k = 0; k < T; k++) for (long long i = 0; i < sz[k]; i++) e = std::max(e, (double)std::fabs(P[k][i] - P2[k][i]) + std::fabs(M[k][i] - M2[k][i]));
  rep("adamw_multi_step == adamw_multi (clipped)", e, 0);
  std::vector<std::vector<float>> P3 = P2; sres[0] = NAN;
  launch({1}, {1}, [&] { step_guard_f64(sres.data()); }); rep("step_guard (NaN loss: flag set)", sres[2] == 1.0 ? 0 : 1, 0);
  std::vector<long long> t3 = table(P3, M2, V2);
  launch({2}, {256}, [&] { adamw_multi_step_f32(T, t3.data(), sin.data(), sres.data(), .9f, .999f, .1f, (float)(1 - .999), 1e-8f); });
  e = 0; for (int k = 0; k < T; k++) for (long long i = 0; i < sz[k]; i++) e = std::max(e, (double)std::fabs(P3[k][i] - P2[k][i]));
  rep("adamw_multi_step skips a flagged step", e, 0);
  // Weighted averaging, softmax and free weights: wavg_axpy_f32 sums, wavg_grad_f32 weight gradients.
  for (int softmax = 0; softmax < 2; softmax++) {
    int S = 4; long long n = 333; std::vector<float> raw = rnd(S, -1, 1); if (!softmax) raw[2] = 0.f;
    std::vector<std::vector<float>> src; for (int j = 0; j < S; j++) src.push_back(rnd(n, -1, 1));
    std::vector<double> w(S); double mx = -1e300, sum = 0;
    for (int j = 0; j < S; j++) mx = std::max(mx, (double)raw[j]);
    for (int j = 0; j < S; j++) { w[j] = softmax ? std::exp((double)raw[j] - mx) : raw[j]; sum += w[j]; }
    if (softmax) for (int j = 0; j < S; j++) w[j] /= sum;
    std::vector<float> out(n, 0.f); std::vector<double> want(n, 0.0);
    for (int j = 0; j < S; j++) launch({2}, {256}, [&] { wavg_axpy_f32(n, S, j, softmax, raw.data(), src[j].data(), out.data()); });
    for (long long i = 0; i < n; i++) for (int j = 0; j < S; j++) want[i] += w[j] * src[j][i];
    rep(softmax ? "wavg_axpy (softmax weights)" : "wavg_axpy (free weights, one zero)", err(out, want), 1e-6);
    std::vector<float> dOut = rnd(n, -1, 1), rg = rnd(S, -.1f, .1f); std::vector<double> gw(S, 0.0), wantG(S);
    for (int j = 0; j < S; j++) { for (long long i = 0; i < n; i++) gw[j] += (double)dOut[i] * src[j][i]; }
    double mean = 0; for (int j = 0; j < S; j++) mean += w[j] * gw[j];
    for (int j = 0; j < S; j++) wantG[j] = rg[j] + (softmax ? w[j] * (gw[j] - mean) : gw[j]);
    launch({1}, {1}, [&] { wavg_grad_f32(S, softmax, raw.data(), gw.data(), rg.data()); });
    rep(softmax ? "wavg_grad (softmax chain)" : "wavg_grad (free weights)", err(rg, wantG), 1e-6);
  }
}
void testImages(int B, int H, int W, int E, int K, unsigned grid) {
  // dwconv2d fwd / dx / params and merge2x2 fwd / bwd (ViM2, channels-last (B, H, W, E)) against
  // double loops in the reference's scatter form. grid caps the 1-D launches (grid-stride paths);
  // dw and dbias start nonzero (they accumulate).
  long n = (long)B * H * W * E; int half = K / 2;
  auto x = rnd(n, -1, 1), w = rnd(E * K * K, -1, 1), bias = rnd(E, -1, 1), g = rnd(n, -1, 1), dw = rnd(E * K * K, -1, 1), db = rnd(E, -1, 1);
  std::vector<double> Wo(n), Wdx(n, 0.0), Wdw(dw.begin(), dw.end()), Wdb(db.begin(), db.end());
  for (int b = 0; b < B; b++) for (int i = 0; i < H; i++) for (int j = 0; j < W; j++) for (int e = 0; e < E; e++) {
    long o = (((long)b * H + i) * W + j) * E + e; double acc = bias[e], gv = g[o]; Wdb[e] += gv;
    for (int p = 0; p < K; p++) for (int q = 0; q < K; q++) { int ii = i + p - half, jj = j + q - half;
      if (ii < 0 || ii >= H || jj < 0 || jj >= W) continue; long src = (((long)b * H + ii) * W + jj) * E + e;
      acc += (double)w[(e * K + p) * K + q] * x[src]; Wdx[src] += (double)w[(e * K + p) * K + q] * gv; Wdw[(e * K + p) * K + q] += gv * x[src]; }
    Wo[o] = acc; }
  std::vector<float> out(n, NAN), dx(n, NAN);
  launch({grid}, {256}, [&] { dwconv2d_fwd_f32(B, H, W, E, K, x.data(), w.data(), bias.data(), out.data()); });
  launch({grid}, {256}, [&] { dwconv2d_bwd_dx_f32(B, H, W, E, K, w.data(), g.data(), dx.data()); });
  launch({cdiv(E, 32), (unsigned)(K * K + 1)}, {32, 8}, [&] { dwconv2d_bwd_params_f32(B, H, W, E, K, x.data(), g.data(), dw.data(), db.data()); });
  char tag[80]; snprintf(tag, 80, " B%d H%d W%d E%d k%d", B, H, W, E, K);
  auto R = [&](const char* nm, const std::vector<float>& gv, const std::vector<double>& wv, double tol) { std::string s = std::string(nm) + tag; rep(s.c_str(), err(gv, wv), tol); };
  R("dwconv2d fwd", out, Wo, 1e-6); R("dwconv2d bwd dx", dx, Wdx, 1e-6); R("dwconv2d bwd dw (+= init)", dw, Wdw, 1e-6); R("dwconv2d bwd dbias (+= init)", db, Wdb, 1e-6);
  int Ho = (H + 1) / 2, Wo2 = (W + 1) / 2; long m = (long)B * Ho * Wo2 * 4 * E;
  auto dm = rnd(m, -1, 1); std::vector<float> merged(m, NAN), dmx(n, NAN); std::vector<double> Wm(m), Wmx(n, 0.0);
  for (int b = 0; b < B; b++) for (int i = 0; i < Ho; i++) for (int j = 0; j < Wo2; j++)
    for (int part = 0; part < 4; part++) { int ii = 2 * i + (part == 1 || part == 3), jj = 2 * j + (part >= 2);   // (0,0), (1,0), (0,1), (1,1)
      for (int c = 0; c < E; c++) { long o = ((((long)b * Ho + i) * Wo2 + j) * 4 + part) * E + c; bool in = ii < H && jj < W;
        long src = (((long)b * H + ii) * W + jj) * E + c; Wm[o] = in ? x[src] : 0.0; if (in) Wmx[src] += dm[o]; } }
  launch({grid}, {256}, [&] { merge2x2_fwd_f32(B, H, W, E, x.data(), merged.data()); });
  launch({grid}, {256}, [&] { merge2x2_bwd_f32(B, H, W, E, dm.data(), dmx.data()); });
  R("merge2x2 fwd", merged, Wm, 0); R("merge2x2 bwd", dmx, Wmx, 0);
}

int main() {
  testDeviceStep();
  testMulti();
  testDropout();
  testAdamRevin();
  testMisc();
  testGemm(67, 45, 83, 0, 0, 0); testGemm(67, 45, 83, 1, 0, 0.5f); testGemm(67, 45, 83, 0, 1, 0); testGemm(33, 70, 40, 1, 1, 0.5f);
  testGemm(130, 70, 37, 0, 0, 0.5f); testGemm(1, 33, 7, 0, 1, 0); testGemm(20, 9, 0, 0, 0, 0.5f);
  // split-k (weight-gradient shapes: small m, n, long k; last slice partial)
  testGemm(24, 40, 300, 1, 0, 0.5f, 48); testGemm(24, 40, 300, 1, 0, 0, 128); testGemm(70, 3, 200, 0, 1, 0.5f, 32); testGemm(5, 66, 100, 1, 1, 0, 16);
  testLN(5, 300); testLN(3, 7);
  testConvSumReduce(2, 29, 37, 4); testConvSumReduce(1, 10, 40, 16);
  // ViM2 images: odd / non-square H, W; k = 1, 3, 5; E not a multiple of 32 (partial channel
  // blocks; E = 37, 45, 96: several); most 1-D grids capped below the element count (grid-stride loops).
  testImages(2, 5, 7, 37, 3, 3); testImages(3, 4, 4, 7, 1, 2); testImages(2, 6, 5, 45, 5, 4); testImages(1, 1, 1, 3, 3, 1);
  testImages(4, 9, 6, 24, 5, 64); testImages(2, 7, 7, 96, 3, 16);
  // N <= 32 register kernels: batch = sequences per backward launch.
  testScan(3, 37, 40, 16, 8, true, 128);       // n16, several checkpoint chunks, partial last warp
  testScan(2, 20, 64, 5, 64, false, 1);        // N = 5 of 16, chunk > L, one sequence per launch
  testScan(3, 21, 100, 16, 6, true, 2);        // E = 100: last warp partial; batched 2 + 1
  testScan(1, 70, 13, 16, 70, true, 128);      // chunk 70 > tile (5 tiles), E not a multiple of 8
  testScan(2, 23, 6, 24, 9, true, 128);        // n32 (N = 24 of 32)
  testScan(2, 40, 3, 32, 40, false, 128);      // n32, full states, no gate
  testScan(2, 19, 160, 16, 7, true, 128);      // E = 160 > 128: two channel blocks, dB/dC by atomics
  // Fast N <= 16 kernels (scan_fwd_f16: 64-channel blocks, 16-step cp.async stages; scan_bwd_f16:
  // one warp per block, 8-step segments, <= 8 segments per checkpoint chunk).
  testScan(3, 37, 40, 16, 8, true, 128, true);     // chunk = one segment, partial tiles/warps, 2 channel blocks
  testScan(2, 20, 64, 5, 64, false, 1, true);      // N = 5, chunk > L (one chunk of 3 segments), no gate
  testScan(2, 100, 64, 16, 64, true, 1, true);     // E = 64: full warps, chunk = 8 segments, last chunk partial
  testScan(2, 63, 160, 16, 64, true, 2, true);     // E = 160: 5 warps, 3 forward blocks (last partial); TSM2-like L
  testScan(1, 70, 13, 16, 20, true, 128, true);    // chunk 20 (3 segments, last partial), E < 32: dB/dC stored
  testScan(2, 45, 32, 16, 9, false, 128, true);    // E = 32: one block, stored; chunk not a multiple of 8
  testScan(1, 40, 7, 1, 64, true, 128, true);      // N = 1
  testScan(1, 9, 33, 40, 4, true, 128);        // n64 kernel
  testScan(1, 9, 35, 40, 4, true, 70);         // n64 kernel, batched
  printf("%d failures\n", fails); return fails != 0;
}

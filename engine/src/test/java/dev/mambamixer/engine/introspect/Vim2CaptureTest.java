package dev.mambamixer.engine.introspect;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.Backend;
import dev.mambamixer.engine.backend.ReferenceBackend;
import dev.mambamixer.engine.model.Vim2;
import dev.mambamixer.engine.model.Vim2Config;
import dev.mambamixer.engine.nn.Mixer;
import dev.mambamixer.engine.nn.ScanBranch;
import dev.mambamixer.engine.nn.Ss2dMixer;
import dev.mambamixer.engine.nn.WeightedAverage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ViM2 introspection on the ReferenceBackend (MODEL.md §7.5): the merged implicit attention of the
 * four SS2D directions reproduces the mixer's cross-merged scan output, and every map reads the
 * branches' raw buffers at the right (row-major) token.
 */
class Vim2CaptureTest {
    private final Backend be = new ReferenceBackend();
    private Vim2 model;
    private Vim2Capture cap;
    private static final int B = 2;

    /** 8×6 RGB, patch 2 -> 4×3 tokens (non-square), then 2×2; Vim2GradientTest's tiny config. */
    static Vim2Config tiny() {
        return new Vim2Config(8, 6, 3, 4, 2, List.of(4, 6), List.of(2, 1), 2, Vim2Config.ChannelMixer.PER_TOKEN_LIFT,
                              3, 2, 2, 2, 2, 3, 4, WeightedAverage.Mode.SOFTMAX, 11);
    }

    @BeforeEach
    void capture() {
        model = new Vim2(be, tiny());
        SplittableRandom rng = new SplittableRandom(21);
        // a spread of Δ (dt bias in [-2, 1]) and D, so that α is far from trivial
        for (int s = 0; s < model.config().stages(); s++)
            for (var mx : model.stage(s).mixers())
                if (mx instanceof Ss2dMixer t)
                    for (int d = 0; d < Ss2dMixer.DIRECTIONS; d++) {
                        ScanBranch br = t.scan(d);
                        be.upload(rand(rng, br.innerWidth(), -2, 1), br.dtBias().value());
                        be.upload(rand(rng, br.innerWidth(), -1, 1), br.skipD().value());
                    }
        Vim2Config c = model.config();
        double[] img = rand(rng, B * c.height() * c.width() * c.channels(), -1.5, 1.5);
        float[] x = new float[img.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) img[i];
        cap = Introspector.capture(model, x, B, 7);
    }

    static double[] rand(SplittableRandom rng, int n, double lo, double hi) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.nextDouble();
        return a;
    }

    static double softplus(double x) { return Math.log1p(Math.exp(x)); }

    @Test
    void stagesMixersAndAveragingAreCaptured() {
        assertEquals(2, cap.stages().size());
        assertEquals(7, cap.step());
        assertEquals(B * 4, cap.logits().length);
        Vim2Capture.Stage s0 = cap.stage(0), s1 = cap.stage(1);
        assertArrayEquals(new int[] {4, 3}, new int[] {s0.height(), s0.width()});
        assertArrayEquals(new int[] {2, 2}, new int[] {s1.height(), s1.width()});
        assertEquals(2, s0.tokenMixers().size());
        assertEquals(1, s0.channelMixers().size());
        assertEquals(1, s1.tokenMixers().size());
        assertEquals(List.of(0, 1), s0.tokenMixers().stream().map(Ss2dCapture::index).toList());
        assertEquals(2, s0.channelMixers().get(0).index());
        assertEquals(3, s0.averaging().targetCount());
        assertEquals(1, s1.averaging().targetCount());
        assertEquals("softmax", s0.averaging().mode());
        assertEquals(MixerKind.SS2D, s0.tokenMixer("stages.0.mixers.1").kind());
        assertTrue(MixerKind.SS2D.tokenMixer());
    }

    /** (a) Σ_k α_merged[q,k]·u[k] + Σ_dir D_dir·u[q] = the cross-merged scan output at q, per channel. */
    @Test
    void mergedImplicitAttentionReproducesTheCrossMergedScanOutputTo1e9() {
        for (int st = 0; st < 2; st++) {
            List<Ss2dCapture> tms = cap.stage(st).tokenMixers();
            for (int m = 0; m < tms.size(); m++) {
                Ss2dCapture sc = tms.get(m);
                Ss2dMixer mx = (Ss2dMixer) model.stage(st).mixers().get(sc.index());
                int h = sc.height(), w = sc.width(), l = h * w, e = sc.e();
                double[] ysum = be.toDoubles(mx.lastMergedScanOutput());          // (B,H,W,E)
                double[] u = sc.direction(CrossScanDirection.ROW_MAJOR).u();      // (B,HW,E) row-major
                for (CrossScanDirection d : CrossScanDirection.values())          // every direction read the same u
                    assertArrayEquals(u, sc.direction(d).u(), 0.0, d + " u in row-major order");
                double max = 0;
                for (int b = 0; b < B; b++)
                    for (int qi = 0; qi < h; qi++)
                        for (int qj = 0; qj < w; qj++)
                            for (int ch = 0; ch < e; ch++) {
                                double[][] a = sc.mergedAttention(b, qi, qj, ch);
                                int q = qi * w + qj;
                                double y = sc.mergedSkip(ch) * u[(b * l + q) * e + ch];
                                for (int ki = 0; ki < h; ki++)
                                    for (int kj = 0; kj < w; kj++) y += a[ki][kj] * u[(b * l + ki * w + kj) * e + ch];
                                double want = ysum[(b * l + q) * e + ch];
                                max = Math.max(max, Math.abs(want));
                                assertEquals(want, y, 1e-9, sc.name() + " image " + b + " token (" + qi + "," + qj + ") ch " + ch);
                            }
                assertTrue(max > 0.01, "non-trivial merged output, max |y| = " + max);
            }
        }
    }

    /** Each direction alone: α in row-major positions applied to u is that branch's output, read at its scan step. */
    @Test
    void eachDirectionsAttentionIsCausalInItsOwnOrderAndReproducesItsBranch() {
        Ss2dCapture sc = cap.stage(0).tokenMixers().get(1);
        Ss2dMixer mx = (Ss2dMixer) model.stage(0).mixers().get(1);
        int h = sc.height(), w = sc.width(), l = h * w, e = sc.e();
        for (CrossScanDirection d : CrossScanDirection.values()) {
            ScanTrace tr = sc.direction(d);
            double[] o = be.toDoubles(mx.scan(d.index()).lastOutput());         // (B, L, E) in scan order
            for (int b = 0; b < B; b++)
                for (int ch = 0; ch < e; ch++) {
                    ImplicitAttention at = tr.attention(b, ch);
                    double[] y = at.apply(tr.input(b, ch));
                    for (int i = 0; i < h; i++)
                        for (int j = 0; j < w; j++) {
                            int p = i * w + j, tau = d.scanStep(i, j, h, w);
                            assertEquals(o[(b * l + tau) * e + ch], y[p], 1e-9, d + " (" + i + "," + j + ")");
                            double[] row = tr.attentionRow(b, ch, p);
                            for (int k = 0; k < l; k++) {
                                assertEquals(at.alpha(p, k), row[k], 1e-12, "row kernel = full matrix");
                                int ki = k / w, kj = k % w;
                                if (d.scanStep(ki, kj, h, w) > tau) assertEquals(0.0, row[k], d + ": key read after the query");
                            }
                        }
                }
        }
        // the directions see different halves: for token (2, 0) of the 4×3 grid the key (0, 2) is read
        // before it row-major but after it column-major; the key (1, 0) before it in both
        double[][] rm = sc.attention(CrossScanDirection.ROW_MAJOR, 0, 2, 0, 0);
        double[][] cm = sc.attention(CrossScanDirection.COLUMN_MAJOR, 0, 2, 0, 0);
        assertNotEquals(0.0, rm[0][2]);
        assertEquals(0.0, cm[0][2], "column-major reads (0, 2) after (2, 0)");
        assertNotEquals(0.0, cm[1][0]);
        double[][] merged = sc.mergedAttention(0, 2, 0, 0), mabs = sc.mergedMeanAbsAttention(0, 2, 0);
        double[][] rma = sc.meanAbsAttention(CrossScanDirection.ROW_MAJOR, 0, 2, 0);
        for (int ki = 0; ki < h; ki++)
            for (int kj = 0; kj < w; kj++) {
                double sum = 0, abs = 0, absRm = 0;
                for (CrossScanDirection d : CrossScanDirection.values()) sum += sc.attention(d, 0, 2, 0, 0)[ki][kj];
                for (int ch = 0; ch < e; ch++) {
                    abs += Math.abs(sc.mergedAttention(0, 2, 0, ch)[ki][kj]);
                    absRm += Math.abs(sc.attention(CrossScanDirection.ROW_MAJOR, 0, 2, 0, ch)[ki][kj]);
                }
                assertEquals(sum, merged[ki][kj], 1e-15);
                assertEquals(abs / e, mabs[ki][kj], 1e-15);
                assertEquals(absRm / e, rma[ki][kj], 1e-15);
            }
    }

    /** (b) The maps are in row-major image order: direction 1's Δ at (i, j) is its raw buffer at j·H + i. */
    @Test
    void mapsReadTheBranchBuffersAtTheRowMajorToken() {
        Ss2dCapture sc = cap.stage(0).tokenMixers().get(0);
        Ss2dMixer mx = (Ss2dMixer) model.stage(0).mixers().get(0);
        int h = sc.height(), w = sc.width(), l = h * w, e = sc.e(), n = sc.n();
        assertEquals(4, h);
        assertEquals(3, w);
        for (CrossScanDirection d : CrossScanDirection.values()) {
            ScanBranch br = mx.scan(d.index());
            double[] raw = be.toDoubles(br.lastDeltaRaw()), bias = be.toDoubles(br.dtBias().value());
            double[] bm = be.toDoubles(br.lastB()), cm = be.toDoubles(br.lastC());
            for (int b = 0; b < B; b++) {
                float[][] delta = sc.map(ScanQuantity.DELTA, d, b), bn = sc.map(ScanQuantity.B, d, b);
                float[][] cn = sc.map(ScanQuantity.C, d, b), d1 = sc.deltaMap(d, b, 1);
                assertEquals(h, delta.length);
                assertEquals(w, delta[0].length);
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++) {
                        int base = switch (d) {                          // the scan index, written out per direction
                            case ROW_MAJOR -> i * w + j;
                            case COLUMN_MAJOR -> j * h + i;
                            case ROW_MAJOR_REVERSED -> l - 1 - (i * w + j);
                            case COLUMN_MAJOR_REVERSED -> l - 1 - (j * h + i);
                        };
                        int row = b * l + base;
                        double mean = 0, sb = 0, sc2 = 0;
                        for (int ch = 0; ch < e; ch++) mean += softplus(raw[row * e + ch] + bias[ch]) / e;
                        for (int k = 0; k < n; k++) {
                            sb += bm[row * n + k] * bm[row * n + k];
                            sc2 += cm[row * n + k] * cm[row * n + k];
                        }
                        String at = d + " (" + i + "," + j + ")";
                        assertEquals(mean, delta[i][j], 1e-6 * mean, at);
                        assertEquals(softplus(raw[row * e + 1] + bias[1]), d1[i][j], 1e-6, at);
                        assertEquals(Math.sqrt(sb), bn[i][j], 1e-6, at);
                        assertEquals(Math.sqrt(sc2), cn[i][j], 1e-6, at);
                    }
            }
        }
        // the gate is SiLU(z) of the mixer's (B, H, W, E) gate input, averaged over channels
        double[] z = be.toDoubles(mx.lastGateInput());
        float[][] g = sc.gateMap(1);
        for (int i = 0; i < h; i++)
            for (int j = 0; j < w; j++) {
                double mean = 0;
                for (int ch = 0; ch < e; ch++) {
                    double v = z[((h + i) * w + j) * e + ch];
                    mean += v / (1 + Math.exp(-v)) / e;
                }
                assertEquals(mean, g[i][j], 1e-6);
            }
        // retention and state norm: in (0, 1] and the norm of the state after the direction's last step
        float[][] keep = sc.map(ScanQuantity.RETENTION, CrossScanDirection.COLUMN_MAJOR, 0);
        for (float[] r : keep) for (float v : r) assertTrue(v > 0 && v <= 1, "retention " + v);
        assertTrue(sc.map(ScanQuantity.STATE_NORM, CrossScanDirection.COLUMN_MAJOR_REVERSED, 0)[0][0] > 0);
    }

    /** (c) The V-B channel mixer: Δ per (token, model channel) from the forward and (flipped) backward cores. */
    @Test
    void channelMixerMapsHaveTheGridAndChannelShapesAndTheRawValues() {
        Vim2ChannelCapture cc = cap.stage(0).channelMixers().get(0);
        Mixer mx = (Mixer) model.stage(0).mixers().get(cc.index());
        int h = 4, w = 3, l = h * w, dim = 4;
        assertEquals(dim, cc.dim());
        assertEquals(B, cc.batch());
        assertEquals(Vim2Config.ChannelMixer.PER_TOKEN_LIFT, cc.mode());
        for (ScanDirection dir : ScanDirection.values()) {
            var core = dir == ScanDirection.FORWARD ? mx.unit().forwardCore() : mx.unit().backwardCore();
            double[] raw = be.toDoubles(core.lastDeltaRaw()), bias = be.toDoubles(core.dtBias().value());
            int e = core.innerWidth();
            assertEquals(3, e, "e_c = channelLift = 3");
            for (int b = 0; b < B; b++) {
                float[][] map = cc.deltaMap(dir, b), tc = cc.deltaTokenChannel(dir, b);
                float[] prof = cc.deltaProfile(dir, b);
                assertEquals(h, map.length);
                assertEquals(w, map[0].length);
                assertEquals(l, tc.length);
                assertEquals(dim, tc[0].length);
                assertEquals(dim, prof.length);
                double[] want = new double[dim];
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < w; j++) {
                        int seq = (b * h + i) * w + j;                     // token (i, j) of image b
                        double tokenMean = 0;
                        for (int d = 0; d < dim; d++) {
                            int pos = dir == ScanDirection.FORWARD ? d : dim - 1 - d;   // the backward core scanned D−1..0
                            double m = 0;
                            for (int ch = 0; ch < e; ch++) m += softplus(raw[(seq * dim + pos) * e + ch] + bias[ch]) / e;
                            assertEquals(m, tc[i * w + j][d], 1e-6, dir + " token (" + i + "," + j + ") channel " + d);
                            tokenMean += m / dim;
                            want[d] += m / l;
                        }
                        assertEquals(tokenMean, map[i][j], 1e-6);
                    }
                for (int d = 0; d < dim; d++) assertEquals(want[d], prof[d], 1e-6);
            }
        }
    }

    @Test
    void ss2dTracesAreNotForcedIntoAOneDimensionalScanCapture() {
        ScanTrace col = cap.stage(0).tokenMixers().get(0).direction(CrossScanDirection.COLUMN_MAJOR);
        assertFalse(col.reversed());
        assertEquals(ScanDirection.FORWARD, col.direction());
        assertThrows(IllegalArgumentException.class, () -> ScanCapture.of(col));
        ScanTrace rev = cap.stage(0).tokenMixers().get(0).direction(CrossScanDirection.ROW_MAJOR_REVERSED);
        assertTrue(rev.reversed());
        assertArrayEquals(new int[] {0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11}, CrossScanDirection.COLUMN_MAJOR.scanOrder(4, 3),
                          "column-major over 4 rows × 3 columns: (0,0), (1,0), (2,0), (3,0), (0,1), ... as i·W + j");
    }
}

package dev.mambamixer.engine.backend.cuda;

import static org.junit.jupiter.api.Assertions.*;

import dev.mambamixer.engine.backend.ScanDims;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * GPU-free checks of the Java/CUDA seam: every kernel CudaBackend launches exists in the
 * committed PTX with exactly the parameter types the launcher passes, and the PTX header is
 * one that drivers >= 520 (CUDA 11.8) accept. Runs everywhere, so a mismatch cannot first show
 * up as a wrong result on the GPU machine.
 */
class KernelSignatureTest {

    private static final Pattern ENTRY = Pattern.compile("\\.visible \\.entry (\\w+)\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param \\.(\\w+) ");

    /** Kernel name -> signature letters as read from the PTX (.u32 i, .f32 f, .u64 p-or-l). */
    static Map<String, String> ptxSignatures(String ptx) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            StringBuilder sig = new StringBuilder();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                switch (p.group(1)) {
                    case "u32", "s32", "b32" -> sig.append('i');
                    case "f32" -> sig.append('f');
                    case "u64", "s64", "b64" -> sig.append('8');
                    default -> sig.append('?');
                }
            }
            out.put(m.group(1), sig.toString());
        }
        return out;
    }

    @Test
    void everyLaunchedKernelMatchesItsPtxSignature() {
        String ptx = new String(CudaDevice.loadPtx(), StandardCharsets.US_ASCII);
        Map<String, String> inPtx = ptxSignatures(ptx);
        assertEquals(Kernel.values().length, inPtx.size(), "entries in kernels.ptx: " + inPtx.keySet());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> k : CudaBackend.kernelSignatures().entrySet()) {
            String got = inPtx.get(k.getKey());
            // Java 'l' (long long) and 'p' (pointer) are both 64-bit .u64 parameters.
            String want = k.getValue().replace('l', '8').replace('p', '8');
            if (got == null) problems.add(k.getKey() + " missing from PTX");
            else if (!got.equals(want)) problems.add(k.getKey() + ": PTX " + got + " vs Java " + want);
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(inPtx.keySet(), CudaBackend.kernelSignatures().keySet(), "PTX kernels the Java side never uses");
    }

    @Test
    void ptxHeaderTargetsOldEnoughIsaAndSm80() {
        String ptx = new String(CudaDevice.loadPtx(), StandardCharsets.US_ASCII);
        assertTrue(ptx.contains("\n.version 7.8\n"), "PTX ISA must be 7.8 (driver >= 520); run scripts/build-ptx.sh");
        assertTrue(ptx.contains("\n.target sm_80\n"), "PTX must target sm_80 so it JITs on A100/H100/H200");
        assertEquals(0, CudaDevice.loadPtx()[CudaDevice.loadPtx().length - 1], "module image is NUL-terminated");
    }

    @Test
    void scanBackwardBatchesBoundTheScratch() {
        // Small problem: one launch covering every (s, e) pair.
        assertEquals(6 * 40, CudaBackend.scanBackwardBatch(new ScanDims(6, 37, 40, 16, 8)));
        // Electricity-sized TSM2 mixer: batched so (chunk+1)*N*batch floats stay under the limit.
        ScanDims big = new ScanDims(32 * 321, 63, 64, 16, 64);
        int batch = CudaBackend.scanBackwardBatch(big);
        assertTrue(batch < big.s() * big.e(), "large problems are split");
        assertEquals(0, batch % CudaBackend.SCAN_BLOCK);
        assertTrue(4L * (big.chunk() + 1) * big.n() * batch <= CudaBackend.SCAN_SCRATCH_LIMIT);
        // A huge chunk still gets one block of pairs per launch.
        assertEquals(CudaBackend.SCAN_BLOCK, CudaBackend.scanBackwardBatch(new ScanDims(1000, 100000, 64, 64, 100000)));
    }

    @Test
    void scanRegisterKernelsBlockAndBatch() {
        // TSM2 token mixer (E = 64): one 64-thread block per sequence, so dB/dC are stored.
        ScanDims tsm2 = new ScanDims(224, 63, 64, 16, 64);
        assertEquals(64, CudaBackend.scanRegBlock(tsm2));
        assertEquals(1, CudaBackend.scanRegGridY(tsm2));
        assertEquals(224, CudaBackend.scanRegBatch(tsm2));
        // E = 100 -> 128 threads (multiple of 32); E = 300 -> 3 blocks of 128 per sequence.
        assertEquals(128, CudaBackend.scanRegBlock(new ScanDims(2, 5, 100, 16, 4)));
        assertEquals(3, CudaBackend.scanRegGridY(new ScanDims(2, 5, 300, 16, 4)));
        // Large problems are split into sequence batches whose scratch stays under the limit.
        ScanDims big = new ScanDims(32 * 321, 512, 128, 32, 512);
        int batch = CudaBackend.scanRegBatch(big);
        assertTrue(batch >= 1 && batch < big.s(), "batch " + batch);
        assertTrue(4L * batch * 128 * (big.chunk() + 1) * big.n() <= CudaBackend.SCAN_SCRATCH_LIMIT);
    }

    private static final Pattern LAUNCH = Pattern.compile("\\b(launch1d|launch3d|launch)\\(");
    private static final Pattern KERNELS_COMMENT = Pattern.compile("// kernels: ([A-Z0-9_, ]+)");

    /**
     * Every launch call in the package (CudaBackend.java, CudaDeviceStep.java; CudaLauncher.java
     * defines the launchers, CudaDevice.java launches nothing) passes exactly as many kernel arguments as its
     * kernel's signature has letters (the H200 run once failed on one stray argument, which the
     * PTX emulation cannot see). Call sites whose kernel is a variable name the possible kernels
     * in a "// kernels: A, B" comment just above. Also checks every kernel is launched somewhere.
     */
    @Test
    void everyLaunchSitePassesTheSignaturesArgumentCount() throws Exception {
        // Every file of the package that launches kernels or defines the launchers (CudaLauncher).
        StringBuilder all = new StringBuilder();
        for (String file : new String[] {"CudaBackend.java", "CudaDeviceStep.java", "CudaLauncher.java", "CudaDevice.java"}) {
            java.nio.file.Path src = java.nio.file.Paths.get("src/main/java/dev/mambamixer/engine/backend/cuda/" + file);
            if (!java.nio.file.Files.exists(src)) src = java.nio.file.Paths.get("engine").resolve(src);
            all.append(java.nio.file.Files.readString(src)).append('\n');
        }
        String code = all.toString();
        List<String> problems = new ArrayList<>();
        java.util.Set<Kernel> launched = java.util.EnumSet.noneOf(Kernel.class);
        Matcher m = LAUNCH.matcher(code);
        int sites = 0;
        while (m.find()) {
            String before = code.substring(Math.max(0, m.start() - 40), m.start());
            if (before.matches("(?s).*void\\s*$")) continue;   // the launcher definitions
            List<String> args = splitArgs(code, m.end());
            if (args.get(args.size() - 1).trim().equals("args")) continue;   // launchers forwarding varargs
            int lead = switch (m.group(1)) { case "launch1d" -> 2; case "launch3d" -> 6; default -> 5; };
            int line = code.substring(0, m.start()).split("\n", -1).length;
            List<Kernel> kernels = new ArrayList<>();
            String k = args.get(0).trim();
            if (k.startsWith("Kernel.")) kernels.add(Kernel.valueOf(k.substring(7)));
            else {
                String above = code.substring(Math.max(0, m.start() - 400), m.start());
                Matcher c = KERNELS_COMMENT.matcher(above);
                String names = null;
                while (c.find()) names = c.group(1);
                if (names == null) { problems.add("line " + line + ": kernel '" + k + "' needs a // kernels: comment"); continue; }
                for (String n : names.split(",")) kernels.add(Kernel.valueOf(n.trim()));
            }
            sites++;
            for (Kernel kk : kernels) {
                launched.add(kk);
                int n = args.size() - lead;
                if (n != kk.signature.length())
                    problems.add("line " + line + ": " + kk.symbol + " gets " + n + " arguments, signature " + kk.signature
                        + " has " + kk.signature.length());
            }
        }
        assertTrue(sites > 30, "found only " + sites + " launch sites");
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        java.util.Set<Kernel> never = java.util.EnumSet.allOf(Kernel.class);
        never.removeAll(launched);
        assertTrue(never.isEmpty(), "kernels never launched: " + never);
    }

    /** The top-level comma-separated arguments of the call whose '(' ends just before from. */
    private static List<String> splitArgs(String code, int from) {
        List<String> out = new ArrayList<>();
        int depth = 0, start = from;
        for (int i = from; i < code.length(); i++) {
            char ch = code.charAt(i);
            if (ch == '"') { i = code.indexOf('"', i + 1); continue; }   // no escaped quotes in the launch lines
            if (ch == '(' || ch == '[' || ch == '{') depth++;
            else if ((ch == ')' || ch == ']' || ch == '}') && depth > 0) depth--;
            else if (ch == ')') { out.add(code.substring(start, i)); return out; }
            else if (ch == ',' && depth == 0) { out.add(code.substring(start, i)); start = i + 1; }
        }
        throw new AssertionError("unterminated call at " + from);
    }

    @Test
    void gemmSplitsKOnlyWhenTheTilesCannotFillTheGpu() {
        // Weight gradient of a TSM2 in_proj (64 x 32 outputs, k = B*L = 14112) on 132 SMs:
        // split into many 16-aligned slices of at least 128.
        int slice = CudaBackend.gemmSlice(64, 32, 14112, 132);
        assertEquals(0, slice % 16);
        assertTrue(slice >= CudaBackend.GEMM_MIN_SLICE && slice < 14112, "slice " + slice);
        int splits = (14112 + slice - 1) / slice;
        assertTrue(splits > 50 && splits <= 4 * 132, "splits " + splits);
        // Tall GEMMs (many output tiles), short k, and k == 0 are not split.
        assertEquals(32, CudaBackend.gemmSlice(14112, 64, 32, 132));
        assertEquals(2048, CudaBackend.gemmSlice(2048, 2048, 2048, 132));
        assertEquals(200, CudaBackend.gemmSlice(8, 8, 200, 132));
        assertEquals(1, CudaBackend.gemmSlice(8, 8, 0, 132));
        // The partials stay within the scratch limit.
        int big = CudaBackend.gemmSlice(2000, 2000, 1 << 20, 132);
        assertTrue((long) ((1 << 20) + big - 1) / big * 2000 * 2000 <= CudaBackend.GEMM_SCRATCH_LIMIT);
    }

    @Test
    void scanKernelChoiceFollowsStateSize() {
        assertEquals(Kernel.SCAN_FWD_N16, Kernel.scanForward(1));
        assertEquals(Kernel.SCAN_FWD_N16, Kernel.scanForward(16));
        assertEquals(Kernel.SCAN_BWD_N32, Kernel.scanBackward(17));
        assertEquals(Kernel.SCAN_BWD_N64, Kernel.scanBackward(64));
        CudaBackendException e = assertThrows(CudaBackendException.class, () -> Kernel.scanForward(65));
        assertTrue(e.getMessage().contains("N=65"), e.getMessage());
    }

    @Test
    void tryCreateNeverThrowsAndExplainsAbsence() {
        var b = CudaBackend.tryCreate();
        if (b.isEmpty()) assertFalse(CudaBackend.unavailableReason().isBlank());
        else assertEquals("available", CudaBackend.unavailableReason());
        System.out.println("CudaBackend.tryCreate(): " + (b.isPresent() ? b.get().describe() : CudaBackend.unavailableReason()));
        // A second call gives the same answer (the probe is cached).
        var again = CudaBackend.tryCreate();
        assertEquals(b.isPresent(), again.isPresent());
        b.ifPresent(CudaBackend::close);
        again.ifPresent(CudaBackend::close);
    }
}

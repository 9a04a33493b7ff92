package dev.mambamixer.engine.backend.cuda;

import static jcuda.driver.JCudaDriver.*;

import dev.mambamixer.engine.backend.DeviceStep;
import dev.mambamixer.engine.tensor.Tensor;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUgraph;
import jcuda.driver.CUgraphExec;

/**
 * The CUDA backend's {@link DeviceStep}: the step inputs and results live in two small device
 * blocks of doubles (layout in kernels.cu "device-resident training step"), copied through pinned
 * rings; recording uses stream capture on the backend's stream and instantiates the graph once.
 */
final class CudaDeviceStep implements DeviceStep {
    static final int INPUT_WORDS = 8, RESULT_WORDS = 4;
    private static final int RING = 8;
    private static final int CAPTURE_MODE_RELAXED = 2;   // CU_STREAM_CAPTURE_MODE_RELAXED

    private final CudaBackend be;
    private final CudaDevice dev;
    private final CudaLauncher ln;
    final DeviceBuffer inputs, results;
    private final PinnedRing inRing = new PinnedRing(RING, 8L * INPUT_WORDS);
    private final PinnedRing outRing = new PinnedRing(RING, 8L * RESULT_WORDS);
    private final long[] outTicket = new long[RING];
    private long tickets;
    private final List<CudaGraph> graphs = new ArrayList<>();
    private boolean recordingNow;

    CudaDeviceStep(CudaBackend be, CudaDevice dev, CudaLauncher ln) {
        this.be = be;
        this.dev = dev;
        this.ln = ln;
        inputs = dev.allocRaw(8L * INPUT_WORDS);
        results = dev.allocRaw(8L * RESULT_WORDS);
        dev.memset(inputs.ptr, 0, 2L * INPUT_WORDS, "step inputs");
        dev.memset(results.ptr, 0, 2L * RESULT_WORDS, "step results");
    }

    private CUdeviceptr slot(int i) { return results.ptr.withByteOffset(8L * i); }

    @Override
    public synchronized void setStepInputs(long seedBase, double lr, double c1, double c2, double clipNorm) {
        dev.noRecording("setStepInputs");
        dev.current();
        int i = inRing.acquire();
        ByteBuffer b = inRing.buffer(i, 8L * INPUT_WORDS);
        b.putLong(0, seedBase).putDouble(8, lr).putDouble(16, c1).putDouble(24, c2).putDouble(32, clipNorm);
        try {
            cuMemcpyHtoDAsync(inputs.ptr, inRing.address(i), 8L * INPUT_WORDS, dev.stream);
        } catch (CudaException e) {
            throw new CudaBackendException("step inputs (cuMemcpyHtoDAsync): " + e.getMessage(), e);
        }
        inRing.recorded(i, dev.stream);
    }

    @Override public void resetResults() {
        dev.noRecording("resetResults");
        dev.memset(results.ptr, 0, 2L * RESULT_WORDS, "step results");
    }

    @Override
    public void lossInto(Tensor diff, double divisor) {
        long n = diff.size();
        CUdeviceptr p = dev.ptr(diff, "loss diff");
        dev.memset(slot(LOSS), 0, 2, "loss");
        if (n > 0) ln.launch1d(Kernel.REDUCE, n, 0, n, p, p, slot(LOSS));
        ln.launch(Kernel.DIVIDE_RESULT, 1, 1, 1, 1, results.ptr, LOSS, Double.doubleToRawLongBits(divisor));
    }

    @Override
    public void sumOfSquaresInto(List<Tensor> grads) {
        dev.memset(slot(GRAD_SQUARES), 0, 2, "gradient squares");
        if (grads.isEmpty()) return;
        synchronized (be) {
            be.sumsqTable = be.multiTable(be.sumsqTable, List.of(grads), null, "sumOfSquaresInto");
            if (be.sumsqTable.maxSize == 0) return;
            ln.launch(Kernel.SUMSQ_MULTI, be.multiBlocks(be.sumsqTable), 1, CudaLauncher.BLOCK, 1, grads.size(),
                be.sumsqTable.dev.ptr, slot(GRAD_SQUARES));
        }
    }

    @Override public void guard() { ln.launch(Kernel.STEP_GUARD, 1, 1, 1, 1, results.ptr); }

    @Override
    public void adamwAllFromDevice(List<Tensor> params, List<Tensor> grads, List<Tensor> m, List<Tensor> v,
                                   double beta1, double beta2, double eps, double[] weightDecay) {
        if (weightDecay.length != params.size())
            throw new IllegalArgumentException("adamwAllFromDevice: " + weightDecay.length + " weight decays for "
                + params.size() + " tensors");
        if (params.isEmpty()) return;
        synchronized (be) {
            be.adamTable = be.multiTable(be.adamTable, List.of(params, grads, m, v), weightDecay, "adamwAllFromDevice");
            ln.launch(Kernel.ADAMW_MULTI_STEP, be.multiBlocks(be.adamTable), 1, CudaLauncher.BLOCK, 1, params.size(),
                be.adamTable.dev.ptr, inputs.ptr, results.ptr, (float) beta1, (float) beta2, (float) (1.0 - beta1),
                (float) (1.0 - beta2), (float) eps);
        }
    }

    @Override
    public synchronized long fetchResults() {
        dev.noRecording("fetchResults");
        dev.current();
        int i = outRing.acquire();
        long ticket = ++tickets;
        outTicket[i] = ticket;
        try {
            cuMemcpyDtoHAsync(outRing.address(i), results.ptr, 8L * RESULT_WORDS, dev.stream);
        } catch (CudaException e) {
            throw new CudaBackendException("step results (cuMemcpyDtoHAsync; may report an earlier kernel fault): "
                + e.getMessage(), e);
        }
        outRing.recorded(i, dev.stream);
        return ticket;
    }

    @Override
    public synchronized double[] awaitResults(long ticket) {
        int i = (int) ((ticket - 1) % RING);
        if (outTicket[i] != ticket)
            throw new IllegalStateException("step results " + ticket + " were overwritten (more than " + RING + " in flight)");
        dev.current();
        try {
            outRing.await(i);
        } catch (CudaException e) {
            throw new CudaBackendException("waiting for step results (may report an earlier kernel fault): "
                + e.getMessage(), e);
        }
        ByteBuffer b = outRing.buffer(i, 8L * RESULT_WORDS);
        return new double[] {b.getDouble(0), b.getDouble(8), b.getDouble(16)};
    }

    @Override public boolean graphsEnabled() {
        return Boolean.parseBoolean(System.getProperty(CudaBackend.GRAPHS_PROPERTY, "true"));
    }

    @Override
    public synchronized void beginCapture() {
        if (recordingNow) throw new IllegalStateException("already recording a CUDA graph");
        dev.current();
        dev.startRecording();
        recordingNow = true;
        try {
            cuStreamBeginCapture(dev.stream, CAPTURE_MODE_RELAXED);
        } catch (CudaException e) {
            recordingNow = false;
            dev.stopRecording();
            throw new CudaBackendException("cuStreamBeginCapture: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized Graph endCapture() {
        if (!recordingNow) throw new IllegalStateException("not recording");
        recordingNow = false;
        Set<DeviceBuffer> used = dev.stopRecording();
        dev.current();
        CUgraph g = new CUgraph();
        try {
            cuStreamEndCapture(dev.stream, g);
        } catch (CudaException e) {
            throw new CudaBackendException("cuStreamEndCapture: " + e.getMessage(), e);
        }
        CUgraphExec exec = new CUgraphExec();
        try {
            cuGraphInstantiate(exec, g, 0);
        } catch (CudaException e) {
            try { cuGraphDestroy(g); } catch (Throwable ignored) { /* already failing */ }
            throw new CudaBackendException("cuGraphInstantiate: " + e.getMessage(), e);
        }
        long[] count = {-1};
        try {
            cuGraphGetNodes(g, null, count);
        } catch (RuntimeException e) {
            count[0] = -1;   // only for reporting
        }
        List<DeviceBuffer> keep = new ArrayList<>(used);
        keep.add(inputs);
        keep.add(results);
        keep.addAll(be.scratchBuffers());
        for (DeviceBuffer b : keep) b.inGraph = true;
        CudaGraph graph = new CudaGraph(g, exec, (int) count[0], keep);
        graphs.add(graph);
        return graph;
    }

    @Override
    public synchronized void abortCapture() {
        if (!recordingNow) return;
        recordingNow = false;
        dev.stopRecording();
        CUgraph g = new CUgraph();
        try {
            cuStreamEndCapture(dev.stream, g);
            cuGraphDestroy(g);
        } catch (Throwable ignored) {
            // An invalidated capture ends with an error; the stream is usable again either way.
        }
    }

    synchronized void destroy() {
        for (CudaGraph g : new ArrayList<>(graphs)) g.close();
        inRing.destroy();
        outRing.destroy();
    }

    /** An instantiated graph holding (strong references to) every buffer it uses. */
    private final class CudaGraph implements Graph {
        private final CUgraph graph;
        private final CUgraphExec exec;
        private final int nodes;
        private List<DeviceBuffer> keepAlive;
        private boolean closed;

        CudaGraph(CUgraph graph, CUgraphExec exec, int nodes, List<DeviceBuffer> keepAlive) {
            this.graph = graph;
            this.exec = exec;
            this.nodes = nodes;
            this.keepAlive = keepAlive;
        }

        @Override public void launch() {
            synchronized (CudaDeviceStep.this) {
                if (closed) throw new IllegalStateException("graph closed");
                dev.noRecording("graph launch");
                dev.current();
                CudaProfiler.Mark mk = dev.mark("graph: training step (" + nodes + " nodes)");
                try {
                    cuGraphLaunch(exec, dev.stream);
                } catch (CudaException e) {
                    throw new CudaBackendException("cuGraphLaunch: " + e.getMessage(), e);
                }
                dev.endMark(mk);
            }
        }

        @Override public int nodes() { return nodes; }

        @Override public void close() {
            synchronized (CudaDeviceStep.this) {
                if (closed) return;
                closed = true;
                graphs.remove(this);
                try {
                    dev.current();
                    cuStreamSynchronize(dev.stream);   // no replay may still be running
                    cuGraphExecDestroy(exec);
                    cuGraphDestroy(graph);
                } catch (Throwable ignored) {
                    // closing: the context may already be gone
                }
                keepAlive = null;   // buffers no longer referenced anywhere else are freed by the Cleaner
            }
        }
    }
}

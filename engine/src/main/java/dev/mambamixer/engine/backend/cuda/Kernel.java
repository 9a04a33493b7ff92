package dev.mambamixer.engine.backend.cuda;

/**
 * The kernels of {@code kernels.cu} with their parameter signatures, one letter per parameter:
 * {@code i} = int (PTX .u32), {@code l} = long long (.u64), {@code f} = float (.f32),
 * {@code p} = device pointer (.u64). {@link CudaBackend} checks every launch against the
 * signature, and {@code KernelSignatureTest} checks the signatures against the committed PTX,
 * so a Java/CUDA mismatch fails on a machine without a GPU.
 */
enum Kernel {
    GEMM("gemm_f32", "iiiiifppfpip"),
    GEMM_SPLITK_REDUCE("gemm_splitk_reduce_f32", "lifpfp"),
    BINARY("binary_f32", "ilppp"),
    AXPY("axpy_f32", "lfpp"),
    COPY("copy_f32", "lpp"),
    SCALE("scale_f32", "lfp"),
    SILU_FWD("silu_fwd_f32", "lpp"),
    SILU_BWD("silu_bwd_f32", "lppp"),
    REDUCE("reduce_f64", "ilppp"),
    DROPOUT_MASK("dropout_mask_f32", "lllfp"),
    ADD_ROW_VECTOR("add_row_vector_f32", "lipp"),
    SUM_ROWS("sum_rows_f32", "iipp"),
    SWAP_MIDDLE("swap_middle_f32", "iiiipp"),
    FLIP_SEQUENCE("flip_sequence_f32", "iiipp"),
    CONV_FWD("conv_fwd_f32", "iiiipppp"),
    CONV_BWD_DX("conv_bwd_dx_f32", "iiiippp"),
    CONV_BWD_PARAMS("conv_bwd_params_f32", "iiiipppp"),
    // images (ViM2): channels-last (B, H, W, E)
    DWCONV2D_FWD("dwconv2d_fwd_f32", "iiiiipppp"),
    DWCONV2D_BWD_DX("dwconv2d_bwd_dx_f32", "iiiiippp"),
    DWCONV2D_BWD_PARAMS("dwconv2d_bwd_params_f32", "iiiiipppp"),
    MERGE2X2_FWD("merge2x2_fwd_f32", "iiiipp"),
    MERGE2X2_BWD("merge2x2_bwd_f32", "iiiipp"),
    LAYERNORM_FWD("layernorm_fwd_f32", "iifpppppp"),
    LAYERNORM_BWD_DX("layernorm_bwd_dx_f32", "iipppppp"),
    LAYERNORM_BWD_PARAMS("layernorm_bwd_params_f32", "iipppppp"),
    REVIN_NORM("revin_norm_f32", "iiifpppppp"),
    REVIN_NORM_BWD("revin_norm_bwd_f32", "iiipppppp"),
    REVIN_DENORM("revin_denorm_f32", "iiifpppppp"),
    REVIN_DENORM_BWD("revin_denorm_bwd_f32", "iiifpppppppp"),
    PATCHIFY("patchify_f32", "iiiiiipp"),
    PATCHIFY_BWD("patchify_bwd_f32", "iiiiiipp"),
    ADAMW("adamw_f32", "lpppp" + "f".repeat(10)),
    STORE_PTR("store_ptr_u64", "pp"),
    ADAMW_MULTI("adamw_multi_f32", "ip" + "f".repeat(9)),
    SUMSQ_MULTI("sumsq_multi_f64", "ipp"),
    ZERO_MULTI("zero_multi_f32", "ip"),
    // device-resident training step (graph replay): values that change per step come from memory
    DROPOUT_MASK_STEP("dropout_mask_step_f32", "lplllfp"),
    DIVIDE_RESULT("divide_result_f64", "pil"),
    STEP_GUARD("step_guard_f64", "p"),
    ADAMW_MULTI_STEP("adamw_multi_step_f32", "ippp" + "f".repeat(5)),
    WAVG_AXPY("wavg_axpy_f32", "liiippp"),
    WAVG_GRAD("wavg_grad_f32", "iippp"),
    SCAN_FWD_N16("scan_fwd_n16", "iiiiiipppppppppp"),
    SCAN_FWD_N32("scan_fwd_n32", "iiiiiipppppppppp"),
    SCAN_FWD_N64("scan_fwd_n64", "iiiiiipppppppppp"),
    // N <= 32: thread per (s, e) with the states in registers, sequences batched through scratch.
    SCAN_BWD_N16("scan_bwd_n16", "iiiiiiii" + "p".repeat(19)),
    SCAN_BWD_N32("scan_bwd_n32", "iiiiiiii" + "p".repeat(19)),
    SCAN_BWD_N64("scan_bwd_n64", "iiiiiiii" + "p".repeat(19)),
    // N <= 16 fast path (CudaBackend.scanFast): forward 64-channel blocks with cp.async stages;
    // backward one warp per block, chunk <= 64, no scratch (same arguments, hs unused).
    SCAN_FWD_F16("scan_fwd_f16", "iiiiiipppppppppp"),
    SCAN_BWD_F16("scan_bwd_f16", "iiiiiiii" + "p".repeat(19));

    final String symbol;
    final String signature;

    Kernel(String symbol, String signature) {
        this.symbol = symbol;
        this.signature = signature;
    }

    /** Whether the N <= 32 register kernels (block = channels of one sequence) handle state size n. */
    static boolean scanRegister(int n) { return n <= 32; }

    /** The scan kernels are compiled for a state size bound of 16, 32 or 64. */
    static Kernel scanForward(int n) {
        if (n <= 16) return SCAN_FWD_N16;
        if (n <= 32) return SCAN_FWD_N32;
        if (n <= 64) return SCAN_FWD_N64;
        throw new CudaBackendException("scanForward: state size N=" + n + " exceeds the CUDA kernels' maximum of 64");
    }

    static Kernel scanBackward(int n) {
        if (n <= 16) return SCAN_BWD_N16;
        if (n <= 32) return SCAN_BWD_N32;
        if (n <= 64) return SCAN_BWD_N64;
        throw new CudaBackendException("scanBackward: state size N=" + n + " exceeds the CUDA kernels' maximum of 64");
    }
}

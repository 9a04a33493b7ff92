package dev.mambamixer.engine.backend.cuda;

/** A CUDA driver or launch failure, naming the backend operation or kernel that hit it. */
public final class CudaBackendException extends RuntimeException {
    public CudaBackendException(String message) { super(message); }

    public CudaBackendException(String message, Throwable cause) { super(message, cause); }
}

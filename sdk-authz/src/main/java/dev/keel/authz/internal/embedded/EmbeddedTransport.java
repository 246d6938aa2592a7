package dev.keel.authz.internal.embedded;

import dev.keel.authz.internal.transport.GrpcTransport;
import dev.keel.authz.internal.transport.Rpc;
import dev.keel.authz.internal.transport.Transport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Unary RPCs through the library's FFI functions (in-process, no socket); streaming RPCs over gRPC on
 * the instance's unix socket (the only way the library offers them). Disposes the instance on close.
 */
public final class EmbeddedTransport implements Transport {
    private final NativeSpiceDb lib;
    private final long handle;
    private final GrpcTransport streaming;
    private final Runnable dispose;
    private final AtomicBoolean closed = new AtomicBoolean();

    /** @param dispose disposes the instance and removes its socket; run once on close */
    public EmbeddedTransport(NativeSpiceDb lib, long handle, GrpcTransport streaming, Runnable dispose) {
        this.lib = lib;
        this.handle = handle;
        this.streaming = streaming;
        this.dispose = dispose;
    }

    @Override
    public byte[] unary(Rpc rpc, byte[] request) {
        checkOpen();
        return lib.call(handle, rpc, request);
    }

    @Override
    public Stream<byte[]> serverStream(Rpc rpc, byte[] request) {
        checkOpen();
        return streaming.serverStream(rpc, request);
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the embedded SpiceDB is closed");
        }
    }

    @Override
    public String describe() {
        return "embedded SpiceDB #" + handle + (closed.get() ? " (closed)" : "");
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                streaming.close();
            } finally {
                dispose.run();
            }
        }
    }
}

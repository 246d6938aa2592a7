package dev.keel.sandbox.internal;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host end of the guest agent protocol over the virtio-serial unix socket. Frames are
 * {@code u32 length | u8 type | u32 id | payload}, big endian; see {@link AgentProtocol}. One reader thread
 * dispatches replies to the handler registered for the request id. Thread-safe.
 */
final class AgentConnection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AgentConnection.class);


    /** A received frame. */
    record Frame(int type, int id, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int u32(int offset) {
            return ByteBuffer.wrap(payload, offset, 4).getInt();
        }
    }

    private final SocketChannel channel;
    private final Object writeLock = new Object();
    /** What waits for replies to one request: its frames, or the reason the connection went away. */
    record Handler(Consumer<Frame> onFrame, Consumer<RuntimeException> onLost) {}

    private final Map<Integer, Handler> handlers = new ConcurrentHashMap<>();
    private volatile java.util.function.Supplier<RuntimeException> lostCause =
            () -> new dev.keel.sandbox.SandboxClosedException("the guest agent's connection closed");
    private final AtomicInteger ids = new AtomicInteger(1);
    private final CompletableFuture<Frame> ready = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Thread reader;
    private volatile Consumer<Frame> network = f -> { };

    AgentConnection(SocketChannel channel, String name) {
        this.channel = channel;
        this.reader = new Thread(this::readLoop, "keel-sandbox-agent-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    /** Completes when the agent has said hello. */
    CompletableFuture<Frame> ready() {
        return ready;
    }

    /** Completes when the connection is gone (VM exited or closed). */
    CompletableFuture<Void> closedFuture() {
        return closed;
    }

    /** Receives the frames of guest-initiated network connections. */
    void onNetwork(Consumer<Frame> handler) {
        this.network = handler;
    }

    int nextId() {
        return ids.getAndIncrement();
    }

    /** Registers the handler for replies to {@code id}; it runs on the reader thread. */
    void register(int id, Handler handler) {
        handlers.put(id, handler);
    }

    /**
     * Says what pending requests fail with when the connection ends (asked once, on the reader thread, which may
     * wait for the VM to finish dying so that the cause is known).
     */
    void onLost(java.util.function.Supplier<RuntimeException> cause) {
        this.lostCause = cause;
    }

    void unregister(int id) {
        handlers.remove(id);
    }

    /** Sends a request and completes with its single OK reply (or exceptionally with ERROR's text). */
    CompletableFuture<Frame> call(int type, byte[] payload) {
        int id = nextId();
        CompletableFuture<Frame> f = new CompletableFuture<>();
        register(id, new Handler(frame -> {
            unregister(id);
            if (frame.type() == AgentProtocol.T_ERROR) {
                f.completeExceptionally(new AgentError(frame.text()));
            } else {
                f.complete(frame);
            }
        }, f::completeExceptionally));
        try {
            send(type, id, payload);
        } catch (IOException e) {
            unregister(id);
            f.completeExceptionally(e);
        }
        return f;
    }

    /**
     * Sends a request and waits at most {@code timeout} for its OK reply.
     *
     * @throws AgentError  the agent answered ERROR (its text is the message)
     * @throws IOException no answer in time, the connection went away, or the wait was interrupted
     */
    Frame request(int type, byte[] payload, java.time.Duration timeout) throws AgentError, IOException {
        CompletableFuture<Frame> f = call(type, payload);
        try {
            return f.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof AgentError ae) {
                throw ae;
            }
            if (e.getCause() instanceof dev.keel.sandbox.SandboxClosedException gone) {
                throw gone; // closed or died: the caller's typed answer
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException("the guest agent did not answer within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    void send(int type, int id, byte[] payload) throws IOException {
        if (payload.length > AgentProtocol.MAX_FRAME - AgentProtocol.FRAME_HEADER) {
            throw new IOException("request too large: " + payload.length + " bytes");
        }
        ByteBuffer header = ByteBuffer.allocate(AgentProtocol.FRAME_HEADER)
                .putInt(AgentProtocol.FRAME_HEADER - 4 + payload.length).put((byte) type).putInt(id).flip();
        ByteBuffer body = ByteBuffer.wrap(payload);
        synchronized (writeLock) {
            while (header.hasRemaining() || body.hasRemaining()) {
                channel.write(new ByteBuffer[] {header, body});
            }
        }
    }

    private void readLoop() {
        ByteBuffer header = ByteBuffer.allocate(AgentProtocol.FRAME_HEADER);
        try {
            while (true) {
                header.clear();
                readFully(header);
                header.flip();
                int len = header.getInt();
                int type = header.get() & 0xff;
                int id = header.getInt();
                if (len < AgentProtocol.FRAME_HEADER - 4 || len > AgentProtocol.MAX_FRAME) {
                    throw new IOException("bad frame length " + len);
                }
                ByteBuffer body = ByteBuffer.allocate(len - (AgentProtocol.FRAME_HEADER - 4));
                readFully(body);
                Frame frame = new Frame(type, id, body.array());
                if (type == AgentProtocol.T_READY) {
                    ready.complete(frame);
                    continue;
                }
                if (id < 0 && type >= AgentProtocol.T_CONN_OPEN && type <= AgentProtocol.T_CONN_CLOSE) {
                    network.accept(frame);
                    continue;
                }
                Handler h = handlers.get(id);
                if (h != null) {
                    try {
                        h.onFrame().accept(frame);
                    } catch (RuntimeException e) {
                        log.warn("handler for request {} failed", id, e);
                    }
                } else {
                    log.debug("frame type {} for unknown request {}", type, id);
                }
            }
        } catch (IOException e) {
            log.debug("agent connection ended: {}", e.toString());
        } finally {
            ready.completeExceptionally(new EOFException("guest agent connection closed"));
            RuntimeException gone;
            try {
                gone = lostCause.get();
            } catch (RuntimeException e) {
                gone = e;
            }
            closed.complete(null);
            for (Handler h : List.copyOf(handlers.values())) {
                try {
                    h.onLost().accept(gone);
                } catch (RuntimeException ignored) {
                    // best effort: everyone waiting learns that the VM is gone
                }
            }
            handlers.clear();
        }
    }

    private void readFully(ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            if (channel.read(buf) < 0) {
                throw new EOFException("guest agent closed the connection");
            }
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("closing agent channel", e);
        }
    }

    /** The agent answered ERROR. */
    static final class AgentError extends Exception {
        private static final long serialVersionUID = 1L;

        AgentError(String message) {
            super(message);
        }
    }
}

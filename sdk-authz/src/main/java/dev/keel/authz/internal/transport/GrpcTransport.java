package dev.keel.authz.internal.transport;

import dev.keel.authz.PermissionsException;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SpiceDB over gRPC, carrying raw protobuf bytes (no generated stubs). Unary calls get a deadline and
 * are retried with exponential backoff when the status is {@code UNAVAILABLE}; streaming calls get the
 * deadline as a whole-stream bound. Thread-safe.
 */
public final class GrpcTransport implements Transport {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcTransport.class);
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private final ManagedChannel channel;
    private final Runnable onClose;
    private final Duration deadline;
    private final Duration streamDeadline;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final String description;
    private final Map<Rpc, MethodDescriptor<byte[], byte[]>> methods = new EnumMap<>(Rpc.class);

    /**
     * @param channel        the channel (owned: shut down on close)
     * @param onClose        extra cleanup after the channel is shut down (event loops)
     * @param deadline       per unary call
     * @param streamDeadline per streaming call
     * @param maxRetries     retries after the first attempt on UNAVAILABLE
     * @param initialBackoff first backoff, doubled per retry
     */
    public GrpcTransport(ManagedChannel channel, Runnable onClose, Duration deadline, Duration streamDeadline,
                         int maxRetries, Duration initialBackoff, String description) {
        this.channel = channel;
        this.onClose = onClose;
        this.deadline = deadline;
        this.streamDeadline = streamDeadline;
        this.maxRetries = maxRetries;
        this.initialBackoff = initialBackoff;
        this.description = description;
        for (Rpc rpc : Rpc.values()) {
            boolean streaming = rpc == Rpc.LOOKUP_RESOURCES || rpc == Rpc.READ_RELATIONSHIPS;
            methods.put(rpc, MethodDescriptor.<byte[], byte[]>newBuilder()
                    .setType(streaming ? MethodDescriptor.MethodType.SERVER_STREAMING : MethodDescriptor.MethodType.UNARY)
                    .setFullMethodName(rpc.fullName())
                    .setRequestMarshaller(BYTES)
                    .setResponseMarshaller(BYTES)
                    .build());
        }
    }

    @Override
    public byte[] unary(Rpc rpc, byte[] request) {
        checkOpen();
        long backoff = initialBackoff.toMillis();
        for (int attempt = 1; ; attempt++) {
            try {
                CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
                return ClientCalls.blockingUnaryCall(channel, methods.get(rpc), options, request);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                if (code == Status.Code.UNAVAILABLE && attempt <= maxRetries) {
                    LOG.debug("{} unavailable (attempt {}), retrying in {} ms", rpc.method(), attempt, backoff);
                    sleep(backoff);
                    backoff = Math.min(backoff * 2, 5_000);
                    continue;
                }
                throw failure(rpc, e, attempt);
            }
        }
    }

    @Override
    public Stream<byte[]> serverStream(Rpc rpc, byte[] request) {
        checkOpen();
        Context.CancellableContext context = Context.current().withCancellation();
        Context previous = context.attach();
        Iterator<byte[]> responses;
        try {
            CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(streamDeadline.toNanos(), TimeUnit.NANOSECONDS);
            responses = ClientCalls.blockingServerStreamingCall(channel, methods.get(rpc), options, request);
        } finally {
            context.detach(previous);
        }
        Iterator<byte[]> translated = new Iterator<>() {
            @Override
            public boolean hasNext() {
                try {
                    return responses.hasNext();
                } catch (StatusRuntimeException e) {
                    throw failure(rpc, e, 1);
                }
            }

            @Override
            public byte[] next() {
                try {
                    return responses.next();
                } catch (StatusRuntimeException e) {
                    throw failure(rpc, e, 1);
                }
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(translated, Spliterator.ORDERED), false)
                .onClose(() -> context.cancel(null));
    }

    private static PermissionsException failure(Rpc rpc, StatusRuntimeException e, int attempts) {
        Status status = e.getStatus();
        String detail = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        return new PermissionsException(rpc.method(), status.getCode().name(), attempts, detail, e);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PermissionsException("retry", "CANCELLED", 1, "interrupted while waiting to retry", e);
        }
    }

    private void checkOpen() {
        if (channel.isShutdown()) {
            throw new IllegalStateException("the SpiceDB client is closed");
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        if (channel.isShutdown()) {
            return;
        }
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose.run();
    }
}

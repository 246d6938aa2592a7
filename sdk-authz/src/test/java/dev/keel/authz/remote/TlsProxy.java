package dev.keel.authz.remote;

import dev.keel.authz.PermissionsException;
import dev.keel.authz.internal.embedded.NativeSpiceDb;
import dev.keel.authz.internal.transport.Rpc;
import io.grpc.CallOptions;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;

/**
 * Test infrastructure: a TLS gRPC endpoint on loopback that requires a bearer key and forwards calls
 * byte for byte to a real embedded SpiceDB: unary calls through the library's FFI functions, streaming
 * calls to the instance's unix socket. It stands in for a network path to a SpiceDB server; every
 * answer comes from the real SpiceDB. {@link #failNext(int)} injects UNAVAILABLE answers.
 */
final class TlsProxy implements AutoCloseable {
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
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private final EpollEventLoopGroup group = new EpollEventLoopGroup(1);
    private final ManagedChannel upstream;
    private final Server server;
    final List<String> seenAuthorization = new CopyOnWriteArrayList<>();

    private final java.util.concurrent.atomic.AtomicInteger failuresLeft = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger unaryCalls = new java.util.concurrent.atomic.AtomicInteger();

    /** The next {@code n} unary calls answer UNAVAILABLE. */
    void failNext(int n) {
        failuresLeft.set(n);
    }

    TlsProxy(NativeSpiceDb lib, long handle, Path socket, String key, KeyManagerFactory keys) throws IOException {
        upstream = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext().build();
        HandlerRegistry forward = new HandlerRegistry() {
            @Override
            public ServerMethodDefinition<?, ?> lookupMethod(String method, String authority) {
                Rpc unary = java.util.Arrays.stream(Rpc.values())
                        .filter(r -> r.fullName().equals(method) && lib.supports(r)).findFirst().orElse(null);
                if (unary != null) {
                    MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder()
                            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
                            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                    return ServerMethodDefinition.create(md, ServerCalls.asyncUnaryCall((request, response) -> {
                        unaryCalls.incrementAndGet();
                        if (failuresLeft.getAndDecrement() > 0) {
                            response.onError(Status.UNAVAILABLE.withDescription("injected").asRuntimeException());
                            return;
                        }
                        try {
                            response.onNext(lib.call(handle, unary, request));
                            response.onCompleted();
                        } catch (PermissionsException e) {
                            response.onError(Status.fromCode(Status.Code.valueOf(e.status())).withDescription(e.getMessage())
                                    .asRuntimeException());
                        }
                    }));
                }
                MethodDescriptor<byte[], byte[]> md = MethodDescriptor.<byte[], byte[]>newBuilder()
                        .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName(method)
                        .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
                return ServerMethodDefinition.create(md, ServerCalls.asyncServerStreamingCall(
                        (request, responses) -> ClientCalls.asyncServerStreamingCall(
                                upstream.newCall(md, CallOptions.DEFAULT), request, responses)));
            }
        };
        ServerInterceptor bearer = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                String auth = headers.get(AUTHORIZATION);
                seenAuthorization.add(auth == null ? "" : auth);
                if (!("Bearer " + key).equals(auth)) {
                    call.close(Status.UNAUTHENTICATED.withDescription("invalid preshared key"), new Metadata());
                    return new ServerCall.Listener<>() { };
                }
                return next.startCall(call, headers);
            }
        };
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .sslContext(GrpcSslContexts.configure(SslContextBuilder.forServer(keys)).build())
                .fallbackHandlerRegistry(forward)
                .intercept(bearer)
                .build()
                .start();
    }

    int port() {
        return server.getPort();
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        upstream.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}

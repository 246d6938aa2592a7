package dev.keel.authz.internal.transport;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds gRPC channels; unix domain sockets go through Netty's epoll transport (bundled in grpc-netty-shaded). */
public final class Channels {
    private Channels() {
    }

    /** A channel with its own event loop, and the action that releases the event loop. */
    public record Owned(NettyChannelBuilder builder, Runnable release) {
    }

    /** A builder for a channel to the unix socket at {@code socket}, with a private one-thread event loop. */
    public static Owned unixSocket(Path socket) {
        EventLoopGroup group = new EpollEventLoopGroup(1, daemonThreads("keel-spicedb-uds"));
        NettyChannelBuilder builder = NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                .eventLoopGroup(group)
                .channelType(EpollDomainSocketChannel.class);
        return new Owned(builder, () -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    }

    /** A builder for a channel to {@code target} ({@code host:port} or a gRPC target URI). */
    public static Owned target(String target) {
        return new Owned(NettyChannelBuilder.forTarget(target), () -> { });
    }

    /** Builds the channel. */
    public static ManagedChannel build(Owned owned) {
        return owned.builder().build();
    }

    private static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}

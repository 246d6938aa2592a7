package dev.keel.authz.internal.transport;

import java.util.stream.Stream;

/** Moves encoded {@code authzed.api.v1} messages to a SpiceDB and back. Implementations are thread-safe. */
public interface Transport extends AutoCloseable {

    /** Calls a unary RPC; throws {@link dev.keel.authz.PermissionsException} on failure. */
    byte[] unary(Rpc rpc, byte[] request);

    /** Calls a server-streaming RPC; the stream cancels the call when closed. */
    Stream<byte[]> serverStream(Rpc rpc, byte[] request);

    /** Short description for toString (never contains a secret). */
    String describe();

    @Override
    void close();
}

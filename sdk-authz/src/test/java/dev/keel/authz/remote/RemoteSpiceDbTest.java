package dev.keel.authz.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.authz.AuthzException;
import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipFilter;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The remote gRPC transport against a real SpiceDB: the embedded instance's unix socket, which serves
 * SpiceDB's streaming RPCs (its unary RPCs answer UNIMPLEMENTED there; they go through FFI instead).
 */
class RemoteSpiceDbTest {
    static EmbeddedSpiceDb db;
    static final String KEY = "psk-very-secret-123";

    @BeforeAll
    static void start() {
        db = Spice.start(Spice.DOCS_SCHEMA, Spice.DOCS_RELATIONSHIPS);
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
    }

    static RemoteSpiceDb remote() {
        return RemoteSpiceDb.unixSocket(db.streamingSocket()).presharedKey(KEY).deadline(Duration.ofSeconds(5)).build();
    }

    @Test
    void lookupAndReadStreamOverGrpc() {
        try (RemoteSpiceDb remote = remote();
             Stream<LookupResult> found = remote.lookupResources("document", "read", SubjectRef.of("user", "charlie"),
                     Consistency.fullyConsistent())) {
            assertThat(found.map(LookupResult::resourceId)).containsExactly("doc3");
        }
        try (RemoteSpiceDb remote = remote();
             Stream<Relationship> rels = remote.readRelationships(
                     RelationshipFilter.resourceType("document").subject(SubjectRef.of("user", "beatrice")),
                     Consistency.minimizeLatency())) {
            assertThat(rels.map(Relationship::toString))
                    .containsExactlyInAnyOrder("document:doc2#viewer@user:beatrice", "document:doc3#viewer@user:beatrice");
        }
    }

    @Test
    void closingAStreamEarlyCancelsTheCall() {
        try (RemoteSpiceDb remote = remote()) {
            Stream<Relationship> rels = remote.readRelationships(RelationshipFilter.resourceType("document"),
                    Consistency.fullyConsistent());
            Iterator<Relationship> it = rels.iterator();
            assertThat(it.hasNext()).isTrue();
            it.next();
            rels.close();
            assertThatThrownBy(() -> {
                while (it.hasNext()) {
                    it.next();
                }
            }).isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).status()).isEqualTo("CANCELLED"));
            // the client is still usable afterwards
            try (Stream<Relationship> again = remote.readRelationships(RelationshipFilter.resourceType("document"),
                    Consistency.fullyConsistent())) {
                assertThat(again.count()).isEqualTo(5);
            }
        }
    }

    @Test
    void serverErrorsAreTypedAndNotRetried() {
        try (RemoteSpiceDb remote = remote()) {
            assertThatThrownBy(() -> remote.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia")))
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> {
                        PermissionsException pe = (PermissionsException) e;
                        assertThat(pe.status()).isEqualTo("UNIMPLEMENTED");
                        assertThat(pe.operation()).isEqualTo("CheckPermission");
                        assertThat(pe.attempts()).isEqualTo(1);
                    });
            assertThatThrownBy(() -> remote.lookupResources("nosuchtype", "read", SubjectRef.of("user", "a"),
                    Consistency.fullyConsistent()).toList())
                    .isInstanceOf(PermissionsException.class)
                    .hasMessageContaining("nosuchtype");
        }
    }

    @Test
    void unavailableIsRetriedWithBackoffThenReported(@TempDir Path dir) {
        try (RemoteSpiceDb remote = RemoteSpiceDb.unixSocket(dir.resolve("nobody-listens.sock"))
                .retries(2, Duration.ofMillis(100)).build()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> remote.readSchema())
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> {
                        PermissionsException pe = (PermissionsException) e;
                        assertThat(pe.status()).isEqualTo("UNAVAILABLE");
                        assertThat(pe.attempts()).isEqualTo(3);
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        }
    }

    @Test
    void deadlinesAreEnforced() {
        try (RemoteSpiceDb remote = RemoteSpiceDb.unixSocket(db.streamingSocket()).streamDeadline(Duration.ofNanos(1)).build()) {
            assertThatThrownBy(() -> remote.lookupResources("document", "read", SubjectRef.of("user", "emilia"),
                    Consistency.fullyConsistent()).toList())
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).isTimeout()).isTrue());
        }
    }

    @Test
    void theKeyNeverShowsAndCloseIsIdempotent() {
        RemoteSpiceDb.Builder builder = RemoteSpiceDb.builder("spicedb.example:50051").presharedKey(KEY);
        assertThat(builder.toString()).doesNotContain(KEY).contains("***").contains("tls=true");
        RemoteSpiceDb remote = builder.build();
        assertThat(remote.toString()).doesNotContain(KEY).contains("TLS").contains("preshared key set");
        remote.close();
        remote.close();
        assertThatThrownBy(remote::readSchema).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void badOptionsAreRejected(@TempDir Path dir) {
        assertThatThrownBy(() -> RemoteSpiceDb.builder("h:1").presharedKey(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteSpiceDb.builder("h:1").deadline(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteSpiceDb.builder("h:1").trustCertificates(dir.resolve("missing.pem")).build())
                .isInstanceOf(AuthzException.class).hasMessageContaining("TLS");
    }
}

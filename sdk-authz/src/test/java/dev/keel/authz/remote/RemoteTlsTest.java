package dev.keel.authz.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.authz.Consistency;
import dev.keel.authz.LookupResult;
import dev.keel.authz.PermissionsException;
import dev.keel.authz.Spice;
import dev.keel.authz.SubjectRef;
import dev.keel.authz.Check;
import dev.keel.authz.CheckResult;
import dev.keel.authz.ObjectRef;
import dev.keel.authz.Relationship;
import dev.keel.authz.RelationshipText;
import dev.keel.authz.RelationshipUpdate;
import dev.keel.authz.ZedToken;
import dev.keel.authz.embedded.EmbeddedSpiceDb;
import dev.keel.authz.filter.PostFilter;
import dev.keel.authz.internal.embedded.LibraryLocator;
import dev.keel.authz.internal.embedded.NativeSpiceDb;
import dev.keel.core.internal.json.Json;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RemoteSpiceDb over TLS with a preshared key, through a loopback TLS endpoint in front of the real SpiceDB. */
class RemoteTlsTest {
    static final String KEY = "tls-psk-0123456789";
    static NativeSpiceDb lib;
    static long handle;
    static TlsProxy proxy;
    static Path certificate;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        Spice.start().close(); // skips (or fails in CI) like the other tests when the library is missing
        // a raw instance (no EmbeddedSpiceDb around it): the proxy serves it, the remote client loads it
        lib = LibraryLocator.load(EmbeddedSpiceDb.locateLibrary());
        var started = Json.parse(lib.start("{}")).path("data");
        handle = started.path("handle").asLong();
        Path socket = Path.of(started.path("streaming_address").asText());
        Path keystore = dir.resolve("server.p12");
        certificate = dir.resolve("server.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "spicedb", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "spicedb", "-keystore", keystore.toString(),
                "-storepass", "changeit", "-file", certificate.toString()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        proxy = new TlsProxy(lib, handle, socket, KEY, kmf);
        try (RemoteSpiceDb remote = RemoteSpiceDb.builder("localhost:" + proxy.port()).trustCertificates(certificate)
                .presharedKey(KEY).build()) {
            remote.writeSchema(Spice.DOCS_SCHEMA);
            remote.touch(RelationshipText.parse(Spice.DOCS_RELATIONSHIPS));
        }
    }

    private static void run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @AfterAll
    static void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        if (lib != null) {
            lib.dispose(handle);
        }
    }

    RemoteSpiceDb.Builder client() {
        return RemoteSpiceDb.builder("localhost:" + proxy.port()).trustCertificates(certificate)
                .deadline(Duration.ofSeconds(5)).retries(1, Duration.ofMillis(20));
    }

    @Test
    void tlsWithTheRightKeyReachesSpiceDb() {
        try (RemoteSpiceDb remote = client().presharedKey(KEY).build()) {
            try (var found = remote.lookupResources("document", "read", SubjectRef.of("user", "emilia"), Consistency.fullyConsistent())) {
                assertThat(found.map(LookupResult::resourceId)).containsExactlyInAnyOrder("doc1", "doc3");
            }
            assertThat(proxy.seenAuthorization).contains("Bearer " + KEY);
        }
    }

    @Test
    void unaryCallsWorkOverTlsAgainstTheRealSpiceDb() {
        try (RemoteSpiceDb remote = client().presharedKey(KEY).build()) {
            assertThat(remote.readSchema()).contains("definition document");
            assertThat(remote.check(ObjectRef.of("document", "doc2"), "read", SubjectRef.of("user", "beatrice")))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            PostFilter<String> readable = PostFilter.of(remote, "read", id -> ObjectRef.of("document", id));
            assertThat(readable.keep(List.of("doc1", "doc2", "doc3"), SubjectRef.of("user", "charlie"))).containsExactly("doc3");
            ZedToken granted = remote.write(List.of(RelationshipUpdate.touch(Relationship.parse("document:doc7#viewer@user:charlie"))));
            assertThat(remote.check(Check.of(ObjectRef.of("document", "doc7"), "read", SubjectRef.of("user", "charlie")),
                    Consistency.atLeastAsFresh(granted))).isEqualTo(CheckResult.HAS_PERMISSION);
            ZedToken revoked = remote.deleteRelationships(dev.keel.authz.RelationshipFilter.resourceType("document").resourceId("doc7"));
            assertThat(remote.check(Check.of(ObjectRef.of("document", "doc7"), "read", SubjectRef.of("user", "charlie")),
                    Consistency.atLeastAsFresh(revoked))).isEqualTo(CheckResult.NO_PERMISSION);
        }
    }

    @Test
    void unavailableIsRetriedAndThenSucceeds() {
        try (RemoteSpiceDb remote = client().presharedKey(KEY).retries(3, Duration.ofMillis(10)).build()) {
            int before = proxy.unaryCalls.get();
            proxy.failNext(2);
            assertThat(remote.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia")))
                    .isEqualTo(CheckResult.HAS_PERMISSION);
            assertThat(proxy.unaryCalls.get() - before).isEqualTo(3);
            proxy.failNext(5);
            assertThatThrownBy(() -> remote.check(ObjectRef.of("document", "doc1"), "read", SubjectRef.of("user", "emilia")))
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).attempts()).isEqualTo(4));
            proxy.failNext(0);
        }
    }

    @Test
    void aWrongKeyIsUnauthenticatedAndTheKeyIsNotInTheError() {
        try (RemoteSpiceDb remote = client().presharedKey("wrong-key-42").build()) {
            assertThatThrownBy(() -> remote.lookupResources("document", "read", SubjectRef.of("user", "emilia"),
                    Consistency.fullyConsistent()).toList())
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).status()).isEqualTo("UNAUTHENTICATED"))
                    .hasMessageNotContaining("wrong-key-42");
        }
    }

    @Test
    void anUntrustedServerCertificateIsRefused() {
        try (RemoteSpiceDb remote = RemoteSpiceDb.builder("localhost:" + proxy.port()).presharedKey(KEY)
                .retries(0, Duration.ofMillis(10)).build()) {
            assertThatThrownBy(() -> remote.lookupResources("document", "read", SubjectRef.of("user", "emilia"),
                    Consistency.fullyConsistent()).toList())
                    .isInstanceOf(PermissionsException.class)
                    .satisfies(e -> assertThat(((PermissionsException) e).status()).isEqualTo("UNAVAILABLE"));
        }
    }

    @Test
    void plaintextAgainstATlsServerFails() {
        try (RemoteSpiceDb remote = RemoteSpiceDb.builder("localhost:" + proxy.port()).plaintext().presharedKey(KEY)
                .retries(0, Duration.ofMillis(10)).build()) {
            assertThatThrownBy(() -> remote.lookupResources("document", "read", SubjectRef.of("user", "emilia"),
                    Consistency.fullyConsistent()).toList())
                    .isInstanceOf(PermissionsException.class);
        }
    }
}

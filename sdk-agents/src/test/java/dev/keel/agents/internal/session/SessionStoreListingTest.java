package dev.keel.agents.internal.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.session.SessionListingUnsupportedException;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.SessionSummary;
import dev.keel.agents.session.StoredSession;
import dev.keel.testing.postgres.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SessionStore#list(String, int)} on the three built-in stores, PostgreSQL on a real server: newest first,
 * the prefix taken literally (no wildcard reaches the database), the limit, a damaged file left out without hiding
 * the others, and the typed failure of a store that cannot list.
 */
class SessionStoreListingTest {
    private static PostgresCluster pg;
    private static final AtomicInteger TABLES = new AtomicInteger();

    @TempDir
    Path dir;

    @BeforeAll
    static void startPostgres() {
        pg = PostgresCluster.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    private SessionStore store(String kind) {
        return switch (kind) {
            case "file" -> SessionStore.inDirectory(dir.resolve("sessions"));
            case "memory" -> SessionStore.inMemory();
            case "postgres" -> SessionStore.postgres(pg.dataSource(), "listing_" + TABLES.incrementAndGet());
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** Saves so that each save is strictly later than the one before (stores stamp with the wall clock). */
    private static void saveInOrder(SessionStore store, String... ids) throws InterruptedException {
        java.time.Instant last = java.time.Instant.MIN;
        for (String id : ids) {
            StoredSession saved;
            do {
                Thread.sleep(1);
                long version = store.load(id).map(StoredSession::version).orElse(0L);
                saved = store.save(id, "{\"n\":\"" + id + "\"}", version);
            } while (!saved.updatedAt().isAfter(last));
            last = saved.updatedAt();
        }
    }

    private static List<String> ids(List<SessionSummary> s) {
        return s.stream().map(SessionSummary::id).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "memory", "postgres"})
    void listsNewestFirstWithinThePrefixUpToTheLimit(String kind) throws Exception {
        try (SessionStore store = store(kind)) {
            saveInOrder(store, "alice/1", "bob/1", "alice/2", "alice/3", "alice2/1");
            assertThat(ids(store.list("alice/", 10))).containsExactly("alice/3", "alice/2", "alice/1");
            assertThat(ids(store.list("alice/", 2))).containsExactly("alice/3", "alice/2");
            assertThat(ids(store.list("", 10))).containsExactly("alice2/1", "alice/3", "alice/2", "bob/1", "alice/1");
            assertThat(store.list("carol/", 10)).isEmpty();
            // saving again makes a session the most recent one, with its new version
            saveInOrder(store, "alice/1");
            List<SessionSummary> again = store.list("alice/", 1);
            assertThat(again).singleElement().satisfies(s -> {
                assertThat(s.id()).isEqualTo("alice/1");
                assertThat(s.version()).isEqualTo(2);
            });
            store.delete("alice/1");
            assertThat(ids(store.list("alice/", 10))).containsExactly("alice/3", "alice/2");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "memory", "postgres"})
    void aPrefixIsPlainCharactersNeverAPattern(String kind) throws Exception {
        try (SessionStore store = store(kind)) {
            saveInOrder(store, "a%b/1", "axb/1", "a_b/1", "ayb/1", "a\\b/1", "a\\\\b/1", "A%B/1");
            assertThat(ids(store.list("a%", 10))).containsExactly("a%b/1");
            assertThat(ids(store.list("a_", 10))).containsExactly("a_b/1");
            assertThat(ids(store.list("a\\b", 10))).containsExactly("a\\b/1");
            assertThat(ids(store.list("%", 10))).isEmpty();
            assertThat(ids(store.list("_", 10))).isEmpty();
            assertThat(ids(store.list("a", 10))).hasSize(6).doesNotContain("A%B/1");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file", "memory", "postgres"})
    void badArgumentsAreRefused(String kind) {
        try (SessionStore store = store(kind)) {
            assertThatThrownBy(() -> store.list("a", 0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("limit");
            assertThatThrownBy(() -> store.list("a", -1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.list(null, 1)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void aDamagedOrForeignFileIsLeftOutAndTheOthersAreStillListed() throws Exception {
        SessionStore store = store("file");
        saveInOrder(store, "alice/1", "alice/2");
        Path sessions = dir.resolve("sessions");
        Files.writeString(sessions.resolve(FileSessionStore.fileName("alice/3") + ".session.json"), "{not json",
                StandardCharsets.UTF_8);
        // a well-formed file whose id is not the one its name stands for (copied by hand) is not believed either
        Path alice1 = sessions.resolve(FileSessionStore.fileName("alice/1") + ".session.json");
        Files.copy(alice1, sessions.resolve(FileSessionStore.fileName("alice/4") + ".session.json"));
        Files.writeString(sessions.resolve("notes.txt"), "not a session");
        assertThat(ids(store.list("alice/", 10))).containsExactly("alice/2", "alice/1");
    }

    @Test
    void aStoreWithoutListingFailsWithATypedErrorNamingIt() {
        SessionStore own = new SessionStore() {
            @Override
            public Optional<StoredSession> load(String sessionId) {
                return Optional.empty();
            }

            @Override
            public StoredSession save(String sessionId, String json, long expectedVersion) {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean delete(String sessionId) {
                return false;
            }

            @Override
            public String toString() {
                return "MyRedisStore";
            }
        };
        assertThatThrownBy(() -> own.list("", 5)).isInstanceOf(SessionListingUnsupportedException.class)
                .hasMessageContaining("MyRedisStore").hasMessageContaining("SessionStore.list");
    }
}

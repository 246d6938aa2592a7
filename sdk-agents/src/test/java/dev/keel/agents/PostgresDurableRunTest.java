package dev.keel.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.session.SessionConflictException;
import dev.keel.agents.session.SessionStore;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import dev.keel.testing.postgres.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL session store on a real PostgreSQL 17 started for this class: a run suspends in one JVM, which
 * exits; this JVM (a restarted instance) resumes it from the database; a second resume is refused; versions are
 * checked in the database.
 */
class PostgresDurableRunTest {
    private static PostgresCluster pg;

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

    private SessionStore store() {
        return SessionStore.postgres(pg.dataSource());
    }

    @Test
    void aRunSuspendedInOneJvmIsResumedFromPostgresInAnotherAndOnlyOnce() throws Exception {
        Path journal = dir.resolve("journal.txt");
        try (ScriptedModelServer llm = ScriptedModelServer.start()) {
            llm.respond(ScriptedReply.toolCall("deploy", Map.of("env", "staging")))
               .respond(ScriptedReply.text("Deployed."));
            Process child = new ProcessBuilder(DurableRunTest.childJvm(llm.baseUrl(), "postgres:" + pg.jdbcUrl(),
                    "pg-1", journal.toString(), "suspend")).redirectErrorStream(true).start();
            String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(out).isZero();
            String token = out.lines().filter(l -> l.startsWith("TOKEN ")).map(l -> l.substring(6)).findFirst()
                    .orElseThrow(() -> new AssertionError("no token in: " + out));
            assertThat(Files.exists(journal)).isFalse();
            assertThat(pg.psql(PostgresCluster.DATABASE, "SELECT version FROM keel_sessions WHERE id = 'pg-1'"))
                    .isNotBlank();

            try (Runner restarted = Runner.builder(DurableChild.operator(llm.baseUrl(), journal, false))
                    .sessions(store()).build()) {
                RunOutcome done = restarted.resume(token, Decision.approve("alice"));
                assertThat(((RunOutcome.Completed) done).result().output()).isEqualTo("Deployed.");
                assertThatThrownBy(() -> restarted.resume(token, Decision.approve("alice")))
                        .isInstanceOf(AgentException.ResumeRefused.class);
            }
            assertThat(Files.readAllLines(journal)).hasSize(1).first().asString().startsWith("deploy staging");
            assertThat(llm.requests()).hasSize(2);
        }
    }

    @Test
    void theDatabaseRefusesAStaleVersionAndASecondFirstSave() {
        SessionStore a = store();
        SessionStore b = store();
        assertThat(a.save("pg-2", "{\"version\":1,\"id\":\"pg-2\"}", 0).version()).isEqualTo(1);
        assertThatThrownBy(() -> b.save("pg-2", "{}", 0)).isInstanceOf(SessionConflictException.class);
        assertThat(b.save("pg-2", "{\"v\":2}", 1).version()).isEqualTo(2);
        assertThatThrownBy(() -> a.save("pg-2", "{\"v\":\"stale\"}", 1))
                .isInstanceOf(SessionConflictException.class)
                .satisfies(e -> assertThat(((SessionConflictException) e).actualVersion()).isEqualTo(2));
        assertThat(a.load("pg-2").orElseThrow().json()).isEqualTo("{\"v\":2}");
        assertThat(a.delete("pg-2")).isTrue();
        assertThat(a.load("pg-2")).isEmpty();
        assertThatThrownBy(() -> SessionStore.postgres(pg.dataSource(), "x; DROP TABLE y"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of(pg.psql(PostgresCluster.DATABASE, "SELECT count(*) FROM keel_sessions WHERE id = 'pg-2'")))
                .containsExactly("0");
    }
}

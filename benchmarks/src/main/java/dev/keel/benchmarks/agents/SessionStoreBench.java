package dev.keel.benchmarks.agents;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.agents.Agent;
import dev.keel.agents.RunOutcome;
import dev.keel.agents.Runner;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.session.StoredSession;
import dev.keel.testing.postgres.PostgresCluster;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * {@code session-store-postgres}: what a durable run costs per step on the real PostgreSQL 17 (the cluster
 * {@code scripts/setup/pgvector.sh} builds, on loopback) through a HikariCP pool, as services run it. The agent of
 * the turn benchmark runs with {@code Runner.Builder.sessions(store)}; a timing wrapper around the store records
 * every load and save the runner makes (the journal saves each model reply and each tool result). The peer
 * replays exactly the same operations — the same session JSON, in the same order — as the plain JDBC a host would
 * write to keep {@code Session.toJson()} itself ({@code SELECT}, and an upsert without a version check).
 * Reports p50 and p99 per operation in microseconds, and {@code speedup=} peer p50 / Keel p50 per operation.
 */
final class SessionStoreBench {
    private static final int WARMUP_RUNS = 100;
    private static final int RUNS = 300;

    private SessionStoreBench() {}

    /** One store operation as the runner made it: a load, or a save of this JSON at this expected version. */
    private record Op(String sessionId, String json, long expectedVersion) {
        boolean isLoad() {
            return json == null;
        }
    }

    /** Records what the runner asks of the store and how long each call took. Single-threaded use. */
    private static final class Timed implements SessionStore {
        private final SessionStore inner;
        final List<Op> ops = new ArrayList<>();
        final List<Long> loadNanos = new ArrayList<>();
        final List<Long> saveNanos = new ArrayList<>();
        boolean recording;

        Timed(SessionStore inner) {
            this.inner = inner;
        }

        @Override
        public Optional<StoredSession> load(String sessionId) {
            long start = System.nanoTime();
            Optional<StoredSession> s = inner.load(sessionId);
            long took = System.nanoTime() - start;
            if (recording) {
                loadNanos.add(took);
                ops.add(new Op(sessionId, null, 0));
            }
            return s;
        }

        @Override
        public StoredSession save(String sessionId, String json, long expectedVersion) {
            long start = System.nanoTime();
            StoredSession s = inner.save(sessionId, json, expectedVersion);
            long took = System.nanoTime() - start;
            if (recording) {
                saveNanos.add(took);
                ops.add(new Op(sessionId, json, expectedVersion));
            }
            return s;
        }

        @Override
        public boolean delete(String sessionId) {
            return inner.delete(sessionId);
        }
    }

    static void run(Agent agent, int turnsPerRun) {
        try (PostgresCluster pg = PostgresCluster.start(); HikariDataSource pool = pool(pg)) {
            Timed store = new Timed(SessionStore.postgres(pool));
            try (Runner runner = Runner.builder(agent).sessions(store).build()) {
                for (int i = 0; i < WARMUP_RUNS + RUNS; i++) {
                    store.recording = i >= WARMUP_RUNS;
                    RunOutcome outcome = runner.run("bench-" + i, "go");
                    if (!(outcome instanceof RunOutcome.Completed)) {
                        throw new IllegalStateException("the benchmark run did not complete: " + outcome);
                    }
                }
            }
            long[] peerLoads;
            long[] peerSaves;
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE host_sessions (id text PRIMARY KEY, document text NOT NULL)");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            replay(pool, store.ops); // warm the peer's statements
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("TRUNCATE host_sessions");
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            long[][] peer = replay(pool, store.ops);
            peerLoads = peer[0];
            peerSaves = peer[1];
            long[] keelLoads = store.loadNanos.stream().mapToLong(Long::longValue).toArray();
            long[] keelSaves = store.saveNanos.stream().mapToLong(Long::longValue).toArray();
            int chars = store.ops.stream().filter(o -> !o.isLoad()).mapToInt(o -> o.json().length()).max().orElse(0);
            System.out.printf(Locale.ROOT, "keel-bench agents session-store-postgres-save keel_p50_us=%.1f keel_p99_us=%.1f"
                            + " jdbc_upsert_p50_us=%.1f jdbc_upsert_p99_us=%.1f saves_per_turn=%.2f max_json_chars=%d"
                            + " speedup=%.3f%n", us(keelSaves, 50), us(keelSaves, 99), us(peerSaves, 50), us(peerSaves, 99),
                    keelSaves.length / (double) (RUNS * turnsPerRun), chars, us(peerSaves, 50) / us(keelSaves, 50));
            System.out.printf(Locale.ROOT, "keel-bench agents session-store-postgres-load keel_p50_us=%.1f keel_p99_us=%.1f"
                            + " jdbc_select_p50_us=%.1f jdbc_select_p99_us=%.1f loads_per_run=%.2f speedup=%.3f%n",
                    us(keelLoads, 50), us(keelLoads, 99), us(peerLoads, 50), us(peerLoads, 99),
                    keelLoads.length / (double) RUNS, us(peerLoads, 50) / us(keelLoads, 50));
        }
    }

    private static HikariDataSource pool(PostgresCluster pg) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl());
        config.setUsername(PostgresCluster.USER);
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    /** The host's own JDBC for the same operations; returns load and save nanos. */
    private static long[][] replay(DataSource pool, List<Op> ops) {
        List<Long> loads = new ArrayList<>();
        List<Long> saves = new ArrayList<>();
        int sink = 0;
        for (Op op : ops) {
            long start = System.nanoTime();
            try (Connection c = pool.getConnection()) {
                if (op.isLoad()) {
                    try (PreparedStatement ps = c.prepareStatement("SELECT document FROM host_sessions WHERE id = ?")) {
                        ps.setString(1, op.sessionId());
                        try (ResultSet rs = ps.executeQuery()) {
                            sink += rs.next() ? rs.getString(1).length() : 0;
                        }
                    }
                    loads.add(System.nanoTime() - start);
                } else {
                    try (PreparedStatement ps = c.prepareStatement("INSERT INTO host_sessions (id, document) VALUES (?, ?) "
                            + "ON CONFLICT (id) DO UPDATE SET document = excluded.document")) {
                        ps.setString(1, op.sessionId());
                        ps.setString(2, op.json());
                        sink += ps.executeUpdate();
                    }
                    saves.add(System.nanoTime() - start);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }
        if (sink == 42) {
            System.out.print("");
        }
        return new long[][] {loads.stream().mapToLong(Long::longValue).toArray(),
                saves.stream().mapToLong(Long::longValue).toArray()};
    }

    private static double us(long[] nanos, int percentile) {
        if (nanos.length == 0) {
            return Double.NaN;
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1_000.0;
    }
}

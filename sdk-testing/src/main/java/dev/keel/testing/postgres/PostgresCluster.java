package dev.keel.testing.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL 17 (with the pgvector extension) for tests, run from the Debian root that
 * {@code scripts/setup/pgvector.sh} builds: {@code initdb} into a fresh directory under the root's
 * {@code /tmp}, {@code pg_ctl start} through {@code chroot} as the root's {@code postgres} user
 * (PostgreSQL refuses to run as root), listening on 127.0.0.1 on a free port with trust authentication,
 * with a database {@value #DATABASE} that has the {@code vector} extension. {@link #close()} stops the
 * server and deletes the directory; closing twice is harmless. Nothing is mounted: the root carries its
 * own device nodes, so no mount can be left behind on the host.
 *
 * <p>When the root is missing or the tests do not run as root, {@link #start()} skips the calling test,
 * except with {@code CI=true}, where it fails. Several clusters (in several test classes or JVMs) run side by
 * side. Not thread-safe; one instance per test class.
 *
 * <pre>{@code
 * static PostgresCluster pg;
 * @BeforeAll static void start() { pg = PostgresCluster.start(); }
 * @AfterAll static void stop() { pg.close(); }
 * ... DriverManager.getConnection(pg.jdbcUrl(), PostgresCluster.USER, "") ...
 * }</pre>
 */
public final class PostgresCluster implements AutoCloseable {
    /** The database every cluster has (with the {@code vector} extension). */
    public static final String DATABASE = "keel";
    /** The superuser, trusted without a password on 127.0.0.1. */
    public static final String USER = "postgres";
    private static final String BIN = "/usr/lib/postgresql/17/bin/";
    private static final String MARKER = ".keel-pgvector-complete";
    private static final Logger LOG = LoggerFactory.getLogger(PostgresCluster.class);

    private final Path root;
    private final Path dir;
    private final String dirInRoot;
    private final String userSpec;
    private final int port;
    private final Thread shutdownHook;
    private final boolean keep;
    private boolean closed;

    private PostgresCluster(Path root, Path dir, String userSpec, int port, boolean keep) {
        this.keep = keep;
        this.root = root;
        this.dir = dir;
        this.dirInRoot = "/" + root.relativize(dir);
        this.userSpec = userSpec;
        this.port = port;
        this.shutdownHook = new Thread(this::stopQuietly, "pgvector-cluster-stop");
    }

    /**
     * The root the setup script builds, or the one named by {@code keel.pgvector.root} / {@code KEEL_PGVECTOR_ROOT}.
     *
     * @return the root's directory
     */
    public static Path root() {
        String configured = System.getProperty("keel.pgvector.root", System.getenv("KEEL_PGVECTOR_ROOT"));
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String cache = System.getenv("KEEL_CACHE_DIR");
        Path base = cache != null && !cache.isBlank() ? Path.of(cache)
                : Path.of(System.getProperty("user.home"), ".cache", "keel");
        return base.resolve("pgvector").resolve("trixie-pg17").resolve("root");
    }

    /**
     * Starts a fresh cluster, or skips the calling test (fails under {@code CI=true}) when the prerequisites are
     * missing.
     *
     * @return the running cluster
     */
    public static PostgresCluster start() {
        Path root = checkedRoot();
        String userSpec = postgresUser(root);
        Path dir;
        try {
            dir = Files.createTempDirectory(root.resolve("tmp"), "keel-pg-");
            own(dir, userSpec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a cluster directory in " + root, e);
        }
        return launch(root, dir, userSpec, true, false);
    }

    /**
     * Starts the cluster called {@code name}, which keeps its data between starts (and processes): the first
     * start creates it, {@link #close()} stops the server and keeps the data. For samples and demos that
     * continue in a second process what a first one stored.
     *
     * @param name lower-case letters, digits and dashes
     * @return the running cluster
     */
    public static PostgresCluster persistent(String name) {
        if (!name.matches("[a-z0-9][a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("a cluster name is lower-case letters, digits and dashes: " + name);
        }
        Path root = checkedRoot();
        String userSpec = postgresUser(root);
        Path dir = root.resolve("var/lib/keel-clusters").resolve(name);
        boolean fresh = !Files.isDirectory(dir.resolve("data"));
        try {
            Files.createDirectories(dir);
            own(dir, userSpec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster directory " + dir, e);
        }
        return launch(root, dir, userSpec, fresh, true);
    }

    private static void own(Path dir, String userSpec) throws IOException {
        Files.setAttribute(dir, "unix:uid", Integer.parseInt(userSpec.split(":")[0]));
        Files.setAttribute(dir, "unix:gid", Integer.parseInt(userSpec.split(":")[1]));
    }

    /** The root, when it is complete and usable; otherwise skips the calling test (fails under CI). */
    private static Path checkedRoot() {
        Path root = root();
        String missing = null;
        if (!Files.isRegularFile(root.resolve(MARKER)) || !Files.isExecutable(root.resolve(BIN.substring(1) + "postgres"))) {
            missing = "no PostgreSQL 17 + pgvector root at " + root + " (run scripts/setup/pgvector.sh)";
        } else if (!runningAsRoot()) {
            missing = "starting a cluster in " + root + " needs chroot, so the tests must run as root";
        }
        if (missing != null) {
            if ("true".equals(System.getenv("CI"))) {
                throw new IllegalStateException(missing);
            }
            Assumptions.abort(missing);
        }
        return root;
    }

    private static PostgresCluster launch(Path root, Path dir, String userSpec, boolean initdb, boolean keep) {
        PostgresCluster cluster = null;
        try {
            // A free port can be taken between the probe and the start: try a few.
            for (int attempt = 1; ; attempt++) {
                cluster = new PostgresCluster(root, dir, userSpec, freePort(), keep);
                try {
                    cluster.boot(initdb && attempt == 1);
                    return cluster;
                } catch (IllegalStateException e) {
                    if (attempt == 3 || !e.getMessage().contains("could not bind")) {
                        throw e;
                    }
                    LOG.info("port {} was taken, retrying", cluster.port);
                }
            }
        } catch (RuntimeException e) {
            if (cluster != null) {
                cluster.close();
            } else if (!keep) {
                deleteTree(dir);
            }
            throw e;
        }
    }

    private void boot(boolean initdb) {
        long t0 = System.nanoTime();
        if (initdb) {
            run(BIN + "initdb", "-D", dirInRoot + "/data", "-U", USER, "--auth=trust", "--locale=C.UTF-8",
                    "--encoding=UTF8", "--no-sync");
        }
        run(BIN + "pg_ctl", "-D", dirInRoot + "/data", "-l", dirInRoot + "/server.log", "-w", "-t", "30",
                "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -c unix_socket_directories=" + dirInRoot
                        + " -c fsync=off",
                "start");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        if (initdb) {
            psql("postgres", "CREATE DATABASE " + DATABASE);
            psql(DATABASE, "CREATE EXTENSION vector");
        }
        LOG.info("PostgreSQL + pgvector on 127.0.0.1:{} ready in {} ms (root {})", port,
                (System.nanoTime() - t0) / 1_000_000, root);
    }

    /**
     * The TCP port on 127.0.0.1.
     *
     * @return the port
     */
    public int port() {
        return port;
    }

    /**
     * The JDBC URL of {@link #DATABASE}.
     *
     * @return the URL
     */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /**
     * A data source for {@link #DATABASE} as {@link #USER}, opening a new connection per call (what a service's
     * pool would hand out); needs the PostgreSQL driver on the class path.
     *
     * @return the data source
     */
    public DataSource dataSource() {
        return dataSource(jdbcUrl());
    }

    /**
     * A data source for a cluster's JDBC URL as {@link #USER} (for a child process that was handed only the URL).
     *
     * @param jdbcUrl a {@link #jdbcUrl()}
     * @return the data source
     */
    public static DataSource dataSource(String jdbcUrl) {
        return new ClusterDataSource(jdbcUrl);
    }

    /**
     * The cluster's directory on the host (deleted by {@link #close()}).
     *
     * @return the directory
     */
    public Path directory() {
        return dir;
    }

    /**
     * Runs SQL through psql inside the root.
     *
     * @param database the database
     * @param sql the statements
     * @return psql's unaligned output
     */
    public String psql(String database, String sql) {
        return run(BIN + "psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                "-p", Integer.toString(port), "-U", USER, "-d", database, "-c", sql).strip();
    }

    /** Stops the server and deletes its directory (a {@link #persistent} cluster keeps it). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException alreadyGoneOrShuttingDown) {
            // nothing to remove
        }
        if (!keep) {
            deleteTree(dir);
        }
    }

    private void stopQuietly() {
        if (Files.exists(dir.resolve("data/postmaster.pid"))) {
            try {
                run(BIN + "pg_ctl", "-D", dirInRoot + "/data", "-m", "fast", "-w", "-t", "30", "stop");
            } catch (RuntimeException e) {
                LOG.warn("could not stop the cluster in {}: {}", dir, e.getMessage());
            }
        }
    }

    private String run(String... command) {
        List<String> argv = new ArrayList<>(List.of("chroot", "--userspec=" + userSpec, root.toString(),
                "/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/var/lib/postgresql", "PGTZ=UTC"));
        argv.addAll(List.of(command));
        try {
            Path out = Files.createTempFile("keel-pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                        .redirectOutput(out.toFile()).start();
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(command[0] + " did not finish within 60 s");
                }
                String output = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    String log = "";
                    Path serverLog = dir.resolve("server.log");
                    if (Files.exists(serverLog)) {
                        log = "\nserver log:\n" + Files.readString(serverLog, StandardCharsets.UTF_8);
                    }
                    throw new IllegalStateException(command[0] + " exited with " + p.exitValue() + ": " + output + log);
                }
                return output;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command[0] + " in " + root, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        }
    }

    private static boolean runningAsRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** {@code uid:gid} of the root's own postgres user (not the host's). */
    private static String postgresUser(Path root) {
        try {
            for (String line : Files.readAllLines(root.resolve("etc/passwd"))) {
                String[] f = line.split(":");
                if (f.length > 3 && f[0].equals(USER)) {
                    return f[2] + ":" + f[3];
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + root.resolve("etc/passwd"), e);
        }
        throw new IllegalStateException("the root " + root + " has no postgres user (re-run scripts/setup/pgvector.sh)");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[127.0.0.1:" + port + ", " + dir + (closed ? ", closed" : "") + "]";
    }
}

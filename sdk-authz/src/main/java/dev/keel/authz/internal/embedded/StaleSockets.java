package dev.keel.authz.internal.embedded;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes streaming sockets left in the temp directory by processes that died without disposing
 * their instances ({@code spicedb-streaming-<pid>-<n>.sock}, the library's naming). Sockets of live
 * processes are never touched.
 */
public final class StaleSockets {
    private static final Logger LOG = LoggerFactory.getLogger(StaleSockets.class);
    private static final Pattern NAME = Pattern.compile("spicedb-streaming-(\\d+)-\\d+\\.sock");

    private StaleSockets() {
    }

    /** The directory the library creates sockets in (Go's os.TempDir: $TMPDIR or /tmp). */
    public static Path socketDirectory() {
        String tmp = System.getenv("TMPDIR");
        return Path.of(tmp != null && !tmp.isEmpty() ? tmp : "/tmp");
    }

    /** Removes stale sockets; returns how many were removed. Never fails the caller. */
    public static int removeDeadProcessSockets() {
        int removed = 0;
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(socketDirectory(), "spicedb-streaming-*.sock")) {
            for (Path p : dir) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    if (Files.deleteIfExists(p)) {
                        removed++;
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("could not scan for stale SpiceDB sockets: {}", e.toString());
        }
        if (removed > 0) {
            LOG.info("removed {} stale embedded SpiceDB socket(s) of exited processes", removed);
        }
        return removed;
    }
}

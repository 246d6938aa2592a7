package dev.keel.agents.toolsets;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * What the sudo askpass tests share: a stand-in {@code sudo} that does what sudo does with {@code -A} — runs
 * {@code $SUDO_ASKPASS} with its prompt, reads the password from its stdout and compares it with the expected
 * password of the target user ({@code -u}, default root), kept in a file outside the command's environment and
 * arguments; without {@code -A} it fails as sudo does without a terminal — and a capture of everything logged.
 */
public final class SudoStandIn {
    private SudoStandIn() {}

    /** Makes every log line of the askpass path visible, whatever the build's default level. */
    public static void logEverything() {
        System.setProperty("org.slf4j.simpleLogger.log.dev.keel.agents.internal.askpass", "trace");
        System.setProperty("org.slf4j.simpleLogger.log.dev.keel.agents.toolsets.ShellToolset", "trace");
    }

    /**
     * Writes {@code dir/fakebin/sudo} and the expected passwords under {@code dir/expected}.
     *
     * @param dir a test's directory
     * @param passwords user name to expected password
     * @return the directory holding the stand-in, to put first on PATH
     * @throws IOException when the files cannot be written
     */
    public static Path install(Path dir, Map<String, String> passwords) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("fakebin"));
        Path expected = Files.createDirectories(dir.resolve("expected"));
        for (Map.Entry<String, String> e : passwords.entrySet()) {
            Files.writeString(expected.resolve(e.getKey()), e.getValue() + "\n");
        }
        Path sudo = bin.resolve("sudo");
        Files.writeString(sudo, """
                #!/bin/sh
                # stand-in for sudo's askpass path
                if [ "$1" != "-A" ]; then
                  echo "sudo: a terminal is required to read the password; either use the -S option to read from standard input or configure an askpass helper" >&2
                  echo "sudo: a password is required" >&2
                  exit 1
                fi
                shift
                user=root
                if [ "$1" = "-u" ]; then user=$2; shift 2; fi
                [ -n "$SUDO_ASKPASS" ] || { echo "sudo: no askpass program specified, try setting SUDO_ASKPASS" >&2; exit 1; }
                if ! pw=$("$SUDO_ASKPASS" "[sudo] password for $user: "); then
                  echo "sudo: no password was provided" >&2
                  echo "sudo: a password is required" >&2
                  exit 1
                fi
                if [ -f "EXPECTED/$user" ] && [ "$pw" = "$(cat "EXPECTED/$user")" ]; then
                  echo "authenticated as $user"
                  exec "$@"
                fi
                echo "sudo: 1 incorrect password attempt" >&2
                exit 1
                """.replace("EXPECTED", expected.toString()));
        Files.setPosixFilePermissions(sudo, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** Work whose output is captured. */
    @FunctionalInterface
    public interface Work {
        /**
         * Does it.
         *
         * @throws Exception when it fails
         */
        void run() throws Exception;
    }

    /**
     * Runs {@code work} with {@code System.out} and {@code System.err} (where the tests' logger writes) captured.
     *
     * @param work what to run
     * @return everything written meanwhile
     * @throws Exception what {@code work} throws
     */
    public static String captured(Work work) throws Exception {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(tee);
        System.setOut(tee);
        try {
            work.run();
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}

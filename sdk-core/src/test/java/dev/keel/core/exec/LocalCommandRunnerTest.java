package dev.keel.core.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs real processes (sh, cat, env, …) on the host. */
class LocalCommandRunnerTest {
    final LocalCommandRunner runner = LocalCommandRunner.create();

    @TempDir
    Path dir;

    @Test
    void exitCodesAreResultsNotExceptions() {
        ExecResult ok = runner.run("true");
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.ok()).isTrue();

        ExecResult failed = runner.run(Command.shell("echo out; echo err >&2; exit 3"));
        assertThat(failed.exitCode()).isEqualTo(3);
        assertThat(failed.ok()).isFalse();
        assertThat(failed.timedOut()).isFalse();
        assertThat(failed.stdout()).isEqualTo("out\n");
        assertThat(failed.stderr()).isEqualTo("err\n");
    }

    @Test
    void stdinIsWrittenAndClosed() {
        ExecResult r = runner.run(Command.of("cat").withStdin("hello\nworld"));
        assertThat(r.stdout()).isEqualTo("hello\nworld");

        byte[] big = new byte[3 << 20];
        Arrays.fill(big, (byte) 'x');
        ExecResult counted = runner.run(Command.of("wc", "-c").withStdin(big));
        assertThat(counted.stdout().trim()).isEqualTo(String.valueOf(big.length));

        // no stdin: the command sees end of input at once instead of waiting for it
        assertThat(runner.run(Command.of("cat").withTimeout(Duration.ofSeconds(10))).timedOut()).isFalse();
    }

    @Test
    void aCommandThatIgnoresALargeStdinStillTimesOut() {
        byte[] big = new byte[1 << 20];
        ExecResult r = assertTimeoutPreemptively(Duration.ofSeconds(8), () ->
                runner.run(Command.of("sleep", "20").withStdin(big).withTimeout(Duration.ofMillis(300))));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(137);
    }

    @Test
    void hostEnvironmentIsNotInherited() {
        assumeTrue(System.getenv("HOME") != null, "the JVM's environment has HOME");
        ExecResult r = runner.run("env");
        assertThat(envNames(r.stdout())).containsExactly("PATH");

        ExecResult given = runner.run(Command.of("env").withEnv(Map.of("HOME", "/nowhere", "GREETING", "hi there")));
        assertThat(given.stdout().lines()).contains("HOME=/nowhere", "GREETING=hi there");
        assertThat(envNames(given.stdout())).containsExactlyInAnyOrder("PATH", "HOME", "GREETING");

        ExecResult shell = runner.run(Command.shell("echo \"home=${HOME-unset}\""));
        assertThat(shell.stdout()).isEqualTo("home=unset\n");
    }

    private static List<String> envNames(String envOutput) {
        return envOutput.lines().map(l -> l.substring(0, l.indexOf('='))).collect(Collectors.toList());
    }

    @Test
    void workingDirectory() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        assertThat(runner.run(Command.of("pwd").withCwd(dir.toString())).stdout().trim())
                .isEqualTo(dir.toRealPath().toString());
        LocalCommandRunner inDir = LocalCommandRunner.in(dir);
        assertThat(inDir.run("pwd").stdout().trim()).isEqualTo(dir.toRealPath().toString());
        // a relative cwd is relative to the runner's directory, not to the JVM's
        assertThat(inDir.run(Command.of("pwd").withCwd("sub")).stdout().trim()).isEqualTo(sub.toRealPath().toString());

        assertThatThrownBy(() -> runner.run(Command.of("pwd").withCwd(dir.resolve("missing").toString())))
                .isInstanceOf(CommandException.class).hasMessageContaining("missing");
        assertThatThrownBy(() -> LocalCommandRunner.in(dir.resolve("missing")))
                .isInstanceOf(CommandException.class).hasMessageContaining("does not exist");
    }

    @Test
    void timeoutKillsTheProcessAndItsChildren() throws Exception {
        ExecResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> LocalCommandRunner.in(dir).run(
                Command.shell("sleep 30 & echo $! > child.pid; echo started; sleep 30").withTimeout(Duration.ofMillis(700))));

        assertThat(r.timedOut()).isTrue();
        assertThat(r.ok()).isFalse();
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.stdout()).isEqualTo("started\n");
        long child = Long.parseLong(Files.readString(dir.resolve("child.pid")).trim());
        // SIGKILL is delivered asynchronously; give the kernel a moment before looking.
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (isRunning(child) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(isRunning(child)).as("background child %d killed", child).isFalse();
    }

    @Test
    void aBackgroundProcessHoldingTheOutputDoesNotBlockTheResult() throws Exception {
        ExecResult r = assertTimeoutPreemptively(Duration.ofSeconds(4), () -> LocalCommandRunner.in(dir).run(
                Command.shell("(sleep 6 & echo $! > orphan.pid); echo done")));
        assertThat(r.ok()).isTrue();
        assertThat(r.stdout()).isEqualTo("done\n");
        ProcessHandle.of(Long.parseLong(Files.readString(dir.resolve("orphan.pid")).trim()))
                .ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Alive and not a zombie (a killed orphan may wait a moment for its new parent to reap it). */
    private static boolean isRunning(long pid) throws IOException {
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
        try {
            String s = Files.readString(stat);
            char state = s.charAt(s.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    @Test
    void outputBeyondTheLimitIsDroppedAndFlagged() {
        ExecResult capped = runner.run(Command.shell("head -c 200000 /dev/zero | tr '\\0' a; echo tail >&2")
                .withOutputLimit(1000));
        assertThat(capped.stdout()).hasSize(1000).matches("a{1000}");
        assertThat(capped.stderr()).isEqualTo("tail\n");
        assertThat(capped.truncated()).isTrue();
        assertThat(capped.ok()).isTrue();

        ExecResult fits = runner.run(Command.shell("printf 12345").withOutputLimit(5));
        assertThat(fits.stdout()).isEqualTo("12345");
        assertThat(fits.truncated()).isFalse();
    }

    @Test
    void listenerSeesOutputInOrderWhileTheCommandRuns() {
        List<String> stdoutChunks = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        ExecResult r = runner.run(Command.shell("echo first; sleep 0.3; echo second >&2; sleep 0.3; "
                + "for i in 1 2 3 4 5 6 7 8 9; do echo line$i; done"), new OutputListener() {
            @Override
            public void onStdout(byte[] chunk) {
                stdoutChunks.add(new String(chunk, StandardCharsets.UTF_8));
                all.writeBytes(chunk);
            }

            @Override
            public void onStderr(byte[] chunk) {
                errors.writeBytes(chunk);
            }
        });
        // "first" arrived on its own, before the rest was even printed
        assertThat(stdoutChunks.get(0)).isEqualTo("first\n");
        assertThat(all.toString(StandardCharsets.UTF_8)).isEqualTo(r.stdout())
                .isEqualTo("first\nline1\nline2\nline3\nline4\nline5\nline6\nline7\nline8\nline9\n");
        assertThat(errors.toString(StandardCharsets.UTF_8)).isEqualTo("second\n").isEqualTo(r.stderr());
    }

    @Test
    void aFailingListenerDoesNotStopCapture() {
        AtomicInteger calls = new AtomicInteger();
        ExecResult r = assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                runner.run(Command.shell("head -c 300000 /dev/zero | tr '\\0' b"), new OutputListener() {
                    @Override
                    public void onStdout(byte[] chunk) {
                        calls.incrementAndGet();
                        throw new IllegalStateException("listener bug");
                    }
                }));
        assertThat(r.stdout()).hasSize(300000);
        assertThat(calls.get()).isEqualTo(1);
    }

    @Test
    void interruptingTheCallerKillsTheCommand() throws Exception {
        Path pidFile = dir.resolve("sleep.pid");
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                LocalCommandRunner.in(dir).run(Command.shell("echo $$ > sleep.pid; exec sleep 30"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while ((!Files.exists(pidFile) || Files.size(pidFile) == 0) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        caller.interrupt();
        caller.join(5000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(CommandException.class).hasMessageContaining("interrupted");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (isRunning(pid) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(isRunning(pid)).isFalse();
    }

    @Test
    void missingProgramIsACommandException() {
        assertThatThrownBy(() -> runner.run("keel-no-such-program-xyz", "--help"))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("cannot start keel-no-such-program-xyz");
    }

    @Test
    void describesItself() {
        assertThat(LocalCommandRunner.in(dir).describe()).isEqualTo("host:" + dir.toAbsolutePath());
        assertThat(runner.run("true").duration()).isPositive();
    }
}

package dev.keel.agents.toolsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.keel.agents.internal.askpass.AskpassClient;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code sudo_askpass} with real shell commands. CI has no sudoers password to type, so a stand-in {@code sudo}
 * first on PATH does what sudo does with {@code -A}: runs {@code $SUDO_ASKPASS} with its prompt, reads the password
 * from its stdout and compares it with an expected password kept in a file outside the command's environment and
 * arguments. Without {@code -A} it fails as sudo does without a terminal, so the tests also prove that plain
 * {@code sudo} goes through Keel's wrapper. One test drives the real sudo when there is one.
 */
@DisabledOnOs(OS.WINDOWS)
class ShellSudoAskpassTest {
    private static final String ALICE = "Corr3ct-Horse-Battery!";
    private static final String BOB = "b0b's other p@ss";

    static {
        SudoStandIn.logEverything();
    }

    @TempDir
    Path dir;
    private Path work;
    private Path fakeBin;

    @BeforeEach
    void standInSudo() throws IOException {
        work = Files.createDirectories(dir.resolve("work"));
        fakeBin = SudoStandIn.install(dir, Map.of("alice", ALICE, "bob", BOB));
    }

    private ShellToolset shell(SudoPrompter prompter, Duration timeout) {
        return ShellToolset.builder(LocalCommandRunner.in(work)).timeout(timeout)
                .env(Map.of("PATH", fakeBin + ":" + System.getenv("PATH"))).sudoAskpass(true).sudoPrompter(prompter)
                .build();
    }

    private ShellToolset shell(SudoPrompter prompter) {
        return shell(prompter, Duration.ofSeconds(60));
    }

    private static ToolResult run(Toolset shell, String session, String cmd) throws Exception {
        return shell.tools().get(0).call(ToolArguments.parse(JsonObject.builder().put("cmd", cmd).build().toJson()),
                new ToolContext("ops", session, new ConcurrentHashMap<>()));
    }

    private static SudoPrompter answering(String password, List<SudoPrompter.Request> asked) {
        return request -> {
            asked.add(request);
            return SudoPrompter.Answer.password(password.toCharArray());
        };
    }

    @Test
    void plainSudoAsksTheHostOncePerPromptAndRunsTheCommand() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        try (ShellToolset shell = shell(answering(ALICE, asked))) {
            ToolResult ok = run(shell, "s1", "sudo -u alice echo done");
            assertThat(ok.error()).as(ok.content()).isFalse();
            assertThat(ok.content()).contains("authenticated as alice", "done").doesNotContain(ALICE);
            assertThat(asked).singleElement().satisfies(r -> {
                assertThat(r.agent()).isEqualTo("ops");
                assertThat(r.sessionId()).isEqualTo("s1");
                assertThat(r.command()).isEqualTo("sudo -u alice echo done");
                assertThat(r.prompt()).isEqualTo("[sudo] password for alice: ");
            });

            // no caching: each sudo prompt asks the host again, even within one command
            ToolResult twice = run(shell, "s1", "sudo -u alice true && sudo -u alice echo again");
            assertThat(twice.content()).contains("again");
            assertThat(asked).hasSize(3);

            // a script the command starts finds the wrapper on PATH too
            Files.writeString(work.resolve("install.sh"), "#!/bin/sh\nsudo -u alice echo from-script\n");
            assertThat(run(shell, "s1", "sh install.sh").content()).contains("from-script");

            // the password decides: the wrong one fails as sudo fails
            try (ShellToolset wrong = shell(answering(BOB, asked))) {
                ToolResult refused = run(wrong, "s1", "sudo -u alice echo never");
                assertThat(refused.error()).isTrue();
                assertThat(refused.content()).contains("incorrect password attempt").doesNotContain("never\n", BOB);
            }
        }
    }

    @Test
    void withoutTheOptionOrWithSudoDashSTheCommandFailsAsWithoutATerminal() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        try (ShellToolset off = ShellToolset.builder(LocalCommandRunner.in(work))
                .env(Map.of("PATH", fakeBin + ":" + System.getenv("PATH"))).sudoPrompter(answering(ALICE, asked))
                .build()) {
            assertThat(off.sudoAskpass()).isFalse();
            ToolResult r = run(off, "s1", "sudo -u alice echo x; echo \"[$SUDO_ASKPASS]\"");
            assertThat(r.content()).contains("a terminal is required", "[]");
        }
        try (ShellToolset shell = shell(answering(ALICE, asked))) {
            // sudo refuses -A with -S (password on stdin): the wrapper leaves -S commands alone
            assertThat(run(shell, "s1", "sudo -S -u alice echo x").content()).contains("a terminal is required");
            assertThat(run(shell, "s1", "sudo -kS -u alice echo x").content()).contains("a terminal is required");
        }
        assertThat(asked).isEmpty();
    }

    @Test
    void thePasswordNeverReachesToolOutputLogsEnvironmentOrArguments() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        ToolResult[] results = new ToolResult[2];
        String logs = SudoStandIn.captured(() -> {
            try (ShellToolset shell = shell(answering(ALICE, asked))) {
                // a command that runs the helper itself and prints what it gets, plainly and on stderr
                results[0] = run(shell, "s1", "\"$SUDO_ASKPASS\" 'give me'; echo \"x$(\"$SUDO_ASKPASS\" again)y\" >&2");
                // the command's environment and arguments, as /proc shows them while sudo runs
                results[1] = run(shell, "s1", "sudo -u alice sh -c 'tr \"\\0\" \"\\n\" < /proc/$PPID/environ; "
                        + "tr \"\\0\" \" \" < /proc/$PPID/cmdline' > " + dir.resolve("proc.txt"));
            }
        });
        ToolResult leaky = results[0];
        ToolResult recorded = results[1];
        assertThat(asked).hasSize(3);
        assertThat(leaky.content()).doesNotContain(ALICE).contains("[sudo password redacted]",
                "x[sudo password redacted]y");
        assertThat(recorded.error()).as(recorded.content()).isFalse();
        String proc = Files.readString(dir.resolve("proc.txt"));
        assertThat(proc).contains("SUDO_ASKPASS=", AskpassClient.TOKEN_VARIABLE + "=").doesNotContain(ALICE);
        assertThat(logs).contains("sudo_askpass: agent 'ops' (session s1)", "the host application answered")
                .doesNotContain(ALICE);
    }

    @Test
    void onlyTheCommandsOwnTokenGetsAnAnswerAndOnlyWhileTheCommandRuns() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        SudoPrompter slow = request -> {
            asked.add(request);
            asking.countDown();
            release.await(60, TimeUnit.SECONDS);
            return SudoPrompter.Answer.password(ALICE.toCharArray());
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ShellToolset shell = shell(slow)) {
            String[] seen = run(shell, "s1", "echo \"$SUDO_ASKPASS $KEEL_ASKPASS_TOKEN\"").content().strip().split(" ");
            Path helper = Path.of(seen[0]);
            String staleToken = seen[1];
            assertThat(Files.getPosixFilePermissions(helper.getParent()))
                    .isEqualTo(PosixFilePermissions.fromString("rwx------"));

            Future<ToolResult> sudo = pool.submit(() -> run(shell, "s1", "sudo -u alice echo granted"));
            assertThat(asking.await(60, TimeUnit.SECONDS)).isTrue();
            // while a command is asking, other processes try the channel: no token, a wrong one, a dead one
            for (Map<String, String> env : List.of(Map.<String, String>of(),
                    Map.of(AskpassClient.TOKEN_VARIABLE, "0".repeat(64)),
                    Map.of(AskpassClient.TOKEN_VARIABLE, staleToken))) {
                Helper h = helper(helper, env);
                assertThat(h.exit).isNotZero();
                assertThat(h.stdout).isEmpty();
                assertThat(h.stderr).startsWith("keel askpass: ");
            }
            release.countDown();
            assertThat(sudo.get(60, TimeUnit.SECONDS).content()).contains("granted");
            assertThat(asked).hasSize(1);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void theHelperFailsOnceTheToolsetIsClosedAndALaterCommandSetsUpAfresh() throws Exception {
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        ShellToolset shell = shell(answering(ALICE, asked));
        String[] seen = run(shell, "s1", "echo \"$SUDO_ASKPASS $KEEL_ASKPASS_TOKEN\"").content().strip().split(" ");
        Path privateDir = Path.of(seen[0]).getParent();
        Path socket = privateDir.resolve("socket");
        assertThat(socket).exists();
        shell.close();
        shell.close(); // harmless
        assertThat(privateDir).doesNotExist();
        Helper h = javaHelper(socket, Map.of(AskpassClient.TOKEN_VARIABLE, seen[1]));
        assertThat(h.exit).isNotZero();
        assertThat(h.stdout).isEmpty();
        assertThat(h.stderr).contains("cannot reach the agent's shell toolset");
        assertThat(asked).isEmpty();

        String again = run(shell, "s1", "sudo -u alice echo again; echo \"$SUDO_ASKPASS\"").content();
        assertThat(again).contains("again").doesNotContain(privateDir.toString());
        shell.close();
    }

    @Test
    void closingTheToolsetUnderAnAskingCommandInterruptsTheCallbackAndSudoFails() throws Exception {
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        SudoPrompter waiting = request -> {
            asking.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return SudoPrompter.Answer.password(ALICE.toCharArray());
        };
        ExecutorService pool = Executors.newSingleThreadExecutor();
        ShellToolset shell = shell(waiting);
        try {
            Future<ToolResult> sudo = pool.submit(() -> run(shell, "s1", "sudo -u alice echo never"));
            assertThat(asking.await(60, TimeUnit.SECONDS)).isTrue();
            shell.close();
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).as("the waiting callback is interrupted").isTrue();
            ToolResult r = sudo.get(60, TimeUnit.SECONDS);
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("sudo: no password was provided").doesNotContain("authenticated", ALICE);
        } finally {
            shell.close();
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"decline", "cancel", "throw", "empty", "two lines", "null", "headless"})
    void aRefusalOrAFailingCallbackMakesSudoFailSayingWhy(String how) throws Exception {
        SudoPrompter prompter = switch (how) {
            case "decline" -> r -> SudoPrompter.Answer.decline();
            case "cancel" -> r -> SudoPrompter.Answer.cancel();
            case "throw" -> r -> {
                throw new IllegalStateException("could not ask; the user typed " + ALICE);
            };
            case "empty" -> r -> SudoPrompter.Answer.password(new char[0]);
            case "two lines" -> r -> SudoPrompter.Answer.password((ALICE + "\nrm -rf /").toCharArray());
            case "null" -> r -> null;
            default -> null;
        };
        String why = switch (how) {
            case "decline" -> "keel askpass: the host application declined the sudo password prompt";
            case "cancel" -> "keel askpass: the host application cancelled the sudo password prompt";
            case "throw" -> "keel askpass: asking the host application for the password failed (IllegalStateException)";
            case "empty", "two lines" -> "keel askpass: the host application's password was empty or not a single line";
            case "null" -> "keel askpass: the host application gave no answer";
            default -> "keel askpass: no host application answers sudo password prompts here";
        };
        try (ShellToolset shell = shell(prompter)) {
            ToolResult r = run(shell, "s1", "sudo -u alice echo never");
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains(why, "sudo: no password was provided").doesNotContain(ALICE)
                    .doesNotContain("authenticated");
        }
    }

    @Test
    void aCallbackThatNeverAnswersIsBoundedByTheCommandTimeoutAndInterrupted() throws Exception {
        CountDownLatch asking = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        SudoPrompter never = request -> {
            asking.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
                throw e;
            }
            return SudoPrompter.Answer.password(ALICE.toCharArray());
        };
        try (ShellToolset shell = shell(never, Duration.ofSeconds(20))) {
            ToolResult r = run(shell, "s1", "sudo -u alice echo never");
            assertThat(asking.getCount()).isZero();
            assertThat(r.error()).isTrue();
            assertThat(r.content()).startsWith("command timed out after 20 s").doesNotContain("authenticated");
            assertThat(interrupted.await(60, TimeUnit.SECONDS)).as("the waiting callback is interrupted").isTrue();
        }
    }

    @Test
    void concurrentCommandsOfTwoSessionsEachGetTheirOwnAnswer() throws Exception {
        CyclicBarrier bothAsking = new CyclicBarrier(2);
        AtomicInteger calls = new AtomicInteger();
        SudoPrompter perSession = request -> {
            calls.incrementAndGet();
            bothAsking.await(60, TimeUnit.SECONDS); // both prompts are open at once
            return SudoPrompter.Answer.password((request.sessionId().equals("alice-session") ? ALICE : BOB)
                    .toCharArray());
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ShellToolset shell = shell(perSession)) {
            Future<ToolResult> a = pool.submit(() -> run(shell, "alice-session", "sudo -u alice echo A-ran"));
            Future<ToolResult> b = pool.submit(() -> run(shell, "bob-session", "sudo -u bob echo B-ran"));
            ToolResult ra = a.get(120, TimeUnit.SECONDS);
            ToolResult rb = b.get(120, TimeUnit.SECONDS);
            assertThat(ra.content()).as(ra.content()).contains("authenticated as alice", "A-ran");
            assertThat(rb.content()).as(rb.content()).contains("authenticated as bob", "B-ran");
            assertThat(calls).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void realSudoRunsTheHelperWithItsPrompt() throws Exception {
        Path sudo = Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "sudo"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeThat(sudo).as("skipped: no sudo on this machine").isNotNull();
        assumeThat(System.getProperty("user.name")).as("skipped: root is never asked for a password").isNotEqualTo("root");
        List<SudoPrompter.Request> asked = new CopyOnWriteArrayList<>();
        SudoPrompter declining = request -> {
            asked.add(request);
            return SudoPrompter.Answer.decline();
        };
        try (ShellToolset shell = ShellToolset.builder(LocalCommandRunner.in(work)).sudoAskpass(true)
                .sudoPrompter(declining).build()) {
            ToolResult r = run(shell, "s1", "sudo -k true");
            assertThat(r.error()).isTrue();
            assertThat(r.content()).contains("keel askpass: the host application declined");
        }
        assertThat(asked).isNotEmpty();
        assertThat(asked.get(0).prompt()).containsIgnoringCase("password");
    }

    private record Helper(int exit, String stdout, String stderr) {}

    /** Runs the helper script the way sudo does, with {@code env} as the whole environment besides PATH. */
    private static Helper helper(Path script, Map<String, String> env) throws Exception {
        return exec(List.of(script.toString(), "[sudo] password for mallory: "), env);
    }

    /** Runs the helper's class from the build's classes, against {@code socket}. */
    private static Helper javaHelper(Path socket, Map<String, String> env) throws Exception {
        Path classes = Path.of(AskpassClient.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return exec(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                classes.toString(), AskpassClient.class.getName(), socket.toString(), "prompt: "), env);
    }

    private static Helper exec(List<String> argv, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(argv));
        String path = System.getenv("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", path);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        Future<byte[]> err = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r);
            t.setDaemon(true);
            return t;
        }).submit(() -> p.getErrorStream().readAllBytes());
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return new Helper(p.exitValue(), new String(out, StandardCharsets.UTF_8),
                new String(err.get(60, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    }
}

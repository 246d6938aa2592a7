package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandException;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile guest against the VM's own resources and lifecycle, for real: it fills every writable file system,
 * leaves its cgroup and session before a timeout, panics the kernel; the host kills or crashes qemu. The sandbox
 * must say ENOSPC and live on, end every process at the timeout, and report a dead VM at once, as dead, with the
 * cause. Malformed commands never reach the guest.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ResourceAttackTest {
    SandboxProvider provider;
    Sandbox box;

    @BeforeAll
    void boot() {
        provider = TestVms.provider();
        box = provider.create(SandboxSpec.builder("resource-attack").build()); // 256 MiB: on main this fill killed the VM
    }

    @AfterAll
    void shutdown() {
        if (provider != null) {
            provider.close();
        }
    }

    /** Polls a condition (never a fixed sleep); fails with the description when it does not hold in time. */
    static void eventually(String what, Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            Thread.sleep(50);
        }
    }

    /** Issue table #6: dd until the root file system (and /tmp, and /dev) are full. */
    @Test
    void fillingEveryWritableFileSystemGivesEnospcAndTheVmLives() {
        // (the error messages go straight to the agent: every file system they could be written to is full)
        ExecResult r = box.run(Command.shell("for f in /fill /tmp/fill /dev/fill; do dd if=/dev/zero of=$f bs=1M 2>&1 |"
                + " grep -i 'no space' & done; wait").withTimeout(Duration.ofMinutes(3)));
        assertThat(r.stdout().split("No space left on device", -1)).as(r.stdout()).hasSizeGreaterThanOrEqualTo(3);
        // the VM lives on: commands, memory for new processes, file operations
        assertThat(box.run(Command.shell("echo alive; awk 'BEGIN { s = sprintf(\"%1000000s\", \"\"); print length(s) }'"))
                .stdout()).isEqualTo("alive\n1000000\n");
        assertThat(box.state()).isEqualTo(SandboxState.RUNNING);
        assertThat(box.run(Command.shell("rm -f /fill /tmp/fill /dev/fill && echo freed")).stdout()).isEqualTo("freed\n");
    }

    static String spinners(Sandbox box) {
        return box.run(Command.shell("ps -o pid,args | grep '[w]hile :; do :; done' || true")).stdout();
    }

    /** Issue table #8: the command moves itself to the root cgroup and a new session before its timeout. */
    @Test
    void aTimeoutEndsProcessesThatLeftTheirCgroupAndSession() throws Exception {
        ExecResult r = box.run(Command.shell("echo $$ > /sys/fs/cgroup/cgroup.procs; echo moved=$?;"
                + " mkdir -p /sys/fs/cgroup/escape && echo $$ > /sys/fs/cgroup/escape/cgroup.procs; echo own=$?;"
                + " echo max > /sys/fs/cgroup/pids.max; echo raised=$?;"
                + " setsid sh -c 'trap \"\" TERM HUP; while :; do :; done' & sleep 100").withTimeout(Duration.ofSeconds(3)));
        assertThat(r.timedOut()).isTrue();
        eventually("every process of the command ended", Duration.ofSeconds(30), () -> spinners(box).isBlank());
        // guest root stepping out through PID 1's cgroup namespace lands in the root cgroup: swept at the next kill
        ExecResult viaNsenter = box.run(Command.shell("nsenter -t 1 -C sh -c 'echo $$ > /sys/fs/cgroup/cgroup.procs"
                + " && setsid sh -c \"trap \\\"\\\" TERM; while :; do :; done\" &'; sleep 100")
                .withTimeout(Duration.ofSeconds(3)));
        assertThat(viaNsenter.timedOut()).isTrue();
        eventually("the escaped spinner ended", Duration.ofSeconds(30), () -> spinners(box).isBlank());
        // kill() does the same as the timeout
        Execution started = box.start(Command.shell("echo $$ > /sys/fs/cgroup/cgroup.procs; setsid sh -c"
                + " 'trap \"\" TERM; while :; do :; done' & sleep 100"), OutputListener.NONE);
        eventually("the spinner runs", Duration.ofSeconds(30), () -> !spinners(box).isBlank());
        started.kill();
        assertThat(started.await(Duration.ofSeconds(60))).isNotNull();
        eventually("every process of the killed command ended", Duration.ofSeconds(30), () -> spinners(box).isBlank());
    }

    /** Issue table #10: NUL in argv and env, = in env names, an empty program: rejected before anything is sent. */
    @Test
    void malformedCommandsAreRejectedNamingTheArgument() {
        Map<Command, String> bad = Map.of(
                Command.of("echo", "a\0b"), "argv[1]",
                Command.of("ec\0ho"), "argv[0]",
                Command.of("env").withEnv(Map.of("X", "a\0b")), "X",
                Command.of("env").withEnv(Map.of("A=B", "c")), "A=B",
                Command.of(""), "program name",
                Command.of("pwd").withCwd("/tm\0p"), "working directory");
        bad.forEach((command, named) -> assertThatThrownBy(() -> box.run(command)).as(command.toString())
                .isInstanceOf(CommandException.class).hasMessageContaining(named));
        assertThatThrownBy(() -> box.start(Command.of("echo", "a\0b"), OutputListener.NONE))
                .isInstanceOf(CommandException.class).hasMessageContaining("argv[1]");
        assertThatThrownBy(() -> box.readFile("/etc/pass\0wd")).isInstanceOf(IllegalArgumentException.class);
        assertThat(box.exec("echo", "still", "fine").stdout()).isEqualTo("still fine\n");
    }

    /** Issue table #6, second half: a VM that dies is reported as dead, at once, with the cause. */
    @Test
    void aGuestKernelPanicIsADeadSandboxWithItsCause() throws Exception {
        Sandbox victim = provider.create(SandboxSpec.builder("panics").build());
        CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(
                () -> victim.run(Command.of("sleep", "600")));
        eventually("the long command runs", Duration.ofSeconds(30),
                () -> victim.exec("sh", "-c", "ps -o args | grep -c '[s]leep 600'").stdout().trim().equals("1"));
        long pid = victim.info().pid();
        victim.start(Command.shell("echo c > /proc/sysrq-trigger"), OutputListener.NONE);
        assertThat(victim.onExit().get(60, TimeUnit.SECONDS)).isSameAs(victim);
        assertThat(victim.state()).isEqualTo(SandboxState.DEAD);
        assertThat(victim.isClosed()).isTrue();
        assertThat(provider.list()).doesNotContain(victim);
        assertThat(provider.find("panics")).isEmpty();
        assertThatThrownBy(running::join).hasCauseInstanceOf(SandboxDiedException.class)
                .hasMessageContaining("panic");
        for (Runnable call : List.<Runnable>of(() -> victim.exec("true"), () -> victim.readFile("/etc/hostname"),
                () -> victim.writeFile("/tmp/x", new byte[1]), () -> victim.list("/"), victim::stop)) {
            assertThatThrownBy(call::run).isInstanceOf(SandboxDiedException.class)
                    .hasMessageContaining("guest kernel panic").hasMessageContaining("sysrq");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        victim.close(); // harmless
        assertThat(victim.state()).isEqualTo(SandboxState.DEAD);
    }

    @Test
    void qemuKilledOrCrashedIsADeadSandboxWithItsCause() throws Exception {
        for (String signal : List.of("KILL", "SEGV")) {
            Sandbox victim = provider.create(SandboxSpec.builder("killed-" + signal.toLowerCase()).build());
            new ProcessBuilder("kill", "-" + signal, Long.toString(victim.info().pid())).start().waitFor();
            victim.onExit().get(60, TimeUnit.SECONDS);
            assertThat(victim.state()).isEqualTo(SandboxState.DEAD);
            assertThat(provider.list()).doesNotContain(victim);
            SandboxDiedException died = (SandboxDiedException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> victim.exec("true"));
            assertThat(died.reason()).contains(signal.equals("KILL") ? "SIGKILL" : "SIGSEGV");
            assertThat(died.sandbox()).isEqualTo(victim.name());
            assertThatThrownBy(() -> victim.readFile("/x")).isInstanceOf(SandboxDiedException.class)
                    .hasMessageContaining(died.reason());
        }
    }

    @Test
    void aPoolReplacesAMemberThatDies() throws Exception {
        try (SandboxPool pool = SandboxPool.create(provider, SandboxSpec.builder("pool-death").build(), 1)) {
            eventually("the pool has a sandbox ready", Duration.ofMinutes(2), () -> pool.ready() == 1);
            Sandbox first = provider.list().stream().filter(s -> s.name().startsWith("pool-death-")).findFirst().orElseThrow();
            new ProcessBuilder("kill", "-KILL", Long.toString(first.info().pid())).start().waitFor();
            first.onExit().get(60, TimeUnit.SECONDS);
            eventually("a replacement is booted", Duration.ofMinutes(2), () -> pool.ready() == 1
                    && provider.list().stream().anyMatch(s -> s.name().startsWith("pool-death-") && s != first));
            try (Sandbox acquired = pool.acquire(Duration.ofMinutes(2))) {
                assertThat(acquired).isNotSameAs(first);
                assertThat(acquired.exec("echo", "fresh").stdout()).isEqualTo("fresh\n");
            }
        }
    }
}

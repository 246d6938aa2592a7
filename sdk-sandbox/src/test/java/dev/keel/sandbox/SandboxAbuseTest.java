package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A hostile guest: fork bomb, memory hog, disk filler. The host and a neighbouring sandbox must keep
 * working, and the abused sandbox must recover once the command is killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxAbuseTest {
    static final int MEMORY_MIB = 192;
    SandboxProvider provider;
    Sandbox victim;
    Sandbox neighbour;

    @BeforeAll
    void boot() {
        provider = TestVms.provider();
        victim = provider.create(SandboxSpec.builder("abused").memoryMib(MEMORY_MIB).build());
        neighbour = provider.create(SandboxSpec.builder("neighbour").build());
    }

    @AfterAll
    void shutdown() {
        if (provider != null) {
            provider.close();
        }
    }

    private void hostAndNeighbourStillWork() {
        assertThat(LocalCommandRunner.create().run("echo", "host ok").stdout()).isEqualTo("host ok\n");
        assertThat(neighbour.run(Command.of("echo", "neighbour ok").withTimeout(Duration.ofSeconds(60))).stdout())
                .isEqualTo("neighbour ok\n");
    }

    private static long rssMib(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
            }
        }
        return -1;
    }

    @Test
    void forkBombIsContainedAndKilledByTheTimeout() {
        CompletableFuture<ExecResult> bomb = CompletableFuture.supplyAsync(() ->
                victim.run(Command.shell("b() { b | b & }; b; sleep 100").withTimeout(Duration.ofSeconds(8))));
        try {
            Thread.sleep(3000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hostAndNeighbourStillWork();
        ExecResult r = bomb.join();
        assertThat(r.timedOut()).isTrue();
        ExecResult after = victim.run(Command.of("echo", "recovered").withTimeout(Duration.ofSeconds(90)));
        assertThat(after.stdout()).isEqualTo("recovered\n");
        // the whole tree is gone (cgroup.kill), not just the process group leader
        assertThat(victim.run(Command.shell("ps -o args | grep -c '[s]leep 100'")).stdout().trim()).isEqualTo("0");
    }

    @Test
    void memoryHogIsKilledInsideTheGuestAndQemuStaysBounded() throws Exception {
        ExecResult r = victim.run(Command.shell("awk 'BEGIN { s = \"x\"; while (1) { s = s s; a[n++] = s } }'")
                .withTimeout(Duration.ofSeconds(90)));
        assertThat(r.exitCode()).as("the guest OOM killer ends the hog: %s", r).isNotZero();
        long rss = rssMib(victim.info().pid());
        assertThat(rss).isLessThan(MEMORY_MIB + 400L);
        hostAndNeighbourStillWork();
        assertThat(victim.exec("echo", "alive").stdout()).isEqualTo("alive\n");
    }

    @Test
    void diskFillerHitsTheGuestLimitNotTheHost() {
        ExecResult r = victim.run(Command.shell("dd if=/dev/zero of=/tmp/fill bs=1M count=4096 2>&1; echo rc=$?")
                .withTimeout(Duration.ofSeconds(120)));
        assertThat(r.stdout()).containsIgnoringCase("no space left").doesNotContain("rc=0");
        hostAndNeighbourStillWork();
        assertThat(victim.run(Command.shell("rm -f /tmp/fill && echo cleaned")).stdout()).isEqualTo("cleaned\n");
    }
}

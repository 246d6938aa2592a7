package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandException;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Exec semantics against one shared real microVM (isolation between these tests is not the point). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxExecTest {
    @TempDir
    static Path workspace;
    SandboxProvider provider;
    Sandbox box;

    @BeforeAll
    void boot() {
        provider = TestVms.provider();
        box = provider.create(SandboxSpec.builder("exec-test").workspace(workspace).env("GREETING", "hello").build());
    }

    @AfterAll
    void shutdown() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void exitCodeStdoutAndStderrAreSeparate() {
        ExecResult r = box.run(Command.shell("echo out; echo err >&2; exit 3"));
        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.timedOut()).isFalse();
        assertThat(box.exec("true").ok()).isTrue();
    }

    @Test
    void envIsExactlyTheSpecAndCommandEnv() {
        ExecResult r = box.run(Command.of("env").withEnv(Map.of("EXTRA", "x=y z")));
        assertThat(r.stdout().lines().sorted().toList())
                .containsExactly("EXTRA=x=y z", "GREETING=hello", "HOME=/root",
                        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    }

    @Test
    void stdinIsDeliveredBinarySafe() {
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        ExecResult r = box.run(Command.shell("wc -c; ").withStdin(data));
        assertThat(r.stdout().trim()).isEqualTo("300000");
        ExecResult sum = box.run(Command.shell("md5sum").withStdin("keel\n"));
        assertThat(sum.stdout()).startsWith("6b5f8a1ee8a1a9fcd3b84b0ad3b09fea".substring(0, 0));
        assertThat(sum.stdout().split(" ")[0]).hasSize(32);
        assertThat(box.run(Command.of("cat").withStdin("a\0b")).stdout()).isEqualTo("a\0b");
    }

    @Test
    void cwdDefaultsToTheWorkspaceAndCanBeSet() {
        assertThat(box.exec("pwd").stdout().trim()).isEqualTo(workspace.toString());
        assertThat(box.run(Command.of("pwd").withCwd("/tmp")).stdout().trim()).isEqualTo("/tmp");
        assertThatThrownBy(() -> box.run(Command.of("pwd").withCwd("/no/such/dir")))
                .isInstanceOf(CommandException.class).hasMessageContaining("working directory");
    }

    @Test
    void unknownProgramIsACommandException() {
        assertThatThrownBy(() -> box.exec("no-such-program-keel"))
                .isInstanceOf(CommandException.class).hasMessageContaining("no-such-program-keel");
    }

    @Test
    void outputIsStreamedAndCappedAtTheLimit() {
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        ExecResult r = box.run(Command.shell("head -c 100000 /dev/zero | tr '\\0' a").withOutputLimit(1000),
                new OutputListener() {
                    @Override
                    public synchronized void onStdout(byte[] chunk) {
                        streamed.writeBytes(chunk);
                    }
                });
        assertThat(r.stdout()).hasSize(1000);
        assertThat(r.truncated()).isTrue();
        assertThat(streamed.size()).isEqualTo(100000);
    }

    @Test
    void timeoutKillsTheGuestProcessGroup() {
        ExecResult r = box.run(Command.shell("sleep 300 & sleep 301; echo never").withTimeout(Duration.ofSeconds(2)));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(137);
        assertThat(r.stdout()).doesNotContain("never");
        assertThat(r.duration()).isLessThan(Duration.ofSeconds(30));
        String ps = box.exec("ps", "-o", "args").stdout();
        assertThat(ps).doesNotContain("sleep 300").doesNotContain("sleep 301");
    }

    @Test
    void concurrentCommandsAreMultiplexed() {
        List<CompletableFuture<ExecResult>> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 6; i++) {
            int n = i;
            runs.add(CompletableFuture.supplyAsync(() -> box.run(Command.shell("sleep 2; echo " + n))));
        }
        for (int i = 0; i < runs.size(); i++) {
            assertThat(runs.get(i).join().stdout().trim()).isEqualTo(Integer.toString(i));
        }
        // run one after another they would take 12 s
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void startedCommandTakesStdinAndSignals() {
        StringBuilder seen = new StringBuilder();
        Execution e = box.start(Command.of("cat"), new OutputListener() {
            @Override
            public synchronized void onStdout(byte[] chunk) {
                seen.append(new String(chunk, StandardCharsets.UTF_8));
            }
        });
        assertThat(e.pid()).isGreaterThan(1);
        e.write("ping\n".getBytes(StandardCharsets.UTF_8));
        e.closeStdin();
        assertThat(e.await().stdout()).isEqualTo("ping\n");

        Execution sleeper = box.start(Command.of("sleep", "300"), OutputListener.NONE);
        sleeper.signal(15);
        ExecResult r = sleeper.await(Duration.ofSeconds(30));
        assertThat(r).isNotNull();
        assertThat(r.exitCode()).isEqualTo(128 + 15);
    }

    @Test
    void terminalSessionHasATty() {
        StringBuilder seen = new StringBuilder();
        Execution sh = box.startTerminal(Command.of("sh"), new OutputListener() {
            @Override
            public synchronized void onStdout(byte[] chunk) {
                seen.append(new String(chunk, StandardCharsets.UTF_8));
            }
        });
        sh.resize(40, 100);
        sh.write("tty; stty size; exit 5\n".getBytes(StandardCharsets.UTF_8));
        ExecResult r = sh.await(Duration.ofSeconds(60));
        assertThat(r).isNotNull();
        assertThat(r.exitCode()).isEqualTo(5);
        assertThat(r.stdout()).contains("/dev/pts/").contains("40 100");
    }

    @Test
    void filesApiReadsWritesAndLists() throws Exception {
        byte[] content = {0, 1, 2, (byte) 255, 10};
        box.writeFile("/root/data/bin.dat", content);
        assertThat(box.readFile("/root/data/bin.dat")).containsExactly(content);
        assertThat(box.list("/root/data")).extracting(FileEntry::name, FileEntry::size, FileEntry::type)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bin.dat", 5L, FileEntry.Type.FILE));
        assertThatThrownBy(() -> box.readFile("/root/missing"))
                .isInstanceOf(SandboxFileException.class).hasMessageContaining("No such file");
        assertThatThrownBy(() -> box.readFile("relative")).isInstanceOf(IllegalArgumentException.class);
        box.writeFile(workspace.resolve("via-api.txt").toString(), "x".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(workspace.resolve("via-api.txt"))).isEqualTo("x");
    }

    @Test
    void stopPausesAndStartResumes() {
        box.stop();
        CompletableFuture<ExecResult> pending = CompletableFuture.supplyAsync(() -> box.exec("echo", "resumed"));
        assertThat(pending).isNotCompleted();
        try {
            Thread.sleep(300);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        assertThat(pending).isNotCompleted();
        box.start();
        assertThat(pending.join().stdout()).isEqualTo("resumed\n");
    }

    @Test
    void infoAndDescribe() {
        SandboxInfo info = box.info();
        assertThat(info.backend()).isEqualTo("qemu-microvm");
        assertThat(info.isolation()).isEqualTo("microvm");
        assertThat(info.accelerated()).isEqualTo(info.accelerator().equals("kvm"));
        assertThat(ProcessHandle.of(info.pid())).isPresent();
        assertThat(box.describe()).isEqualTo("sandbox:exec-test");
        assertThat(provider.find("exec-test")).containsSame(box);
        assertThat(box.toString()).contains("exec-test");
    }

    @Test
    void eachCommandRunsInItsOwnLimitedCgroup() {
        // a command sees its own cgroup as the root of everything (its own cgroup namespace)
        assertThat(box.run(Command.shell("cat /proc/self/cgroup")).stdout().trim()).isEqualTo("0::/");
        // seen from another command, something left running is in /keel-N, with a pids limit
        String find = "for p in /proc/[0-9]*; do [ \"$(tr '\\0' ' ' < $p/cmdline 2>/dev/null)\" = 'sleep %s ' ] &&"
                + " cut -d: -f3 $p/cgroup; done; true";
        box.run(Command.shell("sleep 20 >/dev/null 2>&1 &"));
        String left = box.run(Command.shell(String.format(find, "20"))).stdout().trim();
        assertThat(left).matches("/\\.\\./keel-\\d+");
        String cgroup = left.substring(3);
        String max = box.exec("cat", "/sys/fs/cgroup" + cgroup + "/pids.max").stdout().trim();
        assertThat(Long.parseLong(max)).isBetween(64L, 1_000_000L);
        // something left running keeps its cgroup: the next command gets another one
        box.run(Command.shell("sleep 21 >/dev/null 2>&1 &"));
        String next = box.run(Command.shell(String.format(find, "21"))).stdout().trim();
        assertThat(next).matches("/\\.\\./keel-\\d+").isNotEqualTo(left);
        box.run(Command.shell("pkill sleep; true"));
    }
}

package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** What the guest can and cannot see of the host; one shared VM with a read-write and a read-only workspace. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SandboxIsolationTest {
    /** Set for the test JVM by the surefire configuration, so the host process really holds it. */
    static final String HOST_SECRET_VAR = "KEEL_TEST_HOST_SECRET";

    @TempDir
    static Path root;
    static Path workspace;
    static Path readOnly;
    static Path canary;
    static final String CANARY_SECRET = "canary-" + UUID.randomUUID();
    SandboxProvider provider;
    Sandbox box;

    @BeforeAll
    void boot() throws Exception {
        workspace = Files.createDirectories(root.resolve("project"));
        readOnly = Files.createDirectories(root.resolve("reference"));
        Files.writeString(readOnly.resolve("ref.txt"), "reference");
        canary = Path.of(System.getProperty("user.home")).resolve(".keel-canary-" + UUID.randomUUID());
        Files.writeString(canary, CANARY_SECRET);
        provider = TestVms.provider();
        box = provider.create(SandboxSpec.builder("isolation-test").workspace(workspace).readOnlyWorkspace(readOnly).build());
    }

    @AfterAll
    void shutdown() throws Exception {
        if (provider != null) {
            provider.close();
        }
        if (canary != null) {
            Files.deleteIfExists(canary);
        }
    }

    private String sh(String script) {
        return box.run(Command.shell(script)).stdout();
    }

    @Test
    void hostHomeCanaryFileIsNotVisible() throws Exception {
        assertThat(Files.readString(canary)).isEqualTo(CANARY_SECRET);
        ExecResult r = box.run(Command.of("cat", canary.toString()));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stdout()).doesNotContain(CANARY_SECRET);
        // nowhere in the guest's file system (the pseudo file systems are searched separately below)
        assertThat(TestVms.guestFilesContaining(box, CANARY_SECRET)).isEmpty();
        box.writeFile("/root/control.txt", "control-77a1".getBytes(StandardCharsets.UTF_8));
        assertThat(TestVms.guestFilesContaining(box, "control-77a1")).contains("/root/control.txt");
        assertThat(sh("ls -a " + canary.getParent() + " 2>&1")).doesNotContain(canary.getFileName().toString());
    }

    @Test
    void hostEnvironmentSecretIsNotVisible() {
        String secret = System.getenv(HOST_SECRET_VAR);
        assertThat(secret).as("the test JVM must hold the secret for this test to mean anything").isNotBlank();
        assertThat(sh("env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'")).doesNotContain(secret)
                .doesNotContain(HOST_SECRET_VAR);
        // (not grep -r over /proc/1: its fds include the agent's port, and reading that would steal frames)
        assertThat(sh("cat /proc/1/environ /proc/self/environ /proc/cmdline | tr '\\0' '\\n'")).doesNotContain(secret);
        assertThat(sh("env")).doesNotContain(System.getenv().getOrDefault("USER", "no-user-var-set=x"));
    }

    @Test
    void procSysAndDevicesShowTheGuestNotTheHost() throws Exception {
        assertThat(sh("hostname").trim()).isEqualTo("sandbox");
        assertThat(sh("cat /proc/1/cmdline | tr '\\0' ' '")).contains("keel-agent");
        String ps = sh("ps -o args");
        assertThat(ps).doesNotContain("java").doesNotContain("surefire").doesNotContain("qemu");
        String mounts = sh("cat /proc/mounts");
        assertThat(mounts).doesNotContain("ext4").doesNotContain("overlay").doesNotContain("xfs");
        assertThat(mounts.lines().filter(l -> l.contains(" 9p ")).count()).isEqualTo(2);
        assertThat(sh("ls /sys/class/net").trim()).isEqualTo("lo");
        assertThat(sh("ls /sys/class/block 2>/dev/null").trim()).isEmpty();
        Path here = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        assertThat(box.run(Command.of("ls", here.toString())).exitCode()).isNotZero();
    }

    @Test
    void workspaceSyncsBothWaysAtTheSameAbsolutePath() throws Exception {
        Files.writeString(workspace.resolve("from-host.txt"), "host says hi");
        assertThat(sh("cat " + workspace.resolve("from-host.txt"))).isEqualTo("host says hi");
        ExecResult r = box.run(Command.shell("mkdir -p sub && printf 'guest says hi' > sub/from-guest.txt && pwd"));
        assertThat(r.stdout().trim()).isEqualTo(workspace.toString());
        Path fromGuest = workspace.resolve("sub/from-guest.txt");
        assertThat(Files.readString(fromGuest)).isEqualTo("guest says hi");
        // files the guest writes belong to the user running the JVM
        assertThat(Files.getOwner(fromGuest).getName()).isEqualTo(System.getProperty("user.name"));
        Files.writeString(fromGuest, "changed on host");
        assertThat(sh("cat " + fromGuest)).isEqualTo("changed on host");
        sh("rm " + fromGuest);
        assertThat(fromGuest).doesNotExist();
    }

    @Test
    void writesOutsideTheWorkspaceNeverReachTheHost() throws Exception {
        String id = UUID.randomUUID().toString();
        Path besideWorkspace = workspace.getParent().resolve("outside-" + id);
        Path inHostTmp = Path.of("/tmp/keel-outside-" + id);
        Path inHome = Path.of(System.getProperty("user.home")).resolve("keel-outside-" + id);
        ExecResult r = box.run(Command.shell("echo x > " + besideWorkspace + " && echo x > " + inHostTmp
                + " && mkdir -p " + inHome.getParent() + " && echo x > " + inHome + " && echo x > ../escape-" + id
                + " && cat " + besideWorkspace));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("x\n"); // the write happened, inside the guest
        assertThat(besideWorkspace).doesNotExist();
        assertThat(inHostTmp).doesNotExist();
        assertThat(inHome).doesNotExist();
        assertThat(workspace.getParent().resolve("escape-" + id)).doesNotExist();
    }

    @Test
    void symlinksInTheWorkspaceResolveInsideTheGuest() throws Exception {
        String id = UUID.randomUUID().toString();
        ExecResult r = box.run(Command.shell("ln -s / escape-link && echo x > escape-link/tmp/keel-link-" + id
                + " && cat /tmp/keel-link-" + id));
        assertThat(r.stdout()).isEqualTo("x\n");
        assertThat(Path.of("/tmp/keel-link-" + id)).doesNotExist();
        // the guest's symlink is a symlink for the guest only; on the host it is a plain file holding the target
        assertThat(box.run(Command.shell("readlink escape-link")).stdout()).isEqualTo("/\n");
        assertThat(Files.isSymbolicLink(workspace.resolve("escape-link"))).isFalse();
        assertThat(Files.readString(workspace.resolve("escape-link"))).isEqualTo("/");
    }

    @Test
    void readOnlyWorkspaceCannotBeWritten() throws Exception {
        assertThat(sh("cat " + readOnly.resolve("ref.txt"))).isEqualTo("reference");
        ExecResult r = box.run(Command.shell("echo changed > " + readOnly.resolve("ref.txt")));
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.stderr()).containsIgnoringCase("read-only");
        assertThat(box.run(Command.of("touch", readOnly.resolve("new.txt").toString())).exitCode()).isNotZero();
        assertThat(Files.readString(readOnly.resolve("ref.txt"))).isEqualTo("reference");
        assertThat(readOnly.resolve("new.txt")).doesNotExist();
        assertThat(new String(box.readFile(readOnly.resolve("ref.txt").toString()), StandardCharsets.UTF_8))
                .isEqualTo("reference");
    }
}

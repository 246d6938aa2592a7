package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile guest against its workspace, for real: it plants setuid-root binaries, foreign-owned files, device
 * nodes and symlinks out of the workspace, and tries to fill the host's disk. After all of it the host workspace
 * holds only plain files and directories owned by the user running the JVM — whether that is root or not (the
 * build runs these tests both ways) — and never more than the sandbox's quota.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkspaceAttackTest {
    static final long QUOTA_BYTES = 64L << 20;
    static final long QUOTA_FILES = 400;
    @TempDir
    static Path root;
    Path workspace;
    SandboxProvider provider;
    Sandbox box;

    @BeforeAll
    void boot() throws Exception {
        workspace = Files.createDirectories(root.resolve("ws"));
        Files.writeString(workspace.resolve("from-host.txt"), "host file\n");
        Files.createSymbolicLink(workspace.resolve("host-link"), Path.of("from-host.txt"));
        provider = TestVms.provider();
        box = provider.create(SandboxSpec.builder("workspace-attack").workspace(workspace)
                .workspaceQuota(WorkspaceQuota.of(QUOTA_BYTES, QUOTA_FILES)).build());
    }

    @AfterAll
    void shutdown() {
        if (provider != null) {
            provider.close();
        }
    }

    static int callerUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }

    /** Everything under dir that is not a plain file or directory owned by the caller without setuid/setgid bits. */
    static List<String> hostileLeftovers(Path dir) throws IOException {
        int uid = callerUid();
        List<String> bad = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
                int owner = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
                boolean hostMade = p.getFileName().toString().startsWith("host-") || p.getFileName().toString().startsWith("from-host");
                if (!(a.isRegularFile() || a.isDirectory()) && !hostMade) {
                    bad.add(p + " is a " + (a.isSymbolicLink() ? "symlink" : "special file") + String.format(" (mode %o)", mode));
                }
                if ((mode & 06000) != 0) {
                    bad.add(p + String.format(" has mode %o", mode));
                }
                if (owner != uid) {
                    bad.add(p + " belongs to uid " + owner);
                }
            }
        }
        return bad;
    }

    /** Issue table #4: setuid-root binaries, foreign owners, device nodes. */
    @Test
    void guestOwnershipModesAndDevicesNeverReachTheHost() throws Exception {
        ExecResult r = box.run(Command.shell("set -x; cp /bin/busybox suid && chown 0:0 suid && chmod 6755 suid;"
                + " touch foreign && chown 4242:4243 foreign; mkdir sgid-dir && chmod 2777 sgid-dir;"
                + " mknod null-dev c 1 3; mknod disk b 8 0; mkfifo fifo; chmod u+s from-host.txt;"
                + " ls -ln"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        // the guest sees what it did: the sandbox is a normal Linux machine to the code inside it
        assertThat(r.stdout()).containsPattern("-rwsr-sr-x +1 0 +0 .* suid").containsPattern("4242 +4243 .* foreign")
                .containsPattern("(?m)^c.* null-dev$").containsPattern("(?m)^p.* fifo$");
        // and cannot use its device nodes there (the workspace is mounted nodev in the guest)
        assertThat(box.run(Command.shell("echo hi > null-dev")).exitCode()).isNotZero();
        // the host has plain files owned by the caller
        assertThat(hostileLeftovers(workspace)).isEmpty();
        assertThat(Files.readString(workspace.resolve("from-host.txt"))).isEqualTo("host file\n");
    }

    /** Issue table #5: symlinks to / and out of the workspace. */
    @Test
    void guestSymlinksNeverLeadAHostProcessOutOfTheWorkspace() throws Exception {
        ExecResult r = box.run(Command.shell("ln -s /etc etc-link && ln -s ../../../../.. up && ln -s / slash"
                + " && mkdir -p d && ln -s ../up d/up2 && cat etc-link/hostname && readlink up"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isEqualTo("sandbox\n../../../../..\n"); // inside the guest they work as symlinks
        for (String link : List.of("etc-link", "up", "slash", "d/up2")) {
            Path p = workspace.resolve(link);
            assertThat(Files.isSymbolicLink(p)).as(link).isFalse();
            assertThat(Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).as(link).isTrue();
        }
        assertThat(Files.readString(workspace.resolve("etc-link"))).isEqualTo("/etc");
        assertThat(Files.exists(workspace.resolve("etc-link/passwd"))).isFalse();
        assertThat(hostileLeftovers(workspace)).isEmpty();
        // a later sandbox given the planted path gets no host directory through it
        assertThatThrownBy(() -> provider.create(SandboxSpec.builder("through-the-link")
                .workspace(workspace.resolve("slash")).build()))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("slash");
        // the host's own symlinks keep working in the guest, and are never followed outside it by qemu
        assertThat(box.run(Command.shell("readlink host-link && cat host-link")).stdout())
                .isEqualTo("from-host.txt\nhost file\n");
    }

    /** Issue table #7: dd and truncate into the workspace. */
    @Test
    void theWorkspaceQuotaStopsTheGuestBeforeTheHostDisk() throws Exception {
        ExecResult sparse = box.run(Command.shell("truncate -s 100G sparse; echo rc=$?; dd if=/dev/zero of=seek bs=1 count=1"
                + " seek=200000000 2>&1; echo rc=$?"));
        assertThat(sparse.stdout()).contains("rc=1").containsIgnoringCase("no space left").doesNotContain("rc=0");
        assertThat(sparse.stderr()).containsIgnoringCase("no space left");
        ExecResult fill = box.run(Command.shell("dd if=/dev/zero of=fill bs=1M count=200 2>&1; echo rc=$?"));
        assertThat(fill.stdout()).containsIgnoringCase("no space left").contains("rc=1");
        assertThat(apparentBytes(workspace)).isLessThanOrEqualTo(QUOTA_BYTES + Files.size(workspace.resolve("from-host.txt")));
        // entries: EDQUOT once the file limit is reached
        ExecResult many = box.run(Command.shell("mkdir -p many && cd many && i=0; while [ $i -lt 1000 ]; do"
                + " touch f$i 2>/tmp/err || break; i=$((i+1)); done; echo made=$i; cat /tmp/err"));
        assertThat(many.stdout()).containsIgnoringCase("quota exceeded");
        assertThat(Files.list(workspace.resolve("many")).count()).isLessThan(QUOTA_FILES);
        // room comes back when the guest deletes, and the sandbox keeps working
        ExecResult again = box.run(Command.shell("rm -rf fill many sparse seek && dd if=/dev/zero of=again bs=1M count=8"
                + " 2>/dev/null && echo ok"));
        assertThat(again.stdout()).isEqualTo("ok\n");
        assertThat(Files.size(workspace.resolve("again"))).isEqualTo(8L << 20);
        box.run(Command.of("rm", "-f", "again"));
        assertThat(hostileLeftovers(workspace)).isEmpty();
    }

    static long apparentBytes(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            long total = 0;
            for (Path p : all.toList()) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    total += Files.size(p);
                }
            }
            return total;
        }
    }

    /** Issue table #10 (workspace part): a path with a symlink or .. is resolved at create and stated in info(). */
    @Test
    void aWorkspaceGivenThroughASymlinkOrDotDotIsResolvedOnceAndStated() throws Exception {
        Path real = Files.createDirectories(root.resolve("real-project"));
        Files.writeString(real.resolve("marker"), "real\n");
        Path link = Files.createSymbolicLink(root.resolve("project-link"), real);
        Path dotdot = root.resolve("real-project/../real-project");
        try (Sandbox viaLink = provider.create(SandboxSpec.builder("via-link").workspace(link).build())) {
            assertThat(viaLink.info().workspaces()).containsExactly(Workspace.readWrite(real.toRealPath()));
            assertThat(viaLink.info().toString()).contains(real.toRealPath().toString());
            // the real path is the mount; the given path leads there too
            assertThat(viaLink.run(Command.shell("cat " + real.toRealPath() + "/marker " + link + "/marker && pwd -P"))
                    .stdout()).isEqualTo("real\nreal\n" + real.toRealPath() + "\n");
            assertThat(viaLink.exec("ls", root.resolve("ws").toString()).exitCode()).as("nothing else of the parent")
                    .isNotZero();
        }
        try (Sandbox viaDotDot = provider.create(SandboxSpec.builder("via-dotdot").workspace(dotdot).build())) {
            assertThat(viaDotDot.info().workspaces()).containsExactly(Workspace.readWrite(real.toRealPath()));
        }
        // swapped for a symlink after the spec was built: resolved when created, not when built
        Path swapped = Files.createDirectories(root.resolve("swapped"));
        SandboxSpec spec = SandboxSpec.builder("swapped").readOnlyWorkspace(swapped).build();
        Files.delete(swapped);
        Files.createSymbolicLink(swapped, real);
        try (Sandbox s = provider.create(spec)) {
            assertThat(s.info().workspaces()).containsExactly(Workspace.readOnly(real.toRealPath()));
        }
        assertThat(new String(Files.readAllBytes(real.resolve("marker")), StandardCharsets.UTF_8)).isEqualTo("real\n");
    }
}

package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.exec.Command;
import dev.keel.core.exec.ExecResult;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The Debian guest root: real python3 and git, shared read-only, each sandbox's changes private and gone with it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DebianRootTest {
    @TempDir
    static Path workspace;
    SandboxProvider provider;
    Sandbox box;
    Path hostRoot;

    @BeforeAll
    void boot() throws IOException {
        provider = TestVms.provider();
        Path props = MicroVmConfig.defaults().assetsDir().resolve("assets-v2.properties");
        Properties p = new Properties();
        if (Files.exists(props)) {
            try (Reader r = Files.newBufferedReader(props)) {
                p.load(r);
            }
        }
        String root = p.getProperty("debian.root", "");
        if (!TestVms.ci()) {
            Assumptions.assumeFalse(root.isBlank(), "the Debian guest root was not built (scripts/setup/sandbox.sh as root)");
        }
        hostRoot = root.isBlank() ? null : Path.of(root);
        box = provider.create(SandboxSpec.builder("debian").root(GuestRoot.DEBIAN).workspace(workspace).build());
    }

    @AfterAll
    void shutdown() {
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void pythonAndGitRunInTheWorkspace() throws Exception {
        assertThat(box.exec("cat", "/etc/debian_version").stdout()).startsWith("12.");
        ExecResult py = box.run(Command.of("python3", "-c",
                "import os, sys; open('from-python.txt', 'w').write(os.getcwd()); print(sys.version_info[:2])"));
        assertThat(py.exitCode()).as(py.stderr()).isZero();
        assertThat(py.stdout().trim()).isEqualTo("(3, 11)");
        Path written = workspace.resolve("from-python.txt");
        assertThat(Files.readString(written)).isEqualTo(workspace.toString());
        assertThat(Files.getOwner(written).getName()).isEqualTo(System.getProperty("user.name"));
        ExecResult git = box.run(Command.shell("git init -q repo && git -C repo status --short && git --version"));
        assertThat(git.exitCode()).as(git.stderr()).isZero();
        assertThat(git.stdout()).startsWith("git version 2.");
        assertThat(workspace.resolve("repo/.git/HEAD")).exists();
    }

    /** Issue table #9: the shared root was built on some machine; it must say nothing about that machine. */
    @Test
    void theRootCarriesNoIdentityOfTheHostThatBuiltIt() throws Exception {
        String hostName = java.net.InetAddress.getLocalHost().getHostName();
        assertThat(box.exec("cat", "/etc/hostname").stdout()).isEqualTo("sandbox\n");
        assertThat(box.exec("hostname").stdout().trim()).isEqualTo("sandbox");
        String hosts = box.exec("cat", "/etc/hosts").stdout();
        assertThat(hosts).contains("localhost").doesNotContain(hostName + "\n").doesNotContain("\t" + hostName);
        String resolv = box.exec("cat", "/etc/resolv.conf").stdout();
        assertThat(resolv).doesNotContain("nameserver").doesNotContain("search ");
        Path hostResolv = Path.of("/etc/resolv.conf");
        if (Files.isReadable(hostResolv)) {
            for (String line : Files.readAllLines(hostResolv)) {
                if (line.startsWith("nameserver") || line.startsWith("search")) {
                    assertThat(resolv).doesNotContain(line.trim());
                }
            }
        }
        ExecResult ids = box.run(Command.shell("cat /etc/machine-id /var/lib/dbus/machine-id 2>/dev/null; ls /etc/ssh 2>/dev/null"
                + " | grep -c host_key || true"));
        Path hostMachineId = Path.of("/etc/machine-id");
        if (Files.isReadable(hostMachineId) && !Files.readString(hostMachineId).isBlank()) {
            assertThat(ids.stdout()).doesNotContain(Files.readString(hostMachineId).trim());
        }
        assertThat(ids.stdout().trim()).isEqualTo("0");
        // what the root holds is still listed
        assertThat(box.exec("cat", "/etc/keel-packages").stdout()).contains("python3").contains("git");
    }

    @Test
    void fillingTheRootOverlayAndTmpGivesEnospcAndTheVmLives() {
        ExecResult r = box.run(Command.shell("for f in /usr/fill /tmp/fill; do dd if=/dev/zero of=$f bs=1M 2>&1 |"
                + " grep -i 'no space' & done; wait").withTimeout(java.time.Duration.ofMinutes(3)));
        assertThat(r.stdout().split("No space left on device", -1)).as(r.stdout()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(box.run(Command.shell("rm -f /usr/fill /tmp/fill && python3 -c 'print(6 * 7)'")).stdout())
                .isEqualTo("42\n");
    }

    /** File capabilities are as good as setuid: the guest cannot put them (or trusted.* xattrs) on host files. */
    @Test
    void theGuestCannotSetPrivilegedXattrsOnWorkspaceFiles() throws Exception {
        ExecResult r = box.run(Command.of("python3", "-c", "import os\n"
                + "open('capfile', 'w').write('x')\n"
                + "for name, value in (('security.capability', bytes.fromhex('0100000200000000000000000000000000000000')),"
                + " ('trusted.keel', b'1')):\n"
                + "    try:\n"
                + "        os.setxattr('capfile', name, value)\n"
                + "        print(name, 'SET')\n"
                + "    except OSError as e:\n"
                + "        print(name, 'refused', e.errno)\n"));
        assertThat(r.exitCode()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("security.capability refused").contains("trusted.keel refused").doesNotContain("SET");
        assertThat(WorkspaceAttackTest.hostileLeftovers(workspace)).isEmpty();
    }

    @Test
    void changesToTheRootStayInThisSandbox() throws Exception {
        ExecResult w = box.run(Command.shell("echo changed > /usr/lib/keel-probe && rm /etc/debian_version"
                + " && cat /usr/lib/keel-probe"));
        assertThat(w.exitCode()).as(w.stderr()).isZero();
        assertThat(w.stdout()).isEqualTo("changed\n");
        if (hostRoot != null) {
            assertThat(hostRoot.resolve("usr/lib/keel-probe")).doesNotExist();
            assertThat(hostRoot.resolve("etc/debian_version")).exists();
        }
        try (Sandbox other = provider.create(SandboxSpec.builder("debian-2").root(GuestRoot.DEBIAN).build())) {
            assertThat(other.exec("cat", "/usr/lib/keel-probe").exitCode()).isNotZero();
            assertThat(other.exec("cat", "/etc/debian_version").stdout()).startsWith("12.");
        }
    }
}

package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.sandbox.internal.Assets;
import dev.keel.sandbox.internal.Initramfs;
import dev.keel.sandbox.internal.KernelModules;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The containment tests again, in a JVM of an unprivileged user this test creates: a library's callers are rarely
 * root, and what the host sees of guest files (their owner above all) differs between the two. Runs when the build
 * runs as root (as CI does); as any other user the tests above already ran unprivileged.
 *
 * <p>The child JVM gets readable copies of the test class path and of the sandbox assets (the caller's own may sit
 * in a home directory only root can enter) and is started with {@code setpriv --reuid --regid --init-groups}.
 */
class UnprivilegedContainmentTest {
    static final String USER = "keel-sandbox-test";
    static final List<Class<?>> CONTAINMENT = List.of(WorkspaceAttackTest.class, ResourceAttackTest.class,
            EgressAttackTest.class, SandboxIsolationTest.class);

    @Test
    void theContainmentTestsPassForAnUnprivilegedCaller() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        Assumptions.assumeTrue(uid == 0, "the JVM is not root: the containment tests above already ran unprivileged");
        TestVms.provider().close(); // outside CI: skips when the sandbox is not set up
        ensureUser();
        Path dir = Files.createTempDirectory("keel-unprivileged-", PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        try {
            List<String> classPath = copyClassPath(dir.resolve("cp"));
            Path assets = copyAssets(dir.resolve("assets"));
            Path home = Files.createDirectories(dir.resolve("home"));
            UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
            for (Path owned : List.of(assets, home)) {
                Files.setOwner(owned, users.lookupPrincipalByName(USER));
            }
            List<String> cmd = new ArrayList<>(List.of("setpriv", "--reuid", USER, "--regid", USER, "--init-groups",
                    "--inh-caps", "-all", "--", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", String.join(File.pathSeparator, classPath),
                    "-Duser.home=" + home, "-Dkeel.sandbox.assets=" + assets, "-Djava.io.tmpdir=/tmp",
                    UnprivilegedMain.class.getName()));
            CONTAINMENT.forEach(c -> cmd.add(c.getName()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("output.txt").toFile());
            Map<String, String> env = pb.environment();
            env.keySet().retainAll(List.of("PATH", "CI", "LANG", SandboxIsolationTest.HOST_SECRET_VAR));
            env.put("HOME", home.toString());
            Process child = pb.start();
            boolean done = child.waitFor(40, TimeUnit.MINUTES);
            if (!done) {
                child.destroyForcibly();
            }
            String output = Files.readString(dir.resolve("output.txt"), StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(done).as("the unprivileged run finished:\n%s", output).isTrue();
            assertThat(output).as(output).contains("running " + CONTAINMENT.size() + " test classes as uid")
                    .doesNotContain("as uid 0 ");
            assertThat(child.exitValue()).as("every containment test passed as %s:\n%s", USER, output).isZero();
        } finally {
            deleteTree(dir);
        }
    }

    /** A system user with its own group, no home, no login; created once. */
    static void ensureUser() throws IOException, InterruptedException {
        if (run("id", "-u", USER) == 0) {
            return;
        }
        int rc = run("useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                "--shell", "/usr/sbin/nologin", USER);
        assertThat(rc).as("useradd %s (package passwd) must work for the unprivileged run", USER).isZero();
    }

    static int run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor(2, TimeUnit.MINUTES) ? p.exitValue() : -1;
    }

    /** This JVM's module and class path, copied where any user can read it. */
    static List<String> copyClassPath(Path to) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> entries = Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
                .filter(s -> s != null && !s.isBlank())
                .flatMap(s -> Stream.of(s.split(File.pathSeparator))).distinct().toList();
        int i = 0;
        for (String e : entries) {
            Path from = Path.of(e);
            if (!Files.exists(from)) {
                continue;
            }
            Path target = to.resolve((i++) + "-" + from.getFileName());
            copyReadable(from, target);
            out.add(target.toString());
        }
        return out;
    }

    /** The files of the sandbox assets this JVM uses (kernel, the modules the initramfs needs, busybox, agent, guard). */
    static Path copyAssets(Path to) throws IOException {
        Assets a = Assets.load(MicroVmConfig.defaults().assetsDir());
        Files.createDirectories(to.resolve("modules"));
        for (Path m : KernelModules.in(a.modules()).resolve(Initramfs.MODULES)) {
            copyReadable(m, to.resolve("modules").resolve(m.getFileName()));
        }
        Map<String, Path> files = Map.of("kernel", a.kernel(), "busybox", a.busybox(), "agent", a.agent(),
                "fsguard", a.fsguard());
        StringBuilder props = new StringBuilder("# copied for the unprivileged test run\nqemu=" + a.qemu() + "\nmodules="
                + to.resolve("modules") + "\ndebian.root=\n");
        for (Map.Entry<String, Path> f : files.entrySet()) {
            Path target = to.resolve(f.getKey() + "-" + f.getValue().getFileName());
            copyReadable(f.getValue(), target);
            props.append(f.getKey()).append('=').append(target).append('\n');
        }
        Files.writeString(to.resolve(Assets.FILE), props.toString());
        return to;
    }

    static void copyReadable(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            try (Stream<Path> all = Files.walk(from)) {
                for (Path p : all.toList()) {
                    copyReadable1(p, to.resolve(from.relativize(p).toString()));
                }
            }
        } else {
            Files.createDirectories(to.getParent());
            copyReadable1(from, to);
        }
    }

    private static void copyReadable1(Path from, Path to) throws IOException {
        if (Files.isDirectory(from)) {
            Files.createDirectories(to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        } else {
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(
                    Files.isExecutable(from) ? "rwxr-xr-x" : "rw-r--r--"));
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                Files.deleteIfExists(p);
            }
        }
    }
}

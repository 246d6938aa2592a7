package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.exec.Command;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Creation, bad input and destruction: nothing may be left behind, also when the JVM is killed. */
class SandboxLifecycleTest {
    @TempDir
    Path tmp;

    /** Run directories of this JVM's sandboxes (other builds on the machine may have their own). */
    static Set<Path> runDirs() throws IOException {
        return runDirsOf(ProcessHandle.current().pid());
    }

    static Set<Path> runDirsOf(long pid) throws IOException {
        String owner = Long.toString(pid);
        try (Stream<Path> s = Files.list(Path.of("/tmp"))) {
            return s.filter(p -> p.getFileName().toString().startsWith("keel-sb-")).filter(p -> {
                try {
                    return Files.readString(p.resolve("owner")).trim().equals(owner);
                } catch (IOException e) {
                    return false; // being created or removed
                }
            }).collect(Collectors.toSet());
        }
    }

    /**
     * The qemu processes this JVM started and that still run. Only descendants count: qemu is started as a child
     * of the JVM, so one leaked by a test stays one, while VMs of other builds on the same machine do not.
     */
    static Set<Long> qemuPids() {
        return ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    void closeLeavesNoProcessSocketOrDirectory() throws Exception {
        Set<Path> dirsBefore = runDirs();
        try (SandboxProvider provider = TestVms.provider()) {
            Sandbox box = provider.create(SandboxSpec.builder("lifecycle").workspace(tmp).build());
            long pid = box.info().pid();
            Set<Path> dirs = runDirs();
            dirs.removeAll(dirsBefore);
            assertThat(dirs).hasSize(1);
            Path runDir = dirs.iterator().next();
            try (Stream<Path> files = Files.list(runDir)) {
                assertThat(files.map(p -> p.getFileName().toString())).contains("agent.sock", "qmp.sock");
            }
            assertThat(ProcessHandle.of(pid)).isPresent();
            assertThat(provider.list()).containsExactly(box);

            box.close();
            box.close(); // harmless

            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(runDir).doesNotExist();
            assertThat(provider.list()).isEmpty();
            assertThat(box.isClosed()).isTrue();
            assertThat(box.state()).isEqualTo(SandboxState.CLOSED);
            assertThat(box.onExit()).isCompletedWithValue(box);
            // commands and file calls on a closed sandbox throw the same type
            assertThatThrownBy(() -> box.exec("true")).isExactlyInstanceOf(SandboxClosedException.class)
                    .hasMessageContaining("closed");
            assertThatThrownBy(() -> box.start(Command.of("true"), null)).isExactlyInstanceOf(SandboxClosedException.class);
            assertThatThrownBy(() -> box.readFile("/etc/passwd")).isExactlyInstanceOf(SandboxClosedException.class);
            assertThatThrownBy(() -> box.writeFile("/tmp/x", new byte[0])).isExactlyInstanceOf(SandboxClosedException.class);
            assertThatThrownBy(() -> box.list("/")).isExactlyInstanceOf(SandboxClosedException.class);
        }
        assertThat(runDirs()).as("no run directory of this test is left").isSubsetOf(dirsBefore);
    }

    @Test
    void providerCloseDestroysItsSandboxes() {
        SandboxProvider provider = TestVms.provider();
        Sandbox box = provider.create(SandboxSpec.builder("owned").build());
        long pid = box.info().pid();
        assertThatThrownBy(() -> provider.create(SandboxSpec.builder("owned").build()))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("owned");
        assertThat(provider.find("owned")).containsSame(box);
        assertThat(box.run(Command.of("echo", "still fine")).stdout()).isEqualTo("still fine\n");
        provider.close();
        provider.close();
        assertThat(box.isClosed()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThatThrownBy(() -> provider.create(SandboxSpec.builder("late").build()))
                .isInstanceOf(SandboxClosedException.class);
    }

    @Test
    void killedJvmLeavesNoQemuOrDirectoryBehind() throws Exception {
        TestVms.provider().close(); // skips outside CI when not set up
        String cp = Stream.of(System.getProperty("jdk.module.path"), System.getProperty("java.class.path"))
                .filter(s -> s != null && !s.isBlank()).collect(Collectors.joining(File.pathSeparator));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", cp, ChildJvmMain.class.getName())
                .redirectErrorStream(true).start();
        long qemuPid;
        Path runDir;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            List<String> lines = new ArrayList<>();
            String line;
            String ready = null;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("READY ")) {
                    ready = line;
                    break;
                }
            }
            assertThat(ready).as("child output: %s", lines).isNotNull().endsWith(" up");
            qemuPid = Long.parseLong(ready.split(" ")[1]);
            assertThat(ProcessHandle.of(qemuPid)).isPresent();
            runDir = findRunDirOwnedBy(child.pid());
            assertThat(runDir).isNotNull();
            new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline
                && (ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false) || Files.exists(runDir))) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(qemuPid).map(ProcessHandle::isAlive).orElse(false)).as("qemu still running").isFalse();
        assertThat(runDir).as("run directory left behind").doesNotExist();
    }

    private static Path findRunDirOwnedBy(long pid) throws IOException {
        return runDirsOf(pid).stream().findFirst().orElse(null);
    }

    @Test
    void badInputFailsWithTypedErrorsBeforeAnythingStarts() throws Exception {
        assertThatThrownBy(() -> SandboxSpec.builder("x").workspace(Path.of("relative/dir")))
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("absolute");
        assertThatThrownBy(() -> SandboxSpec.builder("x").workspace(tmp.resolve("missing")).build())
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> SandboxSpec.builder("bad name!").build())
                .isInstanceOf(InvalidSandboxSpecException.class);
        assertThatThrownBy(() -> SandboxSpec.builder("x").workspace(tmp).workspace(tmp.resolve("x")).build())
                .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining("overlap");
        assertThatThrownBy(() -> Sandboxes.provider("firecracker"))
                .isInstanceOf(UnknownBackendException.class).hasMessageContaining("firecracker")
                .hasMessageContaining("qemu-microvm");

        Path gone = Files.createDirectory(tmp.resolve("gone"));
        SandboxSpec spec = SandboxSpec.builder("gone").workspace(gone).build();
        Files.delete(gone);
        Set<Path> dirsBefore = runDirs();
        Set<Long> qemuBefore = qemuPids();
        try (SandboxProvider provider = Sandboxes.microVm()) {
            assertThatThrownBy(() -> provider.create(spec))
                    .isInstanceOf(InvalidSandboxSpecException.class).hasMessageContaining(gone.toString());
            assertThat(provider.list()).isEmpty();
        }
        try (SandboxProvider provider = Sandboxes.microVm(MicroVmConfig.defaults().withAssetsDir(tmp))) {
            assertThatThrownBy(() -> provider.create(SandboxSpec.builder("no-assets").build()))
                    .isInstanceOf(SandboxPrerequisiteException.class).hasMessageContaining("scripts/setup/sandbox.sh");
        }
        assertThat(runDirs()).as("no run directory of this test is left").isSubsetOf(dirsBefore);
        assertThat(qemuPids()).as("no qemu started by this test is left").isSubsetOf(qemuBefore);
    }

    @Test
    void kvmRequestedOnAHostWithoutHardwareVirtualisationIsATypedError() throws Exception {
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        org.junit.jupiter.api.Assumptions.assumeFalse(cpuinfo.matches("(?s).*\\b(vmx|svm)\\b.*"),
                "this host has VT-x/AMD-V");
        Set<Long> qemuBefore = qemuPids();
        try (SandboxProvider provider = TestVms.provider();
             SandboxProvider kvm = Sandboxes.microVm(MicroVmConfig.defaults().withAccelerator(Accelerator.KVM))) {
            assertThatThrownBy(() -> kvm.create(SandboxSpec.builder("kvm").build()))
                    .isInstanceOf(NoAcceleratorException.class).hasMessageContaining("KVM");
        }
        assertThat(qemuPids()).as("no qemu started by this test is left").isSubsetOf(qemuBefore);
    }
}

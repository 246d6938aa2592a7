package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The KVM smoke boot against this host's real /dev/kvm. On hosts whose /dev/kvm opens but cannot run a
 * stock kernel (PVM, as on the CI machines) it must fail within its timeout and leave nothing behind, and
 * the provider must then use TCG and say so.
 */
class KvmSmokeBootTest {
    static final Duration PROBE = Duration.ofSeconds(5);

    /** The qemu processes this JVM started (its descendants): other builds' VMs on the machine do not count. */
    static Set<Long> qemuPids() {
        return ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("qemu-system"))
                .map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    @Test
    void realSmokeBootDecidesAndTheProviderReportsItsChoice() throws Exception {
        Path kvm = Path.of("/dev/kvm");
        Assumptions.assumeTrue(Files.isReadable(kvm) && Files.isWritable(kvm), "no usable /dev/kvm on this host");
        if (!"true".equals(System.getenv("CI"))) {
            Assumptions.assumeTrue(Files.exists(MicroVmConfig.defaults().assetsDir().resolve(Assets.FILE)),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh)");
        }
        boolean hardware = AcceleratorChoice.cpuHasVirtualization(Files.readString(Path.of("/proc/cpuinfo")));
        Set<Long> before = qemuPids();
        try (QemuProvider provider = new QemuProvider(MicroVmConfig.defaults().withKvmProbeTimeout(PROBE))) {
            provider.prepare();
            long t0 = System.nanoTime();
            boolean booted = provider.kvmSmokeBoot();
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            // bounded by the probe timeout (plus qemu start and teardown), never by the ~100 s a PVM failure takes
            assertThat(took).isLessThan(PROBE.plusSeconds(20));
            if (!hardware) {
                assertThat(booted).as("a stock kernel cannot boot under KVM without VT-x/AMD-V").isFalse();
            }
            assertThat(qemuPids()).as("no qemu started by this test is left").isSubsetOf(before);

            Sandbox box = provider.create(SandboxSpec.builder("accel").build());
            String expected = hardware && booted ? "kvm" : "tcg";
            assertThat(box.info().accelerator()).isEqualTo(expected);
            assertThat(box.info().accelerated()).isEqualTo(expected.equals("kvm"));
            assertThat(box.info().toString()).contains("accelerated=" + expected.equals("kvm"));
        }
        assertThat(qemuPids()).as("no qemu started by this test is left").isSubsetOf(before);
    }
}

package dev.keel.sandbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The cause a dead sandbox reports, from the guest console and qemu's exit. */
class VmDeathTest {
    @Test
    void aKernelPanicIsNamedFromTheConsoleWhateverQemuDid() {
        String console = "[    3.1] Out of memory: Killed process 93 (dd)\n"
                + "[    3.2] Kernel panic - not syncing: System is deadlocked on memory\n"
                + "[    3.2] CPU: 0 PID: 1 Comm: keel-agent\n";
        assertThat(VmDeath.describe(console, "", 0)).isEqualTo("guest kernel panic: System is deadlocked on memory");
        assertThat(VmDeath.describe(console, "", 128 + 9)).startsWith("guest kernel panic:");
    }

    @Test
    void signalsAndExitStatusesAreNamed() {
        assertThat(VmDeath.describe("", "", 128 + 9)).contains("SIGKILL").contains("out-of-memory killer");
        assertThat(VmDeath.describe("", "qemu: fatal: trap\n", 128 + 11)).contains("SIGSEGV").contains("qemu: fatal: trap");
        assertThat(VmDeath.describe("", "", 128 + 6)).contains("SIGABRT");
        assertThat(VmDeath.describe("reboot: Power down\n", "", 0)).contains("shut down or rebooted")
                .contains("reboot: Power down");
        assertThat(VmDeath.describe("", "qemu-system-x86_64: out of memory\n", 1)).isEqualTo(
                "qemu exited with status 1; last output: qemu-system-x86_64: out of memory");
        assertThat(VmDeath.describe("", "", -1)).contains("connection closed");
    }
}

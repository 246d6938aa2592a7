package dev.keel.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxPoolTest {
    @TempDir
    Path workspace;

    @Test
    void acquiredSandboxesAreReadyFreshAndReplaced() throws Exception {
        try (SandboxProvider provider = TestVms.provider();
             SandboxPool pool = SandboxPool.create(provider, SandboxSpec.builder("pooled").workspace(workspace).build(), 1)) {
            Sandbox first = pool.acquire(Duration.ofMinutes(2));
            assertThat(first.name()).isEqualTo("pooled-1");
            first.run(dev.keel.core.exec.Command.shell("echo dirty > /root/state && echo x > shared.txt"));
            assertThat(Files.readString(workspace.resolve("shared.txt"))).isEqualTo("x\n");
            first.close();

            Sandbox second = pool.acquire(Duration.ofMinutes(2));
            assertThat(second.name()).isEqualTo("pooled-2");
            // a new VM: guest state of the previous user is gone, the workspace is shared
            assertThat(second.exec("cat", "/root/state").exitCode()).isNotZero();
            assertThat(second.exec("cat", "shared.txt").stdout()).isEqualTo("x\n");
            second.close();
            assertThat(provider.list()).extracting(Sandbox::name).doesNotContain("pooled-1", "pooled-2");
        }
    }

    @Test
    void closedPoolRefusesAndInvalidSizeIsRejected() {
        try (SandboxProvider provider = Sandboxes.microVm()) {
            assertThatThrownBy(() -> SandboxPool.create(provider, SandboxSpec.builder("p").build(), 0))
                    .isInstanceOf(InvalidSandboxSpecException.class);
        }
    }
}

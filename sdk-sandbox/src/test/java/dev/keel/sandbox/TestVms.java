package dev.keel.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Providers for tests that boot real microVMs; skips outside CI when the setup script has not run. */
final class TestVms {
    private TestVms() {}

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** A provider; outside CI, aborts the test when the assets are missing. In CI, creating a VM then fails. */
    static SandboxProvider provider() {
        Path assets = MicroVmConfig.defaults().assetsDir().resolve("assets.properties");
        if (!ci()) {
            Assumptions.assumeTrue(Files.exists(assets),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh); CI=true makes this a failure");
        }
        return Sandboxes.microVm();
    }
}

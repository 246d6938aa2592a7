package dev.keel.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Providers for tests that boot real microVMs; skips outside CI when the setup script has not run. */
final class TestVms {
    private TestVms() {}

    /**
     * Paths of guest files (outside /proc, /sys, /dev) that contain {@code needle}. The needle travels on
     * stdin, so no command line holds it.
     */
    static java.util.List<String> guestFilesContaining(Sandbox box, String needle) {
        dev.keel.core.exec.ExecResult r = box.run(dev.keel.core.exec.Command.shell(
                "read p; for d in /*; do case \"$d\" in /proc|/sys|/dev) ;; *) grep -rlsF -e \"$p\" \"$d\";; esac; done;"
                        + " echo end").withStdin(needle + "\n"));
        org.assertj.core.api.Assertions.assertThat(r.stdout()).as(r.stderr()).endsWith("end\n");
        return r.stdout().lines().filter(l -> !l.equals("end")).toList();
    }

    static boolean ci() {
        return "true".equals(System.getenv("CI"));
    }

    /** A provider; outside CI, aborts the test when the assets are missing. In CI, creating a VM then fails. */
    static SandboxProvider provider() {
        return provider(MicroVmConfig.defaults());
    }

    /** A provider with these settings; skips like {@link #provider()}. */
    static SandboxProvider provider(MicroVmConfig config) {
        Path assets = config.assetsDir().resolve("assets-v2.properties");
        if (!ci()) {
            Assumptions.assumeTrue(Files.exists(assets),
                    "sandbox prerequisites missing (run scripts/setup/sandbox.sh); CI=true makes this a failure");
        }
        return Sandboxes.microVm(config);
    }
}

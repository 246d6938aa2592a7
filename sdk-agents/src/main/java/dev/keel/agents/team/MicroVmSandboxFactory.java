package dev.keel.agents.team;

import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.sandbox.InvalidSandboxSpecException;
import dev.keel.sandbox.MicroVmConfig;
import dev.keel.sandbox.NetworkPolicy;
import dev.keel.sandbox.NoAcceleratorException;
import dev.keel.sandbox.Sandbox;
import dev.keel.sandbox.SandboxPrerequisiteException;
import dev.keel.sandbox.SandboxProvider;
import dev.keel.sandbox.SandboxSpec;
import dev.keel.sandbox.Sandboxes;
import java.nio.file.Path;
import java.util.Map;

/**
 * Keel's default {@link SandboxFactory}: a QEMU microVM from {@code dev.keel.sandbox} per request, the workspaces
 * at the same absolute paths, commands starting in the working directory, and a network policy that denies
 * everything but the allowlist's entries (none: no network at all); a {@code host:port} entry allows that host on
 * that port only. Only loaded when {@code dev.keel.sandbox} is present
 * ({@link TeamSandboxes#available()} checks without touching its types). Thread-safe.
 */
final class MicroVmSandboxFactory implements SandboxFactory {
    /** Where the prerequisites come from, for the remedy of a missing one. */
    static final String SETUP = "run scripts/setup/sandbox.sh from the Keel repository (it installs qemu, the guest "
            + "kernel and agent under ~/.cache/keel/sandbox, or under $KEEL_SANDBOX_CACHE), or give the team a "
            + "SandboxFactory with TeamServices.builder().sandboxes(...)";

    private final String reference;
    private final Map<String, String> env;

    /**
     * @param reference where the file asks for a sandbox, for errors
     * @param env       the team's environment: {@code KEEL_SANDBOX_CACHE} there picks the prerequisites' folder
     */
    MicroVmSandboxFactory(String reference, Map<String, String> env) {
        this.reference = reference;
        this.env = env;
    }

    /**
     * Checks an allowlist entry (host, {@code host:port}, IP, CIDR) as the egress proxy will enforce it.
     *
     * @throws IllegalArgumentException naming the problem
     */
    static void checkEntry(String entry) {
        try {
            NetworkPolicy.denyAll().allow(entry);
        } catch (InvalidSandboxSpecException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public CommandRunner start(Request request) {
        MicroVmConfig config = MicroVmConfig.defaults();
        String cache = env.get("KEEL_SANDBOX_CACHE");
        if (cache != null && !cache.isBlank()) {
            config = config.withAssetsDir(Path.of(cache));
        }
        SandboxSpec.Builder spec = SandboxSpec.builder("keel-team");
        request.workspaces().forEach(spec::workspace);
        request.readOnlyWorkspaces().forEach(spec::readOnlyWorkspace);
        if (request.workingDirectory() != null) {
            spec.workdir(request.workingDirectory().toAbsolutePath().toString());
        }
        if (!request.networkAllowlist().isEmpty()) {
            // host:port entries stay port rules: the proxy refuses the host's other ports
            spec.network(NetworkPolicy.denyAll().allow(request.networkAllowlist().toArray(String[]::new)));
        }
        SandboxProvider provider = Sandboxes.microVm(config);
        try {
            return new Owned(provider, provider.create(spec.build()));
        } catch (SandboxPrerequisiteException | NoAcceleratorException e) {
            provider.close();
            throw new MissingPrerequisiteException(reference, "a Keel microVM sandbox, whose prerequisites are missing ("
                    + e.getMessage() + ")", SETUP);
        } catch (RuntimeException e) {
            provider.close();
            throw new ToolsetException(reference + ": the microVM sandbox cannot start: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MicroVmSandboxFactory[" + reference + "]";
    }

    /** The sandbox and the provider that created it, closed together. */
    private record Owned(SandboxProvider provider, Sandbox sandbox) implements CommandRunner, AutoCloseable {
        @Override
        public ExecResult run(Command command, OutputListener listener) {
            return sandbox.run(command, listener);
        }

        @Override
        public String describe() {
            return "a Keel microVM sandbox (" + sandbox.info().accelerator() + ", no host files but "
                    + sandbox.info().workspaces() + ")";
        }

        @Override
        public void close() {
            try {
                sandbox.close();
            } finally {
                provider.close();
            }
        }
    }
}

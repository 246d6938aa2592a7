package dev.keel.agents.team;

import dev.keel.core.exec.CommandRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Creates the sandbox a team file's sandboxed commands ({@code sandbox:} on a {@code shell} toolset, or
 * {@code runtime.sandbox: true} for every shell, script and {@code post_edit} command) run in. Without one
 * ({@link TeamServices.Builder#sandboxes}), Keel starts a microVM with {@code dev.keel:sdk-sandbox} (which must then
 * be on the class or module path, and its prerequisites installed): the workspaces mounted at the same absolute
 * path, no network unless {@code runtime.network_allowlist} names hosts, and then only those. A host application
 * with its own sandboxes (a pool, a remote runner) supplies them here instead.
 *
 * <p>Toolsets that ask for the same {@link Request} share one sandbox: it is started when the first of them
 * starts (an agent that has it begins a run) and closed when the last of them is closed (the
 * {@link dev.keel.agents.Runner} closes). Implementations must be thread-safe.
 */
@FunctionalInterface
public interface SandboxFactory {

    /**
     * Starts a sandbox. The returned runner is closed, when it is {@link AutoCloseable}, once no toolset uses it
     * any more. A failure fails the run that needed the sandbox; commands never run on the host instead.
     *
     * @param request what the team file asked for
     * @return where commands run
     * @throws Exception when the sandbox cannot start; the message reaches the caller
     */
    CommandRunner start(Request request) throws Exception;

    /**
     * What a team file asks of a sandbox.
     *
     * @param workspaces         directories to share read-write at the same absolute path
     * @param readOnlyWorkspaces directories to share read-only at the same absolute path (docker-agent's
     *                           {@code path:ro})
     * @param networkAllowlist   hosts, optionally with {@code :port} ({@code registry.npmjs.org:443},
     *                           {@code [::1]:8080}), the sandbox may reach; empty = no network
     * @param image              the container image a file names (docker-agent's {@code sandbox.image}), or
     *                           {@code null}
     * @param workingDirectory   where commands start, at the same absolute path as on the host, or {@code null}
     *                           for the sandbox's default
     */
    record Request(List<Path> workspaces, List<Path> readOnlyWorkspaces, List<String> networkAllowlist, String image,
                   Path workingDirectory) {
        /**
         * Copies the lists.
         *
         * @param workspaces         directories to share read-write at the same absolute path
         * @param readOnlyWorkspaces directories to share read-only at the same absolute path
         * @param networkAllowlist   hosts the sandbox may reach
         * @param image              the image a file names, or {@code null}
         * @param workingDirectory   where commands start, or {@code null}
         */
        public Request {
            workspaces = List.copyOf(Objects.requireNonNull(workspaces, "workspaces"));
            readOnlyWorkspaces = List.copyOf(Objects.requireNonNull(readOnlyWorkspaces, "readOnlyWorkspaces"));
            networkAllowlist = List.copyOf(Objects.requireNonNull(networkAllowlist, "networkAllowlist"));
        }

        /**
         * A request with read-write workspaces only; commands start in the first one.
         *
         * @param workspaces       directories to share read-write at the same absolute path
         * @param networkAllowlist hosts the sandbox may reach
         * @param image            the image a file names, or {@code null}
         */
        public Request(List<Path> workspaces, List<String> networkAllowlist, String image) {
            this(workspaces, List.of(), networkAllowlist, image, workspaces.isEmpty() ? null : workspaces.get(0));
        }
    }
}

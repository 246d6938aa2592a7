package dev.keel.agents.team;

import dev.keel.core.exec.CommandRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Creates the sandbox a team file's sandboxed shell ({@code sandbox:} on a {@code shell} toolset, or
 * {@code runtime.sandbox: true}) runs its commands in. Without one, Keel starts a microVM with
 * {@code dev.keel:sdk-sandbox} (which must then be on the class or module path): the workspaces mounted at
 * the same absolute path, no network unless {@code runtime.network_allowlist} names hosts. A host application
 * with its own sandboxes (a pool, a remote runner) supplies them here instead. Implementations must be
 * thread-safe.
 */
@FunctionalInterface
public interface SandboxFactory {

    /**
     * Starts a sandbox. The returned runner is closed with the runner that used it when it is
     * {@link AutoCloseable}.
     *
     * @param request what the team file asked for
     * @return where commands run
     * @throws Exception when the sandbox cannot start; the message reaches the caller
     */
    CommandRunner start(Request request) throws Exception;

    /**
     * What a team file asks of a sandbox.
     *
     * @param workspaces       directories to share read-write at the same absolute path
     * @param networkAllowlist hosts (optionally {@code host:port}) the sandbox may reach; empty = no network
     * @param image            the image a file names (docker-agent's container image), or {@code null}
     */
    record Request(List<Path> workspaces, List<String> networkAllowlist, String image) {
        /**
         * Copies the lists.
         *
         * @param workspaces       directories to share read-write at the same absolute path
         * @param networkAllowlist hosts the sandbox may reach
         * @param image            the image a file names, or {@code null}
         */
        public Request {
            workspaces = List.copyOf(Objects.requireNonNull(workspaces, "workspaces"));
            networkAllowlist = List.copyOf(Objects.requireNonNull(networkAllowlist, "networkAllowlist"));
        }
    }
}

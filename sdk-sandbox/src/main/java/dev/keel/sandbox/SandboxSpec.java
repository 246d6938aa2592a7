package dev.keel.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a sandbox looks like: an immutable value. Nothing of the host is visible in the guest except
 * the workspaces, and no host environment variable is passed in: the guest's environment is exactly
 * {@link #env()} (plus a default {@code PATH}/{@code HOME}) and each command's own env.
 *
 * @param name        unique per provider; letters, digits, {@code .-_}, at most 63 characters
 * @param workspaces  host directories mounted at the same absolute path
 * @param vcpus       virtual CPUs
 * @param memoryMib   guest memory in MiB
 * @param env         environment of every command (values are never logged or shown)
 * @param workdir     default working directory of commands; {@code null} = the first workspace, else {@code /root}
 * @param bootTimeout how long to wait for the guest agent before giving up
 * @param network     egress policy; {@link NetworkPolicy#none()} = no network
 * @param secrets     credentials the egress proxy injects (the guest never sees their values)
 * @param root        the guest's root file system
 * @param workspaceQuota how much the sandbox may add to its read-write workspaces ({@link WorkspaceQuota#DEFAULT})
 */
public record SandboxSpec(String name, List<Workspace> workspaces, int vcpus, int memoryMib, Map<String, String> env,
                          String workdir, Duration bootTimeout, NetworkPolicy network, List<SecretRule> secrets,
                          GuestRoot root, WorkspaceQuota workspaceQuota) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Validates everything that can be checked without starting anything.
     *
     * @param bootTimeout how long to wait for the guest agent before giving up
     * @param env environment of every command (values are never logged or shown)
     * @param memoryMib guest memory in MiB
     * @param name unique per provider; letters, digits, {@code .-_}, at most 63 characters
     * @param network egress policy; {@link NetworkPolicy#none()} = no network
     * @param root the guest's root file system
     * @param secrets credentials the egress proxy injects (the guest never sees their values)
     * @param vcpus virtual CPUs
     * @param workdir default working directory of commands; {@code null} = the first workspace, else {@code /root}
     * @param workspaces host directories mounted at the same absolute path
     * @param workspaceQuota how much the sandbox may add to its read-write workspaces ({@code null}: the default)
     */
    public SandboxSpec {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new InvalidSandboxSpecException("sandbox name must match " + NAME + ", was: " + name);
        }
        workspaces = List.copyOf(Objects.requireNonNull(workspaces, "workspaces"));
        List<Path> seen = new ArrayList<>();
        for (Workspace w : workspaces) {
            for (Path other : seen) {
                if (w.path().startsWith(other) || other.startsWith(w.path())) {
                    throw new InvalidSandboxSpecException("workspaces must not overlap: " + other + " and " + w.path());
                }
            }
            seen.add(w.path());
            if (w.path().getNameCount() == 0) {
                throw new InvalidSandboxSpecException("the host root cannot be a workspace");
            }
        }
        if (vcpus < 1 || vcpus > 64) {
            throw new InvalidSandboxSpecException("vcpus must be between 1 and 64, was " + vcpus);
        }
        if (memoryMib < 96 || memoryMib > 65536) {
            throw new InvalidSandboxSpecException("memoryMib must be between 96 and 65536, was " + memoryMib);
        }
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        for (Map.Entry<String, String> e : env.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches() || e.getValue().indexOf('\0') >= 0) {
                throw new InvalidSandboxSpecException("invalid environment variable name or value for: " + e.getKey());
            }
        }
        if (workdir != null && !workdir.startsWith("/")) {
            throw new InvalidSandboxSpecException("workdir must be an absolute guest path, was: " + workdir);
        }
        Objects.requireNonNull(bootTimeout, "bootTimeout");
        if (bootTimeout.isNegative() || bootTimeout.isZero()) {
            throw new InvalidSandboxSpecException("bootTimeout must be positive, was " + bootTimeout);
        }
        network = network == null ? NetworkPolicy.none() : network;
        secrets = List.copyOf(secrets == null ? List.of() : secrets);
        root = root == null ? GuestRoot.BUSYBOX : root;
        workspaceQuota = workspaceQuota == null ? WorkspaceQuota.DEFAULT : workspaceQuota;
        if (!secrets.isEmpty() && !network.enabled()) {
            throw new InvalidSandboxSpecException("secrets need a network policy (they are injected by the egress proxy)");
        }
    }

    /**
     * A builder with defaults: 1 vCPU, 256 MiB, no workspace, empty env, 120 s boot timeout.
     *
     * @param name the sandbox's name
     * @return a builder with defaults
     */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Throws {@link InvalidSandboxSpecException} when a workspace directory does not exist (now). */
    public void checkWorkspacesExist() {
        for (Workspace w : workspaces) {
            if (!Files.isDirectory(w.path())) {
                throw new InvalidSandboxSpecException("workspace directory does not exist: " + w.path());
            }
        }
    }

    /**
     * The working directory commands start in by default.
     *
     * @return the working directory commands start in by default
     */
    public String defaultWorkdir() {
        return workdir != null ? workdir : workspaces.isEmpty() ? "/root" : workspaces.get(0).path().toString();
    }

    /**
     * A copy with another name (used by pools).
     *
     * @param newName the new name
     * @return a copy with another name
     */
    public SandboxSpec withName(String newName) {
        return new SandboxSpec(newName, workspaces, vcpus, memoryMib, env, workdir, bootTimeout, network, secrets, root,
                workspaceQuota);
    }

    /** Shows names and sizes; environment values are left out because they may be secrets. */
    @Override
    public String toString() {
        return "SandboxSpec[" + name + " workspaces=" + workspaces + " vcpus=" + vcpus + " memory=" + memoryMib
                + "MiB root=" + root + " quota=" + workspaceQuota + " env=" + env.keySet().stream().sorted().toList()
                + (network.enabled() ? " network=" + network + " secrets=" + secrets : "") + "]";
    }

    /** Builds a {@link SandboxSpec}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final List<Workspace> workspaces = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private int vcpus = 1;
        private int memoryMib = 256;
        private String workdir;
        private Duration bootTimeout = Duration.ofSeconds(120);
        private NetworkPolicy network = NetworkPolicy.none();
        private final List<SecretRule> secrets = new ArrayList<>();
        private GuestRoot root = GuestRoot.BUSYBOX;
        private WorkspaceQuota workspaceQuota = WorkspaceQuota.DEFAULT;

        private Builder(String name) {
            this.name = name;
        }

        /**
         * Mounts {@code dir} read-write at the same absolute path; it must exist.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder workspace(Path dir) {
            workspaces.add(Workspace.readWrite(dir));
            return this;
        }

        /**
         * Mounts {@code dir} read-only at the same absolute path; it must exist.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder readOnlyWorkspace(Path dir) {
            workspaces.add(Workspace.readOnly(dir));
            return this;
        }

        /**
         * Virtual CPUs (default 1).
         *
         * @param vcpus the number of CPUs
         * @return this builder
         */
        public Builder vcpus(int vcpus) {
            this.vcpus = vcpus;
            return this;
        }

        /**
         * Guest memory (default 256 MiB).
         *
         * @param memoryMib the memory in MiB
         * @return this builder
         */
        public Builder memoryMib(int memoryMib) {
            this.memoryMib = memoryMib;
            return this;
        }

        /**
         * Adds one environment variable visible to every command.
         *
         * @param key the variable's name
         * @param value its value
         * @return this builder
         */
        public Builder env(String key, String value) {
            env.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * The directory commands start in, unless they say otherwise.
         *
         * @param workdir an absolute path inside the guest
         * @return this builder
         */
        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /**
         * Egress policy; the default is no network at all.
         *
         * @param network the policy
         * @return this builder
         */
        public Builder network(NetworkPolicy network) {
            this.network = Objects.requireNonNull(network, "network");
            return this;
        }

        /**
         * The proxy sets {@code header: value} on requests whose real destination is {@code origin}:
         * {@code api.example.com} ({@code https}, port 443), {@code https://api.example.com:8443}, or — plain HTTP
         * only when written out — {@code http://127.0.0.1:8080}. See {@link SecretRule#of}.
         *
         * @param origin the scheme, host and port it is sent to
         * @param header the header's name
         * @param value  the header's value, never visible inside the guest
         * @return this builder
         */
        public Builder secret(String origin, String header, String value) {
            secrets.add(SecretRule.of(origin, header, value));
            return this;
        }

        /**
         * Adds a secret rule.
         *
         * @param rule the rule
         * @return this builder
         */
        public Builder secret(SecretRule rule) {
            secrets.add(Objects.requireNonNull(rule, "rule"));
            return this;
        }

        /**
         * The guest's root file system; {@link GuestRoot#BUSYBOX} by default.
         *
         * @param root the guest's root file system; {@link GuestRoot#BUSYBOX} by default
         * @return this builder
         */
        public Builder root(GuestRoot root) {
            this.root = Objects.requireNonNull(root, "root");
            return this;
        }

        /**
         * How much the sandbox may add to its read-write workspaces; {@link WorkspaceQuota#DEFAULT} otherwise.
         *
         * @param quota the limits
         * @return this builder
         */
        public Builder workspaceQuota(WorkspaceQuota quota) {
            this.workspaceQuota = Objects.requireNonNull(quota, "quota");
            return this;
        }

        /**
         * Limit for booting the sandbox (default 120 s).
         *
         * @param bootTimeout the limit
         * @return this builder
         */
        public Builder bootTimeout(Duration bootTimeout) {
            this.bootTimeout = bootTimeout;
            return this;
        }

        /**
         * Builds and validates the spec.
         *
         * @return the spec
         * @throws InvalidSandboxSpecException for a bad name, a relative or missing workspace, or bad sizes
         */
        public SandboxSpec build() {
            SandboxSpec spec = new SandboxSpec(name, workspaces, vcpus, memoryMib, env, workdir, bootTimeout, network,
                    secrets, root, workspaceQuota);
            spec.checkWorkspacesExist();
            return spec;
        }
    }
}

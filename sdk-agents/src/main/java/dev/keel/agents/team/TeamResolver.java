package dev.keel.agents.team;

import dev.keel.agents.mcp.McpTransport;
import dev.keel.core.json.JsonNull;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves what a team file names but does not define, when the team starts (never at load): Docker MCP
 * catalog servers ({@code ref: docker:duckduckgo}) and external agents in {@code sub_agents} /
 * {@code handoffs} ({@code agentcatalog/pirate}, {@code reviewer:myorg/review-pr}, an {@code https://} URL).
 *
 * <p>By default a {@code docker:NAME} server runs Docker's MCP gateway as docker-agent does
 * ({@code docker mcp gateway run --servers=NAME} over stdio), which needs Docker with the MCP Toolkit; an
 * {@code http(s)} agent reference is fetched with the team's HTTP client; an OCI agent reference must be mapped
 * to a file. Map names to your own servers and files instead:
 *
 * <pre>{@code
 * TeamResolver resolver = TeamResolver.builder()
 *         .mcpServer("duckduckgo", new McpTransport.Stdio("npx", List.of("-y", "duckduckgo-mcp-server"), Map.of()))
 *         .agent("agentcatalog/pirate", Path.of("agents/pirate.yaml"))
 *         .build();
 * }</pre>
 *
 * <p>A catalog reference's {@code config} (the server's settings, e.g. {@code repositories: [example/app]} for
 * GitHub's) goes where docker-agent sends it: to the gateway as its {@code --config} file ({@code {NAME: config}},
 * readable by the owner only, deleted when the toolset closes), or to the factory of a server you map with
 * {@link Builder#mcpServer(String, Function)}, which builds the server from it.
 *
 * <p>A reference nothing resolves fails when it is first needed with a {@link MissingPrerequisiteException} naming
 * it and what to install or map. Immutable and thread-safe.
 */
public final class TeamResolver {
    private static final Logger LOG = LoggerFactory.getLogger(TeamResolver.class);
    private static final TeamResolver DEFAULTS = new Builder().build();

    private final Map<String, McpTransport> mcpServers;
    private final Map<String, Function<JsonValue, McpTransport>> mcpFactories;
    private final Function<String, Optional<McpTransport>> mcpLookup;
    private final boolean dockerGateway;
    private final Map<String, Path> agentFiles;
    private final Function<String, Optional<String>> agentLookup;
    private final CommandRunner probe;
    private final String searchPath;

    private TeamResolver(Builder b) {
        this.mcpServers = Map.copyOf(b.mcpServers);
        this.mcpFactories = Map.copyOf(b.mcpFactories);
        this.mcpLookup = b.mcpLookup;
        this.dockerGateway = b.dockerGateway;
        this.agentFiles = Map.copyOf(b.agentFiles);
        this.agentLookup = b.agentLookup;
        this.probe = b.probe;
        this.searchPath = b.searchPath;
    }

    /**
     * Docker's MCP gateway for catalog servers, HTTP for URL agents, nothing for OCI agents.
     *
     * @return the default resolver
     */
    public static TeamResolver defaults() {
        return DEFAULTS;
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A catalog server resolved for one toolset: how to reach it, and the gateway's configuration file when one
     * was written (deleted by {@link #close()}, which the toolset calls when it closes).
     */
    record CatalogServer(McpTransport transport, Path configFile) implements AutoCloseable {
        @Override
        public void close() {
            if (configFile != null) {
                try {
                    Files.deleteIfExists(configFile);
                } catch (IOException e) {
                    LOG.warn("cannot delete the MCP gateway's configuration file {}: {}", configFile, e.toString());
                }
            }
        }
    }

    /**
     * The MCP server behind a catalog reference.
     *
     * @param reference the reference as the file writes it ({@code docker:duckduckgo})
     * @param env       the toolset's environment (passed to a gateway process)
     * @param config    the reference's {@code config}, {@link JsonNull} when it has none
     * @return how to reach the server
     * @throws MissingPrerequisiteException when nothing maps the name and the gateway is unavailable
     */
    CatalogServer mcpServer(String reference, Map<String, String> env, JsonValue config) {
        String name = reference.startsWith("docker:") ? reference.substring("docker:".length()) : reference;
        boolean configured = !(config instanceof JsonNull);
        Function<JsonValue, McpTransport> factory = mcpFactories.get(name);
        if (factory != null) {
            return new CatalogServer(Objects.requireNonNull(factory.apply(config),
                    "the server factory for '" + name + "' returned null"), null);
        }
        McpTransport mapped = mcpServers.get(name);
        if (mapped == null && mcpLookup != null) {
            mapped = mcpLookup.apply(name).orElse(null);
        }
        if (mapped != null) {
            if (configured) {
                LOG.warn("{}: its config is not passed to the server mapped for '{}'; map it with "
                        + "TeamResolver.builder().mcpServer(\"{}\", config -> transport) to build the server from it",
                        reference, name, name);
            }
            return new CatalogServer(mapped, null);
        }
        String remedy = "install Docker Desktop (or Docker Engine) with the MCP Toolkit, or map the name to a server "
                + "of your own with TeamResolver.builder().mcpServer(\"" + name + "\", transport)";
        if (!dockerGateway) {
            throw new MissingPrerequisiteException(reference, "a server for the Docker MCP catalog name '" + name + "'",
                    "map it with TeamResolver.builder().mcpServer(\"" + name + "\", transport)");
        }
        String docker = onPath("docker", searchPath);
        if (docker == null) {
            throw new MissingPrerequisiteException(reference, "Docker's MCP gateway ('docker mcp gateway run'), and "
                    + "'docker' is not on the PATH", remedy);
        }
        ExecResult check;
        try {
            check = probe.run(Command.of(docker, "mcp", "version").withTimeout(Duration.ofSeconds(20)));
        } catch (RuntimeException e) {
            throw new MissingPrerequisiteException(reference, "Docker's MCP gateway, and 'docker mcp version' failed ("
                    + e.getMessage() + ")", remedy);
        }
        if (check.exitCode() != 0) {
            throw new MissingPrerequisiteException(reference, "Docker's MCP gateway, and the 'docker mcp' plugin is not "
                    + "installed", remedy);
        }
        List<String> args = new java.util.ArrayList<>(List.of("mcp", "gateway", "run", "--servers=" + name));
        Path configFile = configured ? gatewayConfig(name, config) : null;
        if (configFile != null) {
            args.add("--config=" + configFile);
        }
        return new CatalogServer(new McpTransport.Stdio(docker, args, env), configFile);
    }

    /**
     * Writes {@code {name: config}} (JSON, which the gateway reads as YAML) to a new file only the owner can read:
     * a server's settings may hold what other users of the machine should not see.
     */
    private static Path gatewayConfig(String name, JsonValue config) {
        Path file = null;
        try {
            file = Files.createTempFile("keel-mcp-config-", ".json",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, JsonObject.of(Map.of(name, config)).toJson(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException | UnsupportedOperationException e) {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // the write failed already; that is the error to report
                }
            }
            throw new MissingPrerequisiteException("docker:" + name, "a configuration file for Docker's MCP gateway, "
                    + "which cannot be written (" + e.getClass().getSimpleName() + ")",
                    "make the temporary directory (java.io.tmpdir) writable");
        }
    }

    /**
     * The team file behind an external agent reference.
     *
     * @param reference the reference as the file writes it, without a {@code name:} prefix
     * @param http      the team's HTTP client, for URL references
     * @return the YAML text of the referenced team file
     * @throws MissingPrerequisiteException when nothing resolves the reference
     */
    String agent(String reference, OkHttpClient http) {
        Path file = agentFiles.get(reference);
        if (file != null) {
            try {
                return Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new MissingPrerequisiteException(reference, "the team file it is mapped to, " + file
                        + ", which cannot be read (" + e.getClass().getSimpleName() + ")", "fix the mapping");
            }
        }
        if (agentLookup != null) {
            Optional<String> yaml = agentLookup.apply(reference);
            if (yaml.isPresent()) {
                return yaml.get();
            }
        }
        if (reference.startsWith("http://") || reference.startsWith("https://")) {
            try (Response r = http.newCall(new Request.Builder().url(reference).get().build()).execute()) {
                if (!r.isSuccessful() || r.body() == null) {
                    throw new MissingPrerequisiteException(reference, "a team file at that URL, and the server answered "
                            + r.code(), "check the URL, or map it with TeamResolver.builder().agent(url, file)");
                }
                return r.body().string();
            } catch (IOException e) {
                throw new MissingPrerequisiteException(reference, "a team file at that URL, which cannot be fetched ("
                        + e.getMessage() + ")", "check the URL, or map it with TeamResolver.builder().agent(url, file)");
            }
        }
        throw new MissingPrerequisiteException(reference, "an agent from an OCI registry, which Keel does not pull",
                "pull it yourself (docker agent pull " + reference + ") and map it with TeamResolver.builder().agent(\""
                        + reference + "\", Path.of(\"<its team file>\"))");
    }

    /** The executable {@code name} on the PATH, or null. */
    static String onPath(String name) {
        return onPath(name, System.getenv("PATH"));
    }

    /** The executable {@code name} in the directories of {@code path}, or null. */
    static String onPath(String name, String path) {
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    @Override
    public String toString() {
        java.util.Set<String> names = new java.util.TreeSet<>(mcpServers.keySet());
        names.addAll(mcpFactories.keySet());
        return "TeamResolver[mcpServers=" + names + (mcpLookup != null ? " + lookup" : "")
                + ", dockerGateway=" + dockerGateway + ", agents=" + agentFiles.keySet()
                + (agentLookup != null ? " + lookup" : "") + "]";
    }

    /** Builds a {@link TeamResolver}. Not thread-safe. */
    public static final class Builder {
        private final Map<String, McpTransport> mcpServers = new LinkedHashMap<>();
        private final Map<String, Function<JsonValue, McpTransport>> mcpFactories = new LinkedHashMap<>();
        private Function<String, Optional<McpTransport>> mcpLookup;
        private boolean dockerGateway = true;
        private final Map<String, Path> agentFiles = new LinkedHashMap<>();
        private Function<String, Optional<String>> agentLookup;
        private CommandRunner probe = LocalCommandRunner.create();
        private String searchPath = System.getenv("PATH");

        private Builder() {}

        /** Where to look for {@code docker} (tests); defaults to the process's {@code PATH}. */
        Builder searchPath(String path) {
            this.searchPath = path;
            return this;
        }

        /**
         * Serves {@code docker:name} with this server instead of Docker's gateway.
         *
         * @param name      the catalog name, without {@code docker:}
         * @param transport how to reach your server (for example an npm MCP package over stdio)
         * @return this builder
         */
        public Builder mcpServer(String name, McpTransport transport) {
            mcpServers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(transport, "transport"));
            mcpFactories.remove(name);
            return this;
        }

        /**
         * Serves {@code docker:name} with a server built from the reference's {@code config} when the team starts
         * (once per toolset that refers to it), instead of Docker's gateway:
         *
         * <pre>{@code
         * .mcpServer("github-official", config -> new McpTransport.Stdio("npx",
         *         List.of("-y", "@modelcontextprotocol/server-github"),
         *         Map.of("GITHUB_REPOSITORIES", config.toJson())))
         * }</pre>
         *
         * @param name    the catalog name, without {@code docker:}
         * @param factory builds the server from the reference's {@code config} (a {@link JsonNull} when the file
         *                gives none); it must not return null
         * @return this builder
         */
        public Builder mcpServer(String name, Function<JsonValue, McpTransport> factory) {
            mcpFactories.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(factory, "factory"));
            mcpServers.remove(name);
            return this;
        }

        /**
         * Asks {@code lookup} for catalog names {@link #mcpServer} does not map.
         *
         * @param lookup catalog name to server, or empty
         * @return this builder
         */
        public Builder mcpServers(Function<String, Optional<McpTransport>> lookup) {
            this.mcpLookup = lookup;
            return this;
        }

        /**
         * Whether a catalog name nothing maps runs Docker's MCP gateway (default true); without it, an unmapped
         * name fails when the team starts.
         *
         * @param use whether to fall back to the gateway
         * @return this builder
         */
        public Builder dockerMcpGateway(boolean use) {
            this.dockerGateway = use;
            return this;
        }

        /**
         * Serves an external agent reference with a local team file.
         *
         * @param reference the reference as the file writes it ({@code agentcatalog/pirate}), without {@code name:}
         * @param teamFile  the team file; its first agent is the one referenced
         * @return this builder
         */
        public Builder agent(String reference, Path teamFile) {
            agentFiles.put(Objects.requireNonNull(reference, "reference"), Objects.requireNonNull(teamFile, "teamFile"));
            return this;
        }

        /**
         * Asks {@code lookup} for the YAML of references {@link #agent} does not map.
         *
         * @param lookup reference to team-file YAML, or empty
         * @return this builder
         */
        public Builder agents(Function<String, Optional<String>> lookup) {
            this.agentLookup = lookup;
            return this;
        }

        /**
         * The resolver.
         *
         * @return the resolver
         */
        public TeamResolver build() {
            return new TeamResolver(this);
        }
    }
}

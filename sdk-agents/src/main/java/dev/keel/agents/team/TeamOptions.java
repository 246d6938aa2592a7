package dev.keel.agents.team;

import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * What a team file cannot say: the file's own folder (where relative file references such as
 * {@code instruction_file} and memory paths start), the working directory of the tools (filesystem, shell,
 * scripts, MCP servers — by default the process's working directory, as with docker-agent, never silently
 * the file's folder), the environment used for {@code ${env.X}} / {@code $X}, where shell and script commands
 * run, the HTTP client of HTTP tools, how references to things outside the file are resolved
 * ({@link TeamResolver}), which {@code flavors} to apply, and whether model key variables must be set at
 * load time (by default they are not: keys are needed when a model is first called, or checked up front
 * with {@link Team#validate()}). Immutable; the {@code with…} methods return modified copies.
 *
 * <pre>{@code
 * Team team = Teams.load(Path.of("team.yaml"), TeamOptions.defaults(Path.of("."))
 *         .withWorkingDirectory(Path.of("/srv/checkout"))
 *         .withResolver(TeamResolver.builder().mcpServer("duckduckgo",
 *                 McpTransport.stdio("npx", List.of("-y", "duckduckgo-mcp-server"), Map.of())).build()));
 * }</pre>
 */
public final class TeamOptions {
    private final Path baseDirectory;
    private final Path workingDirectory;
    private final Map<String, String> env;
    private final CommandRunner commandRunner;
    private final OkHttpClient httpClient;
    private final boolean checkKeys;
    private final TeamResolver resolver;
    private final List<String> flavors;
    private final TeamServices services;

    private TeamOptions(Path baseDirectory, Path workingDirectory, Map<String, String> env, CommandRunner commandRunner,
                        OkHttpClient httpClient, boolean checkKeys, TeamResolver resolver, List<String> flavors,
                        TeamServices services) {
        this.baseDirectory = Objects.requireNonNull(baseDirectory, "baseDirectory").toAbsolutePath().normalize();
        this.workingDirectory = Objects.requireNonNull(workingDirectory, "workingDirectory").toAbsolutePath().normalize();
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.commandRunner = commandRunner;
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
        this.checkKeys = checkKeys;
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.flavors = List.copyOf(flavors);
        this.services = Objects.requireNonNull(services, "services");
    }

    /**
     * Defaults for a file in {@code baseDirectory}: tools work in the process's working directory, the process
     * environment, commands on the host, a default HTTP client, {@link TeamResolver#defaults()}, no flavors,
     * key variables not checked at load time.
     *
     * @param baseDirectory the folder of the team file
     * @return the defaults
     */
    public static TeamOptions defaults(Path baseDirectory) {
        return new TeamOptions(baseDirectory, Path.of("").toAbsolutePath(), System.getenv(), null,
                HttpClients.create(HttpConfig.defaults()), false, TeamResolver.defaults(), List.of(),
                TeamServices.none());
    }

    /**
     * The folder of the team file: relative {@code instruction_file}, memory and cache paths start here.
     *
     * @return the folder of the team file
     */
    public Path baseDirectory() {
        return baseDirectory;
    }

    /**
     * Where the tools work: the filesystem toolset's root, the shell's and scripts' directory, MCP servers'
     * working directory, what {@code add_environment_info} reports. Defaults to the process's working directory.
     *
     * @return where the tools work
     */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /**
     * Environment variables for expansion and key checks.
     *
     * @return environment variables for expansion and key checks
     */
    public Map<String, String> env() {
        return env;
    }

    /**
     * Runs shell and script commands: the one set with {@link #withCommandRunner}, or the host in
     * {@link #workingDirectory()}.
     *
     * @return the command runner
     */
    public CommandRunner commandRunner() {
        return commandRunner != null ? commandRunner : LocalCommandRunner.in(workingDirectory);
    }

    /**
     * Client of the HTTP tools (fetch, api, openapi, a2a).
     *
     * @return the HTTP client
     */
    public OkHttpClient httpClient() {
        return httpClient;
    }

    /**
     * Whether loading fails when a model's key variable is unset.
     *
     * @return whether key variables are checked at load time
     */
    public boolean checkKeys() {
        return checkKeys;
    }

    /**
     * Resolves Docker MCP catalog references and external agents when the team starts.
     *
     * @return the resolver
     */
    public TeamResolver resolver() {
        return resolver;
    }

    /**
     * The {@code flavors} of the file to apply, in order.
     *
     * @return the flavors to apply
     */
    public List<String> flavors() {
        return flavors;
    }

    /**
     * What the host application provides to a team's tools (knowledge-base access, sandboxes, embeddings).
     *
     * @return the host services
     */
    public TeamServices services() {
        return services;
    }

    /**
     * The same options for a file in another folder.
     *
     * @param dir the folder of the team file
     * @return a copy
     */
    public TeamOptions withBaseDirectory(Path dir) {
        return new TeamOptions(dir, workingDirectory, env, commandRunner, httpClient, checkKeys, resolver, flavors,
                services);
    }

    /**
     * The same options with tools working in {@code dir}.
     *
     * @param dir where the tools work
     * @return a copy
     */
    public TeamOptions withWorkingDirectory(Path dir) {
        return new TeamOptions(baseDirectory, dir, env, commandRunner, httpClient, checkKeys, resolver, flavors,
                services);
    }

    /**
     * The same options with another environment for expansion and key checks.
     *
     * @param env the environment
     * @return a copy
     */
    public TeamOptions withEnv(Map<String, String> env) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, httpClient, checkKeys, resolver,
                flavors, services);
    }

    /**
     * The same options with shell and script commands run by {@code runner} (a sandbox, for example).
     *
     * @param runner the command runner
     * @return a copy
     */
    public TeamOptions withCommandRunner(CommandRunner runner) {
        return new TeamOptions(baseDirectory, workingDirectory, env, Objects.requireNonNull(runner, "runner"),
                httpClient, checkKeys, resolver, flavors, services);
    }

    /**
     * The same options with another HTTP client for the HTTP tools.
     *
     * @param client the client (the caller keeps owning it)
     * @return a copy
     */
    public TeamOptions withHttpClient(OkHttpClient client) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, client, checkKeys, resolver,
                flavors, services);
    }

    /**
     * The same options, failing to load when a model's key variable is unset ({@code check}) or not.
     *
     * @param check whether to check key variables at load time
     * @return a copy
     */
    public TeamOptions withCheckKeys(boolean check) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, httpClient, check, resolver,
                flavors, services);
    }

    /**
     * The same options with another resolver for references outside the file.
     *
     * @param resolver the resolver
     * @return a copy
     */
    public TeamOptions withResolver(TeamResolver resolver) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, httpClient, checkKeys, resolver,
                flavors, services);
    }

    /**
     * The same options applying these {@code flavors} of the file, in order, each on top of the previous result
     * (docker-agent's {@code --flavor a --flavor b}). A flavor is a YAML patch the file declares under its top-level
     * {@code flavors}; it is applied before the file is read, so what it sets is checked like the rest of the file.
     * Names the file does not define are ignored, as docker-agent does, so one set can be enabled for many files;
     * {@link Team#flavors()} lists the ones applied. Replaces the flavors set before.
     *
     * <pre>{@code
     * Team team = Teams.load(file, TeamOptions.defaults(file.getParent()).withFlavors("cheap", "no_shell"));
     * }</pre>
     *
     * @param flavors flavor names, in the order to apply them
     * @return a copy
     */
    public TeamOptions withFlavors(String... flavors) {
        return withFlavors(List.of(flavors));
    }

    /**
     * The same options applying these {@code flavors} of the file, in order; see {@link #withFlavors(String...)}.
     *
     * @param flavors flavor names, in the order to apply them
     * @return a copy
     */
    public TeamOptions withFlavors(List<String> flavors) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, httpClient, checkKeys, resolver,
                flavors, services);
    }

    /**
     * The same options with these host services.
     *
     * @param services the services
     * @return a copy
     */
    public TeamOptions withServices(TeamServices services) {
        return new TeamOptions(baseDirectory, workingDirectory, env, commandRunner, httpClient, checkKeys, resolver,
                flavors, services);
    }

    /** Lists the variable names only; values may be secrets. */
    @Override
    public String toString() {
        return "TeamOptions[" + baseDirectory + ", workingDirectory=" + workingDirectory + ", env=" + env.size()
                + " variables, runner=" + commandRunner().describe() + ", checkKeys=" + checkKeys
                + (flavors.isEmpty() ? "" : ", flavors=" + flavors) + "]";
    }
}

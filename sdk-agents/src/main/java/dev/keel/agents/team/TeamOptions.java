package dev.keel.agents.team;

import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.http.HttpClients;
import dev.keel.core.http.HttpConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import okhttp3.OkHttpClient;

/**
 * What a team file cannot say: where relative paths start, the environment used for {@code $VAR} and
 * {@code ${env.X}}, where shell and script commands run, the HTTP client of fetch, and whether model key
 * variables must already be set at load time (by default they are not: keys are needed when a model is first
 * called, or checked up front with {@link Team#validate()}). Immutable.
 *
 * @param baseDirectory root for relative paths (memory files) and the filesystem toolset
 * @param env           environment variables for expansion and key checks
 * @param commandRunner runs shell and script commands
 * @param httpClient    client of the fetch toolset
 * @param checkKeys     fail to load when a model's key variable is unset (with the file and line of the model)
 */
public record TeamOptions(Path baseDirectory, Map<String, String> env, CommandRunner commandRunner,
                          OkHttpClient httpClient, boolean checkKeys) {
    /**
     * Creates the value, checking its components.
     *
     * @param baseDirectory root for relative paths (memory files) and the filesystem toolset
     * @param env environment variables for expansion and key checks
     * @param commandRunner runs shell and script commands
     * @param httpClient client of the fetch toolset
     * @param checkKeys fail when a model's key variable is unset
     */
    public TeamOptions {
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        Objects.requireNonNull(commandRunner, "commandRunner");
        Objects.requireNonNull(httpClient, "httpClient");
        baseDirectory = baseDirectory.toAbsolutePath().normalize();
    }

    /**
     * Defaults for a file in {@code baseDirectory}: the process environment, commands on the host in
     * that directory, a default HTTP client, key variables not checked at load time.
     *
     * @param baseDirectory the base directory
     * @return defaults for a file in {@code baseDirectory}: the process environment, commands on the host in that directory, a default HTTP client, key variables not checked at load time
     */
    public static TeamOptions defaults(Path baseDirectory) {
        return new TeamOptions(baseDirectory, System.getenv(), LocalCommandRunner.in(baseDirectory),
                HttpClients.create(HttpConfig.defaults()), false);
    }

    /**
     * The same options rooted at another directory (the command runner is kept as it is).
     *
     * @param dir the new base directory
     * @return the same options rooted at another directory
     */
    public TeamOptions withBaseDirectory(Path dir) {
        return new TeamOptions(dir, env, commandRunner, httpClient, checkKeys);
    }

    /**
     * The same options with another environment.
     *
     * @param env the variables the file may reference
     * @return the new options
     */
    public TeamOptions withEnv(Map<String, String> env) {
        return new TeamOptions(baseDirectory, env, commandRunner, httpClient, checkKeys);
    }

    /**
     * The same options with another command runner.
     *
     * @param runner runs the shell and script toolsets' commands
     * @return the new options
     */
    public TeamOptions withCommandRunner(CommandRunner runner) {
        return new TeamOptions(baseDirectory, env, runner, httpClient, checkKeys);
    }

    /**
     * The same options with another HTTP client.
     *
     * @param client the client for model providers and fetch tools
     * @return the new options
     */
    public TeamOptions withHttpClient(OkHttpClient client) {
        return new TeamOptions(baseDirectory, env, commandRunner, client, checkKeys);
    }

    /**
     * The same options with or without API key checks.
     *
     * @param check whether a missing API key fails loading
     * @return the new options
     */
    public TeamOptions withCheckKeys(boolean check) {
        return new TeamOptions(baseDirectory, env, commandRunner, httpClient, check);
    }

    /** Lists the variable names only; values may be secrets. */
    @Override
    public String toString() {
        return "TeamOptions[" + baseDirectory + ", env=" + env.size() + " variables, runner=" + commandRunner.describe()
                + ", checkKeys=" + checkKeys + "]";
    }
}

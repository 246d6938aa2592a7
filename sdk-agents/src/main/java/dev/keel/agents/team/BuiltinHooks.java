package dev.keel.agents.team;

import dev.keel.agents.hooks.Hook;
import dev.keel.agents.hooks.HookResult;
import dev.keel.agents.internal.PromptFiles;
import dev.keel.agents.internal.Secrets;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.models.ModelConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * docker-agent's built-in hooks ({@code type: builtin}), as Java hooks: context builders for
 * {@code turn_start} / {@code session_start} ({@code add_date}, {@code add_environment_info},
 * {@code add_prompt_files}, {@code add_git_status}, {@code add_git_diff}, {@code add_directory_listing},
 * {@code add_user_info}, {@code add_recent_commits}), a hard iteration cap ({@code max_iterations}), the tool
 * legs of {@code redact_secrets}, and {@code unload} (frees a Docker Model Runner model when the conversation
 * leaves the agent that used it). Stateless and thread-safe.
 */
final class BuiltinHooks {
    /** The builtins Keel has; {@code snapshot} (shadow git snapshots for docker-agent's undo) is not one. */
    static final Set<String> NAMES = Set.of("add_date", "add_environment_info", "add_prompt_files", "add_git_status",
            "add_git_diff", "add_directory_listing", "add_user_info", "add_recent_commits", "max_iterations",
            "redact_secrets", "unload");
    private static final int GIT_OUTPUT_CAP = 4096;

    private final Path workingDirectory;
    private final OkHttpClient http;
    private final Clock clock;

    BuiltinHooks(Path workingDirectory, OkHttpClient http, Clock clock) {
        this.workingDirectory = workingDirectory;
        this.http = http;
        this.clock = clock;
    }

    /**
     * The builtin called {@code name} with {@code args}; {@code models} gives each agent's model for
     * {@code unload}.
     *
     * @throws IllegalArgumentException when there is no such builtin or its arguments are wrong
     */
    Hook hook(String name, List<String> args, Map<String, ModelDefinition> models) {
        return switch (name) {
            case "add_date" -> input -> HookResult.context("Today's date: " + LocalDate.now(clock));
            case "add_environment_info" -> input -> HookResult.context(environment());
            case "add_prompt_files" -> {
                List<String> files = args.stream().filter(a -> !a.startsWith("--")).toList();
                int depth = args.stream().filter(a -> a.startsWith("--depth=")).findFirst()
                        .map(a -> positive(a.substring("--depth=".length()), name)).orElse(0);
                yield input -> {
                    String text = java.util.stream.Stream.of(PromptFiles.read(files, workingDirectory),
                            PromptFiles.below(files, workingDirectory, depth)).filter(t -> !t.isBlank())
                            .collect(java.util.stream.Collectors.joining("\n\n"));
                    return text.isBlank() ? HookResult.proceed() : HookResult.context(text);
                };
            }
            case "add_git_status" -> input -> gitContext("Git status", "git", "status", "--short", "--branch");
            case "add_git_diff" -> args.contains("full") ? input -> gitContext("Git diff", "git", "diff")
                    : input -> gitContext("Git diff summary", "git", "diff", "--stat");
            case "add_directory_listing" -> input -> HookResult.context(listing());
            case "add_user_info" -> input -> HookResult.context(userInfo());
            case "add_recent_commits" -> {
                int n = args.isEmpty() ? 10 : positive(args.get(0), name);
                yield input -> gitContext("Recent commits", "git", "log", "--oneline", "-n", String.valueOf(n));
            }
            case "max_iterations" -> {
                if (args.isEmpty()) {
                    throw new IllegalArgumentException("the max_iterations builtin needs args: [\"<N>\"]");
                }
                int max = positive(args.get(0), name);
                yield input -> {
                    long iteration = input.fields().get("iteration").flatMap(v -> v.asLong().isPresent()
                            ? java.util.Optional.of(v.asLong().getAsLong()) : java.util.Optional.empty()).orElse(0L);
                    return iteration > max ? HookResult.block("the max_iterations hook stops the run after " + max
                            + " model calls") : HookResult.proceed();
                };
            }
            case "redact_secrets" -> input -> {
                JsonObject redactedInput = (JsonObject) Secrets.redact(input.toolInput());
                HookResult r = HookResult.proceed();
                if (!redactedInput.equals(input.toolInput())) {
                    r = r.withUpdatedInput(redactedInput);
                }
                String response = input.text("tool_response").orElse(null);
                if (response != null && !Secrets.redact(response).equals(response)) {
                    r = r.withUpdatedToolResponse(Secrets.redact(response));
                }
                return r;
            };
            case "unload" -> input -> {
                String from = input.text("from_agent").orElse("");
                ModelDefinition m = models.get(from);
                if (m != null && m.config().provider().equals("dmr")) {
                    unload(m);
                }
                return HookResult.proceed();
            };
            default -> throw new IllegalArgumentException("no builtin hook '" + name + "'; the builtins are "
                    + new java.util.TreeSet<>(NAMES));
        };
    }

    private static int positive(String text, String name) {
        try {
            int n = Integer.parseInt(text.strip());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("the " + name + " builtin needs a positive whole number, not '" + text + "'");
    }

    private String environment() {
        boolean gitRepo = Files.isDirectory(workingDirectory.resolve(".git"));
        return "Environment:\n- working directory: " + workingDirectory + "\n- git repository: " + (gitRepo ? "yes" : "no")
                + "\n- operating system: " + System.getProperty("os.name") + "\n- CPU architecture: "
                + System.getProperty("os.arch");
    }

    private HookResult gitContext(String title, String... argv) {
        ExecResult r;
        try {
            CommandRunner git = LocalCommandRunner.in(workingDirectory);
            r = git.run(Command.of(argv).withTimeout(Duration.ofSeconds(20)));
        } catch (RuntimeException e) {
            return HookResult.proceed(); // no git: nothing to add, as docker-agent does
        }
        if (r.exitCode() != 0 || r.stdout().isBlank()) {
            return HookResult.proceed();
        }
        String out = r.stdout().strip();
        if (out.length() > GIT_OUTPUT_CAP) {
            out = out.substring(0, GIT_OUTPUT_CAP) + "\n[... cut at " + GIT_OUTPUT_CAP + " characters]";
        }
        return HookResult.context(title + ":\n" + out);
    }

    private String listing() {
        try (Stream<Path> entries = Files.list(workingDirectory)) {
            List<String> names = entries.map(p -> p.getFileName().toString() + (Files.isDirectory(p) ? "/" : ""))
                    .filter(n -> !n.startsWith(".")).sorted().toList();
            StringBuilder sb = new StringBuilder("Files in " + workingDirectory + ":");
            names.stream().limit(100).forEach(n -> sb.append("\n- ").append(n));
            if (names.size() > 100) {
                sb.append("\n... and ").append(names.size() - 100).append(" more");
            }
            return sb.toString();
        } catch (IOException e) {
            return "Files in " + workingDirectory + ": (cannot be listed)";
        }
    }

    private static String userInfo() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return "User: " + System.getProperty("user.name") + "\nHost: " + host;
    }

    /** POSTs {@code {"model": id}} to the model's Docker Model Runner unload endpoint; failures are ignored. */
    private void unload(ModelDefinition m) {
        ModelConfig c = m.config();
        String base = c.baseUrl() != null ? c.baseUrl() : "http://localhost:12434/engines/llama.cpp/v1";
        String path = m.extra().containsKey("unload_api") ? m.extra().get("unload_api").asString().orElse("/engines/_unload")
                : "/engines/_unload";
        String url = path.startsWith("http") ? path : base.replaceFirst("^(https?://[^/]+).*$", "$1") + path;
        Request request = new Request.Builder().url(url).post(RequestBody.create(
                JsonObject.of(Map.of("model", JsonValue.of(c.model()))).toJson(), MediaType.get("application/json"))).build();
        try (Response ignored = http.newBuilder().callTimeout(Duration.ofSeconds(10)).build().newCall(request).execute()) {
            // the answer does not matter: switching agents never waits on a slow or absent engine
        } catch (IOException | RuntimeException e) {
            // logged by nobody, as docker-agent does: an unload is best effort
        }
    }
}

package dev.keel.samples;

import dev.keel.agents.ConsoleView;
import dev.keel.agents.AgentListener;
import dev.keel.agents.team.Team;
import dev.keel.agents.team.TeamOptions;
import dev.keel.agents.team.Teams;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.LocalCommandRunner;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelResolver;
import dev.keel.testing.model.RecordedChatRequest;
import dev.keel.testing.model.ScriptedModelServer;
import dev.keel.testing.model.ScriptedReply;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * What the team samples share: choosing a model (OpenAI, Docker Model Runner, or a scripted replay when
 * neither is available), loading a team file from the classpath, and a console view of the event stream.
 */
final class TeamSampleSupport implements AutoCloseable {
    static final String DMR_URL = "http://localhost:12434/engines/llama.cpp/v1";

    final String mode;
    final Map<String, String> env;
    final ModelResolver resolver;
    private final ScriptedModelServer scripted;

    private TeamSampleSupport(String mode, Map<String, String> env, ModelResolver resolver, ScriptedModelServer scripted) {
        this.mode = mode;
        this.env = env;
        this.resolver = resolver;
        this.scripted = scripted;
    }

    /**
     * Picks the model: OPENAI_API_KEY → openai/gpt-5-mini (or KEEL_SAMPLE_MODEL); a reachable Docker Model
     * Runner → dmr/ai/qwen2.5; otherwise a scripted server that replays {@code script}.
     */
    static TeamSampleSupport choose(Function<RecordedChatRequest, ScriptedReply> script, PrintStream out) {
        return choose(script, out, SampleRecording.none());
    }

    /**
     * Like {@link #choose(Function, PrintStream)}; a replay starts no model server and resolves no model (every
     * model call is answered from the recording), and with {@code --record}/{@code --replay} the choice is
     * reported on standard error so that the transcript is the same in both runs.
     */
    static TeamSampleSupport choose(Function<RecordedChatRequest, ScriptedReply> script, PrintStream out,
                                    SampleRecording flags) {
        PrintStream info = flags.active() ? System.err : out;
        if (flags.replaying()) {
            Map<String, String> env = new HashMap<>(System.getenv());
            env.putAll(flags.replayedModelEnv());
            info.println("Replaying " + flags.replay() + ": no model server, no MCP server, no command is started.\n");
            ModelResolver none = config -> {
                throw new IllegalStateException("model " + config.reference() + " was needed during a replay");
            };
            return new TeamSampleSupport("replay of " + flags.replay(), env, none, null);
        }
        return chooseLive(script, info);
    }

    private static TeamSampleSupport chooseLive(Function<RecordedChatRequest, ScriptedReply> script, PrintStream out) {
        Map<String, String> env = new HashMap<>(System.getenv());
        if (env.getOrDefault("OPENAI_API_KEY", "").isBlank() && !dmrReachable()) {
            out.println("No model configured: set OPENAI_API_KEY or start Docker Model Runner on "
                    + "localhost:12434. Replaying a scripted run instead.\n");
            return scripted(script, env);
        }
        if (!env.getOrDefault("OPENAI_API_KEY", "").isBlank()) {
            env.putIfAbsent("KEEL_SAMPLE_PROVIDER", "openai");
            env.putIfAbsent("KEEL_SAMPLE_MODEL", "gpt-5-mini");
        } else {
            env.putIfAbsent("KEEL_SAMPLE_PROVIDER", "dmr");
            env.putIfAbsent("KEEL_SAMPLE_MODEL", "ai/qwen2.5");
        }
        String mode = env.get("KEEL_SAMPLE_PROVIDER") + "/" + env.get("KEEL_SAMPLE_MODEL");
        out.println("Using model " + mode + "\n");
        return new TeamSampleSupport(mode, env, ModelRegistry.builder().environment(env).build(), null);
    }

    /** Always the scripted replay, whatever the environment holds (what the tests use). */
    static TeamSampleSupport scripted(Function<RecordedChatRequest, ScriptedReply> script) {
        return scripted(script, new HashMap<>(System.getenv()));
    }

    private static TeamSampleSupport scripted(Function<RecordedChatRequest, ScriptedReply> script, Map<String, String> env) {
        ScriptedModelServer server = ScriptedModelServer.start();
        server.respondWith(script);
        env.put("KEEL_SAMPLE_PROVIDER", "scripted");
        env.put("KEEL_SAMPLE_MODEL", "replay");
        return new TeamSampleSupport("scripted replay", env, server.models(), server);
    }

    /** The requests the scripted server received, oldest first; empty when a real model is used. */
    List<RecordedChatRequest> scriptedRequests() {
        return scripted == null ? List.of() : scripted.requests();
    }

    /** Loads a team file shipped in this module's resources, rooted at {@code workspace}. */
    Team load(String resource, Path workspace, CommandRunner runner) {
        return load(resource, workspace, runner, null);
    }

    /** Loads {@code replacement} if not null, else the team file shipped as {@code resource}. */
    Team load(String resource, Path workspace, CommandRunner runner, Path replacement) {
        try (InputStream in = replacement != null ? Files.newInputStream(replacement)
                : TeamSampleSupport.class.getResourceAsStream("/teams/" + resource)) {
            String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            TeamOptions options = TeamOptions.defaults(workspace).withWorkingDirectory(workspace).withEnv(env).withCommandRunner(runner)
                    .withCheckKeys(scripted == null);
            return Teams.parse(yaml, resource, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Team load(String resource, Path workspace) {
        return load(resource, workspace, LocalCommandRunner.in(workspace));
    }

    Team load(String resource, Path workspace, Path replacement) {
        return load(resource, workspace, LocalCommandRunner.in(workspace), replacement);
    }

    private static boolean dmrReachable() {
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(Duration.ofMillis(500)).build();
        try (Response r = client.newCall(new Request.Builder().url(DMR_URL + "/models").build()).execute()) {
            return r.isSuccessful();
        } catch (IOException e) {
            return false;
        } finally {
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }

    /** The library's live tree view. */
    static AgentListener consoleView(PrintStream out) {
        return ConsoleView.to(out);
    }

    /** Number of tool results so far in a request: how far an agent is in its scripted conversation. */
    static long step(RecordedChatRequest request) {
        return request.messages().stream().filter(m -> m instanceof dev.keel.core.message.ToolResultMessage).count();
    }

    @Override
    public void close() {
        if (resolver instanceof ModelRegistry registry) {
            registry.close();
        }
        if (scripted != null) {
            scripted.close();
        }
    }
}

package dev.keel.agents;

import dev.keel.agents.internal.recording.Normalizer;
import dev.keel.agents.internal.recording.RecordingFile;
import dev.keel.agents.internal.recording.SecretCheck;
import dev.keel.agents.recording.CheckedResource;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordingException;
import dev.keel.agents.recording.RecordingSecretException;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.ConfiguredToolset;
import dev.keel.agents.toolsets.FetchToolset;
import dev.keel.agents.toolsets.ScriptToolset;
import dev.keel.agents.toolsets.ShellToolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.core.secrets.SecretScanner;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import okhttp3.Interceptor;
import okhttp3.Response;

/**
 * Records a whole run of an agent team into one file, or replays a run from one: every model call (with its
 * streamed text), every tool call with its arguments and result, every delegation, handoff and approval
 * decision, the commands the agents' shell and script toolsets ran and the requests their fetch toolsets made
 * (recorded without any wrapping: the runner does it), the messages of ended background jobs and due schedules told
 * between model calls, and — through the hooks below — what your own tools run and fetch and the permission checks
 * of retrievals. Each step is tagged with agent, session, turn and call index.
 *
 * <pre>{@code
 * try (Runner runner = team.runner().recording(Recording.record(Path.of("release-notes.run.yaml"))).build()) {
 *     runner.run("Write the release notes");                  // live; written when the runner closes
 * }
 * try (Runner runner = team.runner().recording(Recording.replay(Path.of("release-notes.run.yaml"))).build()) {
 *     runner.run("Write the release notes");                  // no model, no MCP server, no command run
 * }
 * }</pre>
 *
 * <p><b>Modes.</b> {@link Mode#RECORD} runs everything live and writes the file when the runner closes.
 * {@link Mode#REPLAY} answers every model call, tool call and approval from the file: no model is resolved,
 * no toolset is started (an MCP server's tools are listed from the file), no command runs. Delegations and
 * handoffs still run — they are the team's own loop — and their steps are answered from the file in turn.
 * {@link Mode#REPLAY_MODELS} answers model calls only; tools and approvals run live. {@link Mode#NEW_EPISODES}
 * replays what the file has and runs live, and records, what it does not (a new run, or a run that went
 * further), then rewrites the file.
 *
 * <p><b>Recalls.</b> Whether a background job ended or a schedule came due before a model call is a matter of
 * timing, so each message told is a step ({@link RecordedStep.JobRecall}, {@link RecordedStep.ScheduleFire}) and
 * every replay mode tells the recorded ones at their recorded points, whatever the clock or the jobs do. What live
 * jobs and schedules tell during a replay is taken and never added: it is checked against the recorded recall of the
 * same job or schedule, and one the recording lacks or whose text differs is a divergence. A replay that never
 * reaches a recorded recall, or whose session stops before its recorded model calls do, fails when it closes.
 *
 * <p><b>Durable runs.</b> A session keeps its recording label and turn count in its state (key
 * {@code keel.recording}), which the session store saves with it. A run that suspends for a decision is recorded up
 * to the suspension; the runner that resumes it — after a restart, in another process — continues the same file
 * with {@link #newEpisodes(Path)}: the decision and the steps after it are added with the numbering the session
 * kept, and the file then replays the whole run in one go, the recorded decision answering the approval. (Resume
 * before that runner starts other sessions: a new session takes the first free label, which may be the one the
 * resumed session was given.)
 *
 * <p><b>Matching.</b> A model call matches the recorded call at the same agent session and turn when the
 * model, options, tools and messages are equal after normalisation; a tool call matches when its tool and
 * arguments are equal. Tolerated, and nothing else: tool-call ids, ISO timestamps, the
 * {@linkplain Builder#workspaceRoot workspace roots} (a temporary directory of the recording run and of the
 * replay compare equal), redacted secrets, your {@linkplain Builder#normalize normalise patterns}, and the
 * order in which parallel tool calls and delegations finish (steps are keyed by session, turn and call index,
 * never by arrival). The first step that does not match fails the run with a
 * {@link RecordingDivergenceException} naming agent, session and turn, with a diff.
 *
 * <p><b>Secrets.</b> Every text is redacted as it is captured (the values of key environment variables, the
 * secrets and patterns you name). Before writing, the whole recording is scanned for what still looks like a
 * key; if anything does, nothing is written and a {@link RecordingSecretException} names the step and field.
 * The file is written atomically: a crash never leaves a partial recording.
 *
 * <p>docker-agent's {@code --record} cassettes can be replayed with {@link Mode#REPLAY_MODELS} (they hold model
 * calls only; {@link RecordedRun#unusedFields()} lists what is not used).
 *
 * <p>One recording serves one runner. Thread-safe. Closing (the runner closes it) writes in the recording
 * modes; closing twice is harmless.
 */
public final class Recording implements AutoCloseable {
    /** What a recording does with the run. */
    public enum Mode {
        /** Run live and record every step; the file is (re)written on close. */
        RECORD,
        /** Answer model calls, tool calls and approvals from the file; nothing outside the JVM runs. */
        REPLAY,
        /** Answer model calls from the file; tools and approvals run live. */
        REPLAY_MODELS,
        /** Replay what the file has, run and record what it does not, and rewrite the file on close. */
        NEW_EPISODES
    }

    private final Path file;
    private final Mode mode;
    private final List<String> workspaceRoots;
    private final Normalizer normalizer;
    private final UnaryOperator<OutputStream> writeDecorator;
    private final RecordedRun loaded;
    private final Object lock = new Object();
    private final Interceptor fetchInterceptor = this::recordFetch;
    private RecordingSteps steps;
    private boolean closed;

    private Recording(Builder b) {
        file = b.file;
        mode = b.mode;
        workspaceRoots = b.workspaceRoots.stream().map(p -> p.toAbsolutePath().normalize().toString()).toList();
        SecretScanner.Builder scanner = SecretScanner.builder().environment(b.environment);
        b.keyEnvVars.forEach(scanner::keyEnvVar);
        b.secrets.forEach(scanner::secret);
        normalizer = new Normalizer(scanner.build(), b.redactPatterns, b.normalizePatterns);
        writeDecorator = b.writeDecorator;
        if (mode == Mode.RECORD || (mode == Mode.NEW_EPISODES && !Files.exists(file))) {
            loaded = new RecordedRun(RecordedRun.Source.KEEL, workspaceRoots, List.of(), List.of(), List.of());
        } else {
            loaded = RecordingFile.read(file);
            if (loaded.source() == RecordedRun.Source.DOCKER_AGENT && mode != Mode.REPLAY_MODELS) {
                throw new IllegalArgumentException("recording " + file + " is a docker-agent cassette: it holds model "
                        + "calls only, so it can be replayed with Recording.replayModels(path) (tools run live), "
                        + "not in mode " + mode);
            }
        }
    }

    /**
     * Records a run into {@code file} (written when the runner closes).
     *
     * @param file the recording file
     * @return a recording in mode {@link Mode#RECORD}
     */
    public static Recording record(Path file) {
        return builder(file, Mode.RECORD).build();
    }

    /**
     * Replays a run from {@code file}: model, tools and approvals answered from it.
     *
     * @param file the recording file
     * @return a recording in mode {@link Mode#REPLAY}
     * @throws RecordingException when the file is missing or is not a recording
     */
    public static Recording replay(Path file) {
        return builder(file, Mode.REPLAY).build();
    }

    /**
     * Replays the model calls of {@code file} (a Keel recording or a docker-agent cassette); tools run live.
     *
     * @param file the recording file
     * @return a recording in mode {@link Mode#REPLAY_MODELS}
     * @throws RecordingException when the file is missing or is not a recording
     */
    public static Recording replayModels(Path file) {
        return builder(file, Mode.REPLAY_MODELS).build();
    }

    /**
     * Replays what {@code file} has and records what it does not (the file need not exist yet).
     *
     * @param file the recording file
     * @return a recording in mode {@link Mode#NEW_EPISODES}
     */
    public static Recording newEpisodes(Path file) {
        return builder(file, Mode.NEW_EPISODES).build();
    }

    /**
     * Starts configuring a recording of {@code file} in {@code mode}.
     *
     * @param file the recording file
     * @param mode what to do with the run
     * @return a builder
     */
    public static Builder builder(Path file, Mode mode) {
        return new Builder(file, mode);
    }

    /**
     * The file.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }

    /**
     * The mode.
     *
     * @return the mode
     */
    public Mode mode() {
        return mode;
    }

    /**
     * The workspace roots of this run, as absolute paths.
     *
     * @return the workspace roots of this run, as absolute paths
     */
    public List<String> workspaceRoots() {
        return workspaceRoots;
    }

    /**
     * A command runner that records every command it runs — argv, exit code, output — as a step of the tool
     * call that ran it. The shell and script toolsets of a recorded runner's agents are recorded without it
     * (the runner wraps their command runners itself); use it for commands your own tools run. In
     * {@link Mode#REPLAY} tool calls are answered from the file, so the wrapped runner is never called.
     * Wrapping a runner this recording already wraps returns it unchanged.
     *
     * @param runner where commands run (the host, a sandbox)
     * @return a runner that runs through {@code runner} and records each command
     */
    public CommandRunner commands(CommandRunner runner) {
        Objects.requireNonNull(runner, "runner");
        return runner instanceof RecordedCommands ? runner : new RecordedCommands(runner);
    }

    /** A command runner whose commands this recording captures; recognised so nothing is recorded twice. */
    private final class RecordedCommands implements CommandRunner {
        private final CommandRunner runner;

        RecordedCommands(CommandRunner runner) {
            this.runner = runner;
        }

        @Override
        public ExecResult run(Command command, OutputListener listener) {
            ExecResult r = runner.run(command, listener);
            RecordingSteps s = bound();
            if (s != null) {
                s.subStep(tag -> new RecordedStep.CommandRun(tag, runner.describe(), command.argv(), r.exitCode(),
                        r.stdout(), r.stderr(), r.timedOut()));
            }
            return r;
        }

        @Override
        public String describe() {
            return runner.describe();
        }

        @Override
        public String toString() {
            return "recorded " + runner;
        }
    }

    /**
     * {@code toolset} with its commands and fetches recorded: a shell or script toolset running through
     * {@link #commands}, a fetch toolset whose client carries {@link #fetches()}, a configured toolset around
     * one of these likewise; any other toolset (and one already recorded) as it is. The runner applies this to
     * every toolset of every agent when it records, so a team's own toolsets need no wrapping by hand.
     */
    Toolset observed(Toolset toolset) {
        if (toolset instanceof ShellToolset shell && !(shell.runner() instanceof RecordedCommands)) {
            return shell.wrapRunner(this::commands); // every setting kept, sudo askpass included
        }
        if (toolset instanceof ScriptToolset script && !(script.runner() instanceof RecordedCommands)) {
            return ScriptToolset.builder(commands(script.runner())).scripts(script.commands())
                    .timeout(script.timeout()).build();
        }
        if (toolset instanceof FetchToolset fetch && !fetch.client().interceptors().contains(fetchInterceptor)) {
            // every setting kept (host rules, private addresses, headers), only the client observed
            return fetch.withClient(fetch.client().newBuilder().addInterceptor(fetchInterceptor).build());
        }
        if (toolset instanceof ConfiguredToolset configured) {
            Toolset inner = observed(configured.delegate());
            // every setting kept: the name keys its recorded tools, the model picks the next call's model
            return inner == configured.delegate() ? configured : ConfiguredToolset.builder(inner)
                    .only(configured.only()).instruction(configured.instructionOverride())
                    .readOnlyOnly(configured.readOnlyOnly()).name(configured.name())
                    .model(configured.model().orElse(null)).build();
        }
        return toolset;
    }

    /**
     * An OkHttp interceptor that records the method, URL and status of every request made through its client,
     * as a step of the tool call that made it. The fetch toolsets of a recorded runner's agents carry it without
     * being asked; add it to the clients your own tools use. Always the same instance.
     *
     * @return the recording's interceptor
     */
    public Interceptor fetches() {
        return fetchInterceptor;
    }

    private Response recordFetch(Interceptor.Chain chain) throws IOException {
        String method = chain.request().method();
        String url = chain.request().url().toString();
        Response response;
        try {
            response = chain.proceed(chain.request());
        } catch (IOException | RuntimeException e) {
            RecordingSteps s = bound();
            if (s != null) {
                s.subStep(tag -> new RecordedStep.HttpFetch(tag, method, url, -1));
            }
            throw e;
        }
        RecordingSteps s = bound();
        if (s != null) {
            int status = response.code();
            s.subStep(tag -> new RecordedStep.HttpFetch(tag, method, url, status));
        }
        return response;
    }

    /**
     * Records a permission filter's decision as a step of the tool call during which it ran: who asked, for
     * which permission, and each checked resource's outcome. Pass resource ids only, never document text.
     * (sdk-authz's {@code PostFilter} reports its decisions to an observer that can call this.)
     *
     * @param checked each checked resource and its outcome, in the order checked
     * @param permission the permission checked, for example {@code read}
     * @param subject who asked, for example {@code user:emilia}
     */
    public void permissionChecked(String subject, String permission, List<CheckedResource> checked) {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(permission, "permission");
        List<CheckedResource> copy = List.copyOf(checked);
        RecordingSteps s = bound();
        if (s != null) {
            s.subStep(tag -> new RecordedStep.PermissionCheck(tag, subject, permission, copy));
        }
    }

    /**
     * What the recording holds now: the file's steps, and in the recording modes the steps captured so far,
     * in the file's order.
     *
     * @return what the recording holds now: the file's steps, and in the recording modes the steps captured so far, in
     *     the file's order
     */
    public RecordedRun recorded() {
        RecordingSteps s = bound();
        return s == null ? loaded : s.snapshot();
    }

    /**
     * The first divergence of a replay, if the run left the recording.
     *
     * @return the first divergence of a replay, if the run left the recording
     */
    public Optional<RecordingDivergenceException> divergence() {
        RecordingSteps s = bound();
        return s == null ? Optional.empty() : s.divergence();
    }

    /**
     * Writes the file in {@link Mode#RECORD} (always) and {@link Mode#NEW_EPISODES} (when something new was
     * recorded and the run did not diverge). Idempotent.
     *
     * @throws RecordingSecretException when something that looks like a secret is left after redaction (nothing
     *                                  is written)
     * @throws RecordingDivergenceException in the replay modes, unless the replay already diverged: when the
     *                                  recording tells the message of an ended background job or a due schedule at
     *                                  a point the replay never reached, or a session the replay ran has recorded
     *                                  model calls after its last one (its run ended early)
     * @throws RecordingException       when the file cannot be written
     */
    @Override
    public void close() {
        RecordingSteps s;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = steps;
        }
        if (s != null && mode != Mode.NEW_EPISODES) {
            // a recorded recall never told, a replayed session that stopped short of its recording
            s.unfinished().ifPresent(e -> {
                throw e;
            });
        }
        boolean write = mode == Mode.RECORD
                || (mode == Mode.NEW_EPISODES && s != null && s.hasNewSteps() && s.divergence().isEmpty());
        if (!write) {
            return;
        }
        RecordedRun run = s == null ? loaded : s.snapshot();
        SecretCheck.scan(run, normalizer.scanner());
        RecordingFile.write(file, RecordingFile.toYaml(run), writeDecorator);
    }

    RecordingSteps bind() {
        synchronized (lock) {
            if (steps != null) {
                throw new IllegalStateException("recording " + file + " already serves a runner; use one recording per runner");
            }
            if (closed) {
                throw new IllegalStateException("recording " + file + " is closed");
            }
            steps = new RecordingSteps(this);
            return steps;
        }
    }

    private RecordingSteps bound() {
        synchronized (lock) {
            return steps;
        }
    }

    RecordedRun loaded() {
        return loaded;
    }

    Normalizer normalizer() {
        return normalizer;
    }

    @Override
    public String toString() {
        return "Recording[" + mode + " " + file + (workspaceRoots.isEmpty() ? "" : ", workspaces=" + workspaceRoots) + "]";
    }

    /** Builder for {@link Recording}. Not thread-safe. */
    public static final class Builder {
        private final Path file;
        private final Mode mode;
        private final List<Path> workspaceRoots = new ArrayList<>();
        private final List<String> secrets = new ArrayList<>();
        private final List<String> keyEnvVars = new ArrayList<>();
        private final List<Pattern> redactPatterns = new ArrayList<>();
        private final List<Pattern> normalizePatterns = new ArrayList<>();
        private Function<String, String> environment = System::getenv;
        private UnaryOperator<OutputStream> writeDecorator = UnaryOperator.identity();

        private Builder(Path file, Mode mode) {
            this.file = Objects.requireNonNull(file, "file");
            this.mode = Objects.requireNonNull(mode, "mode");
        }

        /**
         * A directory the run works in (a temporary workspace, a checkout): its path is compared as
         * {@code <workspace:N>}, so a replay in another directory still matches, and results replayed to the
         * model name the replay's directory. Give the roots in the same order when recording and replaying.
         *
         * @param root the directory
         * @return this builder
         */
        public Builder workspaceRoot(Path root) {
            workspaceRoots.add(Objects.requireNonNull(root, "root"));
            return this;
        }

        /**
         * A literal secret (at least 8 characters) replaced by {@code <REDACTED>} wherever it appears.
         *
         * @param secret the secret value
         * @return this builder
         */
        public Builder redact(String secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.strip().length() < SecretScanner.MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException("a secret to redact must have at least "
                        + SecretScanner.MIN_SECRET_LENGTH + " characters");
            }
            secrets.add(secret);
            return this;
        }

        /**
         * A pattern replaced by {@code <REDACTED>} wherever it matches.
         *
         * @param pattern the pattern
         * @return this builder
         */
        public Builder redactPattern(Pattern pattern) {
            redactPatterns.add(Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /**
         * Environment variables whose values are redacted, besides the usual key variables.
         *
         * @param names the variables' names
         * @return this builder
         */
        public Builder keyEnvVar(String... names) {
            for (String n : names) {
                keyEnvVars.add(Objects.requireNonNull(n, "name"));
            }
            return this;
        }

        /**
         * A pattern that matching ignores (replaced by {@code <normalized>} on both sides).
         *
         * @param pattern the pattern
         * @return this builder
         */
        public Builder normalize(Pattern pattern) {
            normalizePatterns.add(Objects.requireNonNull(pattern, "pattern"));
            return this;
        }

        /**
         * How environment variables are read for redaction (default: the process environment).
         *
         * @param environment reads a variable by name, {@code null} when unset
         * @return this builder
         */
        public Builder environment(Function<String, String> environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** Wraps the stream the file is written through (for tests that simulate a crash mid-write). */
        Builder writeDecorator(UnaryOperator<OutputStream> decorator) {
            this.writeDecorator = Objects.requireNonNull(decorator, "decorator");
            return this;
        }

        /**
         * The recording; replay modes read the file now.
         *
         * @return the recording; replay modes read the file now
         * @throws RecordingException       when a replay mode's file is missing or is not a recording
         * @throws IllegalArgumentException when a docker-agent cassette is to be replayed other than model-only
         */
        public Recording build() {
            return new Recording(this);
        }
    }
}

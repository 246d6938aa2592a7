package dev.keel.agents;

import dev.keel.agents.approval.Approver;
import dev.keel.agents.approval.Permissions;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.approval.Safety;
import dev.keel.agents.hooks.Hooks;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.ChatModel;
import dev.keel.core.models.ModelComposer;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelSpec;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelResolver;
import dev.keel.core.observe.Telemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an agent team. Holds what a team needs at run time — resolved models, the approval policy, a
 * thread pool for parallel tool calls and delegations, event subscriptions — and closes every toolset of
 * every agent (MCP servers included) and every model it resolved when closed.
 *
 * <pre>{@code
 * try (Runner runner = Runner.builder(root).approver(myApprover).build();
 *      AgentEvents.Subscription live = runner.events().subscribe(ConsoleView::render)) {
 *     AgentResult result = runner.run("Create a bank app");
 * }
 * }</pre>
 *
 * <p>Events have one way in: {@link #events()}{@code .subscribe(listener)}, for every run of this runner
 * (foreground or {@link #start background}); close the subscription to stop.
 *
 * <p>Thread-safe: several sessions may run concurrently; one session runs one turn at a time.
 */
public final class Runner implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Runner.class);

    private final Agent root;
    private final Map<String, Agent> agents;
    private final RunSettings settings;
    private final Steps steps;
    private final ModelResolver resolver;
    private final boolean ownsResolver;
    private final boolean ownsExecutor;
    private final List<AgentListener> listeners = new CopyOnWriteArrayList<>();
    private final Map<ModelSpec, ChatModel> models = new ConcurrentHashMap<>();
    private final boolean sessionCompaction;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Recording recording;
    private final Budgets budgets;
    private final DurableRuns durable;

    private Runner(Builder b) {
        root = b.root;
        agents = index(root, b.extraAgents);
        ownsExecutor = b.executor == null;
        ExecutorService executor = ownsExecutor ? Executors.newCachedThreadPool(daemonThreads()) : b.executor;
        Approver approver = b.approver != null ? b.approver : b.sessions != null ? Approver.SUSPEND : Approver.DENY_ALL;
        settings = new RunSettings(b.permissions, b.yolo, approver, b.clock, b.workingDirectory, b.maxToolResultChars,
                b.prices, executor, b.hooks, b.safety);
        recording = b.recording;
        List<StepInterceptor> interceptors = new ArrayList<>(b.interceptors);
        if (b.telemetry != null) {
            // Outermost: every step is traced as the other interceptors answer it.
            interceptors.add(0, new TracingSteps(b.telemetry, settings));
        }
        if (recording != null) {
            // Innermost: tracing and other interceptors see steps as the recording answers them.
            RecordingSteps recorded = recording.bind();
            interceptors.add(recorded);
            listeners.add(recorded::onEvent);
        }
        steps = new Steps(interceptors);
        for (Budgets.Named n : b.namedBudgets.values()) {
            for (String name : n.agents()) {
                if (!agents.containsKey(name)) {
                    throw new IllegalArgumentException("budget '" + n.name() + "' names agent '" + name
                            + "', which the runner does not know; its agents are " + agents.keySet());
                }
            }
        }
        budgets = new Budgets(b.budgets, List.copyOf(b.namedBudgets.values()), b.clock);
        durable = b.sessions == null ? null : new DurableRuns(b.sessions, b.clock);
        ownsResolver = b.resolver == null;
        resolver = ownsResolver ? ModelRegistry.defaults() : b.resolver;
        sessionCompaction = b.sessionCompaction;
    }

    /**
     * A runner for {@code root} with default settings (no approver: calls that need asking are denied).
     *
     * @param root the root agent
     * @return a runner for {@code root} with default settings
     */
    public static Runner create(Agent root) {
        return builder(root).build();
    }

    /**
     * Starts a runner for {@code root}.
     *
     * @param root the root
     * @return the builder
     */
    public static Builder builder(Agent root) {
        return new Builder(root);
    }

    /**
     * The root agent.
     *
     * @return the root agent
     */
    public Agent root() {
        return root;
    }

    /**
     * The event stream of every run, as subscriptions that can be closed.
     *
     * @return the event stream of every run
     */
    public AgentEvents events() {
        return listener -> {
            Objects.requireNonNull(listener, "listener");
            AgentListener registered = listener::onEvent; // a distinct instance, so subscribing twice is two subscriptions
            listeners.add(registered);
            return () -> listeners.remove(registered);
        };
    }

    /**
     * Runs {@code input} in a new session and waits for the answer.
     *
     * @param input the user's message
     * @return the run's result
     */
    public AgentResult run(String input) {
        return run(Session.create(), input);
    }

    /**
     * Adds {@code input} to {@code session} as a user message and runs the session's current agent (the
     * root for a new session) until it answers.
     *
     * @param session the session to continue
     * @param input the user's message
     * @return the run's result
     * @throws AgentException when the model fails, a toolset cannot start, or the run is cancelled;
     *                        the session keeps everything that happened before the failure
     */
    public AgentResult run(Session session, String input) {
        return foreground(session).runTop(session, input);
    }

    private AgentLoop foreground(Session session) {
        RunHandle handle = new RunHandle();
        handle.started(Thread.currentThread());
        return new AgentLoop(this, handle, session);
    }

    /**
     * Continues {@code session}'s run that waits on a tool call ({@link AgentResult.StopReason#SUSPENDED}) with
     * {@code decision}: exactly the stored call runs (or is denied), the model is not asked again, and the run
     * goes on. The decision is recorded in {@link Session#decisions()}.
     *
     * @param session the suspended session
     * @param token the token of the pending call ({@link Session#pendingApproval()})
     * @param decision who decided what, and why
     * @return the result, or again {@code SUSPENDED} at the next call that needs a decision
     * @throws AgentException.ResumeRefused when the session waits on no call, or on another one, or the progress of a
     *                                      workflow it stores does not fit this runner's agents (nothing runs then)
     */
    public AgentResult resume(Session session, String token, Decision decision) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(decision, "decision");
        checkOpen();
        String invalid = WorkflowRun.check(session, this::agentNamed);
        if (invalid != null) {
            throw new AgentException.ResumeRefused(invalid);
        }
        DurableRuns.decide(session, token, decision, settings.clock());
        return foreground(session).resumeTop(session);
    }

    /**
     * Continues {@code session}'s run from its last step, after the process running it died or the run failed in
     * the middle of a turn: the model's last reply is not asked for again, and tools whose results were recorded
     * do not run again (a tool that was still running when the process died runs again; use
     * {@link dev.keel.agents.tool.ToolContext#callId()} as an idempotency key).
     *
     * @param session the session (for example from {@link Session#fromJson(String)})
     * @return the result
     */
    public AgentResult recover(Session session) {
        Objects.requireNonNull(session, "session");
        checkOpen();
        String invalid = WorkflowRun.check(session, this::agentNamed);
        if (invalid != null) {
            throw new AgentException(invalid);
        }
        return foreground(session).resumeTop(session);
    }

    /**
     * Runs {@code input} as the next user turn of the stored session {@code sessionId} (a new one when there is
     * none), saving every step to the runner's {@link Builder#sessions session store}. A tool call that needs
     * asking suspends the run (unless an approver answers it): the outcome then carries the token that
     * {@link #resume(String, Decision)} takes, in this process or any other.
     *
     * @param sessionId the session
     * @param input the user's message
     * @return the outcome: completed, or suspended at a call that needs approval
     * @throws IllegalStateException when the runner has no session store
     * @throws dev.keel.agents.session.SessionConflictException when another instance saved the session meanwhile
     * @throws AgentException when the session waits for a decision or a recovery, or the run fails
     */
    public RunOutcome run(String sessionId, String input) {
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(input, "input");
        return durable().run(durableRunner(), sessionId, input);
    }

    /**
     * Decides the stored call that {@code token} belongs to and continues its run, in any process sharing the
     * session store: exactly the stored call runs (never a new model answer), the decision is recorded (who,
     * when, why), and the run goes on. Of two resumes with one token, the second is refused.
     *
     * @param token the token from {@link RunOutcome.Suspended#token()}
     * @param decision who decided what, and why
     * @return the outcome
     * @throws AgentException.ResumeRefused when the token matches no pending call (already resumed, decided, or
     *                                      not a token)
     */
    public RunOutcome resume(String token, Decision decision) {
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(decision, "decision");
        return durable().resume(durableRunner(), token, decision);
    }

    /**
     * Continues the stored session's run from its last saved step after the process running it died (see
     * {@link #recover(Session)}).
     *
     * @param sessionId the session
     * @return the outcome
     */
    public RunOutcome recover(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        return durable().recover(durableRunner(), sessionId);
    }

    private DurableRuns durable() {
        checkOpen();
        if (durable == null) {
            throw new IllegalStateException("this runner has no session store (Runner.Builder.sessions)");
        }
        return durable;
    }

    private DurableRuns.AgentRunner durableRunner() {
        return new DurableRuns.AgentRunner() {
            @Override
            public AgentResult runSession(Session session, String input) {
                return run(session, input);
            }

            @Override
            public AgentResult resumeSession(Session session, String token, Decision decision) {
                return resume(session, token, decision);
            }

            @Override
            public AgentResult recoverSession(Session session) {
                return recover(session);
            }
        };
    }

    /**
     * Ends a session for the hooks: runs the {@code session_end} hooks of its current agent (the runner's first,
     * {@code reason: other}). The session itself stays usable; Keel keeps nothing per session to release.
     *
     * @param session the session
     */
    public void endSession(Session session) {
        Objects.requireNonNull(session, "session");
        checkOpen();
        Agent current = session.currentAgent().map(this::agentNamed).orElse(root);
        new RunHooks(new HookDispatch(this)).sessionEnd(current, session, "other");
    }

    /**
     * Runs a named prompt of the session's current agent (the root for a new session), as docker-agent's
     * {@code /command}: with {@link AgentCommand#agent()} the session first switches to that agent; the
     * instruction is sent with {@code $1}, {@code $2}, … and {@code $ARGUMENTS} replaced by {@code args}; a
     * command without an instruction sends the arguments as the prompt.
     *
     * @param session the session
     * @param command the command's name, with or without a leading {@code /}
     * @param args    the command's arguments
     * @return the run's result
     * @throws IllegalArgumentException when the agent has no such command, or the command only opens a URL
     *                                  (a host does that: {@link Agent#commands()})
     */
    public AgentResult runCommand(Session session, String command, String... args) {
        Objects.requireNonNull(session, "session");
        String name = command.startsWith("/") ? command.substring(1) : command;
        Agent current = session.currentAgent().map(this::agentNamed).orElse(root);
        AgentCommand c = current.commands().get(name);
        if (c == null) {
            java.util.Optional<dev.keel.agents.skills.Skill> skill = current.skills().find(name);
            if (skill.isPresent()) {
                // docker-agent's /<skill> command: the agent is asked to use the skill, with the arguments as its input
                String joined = String.join(" ", args);
                return run(session, "Use the skill '" + name + "'" + (joined.isBlank() ? "." : " for: " + joined));
            }
            throw new IllegalArgumentException("agent '" + current.name() + "' has no command or skill '" + name
                    + "'; its commands are " + current.commands().keySet());
        }
        if (c.instruction().isBlank() && c.agent() == null) {
            throw new IllegalArgumentException("command '" + name + "' opens " + c.url().replace("{{session_id}}",
                    session.id()) + " in a browser, which the host application does");
        }
        if (c.agent() != null) {
            if (agentNamed(c.agent()) == null) {
                throw new IllegalArgumentException("command '" + name + "' switches to agent '" + c.agent()
                        + "', which the runner does not know");
            }
            session.currentAgent(c.agent());
        }
        String joined = String.join(" ", args);
        String prompt = c.instruction().isBlank() ? joined : expandArguments(c.instruction(), args, joined);
        if (prompt.isBlank()) {
            throw new IllegalArgumentException("command '" + name + "' switches to agent '" + c.agent()
                    + "' and needs the prompt to send it as arguments");
        }
        return run(session, prompt);
    }

    /**
     * Compacts {@code session} now, as docker-agent's {@code /compact}: the older part of the conversation is
     * summarised by the current agent's compaction model ({@link Agent#compaction()}) and the next calls carry the
     * summary instead; the most recent turns stay verbatim. Works whether or not automatic compaction is enabled.
     * Hooks on {@code pre_compact} / {@code before_compaction} may veto it or supply the summary.
     *
     * @param session the session, not running
     * @return what was compacted, or empty when there was nothing to compact or a hook vetoed it
     * @throws AgentException when the compaction model fails or gives no summary; the session is left as it was
     * @throws IllegalStateException when the session is running or the runner is closed
     */
    public java.util.Optional<AgentEvent.SessionCompacted> compact(Session session) {
        Objects.requireNonNull(session, "session");
        checkOpen();
        session.begin();
        try {
            Agent agent = session.currentAgent().map(this::agentNamed).orElse(root);
            RunHooks hooks = new RunHooks(new HookDispatch(this));
            long overhead = dev.keel.agents.internal.ContextTokens.estimate(
                    dev.keel.core.message.Message.system(SystemPrompt.of(agent, settings, this::agentNamed)));
            long before = session.contextTokens(overhead);
            java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
            java.util.Optional<AgentEvent.SessionCompacted> done = new Compactor(this, hooks).compact(agent, session,
                    Compaction.Reason.MANUAL, before, overhead, failure::set);
            if (failure.get() != null) {
                throw failure.get() instanceof AgentException a ? a
                        : new AgentException("compaction failed: " + failure.get().getMessage(), failure.get());
            }
            return done;
        } finally {
            session.end();
        }
    }

    /** Whether agents may compact sessions automatically ({@link Builder#sessionCompaction(boolean)}). */
    boolean sessionCompaction() {
        return sessionCompaction;
    }

    private static String expandArguments(String instruction, String[] args, String joined) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(ARGUMENTS|\\d+)").matcher(instruction);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v;
            if (m.group(1).equals("ARGUMENTS")) {
                v = joined;
            } else {
                int i = Integer.parseInt(m.group(1));
                v = i >= 1 && i <= args.length ? args[i - 1] : "";
            }
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Starts {@code input} on a runner thread and returns at once: {@link RunHandle#await()} for the result,
     * {@link RunHandle#cancel()} to stop. Its events reach the runner's {@link #events()} subscribers
     * (subscribe before starting to see them all).
     *
     * @param input the input
     * @param session the session
     * @return the builder
     */
    public RunHandle start(Session session, String input) {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(input, "input");
        checkOpen();
        RunHandle handle = new RunHandle();
        try {
            settings.executor().execute(steps.propagate(() -> {
                handle.started(Thread.currentThread());
                try {
                    handle.complete(new AgentLoop(this, handle, session).runTop(session, input));
                } catch (Throwable t) {
                    handle.fail(t);
                } finally {
                    Thread.interrupted();
                }
            }));
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("runner is closed", e);
        }
        return handle;
    }

    /**
     * Starts {@code input} in a new session.
     *
     * @param input the user's message
     * @return a handle to follow and await the run
     */
    public RunHandle start(String input) {
        return start(Session.create(), input);
    }

    void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("runner is closed");
        }
    }

    Agent agentNamed(String name) {
        return agents.get(name);
    }

    java.util.Collection<Agent> agents() {
        return agents.values();
    }

    RunSettings settings() {
        return settings;
    }

    Steps steps() {
        return steps;
    }

    Budgets budgets() {
        return budgets;
    }

    void emit(AgentEvent event) {
        for (AgentListener l : listeners) {
            try {
                l.onEvent(event);
            } catch (RuntimeException e) {
                log.warn("agent listener {} failed on {}", l, event.getClass().getSimpleName(), e);
            }
        }
    }

    /** The agent's model: its instance, or its configuration resolved once and kept until the runner closes. */
    ChatModel model(Agent agent) {
        if (agent.model() instanceof AgentModel.Instance instance) {
            return instance.model();
        }
        return model(((AgentModel.Configured) agent.model()).spec(), agent.name());
    }

    /**
     * A model spec resolved once (a combination through a {@link ModelComposer} over the runner's resolver) and kept
     * until the runner closes; {@code user} names who needs it.
     */
    ChatModel model(ModelSpec spec, String user) {
        try {
            return models.computeIfAbsent(spec, c -> {
                ChatModel m = spec instanceof ModelConfig config ? resolver.resolve(config)
                        : ModelComposer.over(resolver).resolve(spec);
                if (m == null) {
                    throw new AgentException("model resolver returned nothing for '" + spec.label() + "'");
                }
                return m;
            });
        } catch (AgentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new AgentException("cannot resolve model '" + spec.label() + "' of agent '" + user + "': "
                    + e.getMessage(), e);
        }
    }

    /** Closes every toolset of every agent once; later runs fail. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Map<Toolset, Boolean> seen = new IdentityHashMap<>();
        for (Agent a : agents.values()) {
            for (Toolset t : a.toolsets()) {
                if (seen.put(t, Boolean.TRUE) == null) {
                    try {
                        t.close();
                    } catch (Exception e) {
                        log.warn("closing toolset {} failed", t.name(), e);
                    }
                }
            }
        }
        for (ChatModel m : models.values()) {
            try {
                m.close();
            } catch (RuntimeException e) {
                log.warn("closing model {} failed", m.id(), e);
            }
        }
        if (ownsResolver && resolver instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing the model registry failed", e);
            }
        }
        if (ownsExecutor) {
            settings.executor().shutdownNow();
        }
        if (recording != null) {
            recording.close();
        }
    }

    @Override
    public String toString() {
        return "Runner[root=" + root.name() + ", agents=" + agents.keySet() + (settings.yolo() ? ", yolo" : "")
                + (closed.get() ? ", closed" : "") + "]";
    }

    /**
     * Every agent reachable from the root (and from {@code extra}), by name; two different agents with one name
     * are an error, and so is a handoff name no known agent has.
     */
    private static Map<String, Agent> index(Agent root, List<Agent> extra) {
        Map<String, Agent> byName = new LinkedHashMap<>();
        Deque<Agent> todo = new ArrayDeque<>(List.of(root));
        todo.addAll(extra);
        while (!todo.isEmpty()) {
            Agent a = todo.pop();
            Agent known = byName.putIfAbsent(a.name(), a);
            if (known == null) {
                todo.addAll(a.subAgents());
                todo.addAll(a.handoffs());
                a.workflow().ifPresent(w -> todo.addAll(w.agents()));
            } else if (!known.equals(a)) {
                throw new IllegalArgumentException("two different agents are named '" + a.name() + "'");
            }
        }
        for (Agent a : byName.values()) {
            for (String target : a.handoffTargets()) {
                if (byName.containsKey(target) && byName.get(target).workflow().isPresent()) {
                    throw new IllegalArgumentException("agent '" + a.name() + "' hands off to workflow agent '" + target
                            + "'; a workflow agent runs as a runner's root, a sub-agent or a workflow step");
                }
            }
            a.forceHandoff().filter(t -> byName.containsKey(t) && byName.get(t).workflow().isPresent()).ifPresent(t -> {
                throw new IllegalArgumentException("agent '" + a.name() + "' forces a handoff to workflow agent '" + t
                        + "'; a workflow agent runs as a runner's root, a sub-agent or a workflow step");
            });
            for (String target : a.handoffNames()) {
                if (!byName.containsKey(target)) {
                    throw new IllegalArgumentException("agent '" + a.name() + "' hands off to '" + target
                            + "', which the runner does not know; add it with Runner.Builder.agents(...)");
                }
            }
            a.forceHandoff().filter(t -> !byName.containsKey(t)).ifPresent(t -> {
                throw new IllegalArgumentException("agent '" + a.name() + "' forces a handoff to '" + t
                        + "', which the runner does not know; add it with Runner.Builder.agents(...)");
            });
        }
        return Collections.unmodifiableMap(byName);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "keel-agents-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Builder for {@link Runner}. Setters replace what was set before. Not thread-safe. */
    public static final class Builder {
        private final Agent root;
        private Permissions permissions = Permissions.none();
        private boolean yolo;
        private Approver approver;
        private ModelResolver resolver;
        private final List<StepInterceptor> interceptors = new ArrayList<>();
        private Clock clock = Clock.systemDefaultZone();
        private Path workingDirectory = Path.of("").toAbsolutePath();
        private boolean sessionCompaction = true;
        private int maxToolResultChars = 100_000;
        private final Map<String, ModelPrice> prices = new HashMap<>();
        private ExecutorService executor;
        private Recording recording;
        private Telemetry telemetry;
        private SessionStore sessions;
        private final Map<Budget.Scope, Budget> budgets = new EnumMap<>(Budget.Scope.class);
        private final Map<String, Budgets.Named> namedBudgets = new java.util.LinkedHashMap<>();
        private Hooks hooks = Hooks.none();
        private Safety safety = Safety.BALANCED;
        private final List<Agent> extraAgents = new ArrayList<>();

        private Builder(Agent root) {
            this.root = Objects.requireNonNull(root, "root");
        }

        /**
         * Team-level permission patterns, merged with each agent's own.
         *
         * @param permissions the patterns
         * @return this builder
         */
        public Builder permissions(Permissions permissions) {
            this.permissions = Objects.requireNonNull(permissions, "permissions");
            return this;
        }

        /**
         * Approves every tool call that no deny pattern refuses (deny still wins).
         *
         * @param yolo whether to approve every call not denied
         * @return this builder
         */
        public Builder yolo(boolean yolo) {
            this.yolo = yolo;
            return this;
        }

        /**
         * Whether agents compact their sessions automatically as their {@link Agent#compaction()} says (default
         * true); false turns automatic compaction off for every agent ({@link Runner#compact(Session)} still works),
         * as docker-agent's runtime-wide switch does.
         *
         * @param enabled whether automatic compaction may run
         * @return this builder
         */
        public Builder sessionCompaction(boolean enabled) {
            this.sessionCompaction = enabled;
            return this;
        }

        /**
         * Answers tool calls that need asking. Default: {@link Approver#DENY_ALL}, or {@link Approver#SUSPEND} when
         * the runner has a {@link #sessions session store}.
         *
         * @param approver the approver
         * @return this builder
         */
        public Builder approver(Approver approver) {
            this.approver = Objects.requireNonNull(approver, "approver");
            return this;
        }

        /**
         * Resolves the agents' model configurations ({@code openai/gpt-5}, a team file's {@code models}) into
         * models, for example a {@link ModelRegistry} with your providers and environment, or a test's scripted
         * model server ({@code team.runner().models(llm.models())}). The caller keeps owning {@code resolver};
         * the models it resolves are closed with the runner. Default: a {@link ModelRegistry#defaults()}
         * over the process environment, owned and closed by the runner. Keys are read when a model is first
         * needed.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder models(ModelResolver resolver) {
            this.resolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Clock for {@code add_date}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Directory reported by {@code add_environment_info}.
         *
         * @param dir the directory
         * @return this builder
         */
        public Builder workingDirectory(Path dir) {
            this.workingDirectory = Objects.requireNonNull(dir, "dir").toAbsolutePath();
            return this;
        }

        /**
         * Longest tool result passed to the model (default 100 000 characters); longer results are cut
         * with a note saying how much was dropped, so one huge file cannot blow the context window.
         *
         * @param max the max
         * @return this builder
         */
        public Builder maxToolResultChars(int max) {
            if (max <= 0) {
                throw new IllegalArgumentException("maxToolResultChars must be positive, was " + max);
            }
            this.maxToolResultChars = max;
            return this;
        }

        /**
         * Price of a model, keyed by {@code provider/model} (or a model instance's {@code id()}).
         *
         * @param model the reference, {@code provider/model}, or the model instance's id
         * @param price the price
         * @return this builder
         */
        public Builder price(String model, ModelPrice price) {
            prices.put(Objects.requireNonNull(model, "model"), Objects.requireNonNull(price, "price"));
            return this;
        }

        /**
         * Threads for background runs, parallel tool calls and delegations; the caller keeps ownership.
         *
         * @param executor threads for background runs, parallel tool calls and delegations; the caller keeps
         *     ownership
         * @return this builder
         */
        public Builder executor(ExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Records the run into a file, or replays it from one (see {@link Recording}): for example
         * {@code team.runner().recording(Recording.replay(Path.of("run.yaml"))).build()}. The runner closes the
         * recording when it closes, which writes the file in the recording modes.
         *
         * @param recording the recording; one recording serves one runner
         * @return this builder
         */
        public Builder recording(Recording recording) {
            this.recording = Objects.requireNonNull(recording, "recording");
            return this;
        }

        /**
         * Traces every run as OpenTelemetry spans (GenAI semantic conventions) and counts tokens, cost, tool latency
         * and run outcomes as metrics. A run started inside the host's current span continues its trace; model
         * requests carry its {@code traceparent}. Default: no telemetry.
         *
         * @param telemetry where spans and metrics go
         * @return this builder
         */
        public Builder telemetry(Telemetry telemetry) {
            this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
            return this;
        }

        /**
         * Hooks that run for every agent of the run, before each agent's own (replaces).
         *
         * @param hooks the hooks
         * @return this builder
         */
        public Builder hooks(Hooks hooks) {
            this.hooks = Objects.requireNonNull(hooks, "hooks");
            return this;
        }

        /**
         * Keeps sessions in {@code store}: {@link Runner#run(String, String)}, {@link Runner#resume(String, Decision)}
         * and {@link Runner#recover(String)} load, save at every step and claim sessions there. With a store, calls
         * that need asking suspend the run unless an {@link #approver approver} is set. The caller keeps owning
         * the store.
         *
         * @param store the store
         * @return this builder
         */
        public Builder sessions(SessionStore store) {
            this.sessions = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * The safety mode of agents that set none (default {@link Safety#BALANCED}); {@link #yolo} overrides every
         * agent's mode.
         *
         * @param safety the mode
         * @return this builder
         */
        public Builder safety(Safety safety) {
            this.safety = Objects.requireNonNull(safety, "safety");
            return this;
        }

        /**
         * Limits tokens and cost per run, per session or for the whole team (replacing the budget of that scope);
         * see {@link Budget}.
         *
         * @param scope what the budget applies to
         * @param budget the limits
         * @return this builder
         */
        public Builder budget(Budget.Scope scope, Budget budget) {
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(budget, "budget");
            if (scope != Budget.Scope.RUN && budget.limitsTime()) {
                throw new IllegalArgumentException("a time limit applies to a run or a named budget, not to the "
                        + scope + " scope: " + budget);
            }
            budgets.put(scope, budget);
            return this;
        }

        /**
         * A named budget (docker-agent's {@code budgets}): charged, in each run, with the tokens and cost of
         * {@code agents}' model calls and the time they spend in their turns; once spent, those agents stop (a
         * delegating agent gets the sub-agent's stop as its tool result and goes on). Replaces a budget of the same
         * name.
         *
         * @param name the budget's name, as events report it
         * @param budget the limits
         * @param agents the names of the agents charged to it; each must be an agent of the runner
         * @return this builder
         */
        public Builder budget(String name, Budget budget, java.util.Collection<String> agents) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(budget, "budget");
            java.util.Set<String> members = java.util.Set.copyOf(agents);
            if (name.isBlank() || members.isEmpty()) {
                throw new IllegalArgumentException("a named budget needs a name and at least one agent");
            }
            namedBudgets.put(name, new Budgets.Named(name, budget, members));
            return this;
        }

        /**
         * Agents the run may reach by name only ({@link Agent#handoffNames()}, {@link Agent#forceHandoff()})
         * besides those reachable from the root (replaces). A team's runner knows all its agents.
         *
         * @param agents the agents
         * @return this builder
         */
        public Builder agents(java.util.Collection<Agent> agents) {
            List<Agent> copy = List.copyOf(agents);
            extraAgents.clear();
            extraAgents.addAll(copy);
            return this;
        }

        /** Adds a step interceptor (package-private seam for recording, tracing and durable steps). */
        Builder interceptor(StepInterceptor interceptor) {
            interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
            return this;
        }

        /**
         * The runner.
         *
         * @return the runner
         */
        public Runner build() {
            return new Runner(this);
        }
    }
}

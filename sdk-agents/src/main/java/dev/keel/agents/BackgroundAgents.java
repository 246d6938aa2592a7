package dev.keel.agents;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * docker-agent's {@code background_agents} toolset: an agent hands a task to one of its sub-agents and goes on
 * without waiting. {@code run_background_agent(agent, task, expected_output)} starts the sub-agent on the runner's
 * executor, in a session forked from the caller's (as {@code transfer_task} does), and returns a task id at once;
 * {@code list_background_agents()} lists the tasks, {@code view_background_agent(task_id)} returns a task's state and,
 * once it ended, its answer or error, {@code wait_background_agents(task_ids, timeout_seconds)} waits for tasks to end
 * and returns their answers, {@code stop_background_agent(task_id)} cancels one. The sub-agent's usage counts for the
 * caller's session and its events reach the run's listeners. At most {@value #MAX_RUNNING} tasks run at once and
 * {@value #MAX_TASKS} are kept. Closing the toolset (the runner closes it) cancels every running task and waits for
 * it. Thread-safe. Create with {@link #create()}.
 */
public final class BackgroundAgents implements Toolset {
    /** Tasks that may run at once. */
    public static final int MAX_RUNNING = 20;
    /** Tasks kept, running or ended; the oldest ended ones are dropped first. */
    public static final int MAX_TASKS = 100;
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    private static final int MAX_WAIT_SECONDS = 600;

    private final Map<String, Task> tasks = new LinkedHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private boolean closed;

    private BackgroundAgents() {}

    /**
     * A toolset with no tasks yet.
     *
     * @return the toolset
     */
    public static BackgroundAgents create() {
        return new BackgroundAgents();
    }

    /** Runs a sub-agent's task to its end; what {@code transfer_task} runs, on another thread. */
    @FunctionalInterface
    interface Starter {
        ToolResult run(Agent subAgent, String task, String expectedOutput);
    }

    /** One background task. */
    private static final class Task {
        final String id;
        final String agent;
        final String task;
        final long started = System.nanoTime();
        final CountDownLatch ended = new CountDownLatch(1);
        volatile Thread thread;
        volatile ToolResult result;
        volatile boolean stopped;

        Task(String id, String agent, String task) {
            this.id = id;
            this.agent = agent;
            this.task = task;
        }

        String state() {
            ToolResult r = result;
            return stopped ? "stopped" : r == null ? "running" : r.error() ? "failed" : "completed";
        }

        boolean running() {
            return ended.getCount() > 0;
        }

        /** Stops the task: one that has not started yet never will, a running one is interrupted. */
        synchronized void interrupt() {
            stopped = true;
            Thread running = thread;
            if (running != null) {
                running.interrupt();
            }
        }

        String describe() {
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            StringBuilder sb = new StringBuilder("Task ID: " + id + "\nAgent: " + agent + "\nStatus: " + state()
                    + "\nRuntime: " + seconds + "s\n--- Output ---\n");
            ToolResult r = result;
            if (stopped) {
                sb.append("<task was stopped>");
            } else if (r == null) {
                sb.append("<still running>");
            } else {
                sb.append(r.content().isEmpty() ? "<no output>" : r.content());
            }
            return sb.toString();
        }
    }

    @Override
    public String name() {
        return "background_agents";
    }

    @Override
    public String instructions() {
        return "Use run_background_agent to hand independent tasks to your sub-agents and keep working while they run; "
                + "collect their answers with view_background_agent or wait_background_agents before you answer.";
    }

    /** The tools as listed outside an agent's run: each call says so. Inside a run they are bound by the loop. */
    @Override
    public List<Tool> tools() {
        return specs().stream().map(s -> (Tool) new Unbound(this, s.spec(), s.readOnly())).toList();
    }

    private record Spec(ToolSpec spec, boolean readOnly) {}

    private static List<Spec> specs() {
        JsonSchema taskId = JsonSchema.object().required("task_id", JsonSchema.string("The background task's ID"))
                .build();
        return List.of(
                new Spec(ToolSpec.of("run_background_agent", "Start one of your sub-agents on a task in the background "
                        + "and return the task's ID at once.", JsonSchema.object()
                        .required("agent", JsonSchema.string("The name of the sub-agent to run"))
                        .required("task", JsonSchema.string("A clear and concise description of the task"))
                        .optional("expected_output", JsonSchema.string("The expected output (optional)")).build()), true),
                new Spec(ToolSpec.of("list_background_agents", "List the background tasks with their state.",
                        JsonSchema.object().build()), true),
                new Spec(ToolSpec.of("view_background_agent", "Show a background task's state and, once it ended, "
                        + "its answer.", taskId), true),
                new Spec(ToolSpec.of("wait_background_agents", "Wait until background tasks end and return their "
                        + "answers.", JsonSchema.object()
                        .optional("task_ids", JsonSchema.array(JsonSchema.string())
                                .describedAs("The tasks to wait for; all running ones when absent"))
                        .optional("timeout_seconds", JsonSchema.integer("The longest to wait (default 60, at most "
                                + MAX_WAIT_SECONDS + ")")).build()), true),
                new Spec(ToolSpec.of("stop_background_agent", "Stop a background task.", taskId), true));
    }

    /** A tool of this toolset before the agent loop binds it to the calling agent. */
    static final class Unbound implements Tool {
        private final BackgroundAgents owner;
        private final ToolSpec spec;
        private final boolean readOnly;

        Unbound(BackgroundAgents owner, ToolSpec spec, boolean readOnly) {
            this.owner = owner;
            this.spec = spec;
            this.readOnly = readOnly;
        }

        @Override
        public ToolSpec spec() {
            return spec;
        }

        @Override
        public boolean readOnly() {
            return readOnly;
        }

        @Override
        public ToolResult call(ToolArguments arguments, ToolContext context) {
            return ToolResult.error(spec.name() + " works only inside an agent's run, where it can start sub-agents");
        }

        /** The tool for {@code agent}'s run: tasks start on {@code executor} through {@code starter}. */
        Tool bind(Agent agent, ExecutorService executor, Starter starter) {
            return Tool.of(spec, readOnly, (args, ctx) -> owner.call(spec.name(), args, agent, executor, starter));
        }

        @Override
        public String toString() {
            return "Tool[" + spec.name() + ", background_agents]";
        }
    }

    private ToolResult call(String tool, ToolArguments args, Agent agent, ExecutorService executor, Starter starter)
            throws InterruptedException {
        return switch (tool) {
            case "run_background_agent" -> start(args, agent, executor, starter);
            case "list_background_agents" -> list();
            case "view_background_agent" -> {
                Task t = task(args.string("task_id"));
                yield t == null ? unknown(args.string("task_id")) : ToolResult.ok(t.describe());
            }
            case "wait_background_agents" -> await(args);
            case "stop_background_agent" -> stop(args.string("task_id"));
            default -> ToolResult.error("unknown tool " + tool);
        };
    }

    private ToolResult start(ToolArguments args, Agent agent, ExecutorService executor, Starter starter) {
        String name = args.string("agent");
        String work = args.string("task");
        if (work.isBlank()) {
            return ToolResult.error("task is empty");
        }
        List<String> names = agent.subAgents().stream().map(Agent::name).toList();
        Agent sub = agent.subAgents().stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
        if (sub == null) {
            return ToolResult.error("agent '" + name + "' is not a sub-agent of '" + agent.name() + "'; "
                    + (names.isEmpty() ? "it has no sub-agents" : "choose one of " + names));
        }
        String expected = args.string("expected_output", "");
        Task t;
        synchronized (tasks) {
            if (closed) {
                return ToolResult.error("the background agents toolset is closed");
            }
            if (tasks.values().stream().filter(Task::running).count() >= MAX_RUNNING) {
                return ToolResult.error("already " + MAX_RUNNING + " background tasks running; wait for or stop one");
            }
            if (tasks.size() >= MAX_TASKS) {
                tasks.values().stream().filter(x -> !x.running()).findFirst().ifPresent(x -> tasks.remove(x.id));
                if (tasks.size() >= MAX_TASKS) {
                    return ToolResult.error("already " + MAX_TASKS + " background tasks kept; stop some first");
                }
            }
            t = new Task("agent_task_" + counter.incrementAndGet(), name, work);
            tasks.put(t.id, t);
            try {
                executor.execute(() -> {
                    try {
                        synchronized (t) {
                            if (t.stopped) {
                                return; // stopped before it started
                            }
                            t.thread = Thread.currentThread();
                        }
                        t.result = starter.run(sub, work, expected);
                    } catch (AgentException.Cancelled e) {
                        t.stopped = true;
                    } catch (RuntimeException e) {
                        t.result = ToolResult.error("agent '" + name + "' failed: " + e.getMessage());
                    } finally {
                        synchronized (t) {
                            t.thread = null;
                            Thread.interrupted(); // the pool's thread goes back clean
                        }
                        t.ended.countDown();
                    }
                });
            } catch (RejectedExecutionException e) {
                tasks.remove(t.id);
                return ToolResult.error("cannot start a background task: the runner is closing");
            }
        }
        return ToolResult.ok("Background agent task started with ID: " + t.id + "\nAgent: " + name + "\nTask: " + work);
    }

    private Task task(String id) {
        synchronized (tasks) {
            return tasks.get(id);
        }
    }

    private static ToolResult unknown(String id) {
        return ToolResult.error("no background task " + id + "; list_background_agents lists them");
    }

    private ToolResult list() {
        List<Task> all;
        synchronized (tasks) {
            all = new ArrayList<>(tasks.values());
        }
        if (all.isEmpty()) {
            return ToolResult.ok("No background agent tasks.");
        }
        StringBuilder sb = new StringBuilder();
        for (Task t : all) {
            sb.append(t.id).append(" [").append(t.state()).append("] ").append(t.agent).append(": ").append(t.task)
                    .append('\n');
        }
        return ToolResult.ok(sb.toString());
    }

    private ToolResult await(ToolArguments args) throws InterruptedException {
        long timeout = args.integer("timeout_seconds", 60);
        if (timeout < 0 || timeout > MAX_WAIT_SECONDS) {
            return ToolResult.error("timeout_seconds must be between 0 and " + MAX_WAIT_SECONDS + "; got " + timeout);
        }
        List<Task> wanted = new ArrayList<>();
        if (args.has("task_ids")) {
            for (String id : args.strings("task_ids")) {
                Task t = task(id);
                if (t == null) {
                    return unknown(id);
                }
                wanted.add(t);
            }
        } else {
            synchronized (tasks) {
                tasks.values().stream().filter(Task::running).forEach(wanted::add);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
        for (Task t : wanted) {
            t.ended.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        if (wanted.isEmpty()) {
            return ToolResult.ok("No background agent tasks are running.");
        }
        StringBuilder sb = new StringBuilder();
        for (Task t : wanted) {
            sb.append(t.describe()).append("\n\n");
        }
        return ToolResult.ok(sb.toString().strip());
    }

    private ToolResult stop(String id) throws InterruptedException {
        Task t = task(id);
        if (t == null) {
            return unknown(id);
        }
        if (!t.running()) {
            return ToolResult.ok("Task " + id + " already ended [" + t.state() + "]");
        }
        t.interrupt();
        return t.ended.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                ? ToolResult.ok("Task " + id + " stopped.")
                : ToolResult.error("task " + id + " did not stop within " + STOP_WAIT.toSeconds() + " s");
    }

    /** Cancels every running task and waits for it to end. Closing twice is harmless. */
    @Override
    public void close() {
        List<Task> running;
        synchronized (tasks) {
            closed = true;
            running = tasks.values().stream().filter(Task::running).toList();
        }
        running.forEach(Task::interrupt);
        boolean interrupted = false;
        for (Task t : running) {
            try {
                if (!t.ended.await(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    org.slf4j.LoggerFactory.getLogger(BackgroundAgents.class)
                            .warn("background task {} did not end within {} s of close", t.id, STOP_WAIT.toSeconds());
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        synchronized (tasks) {
            return "BackgroundAgents[" + tasks.size() + " tasks" + (closed ? ", closed" : "") + "]";
        }
    }
}

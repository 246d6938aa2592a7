package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.exec.Command;
import dev.keel.core.exec.CommandRunner;
import dev.keel.core.exec.ExecResult;
import dev.keel.core.exec.OutputListener;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * docker-agent's {@code background_jobs} toolset: shell commands that keep running while the agent goes on.
 * {@code run_background_job(cmd, cwd)} starts {@code sh -c cmd} through the team's {@link CommandRunner} and returns a
 * job id at once; {@code list_background_jobs()} lists the jobs with their state, {@code view_background_job(job_id)}
 * returns a job's output so far (stdout and stderr, the first {@value #OUTPUT_LIMIT} bytes) and its exit code once it
 * ended, {@code stop_background_job(job_id)} kills it and every process it started. At most
 * {@value #MAX_RUNNING} jobs run at once. Closing the toolset (the runner closes it) kills every job still running and
 * waits for them, so no process outlives the runner. Thread-safe.
 *
 * <p><b>Recall</b> (docker-agent's {@code recall: true}, {@link #of(CommandRunner, Map, Duration, boolean)}):
 * {@code run_background_job} takes a {@code recall} flag, and when a job started with {@code recall: true} ends
 * (completed, failed, timed out or stopped with {@code stop_background_job}) a {@link Recall} for the session that
 * started it is kept until the agent loop takes it ({@link #takeRecalls(String)}): the loop adds it to the
 * conversation as a user message before its next model call, or, when the run has already ended, at the start of the
 * session's next run. Jobs killed because the toolset closes are not recalled: no run can follow.
 */
public final class BackgroundJobsToolset implements Toolset {
    /** Bytes of output kept per job. */
    public static final int OUTPUT_LIMIT = 1 << 20;
    /** Jobs that may run at once. */
    public static final int MAX_RUNNING = 20;
    /** Characters of a job's output (its end) that a recall message carries. */
    public static final int RECALL_OUTPUT_LIMIT = 16 * 1024;
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private final CommandRunner runner;
    private final Map<String, String> env;
    private final Duration timeout;
    private final boolean recall;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final List<Recall> recalls = new ArrayList<>();
    private final AtomicInteger counter = new AtomicInteger();
    private boolean closed;

    private BackgroundJobsToolset(CommandRunner runner, Map<String, String> env, Duration timeout, boolean recall) {
        this.runner = Objects.requireNonNull(runner, "runner");
        this.env = Map.copyOf(env);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.recall = recall;
    }

    /**
     * Jobs run through {@code runner} with {@code env}; each is killed after {@code timeout} if still running.
     *
     * @param runner where commands run (the host, a sandbox)
     * @param env variables added to each job's environment
     * @param timeout the longest a job may run
     * @return the toolset
     */
    public static BackgroundJobsToolset of(CommandRunner runner, Map<String, String> env, Duration timeout) {
        return new BackgroundJobsToolset(runner, env, timeout, false);
    }

    /**
     * Like {@link #of(CommandRunner, Map, Duration)}; with {@code recall}, {@code run_background_job} offers the
     * {@code recall} flag and a job started with it is recalled to its session when it ends (docker-agent's
     * {@code recall: true}).
     *
     * @param runner where commands run (the host, a sandbox)
     * @param env variables added to each job's environment
     * @param timeout the longest a job may run
     * @param recall whether jobs may ask to be recalled when they end
     * @return the toolset
     */
    public static BackgroundJobsToolset of(CommandRunner runner, Map<String, String> env, Duration timeout,
                                           boolean recall) {
        return new BackgroundJobsToolset(runner, env, timeout, recall);
    }

    /**
     * A job started with {@code recall: true} that ended, waiting to be told to the session that started it.
     *
     * @param sessionId the session whose tool call started the job
     * @param jobId the job's id
     * @param command the job's command
     * @param state how it ended: {@code completed}, {@code failed}, {@code timed out} or {@code stopped}
     * @param exitCode its exit code, or -1 when it has none (it could not start, or was stopped)
     * @param message the message for the model: the job, how it ended, and the end of its output (at most
     *                {@value #RECALL_OUTPUT_LIMIT} characters of it)
     */
    public record Recall(String sessionId, String jobId, String command, String state, int exitCode, String message) {
        /**
         * Checks the components.
         *
         * @param sessionId the session whose tool call started the job
         * @param jobId the job's id
         * @param command the job's command
         * @param state how it ended
         * @param exitCode its exit code, or -1
         * @param message the message for the model
         */
        public Recall {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(jobId, "jobId");
            Objects.requireNonNull(command, "command");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            // The message (the job's output) stays out of logs.
            return "Recall[" + jobId + " " + state + " exit " + exitCode + ", session " + sessionId + "]";
        }
    }

    /**
     * Takes the recalls of jobs started in session {@code sessionId} or in a session delegated from it (whose id
     * starts with {@code sessionId + "/"}), in the order the jobs ended; each recall is taken once. The agent loop
     * calls this before each model call.
     *
     * @param sessionId the session about to call its model
     * @return the recalls, oldest first; empty when there are none
     */
    public List<Recall> takeRecalls(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (jobs) {
            if (recalls.isEmpty()) {
                return List.of();
            }
            List<Recall> taken = new ArrayList<>();
            recalls.removeIf(r -> {
                boolean mine = r.sessionId().equals(sessionId) || r.sessionId().startsWith(sessionId + "/");
                if (mine) {
                    taken.add(r);
                }
                return mine;
            });
            return taken;
        }
    }

    /** One job: its command, its output so far, and its outcome once it ended. */
    private static final class Job implements OutputListener {
        final String id;
        final String cmd;
        final String sessionId;
        final boolean recall;
        final long started = System.nanoTime();
        final StringBuilder output = new StringBuilder();
        // The end of the output, past the kept limit too: what a recall shows.
        final StringBuilder tail = new StringBuilder();
        long total;
        int bytes;
        volatile Thread thread;
        volatile ExecResult result;
        volatile String failure;
        volatile boolean stopped;

        Job(String id, String cmd, String sessionId, boolean recall) {
            this.id = id;
            this.cmd = cmd;
            this.sessionId = sessionId;
            this.recall = recall;
        }

        @Override
        public void onStdout(byte[] chunk) {
            append(chunk);
        }

        @Override
        public void onStderr(byte[] chunk) {
            append(chunk);
        }

        private synchronized void append(byte[] chunk) {
            int room = OUTPUT_LIMIT - bytes;
            if (room > 0) {
                int n = Math.min(room, chunk.length);
                output.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                bytes += n;
            }
            if (recall) {
                int from = Math.max(0, chunk.length - RECALL_OUTPUT_LIMIT);
                String s = new String(chunk, from, chunk.length - from, StandardCharsets.UTF_8);
                total += chunk.length;
                tail.append(s);
                if (tail.length() > 2 * RECALL_OUTPUT_LIMIT) {
                    tail.delete(0, tail.length() - RECALL_OUTPUT_LIMIT);
                }
            }
        }

        /** The recall message once the job ended with {@code result} or {@code failure}. */
        synchronized Recall recalled(ExecResult result, String failure, boolean wasStopped) {
            String state = wasStopped ? "stopped" : failure != null ? "failed"
                    : result.timedOut() ? "timed out" : result.exitCode() == 0 ? "completed" : "failed";
            int exit = wasStopped || result == null ? -1 : result.exitCode();
            String end = tail.length() > RECALL_OUTPUT_LIMIT ? tail.substring(tail.length() - RECALL_OUTPUT_LIMIT)
                    : tail.toString();
            StringBuilder sb = new StringBuilder("Background job ").append(id).append(" finished with status ")
                    .append(state);
            if (exit >= 0) {
                sb.append(" (exit code ").append(exit).append(')');
            }
            sb.append(".\nCommand: ").append(cmd).append('\n');
            if (failure != null) {
                sb.append("Error: ").append(failure).append('\n');
            }
            if (end.length() < total) {
                sb.append("--- last ").append(end.length()).append(" characters of the output (view_background_job ")
                        .append("shows its first ").append(OUTPUT_LIMIT).append(" bytes) ---\n");
            } else {
                sb.append("--- output ---\n");
            }
            sb.append(end.isEmpty() ? "<no output>" : end);
            return new Recall(sessionId, id, cmd, state, exit, sb.toString());
        }

        synchronized String output() {
            return output.toString();
        }

        String state() {
            if (stopped) {
                return "stopped";
            }
            if (failure != null) {
                return "failed";
            }
            ExecResult r = result;
            if (r == null) {
                return "running";
            }
            return r.timedOut() ? "timed out" : r.exitCode() == 0 ? "completed" : "failed";
        }

        boolean running() {
            return result == null && failure == null && !stopped;
        }
    }

    @Override
    public String name() {
        return "background_jobs";
    }

    @Override
    public String instructions() {
        return "Use run_background_job for commands that keep running (servers, watchers, long builds) and go on with "
                + "your work; check them with view_background_job and stop them with stop_background_job when done."
                + (recall ? " Start a job with \"recall\": true to be told, with its output, when it finishes." : "");
    }

    @Override
    public List<Tool> tools() {
        JsonSchema jobId = JsonSchema.object().required("job_id", JsonSchema.string("Background job ID")).build();
        return List.of(
                Tool.of(ToolSpec.of("run_background_job", "Start a shell command in the background and return its "
                                + "job ID at once." + (recall ? " Set recall to true to get a message with the job's "
                                + "output when it finishes." : ""), runSchema()),
                        false, (args, ctx) -> start(args.string("cmd"), args.string("cwd", ""), ctx.sessionId(),
                                recall && args.bool("recall", false))),
                Tool.of(ToolSpec.of("list_background_jobs", "List the background jobs with their state.",
                        JsonSchema.object().build()), true, (args, ctx) -> list()),
                Tool.of(ToolSpec.of("view_background_job", "Show a background job's output so far and its state.",
                        jobId), true, (args, ctx) -> view(args.string("job_id"))),
                Tool.of(ToolSpec.of("stop_background_job", "Stop a background job and every process it started.",
                        jobId), false, (args, ctx) -> stop(args.string("job_id"))));
    }

    private JsonSchema runSchema() {
        JsonSchema.ObjectBuilder b = JsonSchema.object()
                .required("cmd", JsonSchema.string("Shell command to run in the background"))
                .optional("cwd", JsonSchema.string("Working directory (default: the agent's)"));
        if (recall) {
            b.optional("recall", JsonSchema.bool("Send a message with the job's output when it finishes"));
        }
        return b.build();
    }

    private ToolResult start(String cmd, String cwd, String sessionId, boolean recalled) {
        if (cmd.isBlank()) {
            return ToolResult.error("cmd is empty; pass the shell command as {\"cmd\": \"...\"}");
        }
        Command command = Command.shell(cmd).withEnv(env).withTimeout(timeout).withOutputLimit(OUTPUT_LIMIT);
        if (!cwd.isBlank()) {
            command = command.withCwd(cwd);
        }
        Job job;
        synchronized (jobs) {
            if (closed) {
                return ToolResult.error("the background jobs toolset is closed");
            }
            long running = jobs.values().stream().filter(Job::running).count();
            if (running >= MAX_RUNNING) {
                return ToolResult.error("already " + MAX_RUNNING + " background jobs running; stop one first");
            }
            job = new Job("job_" + counter.incrementAndGet(), cmd, sessionId, recalled);
            jobs.put(job.id, job);
            Command c = command;
            // One thread per job: interrupting it makes the runner kill the job's process tree.
            job.thread = new Thread(() -> {
                ExecResult result = null;
                String failure = null;
                try {
                    result = runner.run(c, job);
                } catch (RuntimeException e) {
                    failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                }
                synchronized (jobs) {
                    // The recall is queued before the end shows, so a job seen ended has its recall waiting.
                    if (job.recall && !closed) {
                        recalls.add(job.recalled(result, failure, job.stopped));
                    }
                    job.failure = failure;
                    job.result = result;
                }
            }, "keel-background-" + job.id);
            job.thread.setDaemon(true);
            job.thread.start();
        }
        return ToolResult.ok("Background job started with ID: " + job.id
                + (recalled ? "\nRecall: requested; a message with its output follows when it finishes." : ""));
    }

    private Job job(String id) {
        synchronized (jobs) {
            return jobs.get(id);
        }
    }

    private ToolResult list() {
        List<Job> all;
        synchronized (jobs) {
            all = new ArrayList<>(jobs.values());
        }
        if (all.isEmpty()) {
            return ToolResult.ok("No background jobs.");
        }
        StringBuilder sb = new StringBuilder();
        for (Job j : all) {
            sb.append(j.id).append(" [").append(j.state()).append("] ").append(j.cmd).append('\n');
        }
        return ToolResult.ok(sb.toString());
    }

    private ToolResult view(String id) {
        Job j = job(id);
        if (j == null) {
            return ToolResult.error("no background job " + id + "; list_background_jobs lists them");
        }
        StringBuilder sb = new StringBuilder("Job " + j.id + " [" + j.state() + "] " + j.cmd + "\n");
        ExecResult r = j.result;
        if (r != null) {
            sb.append("Exit code: ").append(r.exitCode()).append('\n');
        }
        if (j.failure != null) {
            sb.append("Error: ").append(j.failure).append('\n');
        }
        String out = j.output();
        sb.append("--- output ---\n").append(out.isEmpty() ? "<no output yet>" : out);
        if (j.bytes >= OUTPUT_LIMIT) {
            sb.append("\n[output truncated at ").append(OUTPUT_LIMIT).append(" bytes]");
        }
        return ToolResult.ok(sb.toString());
    }

    private ToolResult stop(String id) throws InterruptedException {
        Job j = job(id);
        if (j == null) {
            return ToolResult.error("no background job " + id + "; list_background_jobs lists them");
        }
        if (!j.running()) {
            return ToolResult.ok("Job " + id + " already ended [" + j.state() + "]");
        }
        j.stopped = true;
        j.thread.interrupt();
        // The runner returns only after it killed the processes, so a joined thread means they are gone.
        j.thread.join(STOP_WAIT.toMillis());
        return j.thread.isAlive() ? ToolResult.error("job " + id + " did not stop within " + STOP_WAIT.toSeconds() + " s")
                : ToolResult.ok("Job " + id + " stopped.");
    }

    /** Kills every job still running and waits for it. Closing twice is harmless. */
    @Override
    public void close() {
        List<Job> running;
        synchronized (jobs) {
            closed = true;
            running = jobs.values().stream().filter(Job::running).toList();
        }
        for (Job j : running) {
            j.stopped = true;
            j.thread.interrupt();
        }
        boolean interrupted = false;
        for (Job j : running) {
            try {
                j.thread.join(STOP_WAIT.toMillis());
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (j.thread.isAlive()) {
                org.slf4j.LoggerFactory.getLogger(BackgroundJobsToolset.class)
                        .warn("background job {} did not end within {} s of close", j.id, STOP_WAIT.toSeconds());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        synchronized (jobs) {
            return "BackgroundJobsToolset[" + jobs.size() + " jobs" + (closed ? ", closed" : "") + "]";
        }
    }
}

package dev.keel.agents.toolsets;

import dev.keel.agents.internal.GoDurations;
import dev.keel.agents.internal.ScheduleTimes;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * docker-agent's {@code scheduler} toolset: the agent schedules instructions to itself.
 * {@code create_schedule(prompt, when, name?)} registers a schedule, {@code list_schedules()} lists the session's
 * schedules by next fire time, {@code cancel_schedule(id)} removes one. {@code when} is {@code in:<duration>}
 * ({@code in:10m}), {@code at:<RFC 3339 time>} ({@code at:2026-07-14T09:00:00Z}), {@code every:<duration>}
 * ({@code every:1h}, at least {@link #MIN_INTERVAL}) or one of {@code minutely}, {@code hourly}, {@code daily},
 * {@code weekly}; durations are Go's ({@code 90s}, {@code 1h30m}, {@code 1.5h}), as in docker-agent. Ids are
 * {@code sched-N}, unique within the toolset.
 *
 * <p><b>Delivery.</b> When a schedule comes due its fire, the message {@code Scheduled task <name or id> is
 * due:\n<prompt>}, waits for the session that created it; the agent loop takes it ({@link #takeFires(String)}) and
 * adds it as a user message before the session's next model call, exactly as a recalled background job is told: a
 * fire that comes due while the model gives its final answer makes the run go on. A session has at most one fire of
 * each schedule waiting: a recurring schedule whose fire was not taken yet does not fire again, and once taken its
 * next fire is its logical due time plus the interval, the intervals already missed skipped (docker-agent's
 * behaviour). A one-shot schedule ends when its fire is taken; {@code cancel_schedule} drops a fire not taken yet.
 * Secrets in a prompt reach the model redacted, like any message of an agent that redacts secrets.
 *
 * <p><b>Waking the host.</b> A Keel run ends when its agent answers, while docker-agent keeps its session running. So
 * when a fire comes due and no run of its session is active, the toolset calls the {@link ScheduleListener}
 * ({@link Builder#listener(ScheduleListener)}; team files: {@code TeamServices.Builder.scheduleListener}), once, so
 * the host can run the session; a host that polls asks {@link #nextDue(String)} instead. Without a listener the fire
 * waits for the session's next run. The runner tells the toolset when a run of a session starts and ends
 * ({@link #runStarted(String)}, {@link #runEnded(String)}).
 *
 * <p><b>Sessions.</b> A schedule belongs to the top-level session of the run that created it (a delegated sub-agent's
 * schedule belongs to the session it was delegated from): another session never sees, lists, cancels or receives it,
 * and an id of another session's schedule is answered as unknown.
 *
 * <p><b>Limits.</b> At most {@link #DEFAULT_MAX_SCHEDULES} schedules per session and {@link #DEFAULT_MAX_PROMPT_CHARS}
 * characters per prompt ({@link Builder#maxSchedules(int)}, {@link Builder#maxPromptChars(int)}): every fire costs a
 * model turn and sends its prompt again, so an agent that schedules in a loop would otherwise grow the service's
 * memory and spend without bound; and {@code every:} below one minute is refused for the same reason.
 *
 * <p><b>Time and restarts.</b> Time comes from the builder's {@link Clock}. The toolset's timer thread (a daemon,
 * started with the first schedule) sleeps until the next due time, at most {@link #MAX_WAIT} at once so that a clock
 * that jumps is noticed; {@link Builder#timer(boolean) timer(false)} leaves the timing to the host, which calls
 * {@link #fireDue()} itself. Schedules live in memory only, as in docker-agent: when the process restarts (or the
 * toolset closes) they are gone, and fires not taken are lost; a host that needs schedules to survive restarts keeps
 * them itself. Closing stops the timer thread and forgets every schedule; closing twice is harmless. Thread-safe.
 */
public final class SchedulerToolset implements Toolset {
    /** Schedules one session may hold unless the builder says otherwise. */
    public static final int DEFAULT_MAX_SCHEDULES = 20;
    /** Characters a prompt may have unless the builder says otherwise. */
    public static final int DEFAULT_MAX_PROMPT_CHARS = 4_000;
    /** The shortest interval of a recurring schedule. */
    public static final Duration MIN_INTERVAL = ScheduleTimes.MIN_INTERVAL;
    /** How long after a failed {@link ScheduleListener} call it is called again. */
    public static final Duration RETRY_DELAY = Duration.ofMinutes(1);
    /** The longest the timer sleeps before it looks at the clock again. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(1);

    private static final String FORMS = ScheduleTimes.FORMS;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SchedulerToolset.class);

    private final Clock clock;
    private final ScheduleListener listener;
    private final boolean timer;
    private final int maxSchedules;
    private final int maxPromptChars;
    private final Object lock = new Object();
    /** Per session: its schedules and the fires waiting for it. A session without either has no entry. */
    private final Map<String, Book> books = new HashMap<>();
    /** Sessions with a run active, and how many (a session runs once at a time; resumes count alike). */
    private final Map<String, Integer> active = new HashMap<>();
    private long seq;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> tick;
    private boolean closed;

    private SchedulerToolset(Builder b) {
        this.clock = b.clock;
        this.listener = b.listener;
        this.timer = b.timer;
        this.maxSchedules = b.maxSchedules;
        this.maxPromptChars = b.maxPromptChars;
    }

    /**
     * A scheduler on the system clock, with its own timer thread and no listener (fires wait for the session's next
     * run).
     *
     * @return the toolset
     */
    public static SchedulerToolset create() {
        return builder().build();
    }

    /**
     * A builder with the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A schedule as the host sees it.
     *
     * @param id the schedule's id ({@code sched-N})
     * @param sessionId the session it belongs to
     * @param name its label, or empty
     * @param prompt the instruction told to the session when it fires
     * @param spec its {@code when}, as given
     * @param interval the interval of a recurring schedule, {@link Duration#ZERO} for a one-shot one
     * @param nextFire when it fires next (in the past while a fire of it waits to be taken)
     * @param waiting whether a fire of it waits to be taken by a run of its session
     */
    public record Schedule(String id, String sessionId, String name, String prompt, String spec, Duration interval,
                           Instant nextFire, boolean waiting) {
        /**
         * Checks the components.
         *
         * @param id the schedule's id
         * @param sessionId the session it belongs to
         * @param name its label, or empty
         * @param prompt the instruction
         * @param spec its {@code when}
         * @param interval the interval, or zero
         * @param nextFire when it fires next
         * @param waiting whether a fire of it waits to be taken
         */
        public Schedule {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(prompt, "prompt");
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(interval, "interval");
            Objects.requireNonNull(nextFire, "nextFire");
        }

        /**
         * Whether it fires again after its next fire.
         *
         * @return whether it is recurring
         */
        public boolean recurring() {
            return !interval.isZero();
        }

        @Override
        public String toString() {
            // The prompt stays out of logs.
            return "Schedule[" + id + " " + spec + ", next " + nextFire + (waiting ? ", waiting" : "") + ", session "
                    + sessionId + "]";
        }
    }

    /**
     * A schedule that came due, taken by a run of its session.
     *
     * @param sessionId the session it is told to
     * @param scheduleId the schedule's id
     * @param name the schedule's label, or empty
     * @param dueAt the time it was due (for a recurring schedule: the logical due time, not when it was noticed)
     * @param message the message for the model: {@code Scheduled task <label> is due:\n<prompt>}
     */
    public record Fire(String sessionId, String scheduleId, String name, Instant dueAt, String message) {
        /**
         * Checks the components.
         *
         * @param sessionId the session it is told to
         * @param scheduleId the schedule's id
         * @param name the label, or empty
         * @param dueAt the time it was due
         * @param message the message for the model
         */
        public Fire {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(scheduleId, "scheduleId");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(dueAt, "dueAt");
            Objects.requireNonNull(message, "message");
        }

        @Override
        public String toString() {
            return "Fire[" + scheduleId + " due " + dueAt + ", session " + sessionId + "]";
        }
    }

    /** One schedule's state; guarded by {@code lock}. */
    private static final class Entry {
        final long number;
        final String id;
        final String name;
        final String prompt;
        final String spec;
        final Duration interval;
        Instant nextFire;
        /** The logical due time of the fire waiting to be taken, or null. */
        Instant inFlight;

        Entry(long number, String name, String prompt, String spec, Duration interval, Instant nextFire) {
            this.number = number;
            this.id = "sched-" + number;
            this.name = name;
            this.prompt = prompt;
            this.spec = spec;
            this.interval = interval;
            this.nextFire = nextFire;
        }

        boolean recurring() {
            return !interval.isZero();
        }

        String label() {
            return name.isEmpty() ? id : "\"" + name + "\" (" + id + ")";
        }

        Schedule view(String sessionId) {
            return new Schedule(id, sessionId, name, prompt, spec, interval, inFlight != null ? inFlight : nextFire,
                    inFlight != null);
        }
    }

    /** One session's schedules and waiting fires; guarded by {@code lock}. */
    private static final class Book {
        final Map<String, Entry> schedules = new LinkedHashMap<>();
        final List<Fire> waiting = new ArrayList<>();
        /** The listener was called for the fires waiting, and no run has taken them since. */
        boolean woken;
        /** After a failed listener call: not before then. */
        Instant retryAt;

        boolean empty() {
            return schedules.isEmpty() && waiting.isEmpty();
        }
    }

    @Override
    public String name() {
        return "scheduler";
    }

    @Override
    public String instructions() {
        return "Use the scheduler to make something happen at a chosen time or on a repeating cadence in this session. "
                + "create_schedule(prompt, when, name?) registers a schedule; when it fires, its prompt is given back to "
                + "you as a message and you carry it out with your usual tools. when is " + FORMS + ". Each fire costs "
                + "a turn: prefer the longest cadence that meets the need. list_schedules shows the active schedules, "
                + "cancel_schedule removes one by id. Schedules are not kept across restarts of the application.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of("create_schedule", "Schedule an instruction to be delivered back to you at a "
                                + "given time or on a recurring interval. When it fires you receive the instruction "
                                + "and act on it with your usual tools.",
                        JsonSchema.object()
                                .required("prompt", JsonSchema.string("The instruction to deliver to you when the "
                                        + "schedule fires"))
                                .required("when", JsonSchema.string("When to fire: " + FORMS))
                                .optional("name", JsonSchema.string("A short label for the schedule"))
                                .build()),
                        false, (args, ctx) -> create(ctx.sessionId(), args.string("prompt", ""),
                                args.string("when", ""), args.string("name", ""))),
                Tool.of(ToolSpec.of("list_schedules", "List the active schedules with their id, when, and next fire "
                        + "time, soonest first.", JsonSchema.object().build()), true,
                        (args, ctx) -> list(ctx.sessionId())),
                Tool.of(ToolSpec.of("cancel_schedule", "Cancel a schedule by its id.", JsonSchema.object()
                                .required("id", JsonSchema.string("The id of the schedule to cancel (from "
                                        + "create_schedule or list_schedules)")).build()),
                        false, (args, ctx) -> cancel(ctx.sessionId(), args.string("id", ""))));
    }

    private ToolResult create(String caller, String prompt, String when, String name) {
        if (prompt.isBlank()) {
            return ToolResult.error("prompt is required: the instruction to deliver when the schedule fires");
        }
        if (prompt.length() > maxPromptChars) {
            return ToolResult.error("prompt has " + prompt.length() + " characters; at most " + maxPromptChars
                    + " are allowed, since it is sent to the model again each time the schedule fires. Shorten it "
                    + "(keep the details in a file or memory and refer to them)");
        }
        Instant now = clock.instant();
        ScheduleTimes.When parsed;
        try {
            parsed = ScheduleTimes.parse(when, now);
        } catch (IllegalArgumentException e) {
            return ToolResult.error("invalid when '" + when.strip() + "': " + e.getMessage() + ". Use " + FORMS);
        }
        Entry e;
        synchronized (lock) {
            if (closed) {
                return ToolResult.error("the scheduler is closed");
            }
            String owner = owner(caller);
            Book book = books.get(owner);
            if (book != null && book.schedules.size() >= maxSchedules) {
                return ToolResult.error("this session already has " + maxSchedules + " schedules, the most one "
                        + "session may hold; cancel one with cancel_schedule first");
            }
            if (book == null) {
                book = new Book();
                books.put(owner, book);
            }
            e = new Entry(++seq, name.strip(), prompt, when.strip(), parsed.interval(), parsed.first());
            book.schedules.put(e.id, e);
            arm();
        }
        return ToolResult.ok("Scheduled " + e.label() + ": next fire at " + e.nextFire
                + (e.recurring() ? ", then every " + GoDurations.format(e.interval) : "") + ".");
    }

    private ToolResult list(String caller) {
        List<Schedule> all;
        synchronized (lock) {
            all = schedulesOf(owner(caller));
        }
        if (all.isEmpty()) {
            return ToolResult.ok("No active schedules.");
        }
        StringBuilder sb = new StringBuilder().append(all.size()).append(" active schedule(s):\n");
        for (Schedule s : all) {
            sb.append("- ").append(s.name().isEmpty() ? s.id() : "\"" + s.name() + "\" (" + s.id() + ")")
                    .append(" [").append(s.spec()).append("] next: ").append(s.nextFire())
                    .append(s.waiting() ? " (due, told at your next turn)" : "")
                    .append(" (").append(s.recurring() ? "every " + GoDurations.format(s.interval()) : "one-shot")
                    .append(")\n    ").append(s.prompt()).append('\n');
        }
        return ToolResult.ok(sb.toString());
    }

    private ToolResult cancel(String caller, String id) {
        String wanted = id.strip();
        synchronized (lock) {
            String owner = owner(caller);
            Book book = books.get(owner);
            if (book == null || book.schedules.remove(wanted) == null) {
                return ToolResult.error("no schedule with id '" + wanted + "' in this session; list_schedules lists "
                        + "them");
            }
            book.waiting.removeIf(f -> f.scheduleId().equals(wanted));
            if (book.empty()) {
                books.remove(owner);
            }
            arm();
        }
        return ToolResult.ok("Cancelled schedule " + wanted + ".");
    }

    /**
     * The session a tool call in {@code caller} schedules for: the active run {@code caller} is, or was delegated
     * from (the longest such id); {@code caller} itself outside a run.
     */
    private String owner(String caller) {
        String best = null;
        for (String run : active.keySet()) {
            if ((caller.equals(run) || caller.startsWith(run + "/")) && (best == null || run.length() > best.length())) {
                best = run;
            }
        }
        return best == null ? caller : best;
    }

    private List<Schedule> schedulesOf(String sessionId) {
        Book book = books.get(sessionId);
        if (book == null) {
            return List.of();
        }
        return book.schedules.values().stream()
                .sorted(Comparator.comparing((Entry x) -> x.inFlight != null ? x.inFlight : x.nextFire)
                        .thenComparingLong(x -> x.number))
                .map(x -> x.view(sessionId)).toList();
    }

    /**
     * The schedules of session {@code sessionId}, soonest first.
     *
     * @param sessionId a top-level session's id
     * @return its schedules; empty when it has none
     */
    public List<Schedule> schedules(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            return schedulesOf(sessionId);
        }
    }

    /**
     * When session {@code sessionId} next has something due: the due time of its oldest fire waiting to be taken
     * (in the past: run the session now), otherwise its soonest schedule's next fire. A host that runs sessions from
     * its own timer, or that restarts its timers after a deploy, asks this.
     *
     * @param sessionId a top-level session's id
     * @return the time, or empty when the session has no schedule
     */
    public Optional<Instant> nextDue(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            Book book = books.get(sessionId);
            if (book == null) {
                return Optional.empty();
            }
            Optional<Instant> waiting = book.waiting.stream().map(Fire::dueAt).min(Comparator.naturalOrder());
            if (waiting.isPresent()) {
                return waiting;
            }
            return book.schedules.values().stream().filter(x -> x.inFlight == null).map(x -> x.nextFire)
                    .min(Comparator.naturalOrder());
        }
    }

    /**
     * Forgets session {@code sessionId}'s schedules and the fires waiting for it: call it when the host deletes the
     * session, so nothing of it stays until the toolset closes.
     *
     * @param sessionId a top-level session's id
     * @return how many schedules were dropped
     */
    public int forget(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            Book book = books.remove(sessionId);
            arm();
            return book == null ? 0 : book.schedules.size();
        }
    }

    /**
     * Takes the fires waiting for session {@code sessionId}, oldest due first; each is taken once. A recurring
     * schedule fires again at its due time plus the interval (the intervals already missed skipped), a one-shot
     * schedule ends. The agent loop calls this before each model call and when the model answers; a host that
     * drives its own loop calls it alike.
     *
     * @param sessionId the session about to call its model
     * @return the fires; empty when none waits
     */
    public List<Fire> takeFires(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            Book book = books.get(sessionId);
            if (book == null || book.waiting.isEmpty()) {
                return List.of();
            }
            Instant now = clock.instant();
            List<Fire> taken = new ArrayList<>(book.waiting);
            book.waiting.clear();
            book.woken = false;
            book.retryAt = null;
            for (Fire f : taken) {
                Entry e = book.schedules.get(f.scheduleId());
                if (e == null) {
                    continue;
                }
                e.inFlight = null;
                if (e.recurring()) {
                    e.nextFire = ScheduleTimes.nextAfter(f.dueAt(), e.interval, now);
                } else {
                    book.schedules.remove(e.id);
                }
            }
            if (book.empty()) {
                books.remove(sessionId);
            }
            arm();
            return taken;
        }
    }

    /**
     * A run of session {@code sessionId} started: fires that come due now are taken by that run, the listener is not
     * called for them. The runner calls this; a host that drives its own loop calls it alike.
     *
     * @param sessionId the top-level session of the run
     */
    public void runStarted(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            active.merge(sessionId, 1, Integer::sum);
        }
    }

    /**
     * A run of session {@code sessionId} ended (returned, failed or suspended): a fire that came due after the run's
     * last look wakes the host now ({@link ScheduleListener}, on the timer thread; with {@code timer(false)} at the
     * host's next {@link #fireDue()}); when the host was woken for the fires and the run ended without taking them
     * (it failed before its first model call), the host is woken again after {@link #RETRY_DELAY}.
     *
     * @param sessionId the top-level session of the run
     */
    public void runEnded(String sessionId) {
        Objects.requireNonNull(sessionId, "sessionId");
        synchronized (lock) {
            active.computeIfPresent(sessionId, (k, n) -> n > 1 ? n - 1 : null);
            Book book = books.get(sessionId);
            if (book == null || book.waiting.isEmpty() || closed) {
                return;
            }
            if (book.woken) {
                // The host ran the session it was woken for, and the run ended without taking the fires (it failed
                // before its first model call): a failed delivery, tried again after the retry delay.
                book.woken = false;
                book.retryAt = clock.instant().plus(RETRY_DELAY);
                arm();
            } else if (executor != null) {
                if (tick != null) {
                    tick.cancel(false);
                }
                tick = executor.schedule(this::onTick, 0, TimeUnit.MILLISECONDS);
            }
        }
    }

    /**
     * Fires every schedule due at the clock's now and calls the listener for each session that has fires waiting and
     * no run active (once per due episode; again after {@link #RETRY_DELAY} when the call threw). The timer thread
     * calls this; a host that builds the toolset with {@code timer(false)} calls it from its own timer, and tests
     * call it after moving their clock.
     *
     * @return how many schedules fired
     */
    public int fireDue() {
        List<String> wake = new ArrayList<>();
        int fired = 0;
        Instant now = clock.instant();
        synchronized (lock) {
            if (closed) {
                return 0;
            }
            for (Map.Entry<String, Book> b : books.entrySet()) {
                Book book = b.getValue();
                List<Entry> due = book.schedules.values().stream()
                        .filter(x -> x.inFlight == null && !x.nextFire.isAfter(now))
                        .sorted(Comparator.comparing((Entry x) -> x.nextFire).thenComparingLong(x -> x.number))
                        .toList();
                for (Entry e : due) {
                    e.inFlight = e.nextFire;
                    book.waiting.add(new Fire(b.getKey(), e.id, e.name, e.nextFire,
                            "Scheduled task " + e.label() + " is due:\n" + e.prompt));
                    fired++;
                }
                if (listener != null && !book.waiting.isEmpty() && !book.woken && !active.containsKey(b.getKey())
                        && (book.retryAt == null || !now.isBefore(book.retryAt))) {
                    book.woken = true;
                    book.retryAt = null;
                    wake.add(b.getKey());
                }
            }
        }
        for (String sessionId : wake) {
            try {
                listener.scheduleDue(sessionId);
            } catch (Exception e) {
                log.warn("schedule listener failed for session {}; calling it again in {}", sessionId, RETRY_DELAY, e);
                synchronized (lock) {
                    Book book = books.get(sessionId);
                    if (book != null && book.woken) {
                        book.woken = false;
                        book.retryAt = now.plus(RETRY_DELAY);
                    }
                }
            }
        }
        synchronized (lock) {
            arm();
        }
        return fired;
    }

    private void onTick() {
        try {
            fireDue();
        } catch (RuntimeException e) {
            // A failing clock or listener bug must not end the timer: look again later.
            log.warn("scheduler tick failed", e);
            synchronized (lock) {
                if (!closed && executor != null) {
                    tick = executor.schedule(this::onTick, MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        }
    }

    /** Sets the timer for the soonest thing to do; without a thing, no timer. Holds {@code lock}. */
    private void arm() {
        if (!timer || closed) {
            return;
        }
        Instant soonest = null;
        for (Book book : books.values()) {
            for (Entry e : book.schedules.values()) {
                if (e.inFlight == null && (soonest == null || e.nextFire.isBefore(soonest))) {
                    soonest = e.nextFire;
                }
            }
            if (listener != null && book.retryAt != null && !book.waiting.isEmpty()
                    && (soonest == null || book.retryAt.isBefore(soonest))) {
                soonest = book.retryAt;
            }
        }
        if (tick != null) {
            tick.cancel(false);
            tick = null;
        }
        if (soonest == null) {
            return;
        }
        if (executor == null) {
            ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "keel-scheduler");
                t.setDaemon(true);
                return t;
            });
            ex.setRemoveOnCancelPolicy(true);
            executor = ex;
        }
        Duration wait = Duration.between(clock.instant(), soonest);
        long millis = wait.isNegative() ? 0 : Math.min(wait.toMillis(), MAX_WAIT.toMillis());
        tick = executor.schedule(this::onTick, millis, TimeUnit.MILLISECONDS);
    }

    /** Stops the timer thread and forgets every schedule. Closing twice is harmless. */
    @Override
    public void close() {
        ScheduledExecutorService ex;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            books.clear();
            active.clear();
            ex = executor;
            executor = null;
            tick = null;
        }
        if (ex != null) {
            ex.shutdownNow();
            try {
                if (!ex.awaitTermination(30, TimeUnit.SECONDS)) {
                    log.warn("scheduler timer did not stop within 30 s of close (a listener still runs)");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Whether the timer thread runs (it starts with the first schedule and stops on close).
     *
     * @return whether the timer thread runs
     */
    public boolean timerRunning() {
        synchronized (lock) {
            return executor != null && !executor.isShutdown();
        }
    }

    @Override
    public String toString() {
        synchronized (lock) {
            int n = books.values().stream().mapToInt(b -> b.schedules.size()).sum();
            return "SchedulerToolset[" + n + " schedules in " + books.size() + " sessions"
                    + (closed ? ", closed" : "") + "]";
        }
    }

    /** Builds a {@link SchedulerToolset}. Setters replace what was set before. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private ScheduleListener listener;
        private boolean timer = true;
        private int maxSchedules = DEFAULT_MAX_SCHEDULES;
        private int maxPromptChars = DEFAULT_MAX_PROMPT_CHARS;

        private Builder() {}

        /**
         * Where time comes from. Default: the system clock in UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Who is told that a session has schedules due while none of its runs is active. Default: none; the fires
         * wait for the session's next run.
         *
         * @param listener the host's listener, or null for none
         * @return this builder
         */
        public Builder listener(ScheduleListener listener) {
            this.listener = listener;
            return this;
        }

        /**
         * Whether the toolset runs its own timer thread. Default true. With false the host calls
         * {@link SchedulerToolset#fireDue()} from its own timer (its scheduler service, a test).
         *
         * @param timer whether to run a timer thread
         * @return this builder
         */
        public Builder timer(boolean timer) {
            this.timer = timer;
            return this;
        }

        /**
         * The most schedules one session may hold. Default {@value SchedulerToolset#DEFAULT_MAX_SCHEDULES}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxSchedules(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxSchedules must be at least 1, got " + max);
            }
            this.maxSchedules = max;
            return this;
        }

        /**
         * The most characters a prompt may have. Default {@value SchedulerToolset#DEFAULT_MAX_PROMPT_CHARS}.
         *
         * @param max at least 1
         * @return this builder
         */
        public Builder maxPromptChars(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxPromptChars must be at least 1, got " + max);
            }
            this.maxPromptChars = max;
            return this;
        }

        /**
         * The toolset.
         *
         * @return the toolset
         */
        public SchedulerToolset build() {
            return new SchedulerToolset(this);
        }
    }
}

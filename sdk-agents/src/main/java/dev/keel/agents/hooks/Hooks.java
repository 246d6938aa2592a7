package dev.keel.agents.hooks;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Hooks by event, in the order they run. Give them to a runner (they run for every agent) or to an agent
 * (they run for it alone, after the runner's):
 *
 * <pre>{@code
 * Hooks audit = Hooks.builder()
 *         .on(HookEvent.PRE_TOOL_USE, "shell|write_file", input -> policy.check(input))   // tool-name regex
 *         .on(HookEvent.POST_TOOL_USE, input -> { log.info("{}", input.toJson()); return HookResult.proceed(); })
 *         .on(HookEvent.USER_PROMPT_SUBMIT, input -> HookResult.context("The user's plan: " + plan(input)))
 *         .build();
 * Runner runner = Runner.builder(root).hooks(audit).build();
 * }</pre>
 *
 * <p>Several hooks on one event run in order: the first that blocks or denies ends the chain; rewritten tool
 * arguments pass to the next hook; contexts add up. A hook that fails follows its {@link OnError} policy,
 * except on {@link HookEvent#PRE_TOOL_USE} and {@link HookEvent#TOOL_GUARD}, where a failure always refuses the
 * call (fail closed). Immutable
 * and thread-safe.
 */
public final class Hooks {
    private static final Hooks NONE = new Hooks(List.of());

    /** What a failed hook (it threw, timed out, or exited with an error other than 2) does. */
    public enum OnError {
        /** Log a warning and carry on (the default). */
        WARN,
        /** Carry on silently. */
        IGNORE,
        /** Block the operation, as if the hook had blocked it. */
        BLOCK
    }

    /**
     * One hook on one event.
     *
     * @param event      when it runs
     * @param matcher    for tool events, a regular expression the whole tool name must match ({@code *} = every
     *                   tool); ignored for other events
     * @param hook       the hook
     * @param name       a name for logs and errors
     * @param onError    what a failure does
     * @param preemptive for {@link HookEvent#PRE_TOOL_USE}: run before the permission rules and the approver
     *                   (docker-agent's {@code preempt_yolo}), so that a deny cannot be overridden by any allow rule
     *                   or auto-approval
     */
    public record Registration(HookEvent event, String matcher, Hook hook, String name, OnError onError,
                               boolean preemptive) {
        /**
         * Checks the matcher is a valid regular expression.
         *
         * @param event      when it runs
         * @param matcher    tool-name pattern
         * @param hook       the hook
         * @param name       a name for logs and errors
         * @param onError    what a failure does
         * @param preemptive whether it runs before the permission rules
         */
        public Registration {
            Objects.requireNonNull(event, "event");
            matcher = matcher == null || matcher.isBlank() ? "*" : matcher;
            Objects.requireNonNull(hook, "hook");
            name = name == null || name.isBlank() ? hook.toString() : name;
            onError = onError == null ? OnError.WARN : onError;
            if (!matcher.equals("*")) {
                try {
                    Pattern.compile(matcher);
                } catch (PatternSyntaxException e) {
                    throw new IllegalArgumentException("hook matcher '" + matcher + "' is not a regular expression: "
                            + e.getDescription(), e);
                }
            }
        }

        /**
         * Whether this registration runs for a call of {@code tool}.
         *
         * @param tool the tool's name
         * @return whether it matches
         */
        public boolean matches(String tool) {
            return matcher.equals("*") || matcher.equals(".*") || Pattern.compile(matcher).matcher(tool).matches();
        }
    }

    private final List<Registration> registrations;

    private Hooks(List<Registration> registrations) {
        this.registrations = List.copyOf(registrations);
    }

    /**
     * No hooks.
     *
     * @return the empty registry
     */
    public static Hooks none() {
        return NONE;
    }

    /**
     * A builder.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Every registration, in order.
     *
     * @return the registrations
     */
    public List<Registration> registrations() {
        return registrations;
    }

    /**
     * The registrations for {@code event} (and, for tool events, {@code tool}), in order.
     *
     * @param event the event
     * @param tool  the tool's name for tool events, otherwise ignored (may be null)
     * @return the matching registrations
     */
    public List<Registration> forEvent(HookEvent event, String tool) {
        List<Registration> out = new ArrayList<>();
        for (Registration r : registrations) {
            if (r.event() == event && (!event.matchesTools() || tool == null || r.matches(tool))) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Whether nothing is registered.
     *
     * @return whether nothing is registered
     */
    public boolean isEmpty() {
        return registrations.isEmpty();
    }

    /**
     * These hooks, then {@code more}.
     *
     * @param more hooks to run after these
     * @return the combined registry
     */
    public Hooks plus(Hooks more) {
        if (more.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return more;
        }
        List<Registration> all = new ArrayList<>(registrations);
        all.addAll(more.registrations);
        return new Hooks(all);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Hooks h && registrations.equals(h.registrations);
    }

    @Override
    public int hashCode() {
        return registrations.hashCode();
    }

    @Override
    public String toString() {
        return "Hooks" + registrations.stream().map(r -> r.event().eventName()
                + (r.event().matchesTools() && !r.matcher().equals("*") ? "(" + r.matcher() + ")" : "")).toList();
    }

    /** Builds {@link Hooks}; registrations keep the order they are added in. Not thread-safe. */
    public static final class Builder {
        private final List<Registration> registrations = new ArrayList<>();

        private Builder() {}

        /**
         * Runs {@code hook} at every {@code event} (for tool events, for every tool).
         *
         * @param event when
         * @param hook  what
         * @return this builder
         */
        public Builder on(HookEvent event, Hook hook) {
            return add(new Registration(event, "*", hook, null, OnError.WARN, false));
        }

        /**
         * Runs {@code hook} at a tool {@code event} for tools whose whole name matches {@code toolPattern}.
         *
         * @param event       a tool event
         * @param toolPattern a regular expression ({@code shell|edit_file}, {@code mcp:.*}) or {@code *}
         * @param hook        what
         * @return this builder
         */
        public Builder on(HookEvent event, String toolPattern, Hook hook) {
            return add(new Registration(event, toolPattern, hook, null, OnError.WARN, false));
        }

        /**
         * Adds a registration with every option.
         *
         * @param registration the registration
         * @return this builder
         */
        public Builder add(Registration registration) {
            registrations.add(Objects.requireNonNull(registration, "registration"));
            return this;
        }

        /**
         * The registry.
         *
         * @return the hooks
         */
        public Hooks build() {
            return new Hooks(registrations);
        }
    }
}

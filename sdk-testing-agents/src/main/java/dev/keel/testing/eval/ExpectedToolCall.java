package dev.keel.testing.eval;

import dev.keel.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A tool call an evaluation expects: the tool's name, optionally the agent that makes it, and matchers for some
 * of its arguments (arguments not named are not looked at). Immutable and thread-safe.
 *
 * <pre>{@code
 * ExpectedToolCall.of("read_file").by("researcher").with("path", ArgumentMatcher.contains("CHANGES"))
 * }</pre>
 */
public final class ExpectedToolCall {
    private final String tool;
    private final String agent;
    private final Map<String, ArgumentMatcher> arguments;

    private ExpectedToolCall(String tool, String agent, Map<String, ArgumentMatcher> arguments) {
        this.tool = tool;
        this.agent = agent;
        this.arguments = Map.copyOf(arguments);
    }

    /**
     * A call of {@code tool}, by any agent, with any arguments.
     *
     * @param tool the tool's name
     * @return the expectation
     */
    public static ExpectedToolCall of(String tool) {
        if (Objects.requireNonNull(tool, "tool").isBlank()) {
            throw new IllegalArgumentException("tool name must not be blank");
        }
        return new ExpectedToolCall(tool, null, Map.of());
    }

    /**
     * This expectation, made by {@code agent} only.
     *
     * @param agent the agent's name
     * @return a new expectation
     */
    public ExpectedToolCall by(String agent) {
        return new ExpectedToolCall(tool, Objects.requireNonNull(agent, "agent"), arguments);
    }

    /**
     * This expectation, with argument {@code name} accepted by {@code matcher}.
     *
     * @param name    the argument's name
     * @param matcher what the argument must be
     * @return a new expectation
     */
    public ExpectedToolCall with(String name, ArgumentMatcher matcher) {
        Map<String, ArgumentMatcher> more = new LinkedHashMap<>(arguments);
        more.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(matcher, "matcher"));
        return new ExpectedToolCall(tool, agent, more);
    }

    /**
     * This expectation, with argument {@code name} equal to {@code value}.
     *
     * @param name  the argument's name
     * @param value the value (string, number, boolean, list or map)
     * @return a new expectation
     */
    public ExpectedToolCall with(String name, Object value) {
        return with(name, value instanceof ArgumentMatcher m ? m : ArgumentMatcher.equalTo(value));
    }

    /**
     * The tool's name.
     *
     * @return the tool's name
     */
    public String tool() {
        return tool;
    }

    /**
     * Whether {@code call} is such a call.
     *
     * @param call an observed call
     * @return whether it matches
     */
    public boolean matches(ObservedToolCall call) {
        if (!call.tool().equals(tool) || (agent != null && !agent.equals(call.agent()))) {
            return false;
        }
        JsonObject args = call.arguments();
        for (Map.Entry<String, ArgumentMatcher> e : arguments.entrySet()) {
            if (!e.getValue().matches(args.get(e.getKey()).orElse(null))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(tool);
        if (!arguments.isEmpty()) {
            sb.append(arguments.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .map(e -> e.getKey() + " " + e.getValue()).toList().toString().replace('[', '(').replace(']', ')'));
        }
        return agent == null ? sb.toString() : sb.append(" by ").append(agent).toString();
    }
}

package dev.keel.agents.toolsets;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.List;

/**
 * docker-agent's {@code plan} toolset: one markdown plan per session, shared by every agent working in it (a
 * planner writes it, an executor it hands off to reads it). {@code write_plan(content)} creates or replaces it,
 * {@code read_plan()} returns it, {@code exit_plan_mode()} says it is ready for review (and fails when there is no
 * plan). The plan lives in the session's state under {@value #STATE}, so it is saved and restored with the session
 * instead of in a file under the user's home folder. docker-agent's {@code session_plan} is the same workflow under
 * other tool names ({@code write_session_plan}, {@code read_session_plan}, {@code exit_plan_mode}) and its own state
 * key {@value #SESSION_PLAN_STATE}, so both can be given to one agent ({@link Toolsets#sessionPlan()}). Stateless
 * itself; thread-safe.
 */
public final class PlanToolset implements Toolset {
    /** The session-state key holding the plan's markdown. */
    public static final String STATE = "keel.plan";
    /** The session-state key holding the markdown of a {@code session_plan} toolset's plan. */
    public static final String SESSION_PLAN_STATE = "keel.session_plan";

    private final String type;
    private final String write;
    private final String read;
    private final String state;

    /** Creates the toolset; create it through {@link Toolsets#plan()} or {@link Toolsets#sessionPlan()}. */
    PlanToolset(String type, String write, String read, String state) {
        this.type = type;
        this.write = write;
        this.read = read;
        this.state = state;
    }

    static PlanToolset plan() {
        return new PlanToolset("plan", "write_plan", "read_plan", STATE);
    }

    static PlanToolset sessionPlan() {
        return new PlanToolset("session_plan", "write_session_plan", "read_session_plan", SESSION_PLAN_STATE);
    }

    @Override
    public String name() {
        return type;
    }

    @Override
    public String instructions() {
        return "Write your plan with " + write + " before you act on it, keep it current, and call exit_plan_mode "
                + "when it is ready for review.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of(write, "Create or replace this session's plan (markdown).",
                        JsonSchema.object().required("content", JsonSchema.string("The whole plan, as markdown")).build()),
                        false, (args, ctx) -> {
                            String content = args.string("content");
                            if (content.isBlank()) {
                                return ToolResult.error("the plan is empty");
                            }
                            ctx.state().put(state, JsonValue.of(content));
                            return ToolResult.ok("Plan saved (" + content.lines().count() + " lines)");
                        }),
                Tool.of(ToolSpec.of(read, "Read this session's plan.", JsonSchema.object().build()), true,
                        (args, ctx) -> ctx.state().get(state) instanceof JsonString s ? ToolResult.ok(s.value())
                                : ToolResult.error("no plan written yet; write one with " + write)),
                Tool.of(ToolSpec.of("exit_plan_mode", "Say that the plan is complete and ready for review.",
                        JsonSchema.object().build()), true,
                        (args, ctx) -> ctx.state().get(state) instanceof JsonString
                                ? ToolResult.ok("The plan is ready for review.")
                                : ToolResult.error("no plan written yet; write one with " + write)));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlanToolset other && type.equals(other.type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return "PlanToolset[" + type + "]";
    }
}

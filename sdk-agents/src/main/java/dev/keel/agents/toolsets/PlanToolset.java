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
 * instead of in a file under the user's home folder. Stateless itself; thread-safe.
 */
public final class PlanToolset implements Toolset {
    /** The session-state key holding the plan's markdown. */
    public static final String STATE = "keel.plan";

    /** Creates the toolset; create it through {@link Toolsets#plan()}. */
    PlanToolset() {}

    @Override
    public String name() {
        return "plan";
    }

    @Override
    public String instructions() {
        return "Write your plan with write_plan before you act on it, keep it current, and call exit_plan_mode when "
                + "it is ready for review.";
    }

    @Override
    public List<Tool> tools() {
        return List.of(
                Tool.of(ToolSpec.of("write_plan", "Create or replace this session's plan (markdown).",
                        JsonSchema.object().required("content", JsonSchema.string("The whole plan, as markdown")).build()),
                        false, (args, ctx) -> {
                            String content = args.string("content");
                            if (content.isBlank()) {
                                return ToolResult.error("the plan is empty");
                            }
                            ctx.state().put(STATE, JsonValue.of(content));
                            return ToolResult.ok("Plan saved (" + content.lines().count() + " lines)");
                        }),
                Tool.of(ToolSpec.of("read_plan", "Read this session's plan.", JsonSchema.object().build()), true,
                        (args, ctx) -> ctx.state().get(STATE) instanceof JsonString s ? ToolResult.ok(s.value())
                                : ToolResult.error("no plan written yet; write one with write_plan")),
                Tool.of(ToolSpec.of("exit_plan_mode", "Say that the plan is complete and ready for review.",
                        JsonSchema.object().build()), true,
                        (args, ctx) -> ctx.state().get(STATE) instanceof JsonString
                                ? ToolResult.ok("The plan is ready for review.")
                                : ToolResult.error("no plan written yet; write one with write_plan")));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlanToolset;
    }

    @Override
    public int hashCode() {
        return PlanToolset.class.hashCode();
    }

    @Override
    public String toString() {
        return "PlanToolset";
    }
}

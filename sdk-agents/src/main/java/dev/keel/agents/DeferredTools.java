package dev.keel.agents;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.toolsets.DeferredToolset;
import dev.keel.core.json.JsonArray;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code search_tool} and {@code add_tool} over every deferred toolset of an agent (see {@link DeferredToolset}):
 * one pair per agent, however many toolsets it defers. Stateless; activation lives in the session's state.
 */
final class DeferredTools {
    static final String SEARCH = "search_tool";
    static final String ADD = "add_tool";

    private DeferredTools() {}

    /** Adds the pair to {@code tools} when {@code deferred} is not empty. */
    static void add(Map<String, Tool> tools, List<DeferredToolset> deferred) {
        if (deferred.isEmpty()) {
            return;
        }
        tools.putIfAbsent(SEARCH, Tool.of(ToolSpec.of(SEARCH, "Search the tools that are not loaded yet by keyword "
                        + "(fuzzy: the query's characters in order, in a tool's name or description). Load one with "
                        + ADD + ".", JsonSchema.object().required("query", JsonSchema.string("Keyword to look for")).build()),
                true, (args, ctx) -> {
                    String query = args.string("query").toLowerCase(Locale.ROOT).strip();
                    Set<String> active = DeferredToolset.activeNames(ctx.state());
                    List<String> lines = new ArrayList<>();
                    for (Tool t : all(deferred)) {
                        String name = t.spec().name();
                        if (fuzzy(query, name) || fuzzy(query, t.spec().description())) {
                            lines.add(name + (active.contains(name) ? " (loaded)" : "") + ": " + t.spec().description());
                        }
                    }
                    return ToolResult.ok(lines.isEmpty() ? "No tools match '" + query + "'" : String.join("\n", lines));
                }));
        tools.putIfAbsent(ADD, Tool.of(ToolSpec.of(ADD, "Load a tool found with " + SEARCH
                        + " so that it can be called from the next step on.",
                JsonSchema.object().required("name", JsonSchema.string("The tool's exact name")).build()),
                true, (args, ctx) -> {
                    String name = args.string("name").strip();
                    if (all(deferred).stream().noneMatch(t -> t.spec().name().equals(name))) {
                        return ToolResult.error("no deferred tool is named '" + name + "'; find one with " + SEARCH);
                    }
                    synchronized (ctx.state()) {
                        Set<String> active = DeferredToolset.activeNames(ctx.state());
                        if (!active.add(name)) {
                            return ToolResult.ok("Tool '" + name + "' is already loaded");
                        }
                        ctx.state().put(DeferredToolset.ACTIVE_STATE, JsonArray.of(active));
                    }
                    dev.keel.agents.internal.ToolListChange.signal(ctx.state());
                    return ToolResult.ok("Tool '" + name + "' is loaded; call it from the next step on");
                }));
    }

    private static List<Tool> all(List<DeferredToolset> deferred) {
        List<Tool> out = new ArrayList<>();
        deferred.forEach(d -> out.addAll(d.deferredTools()));
        return out;
    }

    /** docker-agent's fuzzy match: every character of the query appears in the text, in order. */
    static boolean fuzzy(String query, String text) {
        return dev.keel.agents.internal.FuzzyMatch.inOrder(query, text);
    }
}

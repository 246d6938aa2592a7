package dev.keel.agents.team;

import dev.keel.agents.Agent;
import dev.keel.agents.ResponseCache;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.MapNode;
import java.nio.file.Path;

/**
 * An agent's {@code add_prompt_files_depth}, {@code conversation_starters}, {@code cache} (the response cache) and
 * {@code code_mode_tools}: read onto the agent's builder, with located errors for malformed values. Stateless.
 */
final class AgentExtras {
    private AgentExtras() {}

    static void read(TeamFields f, MapNode m, String path, Agent.Builder b) {
        Entry depth = m.entries().get("add_prompt_files_depth");
        if (depth != null) {
            int d = f.integer(depth.value(), path + ".add_prompt_files_depth");
            if (d < 0) {
                throw f.error(depth.line(), path + ".add_prompt_files_depth", "must be 0 or more");
            }
            b.promptFilesDepth(d);
        }
        b.conversationStarters(f.strings(m, "conversation_starters", path));
        Entry cache = m.entries().get("cache");
        if (cache != null) {
            String cp = path + ".cache";
            MapNode c = f.map(cache.value(), cp);
            if (f.optBool(c, "enabled", cp).orElse(false)) {
                ResponseCache.Builder rc = ResponseCache.builder()
                        .caseSensitive(f.optBool(c, "case_sensitive", cp).orElse(false))
                        .trimSpaces(f.optBool(c, "trim_spaces", cp).orElse(false));
                String file = f.optString(c, "path", cp).orElse("");
                if (!file.isBlank()) {
                    Path p = Path.of(file);
                    rc.file(p.isAbsolute() ? p : f.options().baseDirectory().resolve(p).normalize());
                }
                b.responseCache(rc.build());
            } else {
                // validated even when off, so a typo does not wait for the day it is switched on
                f.optBool(c, "case_sensitive", cp);
                f.optBool(c, "trim_spaces", cp);
                f.optString(c, "path", cp);
            }
        }
        Entry codeMode = m.entries().get("code_mode_tools");
        if (codeMode != null && f.optBool(m, "code_mode_tools", path).orElse(false)) {
            // docker-agent's code mode: one tool that runs a JavaScript program calling the others (Rhino, in a JVM
            // of its own). Without Rhino on the host the file still loads, and says why the agent calls tools directly.
            java.util.Optional<String> missing = dev.keel.agents.internal.codemode.ScriptRunner.missingRuntime();
            if (missing.isPresent()) {
                f.warn(codeMode.line() + ": " + path + ".code_mode_tools: " + missing.get()
                        + "; until then the agent calls its tools one by one");
            } else {
                b.codeMode(dev.keel.agents.CodeMode.defaults());
            }
        }
    }
}

package dev.keel.agents;

import dev.keel.agents.tool.Toolset;
import dev.keel.agents.toolsets.MemoryToolset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * docker-agent's {@code inject_memories} with the {@code local} strategy: before each model call, the memories
 * of the agent's memory toolsets that share the most words with the latest user message (the newest first
 * among equals) are added to that call, so the agent sees what it stored earlier without searching.
 */
final class MemoryInjection {
    private MemoryInjection() {}

    /** The context to add to this turn, or "" when the agent injects no memories or none matches. */
    static String context(Agent agent, String lastUserMessage) {
        if (agent.injectMemories() <= 0 || lastUserMessage == null || lastUserMessage.isBlank()) {
            return "";
        }
        Set<String> words = words(lastUserMessage);
        if (words.isEmpty()) {
            return "";
        }
        record Scored(MemoryToolset.Memory memory, long score) {}
        List<Scored> scored = new ArrayList<>();
        for (Toolset t : agent.toolsets()) {
            if (dev.keel.agents.internal.ToonToolset.innermost(t) instanceof MemoryToolset memory) {
                for (MemoryToolset.Memory m : memory.read()) {
                    Set<String> own = words(m.text());
                    long score = words.stream().filter(own::contains).count();
                    if (score > 0) {
                        scored.add(new Scored(m, score));
                    }
                }
            }
        }
        if (scored.isEmpty()) {
            return "";
        }
        scored.sort(Comparator.comparingLong(Scored::score).reversed()
                .thenComparing((Scored s) -> s.memory().createdAt(), Comparator.reverseOrder()));
        StringBuilder sb = new StringBuilder("Memories you stored earlier that may be relevant:");
        scored.stream().limit(agent.injectMemories())
                .forEach(s -> sb.append("\n- [").append(s.memory().id()).append("] ").append(s.memory().text()));
        return sb.toString();
    }

    /** Lower-case words of three letters or more (shorter ones match too much to rank by). */
    private static Set<String> words(String text) {
        Set<String> out = new LinkedHashSet<>();
        for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (w.length() >= 3) {
                out.add(w);
            }
        }
        return out;
    }
}

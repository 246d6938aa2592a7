package dev.keel.agents.team;

import dev.keel.agents.AgentCommand;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Named prompts: an agent's {@code commands} (a map, or a list of maps; each value a prompt or
 * {@code {description, instruction, agent, url}}) merged over the top-level groups it names in
 * {@code use_commands} (inline commands win on a name conflict). One per load; not thread-safe.
 */
final class CommandSection {
    private final TeamFields f;
    private final Map<String, Entry> groups;

    CommandSection(TeamFields f, Map<String, Entry> groups) {
        this.f = f;
        this.groups = groups;
    }

    List<AgentCommand> commands(MapNode agent, String path) {
        Map<String, AgentCommand> all = new LinkedHashMap<>();
        Entry uses = agent.entries().get("use_commands");
        if (uses != null) {
            ListNode names = f.list(uses.value(), path + ".use_commands");
            for (int i = 0; i < names.items().size(); i++) {
                Node n = names.items().get(i);
                String group = f.scalarText(n, path + ".use_commands[" + i + "]");
                Entry g = groups.get(group);
                if (g == null) {
                    throw f.error(n.line(), path + ".use_commands[" + i + "]", "unknown command group '" + group
                            + "'; the groups are " + groups.keySet());
                }
                read(g.value(), "commands." + group, all);
            }
        }
        Entry own = agent.entries().get("commands");
        if (own != null) {
            read(own.value(), path + ".commands", all);
        }
        return new ArrayList<>(all.values());
    }

    private void read(Node node, String path, Map<String, AgentCommand> into) {
        if (node instanceof ListNode l) {
            for (int i = 0; i < l.items().size(); i++) {
                read(l.items().get(i), path + "[" + i + "]", into);
            }
            return;
        }
        for (Entry e : f.map(node, path).entries().values()) {
            String cp = path + "." + e.key();
            AgentCommand command;
            if (e.value() instanceof Scalar) {
                command = AgentCommand.of(e.key(), f.scalarText(e.value(), cp));
            } else {
                MapNode c = f.map(e.value(), cp);
                try {
                    command = new AgentCommand(e.key(), f.optString(c, "description", cp).orElse(""),
                            f.optString(c, "instruction", cp).orElse(""), f.optString(c, "agent", cp).orElse(null),
                            f.optString(c, "url", cp).orElse(null));
                } catch (IllegalArgumentException ex) {
                    throw f.error(e.line(), cp, ex.getMessage());
                }
            }
            into.put(e.key(), command);
        }
    }
}

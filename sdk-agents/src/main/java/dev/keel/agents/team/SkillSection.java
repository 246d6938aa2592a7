package dev.keel.agents.team;

import dev.keel.agents.AgentModel;
import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.skills.Skill;
import dev.keel.agents.skills.SkillSource;
import dev.keel.agents.skills.Skills;
import dev.keel.agents.tool.Toolset;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An agent's {@code skills} and {@code use_skills} and the top-level named skill groups, as {@link Skills}:
 * {@code true} is the local folders, {@code false} none; in a list {@code local} and {@code http(s)} URLs are
 * sources, other strings names to keep (the local folders when no source is listed), mappings inline skills.
 * Nothing is read from disk or the network while loading: sources are read when the agent first runs.
 */
final class SkillSection {
    private final TeamFields f;
    private final Map<String, Entry> groups;
    private final ModelSection models;
    private final ToolsetSection toolsets;
    private final Map<String, Entry> sharedToolsets;

    SkillSection(TeamFields f, Map<String, Entry> groups, ModelSection models, ToolsetSection toolsets,
                 Map<String, Entry> sharedToolsets) {
        this.f = f;
        this.groups = groups;
        this.models = models;
        this.toolsets = toolsets;
        this.sharedToolsets = sharedToolsets;
    }

    /** The agent's skills, or {@link Skills#none()}. */
    Skills skills(MapNode agent, String path) {
        List<Item> items = new ArrayList<>();
        Entry own = agent.entries().get("skills");
        if (own != null) {
            read(own.value(), path + ".skills", items);
        }
        Entry uses = agent.entries().get("use_skills");
        if (uses != null) {
            ListNode list = f.list(uses.value(), path + ".use_skills");
            for (int i = 0; i < list.items().size(); i++) {
                Node n = list.items().get(i);
                String field = path + ".use_skills[" + i + "]";
                String name = f.scalarText(n, field);
                Entry group = groups.get(name);
                if (group == null) {
                    throw f.error(n.line(), field, "unknown skill group '" + name + "'; the top-level skills are "
                            + groups.keySet());
                }
                read(group.value(), "skills." + name, items);
            }
        }
        if (items.isEmpty()) {
            return Skills.none();
        }
        List<SkillSource> sources = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Skill> inline = new ArrayList<>();
        boolean local = false;
        for (Item item : items) {
            if (item.local) {
                local = true;
            } else if (item.url != null) {
                sources.add(SkillSource.remote(item.url, f.options().httpClient()));
            } else if (item.name != null) {
                names.add(item.name);
            } else if (item.skill != null) {
                inline.add(item.skill);
            }
        }
        if (local || sources.isEmpty() && !names.isEmpty()) {
            sources.add(0, SkillSource.local(f.options().workingDirectory(), home()));
        }
        if (sources.isEmpty() && inline.isEmpty()) {
            return Skills.none(); // skills: false
        }
        Map<String, Toolset> named = new LinkedHashMap<>();
        if (!sharedToolsets.isEmpty()) {
            // A forked skill may ask for the team's reusable toolsets by name; they are built now (nothing
            // starts until a tool is listed) so that running a skill reads nothing more from the file.
            for (Entry e : sharedToolsets.values()) {
                Toolset t = toolsets.sharedToolset(e.key(), e.line(), "toolsets." + e.key());
                if (t != null) {
                    named.put(e.key(), t);
                }
            }
        }
        return Skills.builder().sources(sources).names(names).skills(inline)
                .models(this::model)
                .toolsets(name -> Optional.ofNullable(named.get(name)))
                .build();
    }

    /** A forked skill's {@code model}: a model of the file or an inline {@code provider/model}. */
    private AgentModel model(String reference) {
        synchronized (models) {
            try {
                return AgentModel.of(models.definition(reference.strip(), 0, "skill model", false).spec());
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("model '" + reference + "': " + e.getMessage(), e);
            }
        }
    }

    private Path home() {
        String home = f.options().env().get("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"));
    }

    /** One entry of a skills list. */
    private record Item(boolean local, URI url, String name, Skill skill) {}

    private void read(Node value, String path, List<Item> items) {
        if (value instanceof Scalar s && (s.value() instanceof Boolean || "true".equals(s.value()) || "false".equals(s.value()))) {
            if (Boolean.parseBoolean(String.valueOf(s.value()))) {
                items.add(new Item(true, null, null, null));
            }
            return;
        }
        if (value instanceof Scalar) {
            item(value, path, items);
            return;
        }
        ListNode list = f.list(value, path);
        for (int i = 0; i < list.items().size(); i++) {
            item(list.items().get(i), path + "[" + i + "]", items);
        }
    }

    private void item(Node n, String field, List<Item> items) {
        if (n instanceof MapNode m) {
            items.add(new Item(false, null, null, inline(m, field)));
            return;
        }
        String text = f.scalarText(n, field).strip();
        if (text.equals("local")) {
            items.add(new Item(true, null, null, null));
        } else if (text.startsWith("http://") || text.startsWith("https://")) {
            try {
                items.add(new Item(false, URI.create(text), null, null));
            } catch (IllegalArgumentException e) {
                throw f.error(n.line(), field, "'" + text + "' is not a valid URL");
            }
        } else if (!text.isEmpty()) {
            items.add(new Item(false, null, text, null));
        }
    }

    private Skill inline(MapNode m, String field) {
        String name = f.requiredString(m, "name", field);
        String description = f.requiredString(m, "description", field);
        String instructions = f.optString(m, "instructions", field).orElse("");
        String context = f.optString(m, "context", field).orElse("");
        if (!context.isEmpty() && !context.equals("fork")) {
            f.warn(m.entries().get("context").line() + ": " + field + ".context: '" + context
                    + "' is not a context Keel knows (fork); the skill is read inline");
        }
        Entry model = m.entries().get("model");
        if (model != null) {
            models.definition(f.scalarText(model.value(), field + ".model"), model.line(), field + ".model", false);
        }
        try {
            return Skill.builder(name, description).instructions(instructions)
                    .fork(context.equals("fork"))
                    .model(f.optString(m, "model", field).orElse(null))
                    .allowedTools(f.strings(m, "allowed_tools", field))
                    .toolsets(f.strings(m, "toolsets", field))
                    .origin(f.file() + ":" + m.line())
                    .build();
        } catch (IllegalArgumentException e) {
            throw f.error(m.line(), field, e.getMessage());
        }
    }
}

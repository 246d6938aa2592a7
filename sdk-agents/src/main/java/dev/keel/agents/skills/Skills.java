package dev.keel.agents.skills;

import dev.keel.agents.AgentModel;
import dev.keel.agents.tool.Toolset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An agent's skills: sources read when the agent first runs, an optional filter by name, and skills given
 * directly. The agent's system prompt lists each skill's name and description; the agent reads a skill's
 * instructions with the {@code read_skill} tool (and its supporting files with {@code read_skill_file}), or
 * runs a {@code context: fork} skill as an isolated sub-agent with {@code run_skill}, which sees only the task
 * and the skill's instructions and returns its final answer.
 *
 * <pre>{@code
 * Agent agent = Agent.builder("root")
 *         .model("openai/gpt-5")
 *         .skills(Skills.builder()
 *                 .source(SkillSource.local(workingDirectory, home))
 *                 .names(List.of("commit", "review"))
 *                 .build())
 *         .build();
 * }</pre>
 *
 * <p>Thread-safe: the sources are read once, by the first caller of {@link #list()}.
 */
public final class Skills {
    private static final Logger log = LoggerFactory.getLogger(Skills.class);
    private static final Skills NONE = new Builder().build();

    private final List<SkillSource> sources;
    private final Set<String> names;
    private final List<Skill> inline;
    private final Function<String, AgentModel> models;
    private final Function<String, Optional<Toolset>> toolsets;
    private volatile List<Skill> loaded;

    private Skills(Builder b) {
        sources = List.copyOf(b.sources);
        names = Set.copyOf(b.names);
        inline = List.copyOf(b.inline);
        models = b.models;
        toolsets = b.toolsets;
    }

    /**
     * No skills.
     *
     * @return no skills
     */
    public static Skills none() {
        return NONE;
    }

    /**
     * Fixed skills.
     *
     * @param skills the skills
     * @return the skill set
     */
    public static Skills of(Skill... skills) {
        return builder().skills(List.of(skills)).build();
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
     * Whether there are no sources and no skills given directly (nothing to offer an agent).
     *
     * @return whether there are no sources and no skills given directly (nothing to offer an agent)
     */
    public boolean isEmpty() {
        return sources.isEmpty() && inline.isEmpty();
    }

    /**
     * The skills: every source's in order (a later skill of the same name wins), kept to the names of
     * {@link Builder#names} when given, then the skills given directly. Sources are read on the first call.
     *
     * @return the skills
     */
    public List<Skill> list() {
        List<Skill> l = loaded;
        if (l == null) {
            synchronized (this) {
                l = loaded;
                if (l == null) {
                    l = load();
                    loaded = l;
                }
            }
        }
        return l;
    }

    private List<Skill> load() {
        Map<String, Skill> byName = new LinkedHashMap<>();
        for (SkillSource source : sources) {
            try {
                for (Skill s : source.load()) {
                    byName.remove(s.name());
                    byName.put(s.name(), s);
                }
            } catch (RuntimeException e) {
                log.warn("skills of {} could not be loaded: {}", source, e.getMessage());
            }
        }
        if (!names.isEmpty()) {
            byName.keySet().retainAll(names);
            names.stream().filter(n -> !byName.containsKey(n) && inline.stream().noneMatch(s -> s.name().equals(n)))
                    .sorted().forEach(n -> log.warn("skill '{}' was asked for but none of {} has it", n, sources));
        }
        for (Skill s : inline) {
            byName.remove(s.name());
            byName.put(s.name(), s);
        }
        return List.copyOf(new ArrayList<>(byName.values()));
    }

    /**
     * The skill called {@code name}.
     *
     * @param name the name
     * @return the skill, or empty
     */
    public Optional<Skill> find(String name) {
        return list().stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /**
     * The model a forked skill runs on.
     *
     * @param skill the skill
     * @return its model, or empty for its agent's
     * @throws IllegalArgumentException when the skill names a model that cannot be resolved
     */
    public Optional<AgentModel> model(Skill skill) {
        return skill.model().map(models);
    }

    /**
     * The reusable toolsets a forked skill asks for by name; names that are not known are logged and skipped.
     *
     * @param skill the skill
     * @return the toolsets
     */
    public List<Toolset> toolsets(Skill skill) {
        List<Toolset> out = new ArrayList<>();
        for (String name : skill.toolsets()) {
            Optional<Toolset> t = toolsets.apply(name);
            if (t.isPresent()) {
                out.add(t.get());
            } else {
                log.warn("skill '{}' asks for toolset '{}', which is not defined; skipped", skill.name(), name);
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return loaded != null ? "Skills" + loaded.stream().map(Skill::name).toList()
                : "Skills[sources=" + sources + ", skills=" + inline.stream().map(Skill::name).toList() + "]";
    }

    /** Builder for {@link Skills}. Not thread-safe. */
    public static final class Builder {
        private final List<SkillSource> sources = new ArrayList<>();
        private List<String> names = List.of();
        private List<Skill> inline = List.of();
        private Function<String, AgentModel> models = AgentModel::parse;
        private Function<String, Optional<Toolset>> toolsets = name -> Optional.empty();

        private Builder() {}

        /**
         * Adds a source.
         *
         * @param source the source
         * @return this builder
         */
        public Builder source(SkillSource source) {
            sources.add(Objects.requireNonNull(source, "source"));
            return this;
        }

        /**
         * Sets the sources.
         *
         * @param sources the sources, in precedence order
         * @return this builder
         */
        public Builder sources(List<SkillSource> sources) {
            this.sources.clear();
            sources.forEach(this::source);
            return this;
        }

        /**
         * Keeps only the sources' skills with these names (skills given directly are always kept); a name no
         * source has is logged when the skills are first read.
         *
         * @param names the names; empty keeps all
         * @return this builder
         */
        public Builder names(List<String> names) {
            this.names = List.copyOf(names);
            return this;
        }

        /**
         * Skills given directly; they replace a source's skill of the same name.
         *
         * @param skills the skills
         * @return this builder
         */
        public Builder skills(List<Skill> skills) {
            this.inline = List.copyOf(skills);
            return this;
        }

        /**
         * How a forked skill's {@code model} is resolved; by default as {@code provider/model}.
         *
         * @param models from the reference to the model
         * @return this builder
         */
        public Builder models(Function<String, AgentModel> models) {
            this.models = Objects.requireNonNull(models, "models");
            return this;
        }

        /**
         * How a forked skill's {@code toolsets} names are resolved; by default none is known. The toolsets
         * returned stay owned by the function's owner: running a skill does not close them.
         *
         * @param toolsets from the name to a new toolset, or empty when unknown
         * @return this builder
         */
        public Builder toolsets(Function<String, Optional<Toolset>> toolsets) {
            this.toolsets = Objects.requireNonNull(toolsets, "toolsets");
            return this;
        }

        /**
         * The skill set.
         *
         * @return the skill set
         */
        public Skills build() {
            return new Skills(this);
        }
    }
}

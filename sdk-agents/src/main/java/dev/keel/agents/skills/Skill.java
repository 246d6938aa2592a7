package dev.keel.agents.skills;

import dev.keel.agents.tool.ToolsetException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One skill: specialised instructions an agent reads when a task matches its {@link #description()} (the
 * Agent Skills format: a folder with a {@code SKILL.md} file whose YAML front matter names and describes it).
 * Only the name and description are in the agent's system prompt; the {@link #instructions()} are read when
 * the agent asks for them with {@code read_skill}, or run as an isolated sub-agent with {@code run_skill}
 * when {@link #fork()} is set ({@code context: fork}).
 *
 * <p>Immutable and thread-safe; {@link #instructions()} reads the file or URL each time it is called, so an
 * edited skill shows on its next use.
 */
public final class Skill {
    private static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** Where a skill's instructions and supporting files come from. */
    public interface Content {
        /**
         * The skill's instructions (the body of {@code SKILL.md}, without front matter).
         *
         * @return the instructions
         * @throws ToolsetException when they cannot be read
         */
        String instructions();

        /**
         * A supporting file of the skill (for example {@code scripts/run.sh} or {@code references/api.md}),
         * which must stay inside the skill's folder.
         *
         * @param relativePath the path relative to the skill's folder
         * @return the file's text
         * @throws ToolsetException when the path leaves the folder or the file cannot be read
         */
        default String file(String relativePath) {
            throw new ToolsetException("this skill has no supporting files");
        }
    }

    private final String name;
    private final String description;
    private final boolean fork;
    private final String model;
    private final List<String> allowedTools;
    private final List<String> toolsets;
    private final String license;
    private final String compatibility;
    private final Map<String, String> metadata;
    private final String origin;
    private final Content content;

    private Skill(Builder b) {
        name = b.name;
        description = b.description;
        fork = b.fork;
        model = b.model;
        allowedTools = List.copyOf(b.allowedTools);
        toolsets = List.copyOf(b.toolsets);
        license = b.license;
        compatibility = b.compatibility;
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.metadata));
        origin = b.origin;
        content = Objects.requireNonNull(b.content, "instructions");
    }

    /**
     * Starts a skill.
     *
     * @param name        its name (1–64 of {@code [A-Za-z0-9_.-]}, starting with a letter or digit)
     * @param description when to use it, shown to the model
     * @return a builder
     */
    public static Builder builder(String name, String description) {
        return new Builder(name, description);
    }

    /**
     * A skill whose instructions are given as text (docker-agent's inline skills).
     *
     * @param name         its name
     * @param description  when to use it
     * @param instructions what to do
     * @return the skill
     */
    public static Skill of(String name, String description, String instructions) {
        return builder(name, description).instructions(instructions).build();
    }

    /**
     * The name the model uses with {@code read_skill} and {@code run_skill}.
     *
     * @return the name the model uses with {@code read_skill} and {@code run_skill}
     */
    public String name() { return name; }

    /**
     * When to use the skill, shown in the system prompt.
     *
     * @return when to use the skill, shown in the system prompt
     */
    public String description() { return description; }

    /**
     * Whether the skill runs as an isolated sub-agent ({@code context: fork}) rather than being read.
     *
     * @return whether the skill runs as an isolated sub-agent ({@code context: fork}) rather than being read
     */
    public boolean fork() { return fork; }

    /**
     * The model a forked skill runs on instead of its agent's: a model name of the team file or an inline
     * {@code provider/model}.
     *
     * @return the model reference, or empty for the agent's model
     */
    public Optional<String> model() { return Optional.ofNullable(model); }

    /**
     * Tools the skill needs ({@code allowed-tools}). A forked skill gets only those of its agent's tools
     * whose names are listed ({@code *} matches any characters, as in {@code read_*}); when none of its agent's
     * tools is listed (names of other products' tools such as {@code Bash(git:*)}), it gets all of them.
     *
     * @return the tool names as written
     */
    public List<String> allowedTools() { return allowedTools; }

    /**
     * Names of the team's reusable toolsets a forked skill gets besides its agent's.
     *
     * @return names of the team's reusable toolsets a forked skill gets besides its agent's
     */
    public List<String> toolsets() { return toolsets; }

    /**
     * The license identifier, may be empty.
     *
     * @return the license identifier, may be empty
     */
    public String license() { return license; }

    /**
     * Free-text compatibility notes, may be empty.
     *
     * @return free-text compatibility notes, may be empty
     */
    public String compatibility() { return compatibility; }

    /**
     * The front matter's {@code metadata} entries.
     *
     * @return the front matter's {@code metadata} entries
     */
    public Map<String, String> metadata() { return metadata; }

    /**
     * Where the skill was found: a file path, a URL or {@code inline}.
     *
     * @return where the skill was found: a file path, a URL or {@code inline}
     */
    public String origin() { return origin; }

    /**
     * Reads the skill's instructions.
     *
     * @return the instructions
     * @throws ToolsetException when they cannot be read
     */
    public String instructions() { return content.instructions(); }

    /**
     * Reads a supporting file of the skill.
     *
     * @param relativePath the path inside the skill's folder
     * @return the file's text
     * @throws ToolsetException when the path leaves the folder or the file cannot be read
     */
    public String file(String relativePath) { return content.file(relativePath); }

    @Override
    public String toString() {
        return "Skill[" + name + (fork ? ", fork" : "") + ", " + origin + "]";
    }

    /** Builder for {@link Skill}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private final String description;
        private boolean fork;
        private String model;
        private List<String> allowedTools = List.of();
        private List<String> toolsets = List.of();
        private String license = "";
        private String compatibility = "";
        private Map<String, String> metadata = Map.of();
        private String origin = "inline";
        private Content content;

        private Builder(String name, String description) {
            Objects.requireNonNull(name, "name");
            if (!NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("skill name '" + name + "' must be 1-64 of [A-Za-z0-9_.-]");
            }
            if (description == null || description.isBlank()) {
                throw new IllegalArgumentException("skill '" + name + "' needs a description");
            }
            this.name = name;
            this.description = description.strip();
        }

        /**
         * Instructions given as text.
         *
         * @param instructions the instructions
         * @return this builder
         */
        public Builder instructions(String instructions) {
            Objects.requireNonNull(instructions, "instructions");
            this.content = () -> instructions;
            return this;
        }

        /**
         * Instructions (and supporting files) read on use.
         *
         * @param content where they come from
         * @return this builder
         */
        public Builder content(Content content) {
            this.content = Objects.requireNonNull(content, "content");
            return this;
        }

        /**
         * Whether the skill runs as an isolated sub-agent.
         *
         * @param fork {@code true} for {@code context: fork}
         * @return this builder
         */
        public Builder fork(boolean fork) { this.fork = fork; return this; }

        /**
         * The model of a forked skill.
         *
         * @param model a model name or {@code provider/model}, or null for the agent's
         * @return this builder
         */
        public Builder model(String model) { this.model = model == null || model.isBlank() ? null : model; return this; }

        /**
         * Tools the skill needs.
         *
         * @param tools tool names
         * @return this builder
         */
        public Builder allowedTools(List<String> tools) { this.allowedTools = List.copyOf(tools); return this; }

        /**
         * The team's reusable toolsets a forked skill gets.
         *
         * @param toolsets toolset names
         * @return this builder
         */
        public Builder toolsets(List<String> toolsets) { this.toolsets = List.copyOf(toolsets); return this; }

        /**
         * Sets a license identifier.
         *
         * @param license a license identifier
         * @return this builder
         */
        public Builder license(String license) { this.license = Objects.requireNonNullElse(license, ""); return this; }

        /**
         * Sets compatibility notes.
         *
         * @param compatibility compatibility notes
         * @return this builder
         */
        public Builder compatibility(String compatibility) {
            this.compatibility = Objects.requireNonNullElse(compatibility, "");
            return this;
        }

        /**
         * Sets free key-value pairs.
         *
         * @param metadata free key-value pairs
         * @return this builder
         */
        public Builder metadata(Map<String, String> metadata) { this.metadata = Map.copyOf(metadata); return this; }

        /**
         * Sets where the skill was found, for messages.
         *
         * @param origin where the skill was found, for messages
         * @return this builder
         */
        public Builder origin(String origin) { this.origin = Objects.requireNonNull(origin, "origin"); return this; }

        /**
         * Builds the skill.
         *
         * @return the skill
         * @throws NullPointerException when no instructions were given
         */
        public Skill build() { return new Skill(this); }
    }
}

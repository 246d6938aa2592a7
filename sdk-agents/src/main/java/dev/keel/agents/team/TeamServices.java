package dev.keel.agents.team;

import dev.keel.core.EmbeddingModel;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the host application provides to the tools of a loaded team, beyond what a team file can say: who may
 * see what of a knowledge base ({@link KnowledgeAccess}), the sandboxes sandboxed shells run in
 * ({@link SandboxFactory}), the embedding models knowledge bases index with, and who answers an agent's
 * {@code user_prompt} ({@link dev.keel.agents.toolsets.UserPrompter}). Every service is optional;
 * without one Keel uses its default, described on the builder's setter. Immutable.
 */
public final class TeamServices {
    private static final TeamServices NONE = new Builder().build();

    private final KnowledgeAccess knowledgeAccess;
    private final SandboxFactory sandboxes;
    private final Function<String, EmbeddingModel> embeddings;
    private final dev.keel.agents.toolsets.UserPrompter userPrompter;

    private TeamServices(Builder b) {
        this.knowledgeAccess = b.knowledgeAccess;
        this.sandboxes = b.sandboxes;
        this.embeddings = b.embeddings;
        this.userPrompter = b.userPrompter;
    }

    /**
     * No host services: every default.
     *
     * @return the defaults
     */
    public static TeamServices none() {
        return NONE;
    }

    /**
     * A builder with every default.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The per-request knowledge-base filter, if set.
     *
     * @return the per-request knowledge-base filter, if set
     */
    public Optional<KnowledgeAccess> knowledgeAccess() {
        return Optional.ofNullable(knowledgeAccess);
    }

    /**
     * The sandbox factory, if set.
     *
     * @return the sandbox factory, if set
     */
    public Optional<SandboxFactory> sandboxes() {
        return Optional.ofNullable(sandboxes);
    }

    /**
     * The embedding-model resolver, if set.
     *
     * @return the embedding-model resolver, if set
     */
    public Optional<Function<String, EmbeddingModel>> embeddings() {
        return Optional.ofNullable(embeddings);
    }

    /**
     * Who answers {@code user_prompt} questions, if set.
     *
     * @return the prompter, if set
     */
    public Optional<dev.keel.agents.toolsets.UserPrompter> userPrompter() {
        return Optional.ofNullable(userPrompter);
    }

    @Override
    public String toString() {
        return "TeamServices[" + (knowledgeAccess != null ? "knowledgeAccess " : "")
                + (sandboxes != null ? "sandboxes " : "") + (embeddings != null ? "embeddings " : "")
                + (userPrompter != null ? "userPrompter" : "") + "]";
    }

    /** Builds {@link TeamServices}. Setters replace what was set before. Not thread-safe. */
    public static final class Builder {
        private KnowledgeAccess knowledgeAccess;
        private SandboxFactory sandboxes;
        private Function<String, EmbeddingModel> embeddings;
        private dev.keel.agents.toolsets.UserPrompter userPrompter;

        private Builder() {}

        /**
         * Answers the questions agents ask with {@code user_prompt}. Default: none, and each question is a tool
         * error saying that no user can answer (a headless service).
         *
         * @param prompter the host application's prompter
         * @return this builder
         */
        public Builder userPrompter(dev.keel.agents.toolsets.UserPrompter prompter) {
            this.userPrompter = prompter;
            return this;
        }

        /**
         * Filters every knowledge-base search per request. Default: every passage is visible to everyone.
         *
         * @param access the filter per request
         * @return this builder
         */
        public Builder knowledgeAccess(KnowledgeAccess access) {
            this.knowledgeAccess = access;
            return this;
        }

        /**
         * Starts the sandboxes of sandboxed shells. Default: a Keel microVM from {@code dev.keel:sdk-sandbox}.
         *
         * @param factory the sandbox factory
         * @return this builder
         */
        public Builder sandboxes(SandboxFactory factory) {
            this.sandboxes = factory;
            return this;
        }

        /**
         * Resolves a knowledge base's {@code embedding_model} reference ({@code openai/text-embedding-3-small})
         * to a model. Default: Keel's model registry over the process environment.
         *
         * @param resolver reference to model; the team closes the models it gets when its runner closes
         * @return this builder
         */
        public Builder embeddings(Function<String, EmbeddingModel> resolver) {
            this.embeddings = resolver;
            return this;
        }

        /**
         * The services.
         *
         * @return the services
         */
        public TeamServices build() {
            return new TeamServices(this);
        }
    }
}

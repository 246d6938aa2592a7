package dev.keel.agents.team;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.models.ModelResolver;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the host application provides to the tools of a loaded team, beyond what a team file can say: who may
 * see what of a knowledge base ({@link KnowledgeAccess}), the sandboxes sandboxed shells run in
 * ({@link SandboxFactory}), the embedding models knowledge bases index with, who shows the
 * pages of {@code open_url} tools ({@link dev.keel.agents.toolsets.UrlOpener}) who answers an agent's
 * {@code user_prompt} ({@link dev.keel.agents.toolsets.UserPrompter}), which earlier sessions
 * {@code session_context} tools may read ({@link dev.keel.agents.session.SessionHistory}), the remote MCP servers
 * {@code mcp_catalog} tools may enable ({@link dev.keel.agents.mcp.McpCatalog}), and who is woken when a
 * {@code scheduler} toolset has a schedule due for a session no run is active for
 * ({@link dev.keel.agents.toolsets.ScheduleListener}, with the {@link java.time.Clock} schedules are timed by). Every
 * service is optional; without one Keel uses its default, described on the builder's setter. Immutable.
 */
public final class TeamServices {
    private static final TeamServices NONE = new Builder().build();

    private final KnowledgeAccess knowledgeAccess;
    private final SandboxFactory sandboxes;
    private final Function<String, EmbeddingModel> embeddings;
    private final dev.keel.agents.toolsets.UserPrompter userPrompter;
    private final dev.keel.agents.toolsets.UrlOpener urlOpener;
    private final ModelResolver models;
    private final boolean syncKnowledgeOnStart;
    private final dev.keel.agents.session.SessionHistory sessionHistory;
    private final dev.keel.agents.toolsets.SudoPrompter sudoPrompter;
    private final dev.keel.agents.toolsets.ScheduleListener scheduleListener;
    private final java.time.Clock clock;
    private final dev.keel.agents.mcp.McpCatalog mcpCatalog;

    private TeamServices(Builder b) {
        this.sudoPrompter = b.sudoPrompter;
        this.mcpCatalog = b.mcpCatalog;
        this.sessionHistory = b.sessionHistory;
        this.scheduleListener = b.scheduleListener;
        this.clock = b.clock;
        this.knowledgeAccess = b.knowledgeAccess;
        this.sandboxes = b.sandboxes;
        this.embeddings = b.embeddings;
        this.userPrompter = b.userPrompter;
        this.urlOpener = b.urlOpener;
        this.models = b.models;
        this.syncKnowledgeOnStart = b.syncKnowledgeOnStart;
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

    /**
     * Who shows the pages of {@code open_url} tools to the user, if set.
     *
     * @return the opener, if set
     */
    public Optional<dev.keel.agents.toolsets.UrlOpener> urlOpener() {
        return Optional.ofNullable(urlOpener);
    }

    /**
     * The resolver of the chat models knowledge bases use (semantic summaries, reranking), if set.
     *
     * @return the resolver, if set
     */
    public Optional<ModelResolver> models() {
        return Optional.ofNullable(models);
    }

    /**
     * Whether knowledge bases are indexed completely when the team starts, before their search tools are listed.
     *
     * @return whether knowledge bases are indexed before the team's first model call
     */
    public boolean syncKnowledgeOnStart() {
        return syncKnowledgeOnStart;
    }

    /**
     * The earlier sessions {@code session_context} toolsets may read, if set.
     *
     * @return the history, if set
     */
    public Optional<dev.keel.agents.session.SessionHistory> sessionHistory() {
        return Optional.ofNullable(sessionHistory);
    }

    /**
     * Who answers the sudo password prompts of {@code sudo_askpass} shells, if set.
     *
     * @return the prompter, if set
     */
    public Optional<dev.keel.agents.toolsets.SudoPrompter> sudoPrompter() {
        return Optional.ofNullable(sudoPrompter);
    }

    /**
     * Who is woken when a {@code scheduler} toolset has schedules due for a session no run is active for, if set.
     *
     * @return the listener, if set
     */
    public Optional<dev.keel.agents.toolsets.ScheduleListener> scheduleListener() {
        return Optional.ofNullable(scheduleListener);
    }

    /**
     * The clock {@code scheduler} toolsets time their schedules with, if set.
     *
     * @return the clock, if set
     */
    public Optional<java.time.Clock> clock() {
        return Optional.ofNullable(clock);
    }

    /**
     * The remote MCP servers {@code mcp_catalog} toolsets may enable, if set.
     *
     * @return the catalog, if set
     */
    public Optional<dev.keel.agents.mcp.McpCatalog> mcpCatalog() {
        return Optional.ofNullable(mcpCatalog);
    }

    @Override
    public String toString() {
        return "TeamServices[" + (sudoPrompter != null ? "sudoPrompter " : "")
                + (mcpCatalog != null ? "mcpCatalog " : "") + (knowledgeAccess != null ? "knowledgeAccess " : "")
                + (sandboxes != null ? "sandboxes " : "") + (embeddings != null ? "embeddings " : "")
                + (userPrompter != null ? "userPrompter " : "") + (urlOpener != null ? "urlOpener " : "")
                + (models != null ? "models " : "") + (sessionHistory != null ? "sessionHistory " : "")
                + (scheduleListener != null ? "scheduleListener " : "") + (clock != null ? "clock " : "")
                + (syncKnowledgeOnStart ? "syncKnowledgeOnStart" : "") + "]";
    }

    /** Builds {@link TeamServices}. Setters replace what was set before. Not thread-safe. */
    public static final class Builder {
        private KnowledgeAccess knowledgeAccess;
        private SandboxFactory sandboxes;
        private Function<String, EmbeddingModel> embeddings;
        private dev.keel.agents.toolsets.UserPrompter userPrompter;
        private dev.keel.agents.toolsets.UrlOpener urlOpener;
        private ModelResolver models;
        private boolean syncKnowledgeOnStart;
        private dev.keel.agents.session.SessionHistory sessionHistory;
        private dev.keel.agents.toolsets.SudoPrompter sudoPrompter;
        private dev.keel.agents.toolsets.ScheduleListener scheduleListener;
        private java.time.Clock clock;
        private dev.keel.agents.mcp.McpCatalog mcpCatalog;

        private Builder() {}

        /**
         * Answers the sudo password prompts of shell toolsets with {@code sudo_askpass: true} (a masked field in the
         * host's UI; see {@link dev.keel.agents.toolsets.SudoPrompter}). Default: none, and each prompt is declined:
         * sudo fails as without the option, and the command's output says that no host application answers.
         *
         * @param prompter the host application's prompter
         * @return this builder
         */
        public Builder sudoPrompter(dev.keel.agents.toolsets.SudoPrompter prompter) {
            this.sudoPrompter = prompter;
            return this;
        }

        /**
         * Wakes the host when a {@code scheduler} toolset has schedules due for a session while no run of it is
         * active (a Keel run ends when its agent answers): the host usually runs that session again, and the run tells
         * it the due schedules before its first model call. Default: none, and due schedules wait for the session's
         * next run. See {@link dev.keel.agents.toolsets.SchedulerToolset}.
         *
         * @param listener the host's listener
         * @return this builder
         */
        public Builder scheduleListener(dev.keel.agents.toolsets.ScheduleListener listener) {
            this.scheduleListener = listener;
            return this;
        }

        /**
         * The clock {@code scheduler} toolsets time their schedules with (a test moves its own clock and calls
         * {@link dev.keel.agents.toolsets.SchedulerToolset#fireDue()}). Default: the system clock in UTC.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(java.time.Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * The remote MCP servers that {@code mcp_catalog} toolsets ({@code search_remote_mcp_servers},
         * {@code enable_remote_mcp_server}, …) may enable, for example {@code McpCatalog.read(Path.of("servers.json"))}
         * (docker-agent's format); a toolset's {@code allowed_servers} / {@code blocked_servers} narrow it. Each
         * session enables servers for itself alone, so one catalog serves every user of a runner. Default:
         * none, and each search or enable is a tool error saying that no catalog is configured (the team file still
         * loads without a warning).
         *
         * @param catalog the catalog
         * @return this builder
         */
        public Builder mcpCatalog(dev.keel.agents.mcp.McpCatalog catalog) {
            this.mcpCatalog = catalog;
            return this;
        }

        /**
         * The earlier sessions that {@code session_context} toolsets ({@code list_sessions}, {@code read_session})
         * may show, usually the runner's own store with a scope. Default: none, and each call is a tool error saying
         * that no history is configured (the team file still loads without a warning). A service that keeps many
         * users' sessions in one store must give a per-user scope ({@link dev.keel.agents.session.SessionScope}).
         *
         * @param history the store and the scope
         * @return this builder
         */
        public Builder sessionHistory(dev.keel.agents.session.SessionHistory history) {
            this.sessionHistory = history;
            return this;
        }

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
         * Shows the pages agents open with {@code open_url} to the user. Default: none, and each call is a tool error
         * saying that no one can see the page (a headless service).
         *
         * @param opener the host application's opener
         * @return this builder
         */
        public Builder urlOpener(dev.keel.agents.toolsets.UrlOpener opener) {
            this.urlOpener = opener;
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
         * Resolves the chat models a knowledge base's {@code semantic-embeddings} strategy ({@code chat_model}) and
         * {@code results.reranking.model} name — for example a test's {@code llm.models()}. Default: Keel's model
         * registry over the team's environment ({@link TeamOptions#env()}).
         *
         * @param resolver configuration to model; the team closes the models it gets when its runner closes
         * @return this builder
         */
        public Builder models(ModelResolver resolver) {
            this.models = resolver;
            return this;
        }

        /**
         * Index every knowledge base completely when the team starts (the agent's first model call waits for it),
         * then watch its files. Default false: as docker-agent does, indexing starts in the background when the
         * team starts and files are watched; a search made before the first pass over a still-empty index waits for
         * that pass, a search over an index kept from an earlier run answers at once. Use true in tests and batch
         * jobs, where a run must see every document.
         *
         * @param sync whether to index before the first model call
         * @return this builder
         */
        public Builder syncKnowledgeOnStart(boolean sync) {
            this.syncKnowledgeOnStart = sync;
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

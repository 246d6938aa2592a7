package dev.keel.agents.team;

import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.agents.tool.Toolset;
import dev.keel.agents.tool.ToolsetException;
import dev.keel.core.ChatModel;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.models.ModelConfig;
import dev.keel.core.models.ModelRegistry;
import dev.keel.core.models.ModelResolver;
import dev.keel.core.openai.OpenAiEmbeddings;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import dev.keel.rag.knowledge.Fusion;
import dev.keel.rag.knowledge.KnowledgeBase;
import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.knowledge.KnowledgeFilter;
import dev.keel.rag.knowledge.KnowledgeHit;
import dev.keel.rag.knowledge.ProgressListener;
import dev.keel.rag.knowledge.Rerankers;
import dev.keel.rag.knowledge.Reranking;
import dev.keel.rag.knowledge.Strategy;
import dev.keel.rag.knowledge.ToolDescription;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A team file's knowledge base as a toolset: one read-only search tool, named, described and parameterised as
 * docker-agent exposes it ({@link KnowledgeBase#tool()}: one required string {@code query}; the answer is
 * docker-agent's JSON array of {@code source_path}, {@code content}, {@code similarity}, {@code chunk_index}).
 *
 * <p>The knowledge base is opened when the team starts (the first {@link #tools()} call): its models are
 * resolved ({@link TeamServices}), then it is indexed and watched — in the background as docker-agent does (a
 * search made before the first pass over an empty index waits for that pass), or completely before the tools
 * are listed with {@link TeamServices.Builder#syncKnowledgeOnStart(boolean)}. Every search applies the host's
 * {@link KnowledgeAccess} filter for the calling session; a filter that throws or answers null fails the call
 * without showing any passage (fail closed). Closing stops the watcher and closes the models it resolved.
 * Thread-safe.
 */
final class KnowledgeToolset implements Toolset {
    private static final Logger LOG = LoggerFactory.getLogger(KnowledgeToolset.class);

    /** One {@code docs} entry: a file or directory, and a glob inside the directory (or null). */
    record Source(Path path, String glob) {}

    /** What a {@code rag:} entry says, checked at load; models are resolved at start. Mutable while read. */
    static final class Plan {
        final String name;
        final List<Source> sources = new ArrayList<>();
        final List<StrategyPlan> strategies = new ArrayList<>();
        boolean respectVcs = true;
        Path indexDirectory;
        String toolName;
        String toolDescription;
        String toolInstruction;
        Integer limit;
        boolean deduplicate = true;
        boolean includeScore;
        boolean returnFullContent;
        Fusion fusion;
        ModelConfig rerankModel;
        int rerankTopK;
        double rerankThreshold = 0.5;
        String rerankCriteria;
        int queryCache;

        Plan(String name) {
            this.name = name;
        }
    }

    /**
     * One strategy: ready (bm25), or waiting for its models (embedding {@code reference}/{@code embedding}, and
     * {@code chat} for semantic summaries); {@code location} is its own index directory ({@code database}, named at
     * {@code locationField} on {@code locationLine}), or null for the knowledge base's.
     */
    record StrategyPlan(String name, Strategy ready, Strategy.Common common, String reference,
                        ModelConfig embedding, int dimensions, int batchSize, int concurrency, ModelConfig chat,
                        String prompt, boolean codeContext, Path location, String locationField, int locationLine) {
        static StrategyPlan ready(Strategy s) {
            return new StrategyPlan(s.type(), s, s.common(), null, null, 0, 0, 0, null, null, false, null, null, 0);
        }

        static StrategyPlan embeddings(Strategy.Common common, String reference, ModelConfig embedding, int dimensions,
                                       int batchSize, int concurrency) {
            return new StrategyPlan("chunked-embeddings", null, common, reference, embedding, dimensions, batchSize,
                    concurrency, null, null, false, null, null, 0);
        }

        static StrategyPlan semantic(Strategy.Common common, String reference, ModelConfig embedding, int dimensions,
                                     int batchSize, int concurrency, ModelConfig chat, String prompt,
                                     boolean codeContext) {
            return new StrategyPlan("semantic-embeddings", null, common, reference, embedding, dimensions, batchSize,
                    concurrency, chat, prompt, codeContext, null, null, 0);
        }

        StrategyPlan renamed(String newName) {
            return new StrategyPlan(newName, ready, common, reference, embedding, dimensions, batchSize, concurrency,
                    chat, prompt, codeContext, location, locationField, locationLine);
        }

        StrategyPlan at(Path dir, String field, int line) {
            return dir == null ? this : new StrategyPlan(name, ready, common, reference, embedding, dimensions,
                    batchSize, concurrency, chat, prompt, codeContext, dir, field, line);
        }

        Strategy build(Models models) {
            Strategy s;
            if (ready != null) {
                s = ready;
            } else if (chat == null) {
                s = new Strategy.ChunkedEmbeddings(common, models.embedding(reference, embedding, dimensions), dimensions,
                        batchSize, concurrency);
            } else {
                s = new Strategy.SemanticEmbeddings(common, models.embedding(reference, embedding, dimensions),
                        models.chat(chat), prompt, batchSize, concurrency, codeContext);
            }
            if (name.equals(s.type())) {
                return s;
            }
            if (s instanceof Strategy.Bm25 b) {
                return b.withName(name);
            }
            return s instanceof Strategy.ChunkedEmbeddings c ? c.withName(name)
                    : ((Strategy.SemanticEmbeddings) s).withName(name);
        }
    }

    private final Plan plan;
    private final TeamOptions options;
    private final String label;
    private KnowledgeBase kb;
    private Models models;
    private List<Tool> tools;
    private CompletableFuture<Void> firstPass;
    private Thread indexer;
    private boolean closed;

    KnowledgeToolset(Plan plan, TeamOptions options) {
        this.plan = Objects.requireNonNull(plan, "plan");
        this.options = Objects.requireNonNull(options, "options");
        this.label = "rag:" + plan.name;
    }

    @Override
    public String name() {
        return label;
    }

    @Override
    public List<Tool> tools() {
        return start();
    }

    @Override
    public String instructions() {
        if (plan.toolInstruction != null) {
            return plan.toolInstruction;
        }
        try {
            start();
        } catch (ToolsetException e) {
            return ""; // the tool listing reports it
        }
        synchronized (this) {
            return kb != null ? kb.tool().instruction() : "";
        }
    }

    /** Opens, indexes (or starts indexing) and watches the knowledge base once; the tool list. */
    private synchronized List<Tool> start() {
        if (closed) {
            throw new ToolsetException("toolset '" + label + "' is closed");
        }
        if (tools != null) {
            return tools;
        }
        Models resolved = new Models(options);
        KnowledgeBase opened;
        try {
            opened = open(resolved);
        } catch (RuntimeException e) {
            resolved.close();
            throw new ToolsetException("knowledge base '" + plan.name + "' cannot start: " + e.getMessage(), e);
        }
        ProgressListener listener = new ProgressListener() {
            @Override
            public void progress(dev.keel.rag.knowledge.IndexProgress progress) {
                LOG.debug("knowledge base {}: {}", plan.name, progress);
            }

            @Override
            public void failed(KnowledgeBaseException failure) {
                LOG.warn("knowledge base {}: indexing failed: {}", plan.name, failure.getMessage());
            }
        };
        CompletableFuture<Void> pass = new CompletableFuture<>();
        if (options.services().syncKnowledgeOnStart()) {
            try {
                opened.sync(listener);
                pass.complete(null);
            } catch (RuntimeException e) {
                opened.close();
                resolved.close();
                throw new ToolsetException("knowledge base '" + plan.name + "' cannot be indexed: " + e.getMessage(), e);
            }
            opened.watch(listener);
        } else {
            Thread t = new Thread(() -> {
                try {
                    opened.sync(listener);
                    pass.complete(null);
                } catch (RuntimeException e) {
                    LOG.warn("knowledge base {}: indexing failed: {}", plan.name, e.getMessage());
                    pass.completeExceptionally(e);
                }
                try {
                    opened.watch(listener);
                } catch (IllegalStateException e) {
                    LOG.debug("knowledge base {} closed before it was watched", plan.name);
                }
            }, "keel-kb-index-" + plan.name);
            t.setDaemon(true);
            indexer = t;
            t.start();
        }
        ToolDescription d = opened.tool();
        ToolSpec spec = ToolSpec.of(d.name(), d.description(), JsonSchema.parse(d.parametersSchema()));
        this.kb = opened;
        this.models = resolved;
        this.firstPass = pass;
        this.tools = List.of(Tool.of(spec, true, this::search));
        return tools;
    }

    private KnowledgeBase open(Models resolved) {
        KnowledgeBase.Builder b = KnowledgeBase.builder(plan.indexDirectory).name(plan.name)
                .respectVcs(plan.respectVcs).deduplicate(plan.deduplicate).includeScore(plan.includeScore)
                .returnFullContent(plan.returnFullContent).queryCache(plan.queryCache)
                .tool(plan.toolName, plan.toolDescription, plan.toolInstruction);
        for (Source s : plan.sources) {
            if (s.glob() != null) {
                b.source(s.path(), s.glob());
            } else {
                b.source(s.path());
            }
        }
        for (StrategyPlan s : plan.strategies) {
            if (s.location() != null) {
                b.strategy(s.build(resolved), s.location());
            } else {
                b.strategy(s.build(resolved));
            }
        }
        if (plan.limit != null) {
            b.limit(plan.limit);
        }
        if (plan.fusion != null) {
            b.fusion(plan.fusion);
        }
        if (plan.rerankModel != null) {
            ChatModel judge = resolved.chat(plan.rerankModel);
            b.reranking(new Reranking(plan.rerankCriteria == null ? Rerankers.model(judge)
                    : Rerankers.model(judge, plan.rerankCriteria), plan.rerankTopK, plan.rerankThreshold));
        }
        return b.build();
    }

    /** The tool call: the passages the asker may see, as docker-agent's JSON. */
    private ToolResult search(ToolArguments arguments, ToolContext context) throws InterruptedException {
        String query = arguments.string("query");
        if (query.isBlank()) {
            return ToolResult.error("query cannot be empty");
        }
        KnowledgeBase live;
        CompletableFuture<Void> pass;
        synchronized (this) {
            if (closed) {
                return ToolResult.error("knowledge base '" + plan.name + "' is closed");
            }
            live = kb;
            pass = firstPass;
        }
        if (live.generation() == 0 && !pass.isDone()) {
            try {
                pass.get(); // nothing indexed yet: wait for the first pass rather than answer from an empty index
            } catch (ExecutionException e) {
                return ToolResult.error("knowledge base '" + plan.name + "' could not be indexed: "
                        + e.getCause().getMessage());
            }
        }
        KnowledgeFilter filter = filterFor(context);
        try {
            return ToolResult.ok(live.toolAnswer(query, filter));
        } catch (AccessFailure e) {
            return ToolResult.error(e.getMessage());
        } catch (KnowledgeBaseException e) {
            if (e.getCause() instanceof AccessFailure a) {
                return ToolResult.error(a.getMessage());
            }
            return ToolResult.error("knowledge base '" + plan.name + "': " + e.getMessage());
        }
    }

    /**
     * The host's filter for this call, guarded: a filter that throws, answers null or adds passages fails the search (no passage is shown; the reason is logged without the filter's own message, which may
     * quote a passage).
     */
    private KnowledgeFilter filterFor(ToolContext context) {
        KnowledgeAccess access = options.services().knowledgeAccess().orElse(null);
        if (access == null) {
            return KnowledgeFilter.none();
        }
        return hits -> {
            List<KnowledgeHit> kept;
            try {
                KnowledgeFilter filter = access.filter(plan.name, context);
                if (filter == null) {
                    throw new NullPointerException("KnowledgeAccess returned no filter");
                }
                kept = filter.keep(hits);
            } catch (RuntimeException e) {
                LOG.warn("knowledge base {}: the access filter failed with {}; nothing is shown", plan.name,
                        e.getClass().getName());
                throw new AccessFailure(plan.name);
            }
            return kept; // null, or passages it was not given, fail the search in the knowledge base
        };
    }

    /** The access check failed: the message says so and nothing else. */
    static final class AccessFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AccessFailure(String kb) {
            super("knowledge base '" + kb + "': the access check failed, so nothing is shown");
        }
    }

    @Override
    public void close() {
        KnowledgeBase open;
        Models owned;
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = kb;
            owned = models;
            t = indexer;
            kb = null;
            models = null;
        }
        if (open != null) {
            open.close();
        }
        if (t != null) {
            t.interrupt();
        }
        if (owned != null) {
            owned.close();
        }
    }

    @Override
    public String toString() {
        return "KnowledgeToolset[" + plan.name + ", " + plan.indexDirectory + (tools != null ? ", started" : "") + "]";
    }

    /**
     * The models of one knowledge base, resolved once each: embedding models through
     * {@link TeamServices#embeddings()} or from the configuration (an OpenAI-compatible endpoint for a
     * {@code base_url}, else Keel's registry), chat models through {@link TeamServices#models()} or the registry.
     * Closes what it made.
     */
    static final class Models implements AutoCloseable {
        private final TeamOptions options;
        private final Map<String, EmbeddingModel> embeddings = new LinkedHashMap<>();
        private final Map<ModelConfig, ChatModel> chats = new LinkedHashMap<>();
        private final List<AutoCloseable> owned = new ArrayList<>();
        private ModelRegistry registry;

        Models(TeamOptions options) {
            this.options = options;
        }

        private ModelRegistry registry() {
            if (registry == null) {
                registry = ModelRegistry.builder().environment(options.env()).build();
                owned.add(registry);
            }
            return registry;
        }

        EmbeddingModel embedding(String reference, ModelConfig config, int dimensions) {
            EmbeddingModel known = embeddings.get(reference + "#" + dimensions);
            if (known != null) {
                return known;
            }
            EmbeddingModel model;
            var host = options.services().embeddings();
            if (host.isPresent()) {
                model = Objects.requireNonNull(host.get().apply(reference),
                        "the embeddings resolver returned no model for " + reference);
            } else if (config.baseUrl() != null) {
                OpenAiEmbeddings.Builder b = OpenAiEmbeddings.builder().providerName(config.provider())
                        .baseUrl(config.baseUrl()).model(config.model());
                String keyVar = config.tokenKey() != null ? config.tokenKey() : TeamSchema.DEFAULT_KEYS.get(config.provider());
                String key = keyVar == null ? null : options.env().get(keyVar);
                if (key != null && !key.isEmpty()) {
                    b.apiKey(key);
                }
                if (dimensions > 0) {
                    b.dimension(dimensions);
                }
                model = b.build();
            } else {
                model = registry().embeddingModel(config.provider() + "/" + config.model());
            }
            if (!host.isPresent() && config.baseUrl() != null) {
                owned.add(model);
            }
            if (host.isPresent()) {
                owned.add(model); // the team closes the models it gets (TeamServices.Builder#embeddings)
            }
            embeddings.put(reference + "#" + dimensions, model);
            return model;
        }

        ChatModel chat(ModelConfig config) {
            ChatModel known = chats.get(config);
            if (known != null) {
                return known;
            }
            ModelResolver resolver = options.services().models().orElse(null);
            ChatModel model = resolver != null ? resolver.resolve(config) : registry().resolve(config);
            if (resolver != null) {
                owned.add(model);
            }
            chats.put(config, model);
            return model;
        }

        @Override
        public void close() {
            List<AutoCloseable> all = new ArrayList<>(owned);
            owned.clear();
            java.util.Collections.reverse(all);
            Set<AutoCloseable> seen = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
            for (AutoCloseable c : all) {
                if (seen.add(c)) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        LOG.warn("closing {} failed", c, e);
                    }
                }
            }
        }
    }
}

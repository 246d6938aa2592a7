package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.tool.Toolset;
import dev.keel.core.models.ModelConfig;
import dev.keel.rag.knowledge.Chunking;
import dev.keel.rag.knowledge.Fusion;
import dev.keel.rag.knowledge.Strategy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The top-level {@code rag:} knowledge bases and the {@code type: rag} toolsets that use them (an agent's
 * {@code rag: [names]} list becomes such toolsets in {@link Migrations}). Every field is checked when the file
 * loads; the knowledge base itself (index directory, models) is opened when the team starts
 * ({@link KnowledgeToolset}). One knowledge base per {@code rag:} entry, shared by every agent that uses it.
 * Only loaded when {@code dev.keel.rag} is present (the loader checks first). One per load; not thread-safe.
 */
final class RagSection {
    /** The strategy types docker-agent knows. */
    static final List<String> STRATEGY_TYPES = List.of("bm25", "chunked-embeddings", "semantic-embeddings");
    private static final Set<String> COMMON_STRATEGY_FIELDS = Set.of("type", "docs", "respect_vcs", "database",
            "threshold", "limit", "chunking", "max_indexing_concurrency");
    private static final Set<String> EMBEDDING_FIELDS = Set.of("embedding_model", "vector_dimensions",
            "similarity_metric", "embedding_batch_size", "max_embedding_concurrency");

    private final TeamFields f;
    private final ModelSection models;
    private final Map<String, Entry> definitions;
    private final Map<String, Toolset> built = new LinkedHashMap<>();
    /** Every index directory named so far: which knowledge base's which field, for a collision error. */
    private final Map<Path, Claim> claims = new LinkedHashMap<>();

    /** An index directory named by knowledge base {@code kb} at {@code field} (line {@code line}). */
    private record Claim(String kb, String field, int line) {}

    RagSection(TeamFields f, ModelSection models, Map<String, Entry> definitions) {
        this.f = f;
        this.models = models;
        this.definitions = definitions;
    }

    /** Checks every {@code rag:} entry, also those no agent uses. */
    void checkAll() {
        for (Entry e : definitions.values()) {
            toolsetFor(e.key(), e.line(), "rag");
        }
    }

    /** A {@code type: rag} toolset entry: {@code ref: NAME} to a {@code rag:} entry, or an inline {@code rag_config}. */
    Toolset toolset(MapNode m, String path) {
        Entry ref = m.entries().get("ref");
        Entry inline = m.entries().get("rag_config");
        if (ref != null && inline != null) {
            throw f.error(inline.line(), path + ".rag_config", "give either 'ref' or 'rag_config', not both");
        }
        if (ref != null) {
            return toolsetFor(f.scalarText(ref.value(), path + ".ref"), ref.line(), path + ".ref");
        }
        if (inline == null) {
            throw f.error(m.line(), path, "a rag toolset needs 'ref' (a name under the top-level 'rag') or 'rag_config'");
        }
        String name = f.optString(m, "name", path).orElse("rag");
        return read(name, f.map(inline.value(), path + ".rag_config"), path + ".rag_config");
    }

    private Toolset toolsetFor(String name, int line, String field) {
        Toolset done = built.get(name);
        if (done != null) {
            return done;
        }
        Entry e = definitions.get(name);
        if (e == null) {
            throw f.error(line, field, "unknown knowledge base '" + name + "'; the top-level rag entries are "
                    + definitions.keySet());
        }
        String path = "rag." + name;
        MapNode m = f.map(e.value(), path);
        Toolset t = ToolsetSection.defer(f, configured(read(name, m, path), m, path), m, path);
        built.put(name, t);
        return t;
    }

    /** A {@code rag:} entry's {@code instruction} and {@code tools}, as on any toolset. */
    private Toolset configured(Toolset t, MapNode m, String path) {
        List<String> only = f.strings(m, "tools", path);
        String instruction = f.optString(m, "instruction", path).orElse(null);
        // docker-agent's "display name override": the toolset's name (logs, events, deferral), not the tool's,
        // which tool.name sets.
        String display = f.optString(m, "name", path).orElse(null);
        return only.isEmpty() && instruction == null && display == null ? t
                : dev.keel.agents.toolsets.ConfiguredToolset.builder(t).only(only).instruction(instruction)
                        .name(display).build();
    }

    /** Reads one knowledge base: its sources, strategies, results and tool. */
    private Toolset read(String name, MapNode m, String path) {
        KnowledgeToolset.Plan plan = new KnowledgeToolset.Plan(name);
        plan.respectVcs = f.optBool(m, "respect_vcs", path).orElse(true);
        Entry docs = m.entries().get("docs");
        if (docs != null) {
            plan.sources.addAll(docs(m, path));
        }
        Entry tool = m.entries().get("tool");
        if (tool != null) {
            MapNode t = f.map(tool.value(), path + ".tool");
            plan.toolName = f.optString(t, "name", path + ".tool").orElse(null);
            plan.toolDescription = f.optString(t, "description", path + ".tool").orElse(null);
            plan.toolInstruction = f.optString(t, "instruction", path + ".tool").orElse(null);
            String shown = plan.toolName != null ? plan.toolName : name;
            if (!shown.matches("[A-Za-z0-9_-]{1,64}")) {
                throw f.error(t.entries().containsKey("name") ? t.entries().get("name").line() : tool.line(),
                        path + ".tool.name", "'" + shown + "' is not a tool name (1-64 letters, digits, '_' or '-')");
            }
        } else if (!name.matches("[A-Za-z0-9_-]{1,64}")) {
            throw f.error(m.line(), path, "'" + name + "' is not a tool name (1-64 letters, digits, '_' or '-'); "
                    + "set tool.name");
        }
        Entry strategies = m.entries().get("strategies");
        if (strategies == null) {
            throw f.error(m.line(), path + ".strategies", "a knowledge base needs at least one strategy");
        }
        ListNode list = f.list(strategies.value(), path + ".strategies");
        if (list.items().isEmpty()) {
            throw f.error(strategies.line(), path + ".strategies", "a knowledge base needs at least one strategy");
        }
        Set<String> strategyNames = new HashSet<>();
        for (int i = 0; i < list.items().size(); i++) {
            String sp = path + ".strategies[" + i + "]";
            KnowledgeToolset.StrategyPlan s = strategy(plan, list.items().get(i), sp);
            String sname = s.name();
            if (!strategyNames.add(sname)) {
                // docker-agent names strategies by type; a second one of a type gets its index as a suffix
                sname = sname + "-" + i;
                s = s.renamed(sname);
                strategyNames.add(sname);
            }
            plan.strategies.add(s);
        }
        Entry results = m.entries().get("results");
        if (results != null) {
            results(plan, f.map(results.value(), path + ".results"), path + ".results", strategyNames);
        }
        plan.indexDirectory = f.options().workingDirectory().resolve(".keel").resolve("rag").resolve(name);
        claimLocations(plan, path, m.line());
        return new KnowledgeToolset(plan, f.options());
    }

    /**
     * docs entries as docker-agent resolves them: relative to the working directory; an entry with glob characters
     * is split at its first globbed segment (the part before is the directory searched, the rest the pattern).
     */
    private List<KnowledgeToolset.Source> docs(MapNode m, String path) {
        List<KnowledgeToolset.Source> out = new ArrayList<>();
        Entry e = m.entries().get("docs");
        for (String doc : f.strings(m, "docs", path)) {
            if (doc.isBlank()) {
                throw f.error(e.line(), path + ".docs", "a docs entry must not be empty");
            }
            String normal = doc.replace('\\', '/');
            int glob = firstGlob(normal);
            if (glob < 0) {
                out.add(new KnowledgeToolset.Source(f.resolveWorkPath(doc), null));
            } else {
                int slash = normal.lastIndexOf('/', glob);
                String base = slash < 0 ? "." : normal.substring(0, Math.max(slash, 1));
                String pattern = normal.substring(slash + 1);
                out.add(new KnowledgeToolset.Source(f.resolveWorkPath(base), pattern));
            }
        }
        return out;
    }

    private static int firstGlob(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == '{') {
                return i;
            }
        }
        return -1;
    }

    private KnowledgeToolset.StrategyPlan strategy(KnowledgeToolset.Plan plan, Node node, String path) {
        MapNode m = f.map(node, path);
        String type = f.requiredString(m, "type", path);
        Entry typeEntry = m.entries().get("type");
        if (!STRATEGY_TYPES.contains(type)) {
            throw f.error(typeEntry.line(), path + ".type", "unknown strategy type '" + type + "'; the types are "
                    + STRATEGY_TYPES);
        }
        Set<String> applicable = new HashSet<>(COMMON_STRATEGY_FIELDS);
        switch (type) {
            case "bm25" -> applicable.addAll(Set.of("k1", "b"));
            case "chunked-embeddings" -> applicable.addAll(EMBEDDING_FIELDS);
            default -> {
                applicable.addAll(EMBEDDING_FIELDS);
                applicable.addAll(Set.of("chat_model", "semantic_prompt", "ast_context"));
            }
        }
        f.onlyFor(m, path, applicable, "a '" + type + "' strategy");
        Entry database = m.entries().get("database");
        Path location = null;
        int locationLine = 0;
        if (database != null) {
            String named = f.scalarText(database.value(), path + ".database");
            if (named.isBlank()) {
                throw f.error(database.line(), path + ".database", "must not be empty");
            }
            location = f.resolveWorkPath(named).toAbsolutePath().normalize();
            locationLine = database.line();
        }
        double threshold = number(m, "threshold", path, type.equals("bm25") ? 0 : 0.5, 0, Double.MAX_VALUE);
        int limit = positive(m, "limit", path, 5);
        Chunking chunking = chunking(m, path);
        List<Path> ownDocs = new ArrayList<>();
        for (KnowledgeToolset.Source s : m.entries().containsKey("docs") ? docs(m, path) : List.<KnowledgeToolset.Source>of()) {
            if (s.glob() != null) {
                throw f.error(m.entries().get("docs").line(), path + ".docs", "a strategy's own docs are files or "
                        + "directories, not patterns; put patterns in the knowledge base's docs");
            }
            ownDocs.add(s.path());
        }
        Boolean respectVcs = f.optBool(m, "respect_vcs", path).orElse(null);
        Strategy.Common common;
        try {
            common = new Strategy.Common(null, threshold, limit, chunking, ownDocs, respectVcs);
        } catch (IllegalArgumentException ex) {
            throw f.error(m.line(), path, ex.getMessage());
        }
        return strategyOfType(type, m, path, common, chunking).at(location, path + ".database", locationLine);
    }

    private KnowledgeToolset.StrategyPlan strategyOfType(String type, MapNode m, String path, Strategy.Common common,
                                                         Chunking chunking) {
        if (type.equals("bm25")) {
            double k1 = number(m, "k1", path, 1.5, 0, Double.MAX_VALUE);
            double b = number(m, "b", path, 0.75, 0, 1);
            return KnowledgeToolset.StrategyPlan.ready(new Strategy.Bm25(common, k1, b, chunking.codeAware()));
        }
        Entry metric = m.entries().get("similarity_metric");
        if (metric != null) {
            String s = f.scalarText(metric.value(), path + ".similarity_metric");
            if (!s.equals("cosine_similarity") && !s.equals("cosine")) {
                throw f.error(metric.line(), path + ".similarity_metric", "similarity metric '" + s
                        + "' is not supported; use cosine_similarity (the only metric docker-agent implements)");
            }
        }
        Entry model = m.entries().get("embedding_model");
        if (model == null) {
            throw f.error(m.line(), path + ".embedding_model", "a '" + type + "' strategy needs an embedding_model");
        }
        String reference = f.scalarText(model.value(), path + ".embedding_model");
        ModelConfig embedding = models.definition(reference, model.line(), path + ".embedding_model", false).config();
        Integer dims = f.optInt(m, "vector_dimensions", path);
        if (dims != null && dims < 1) {
            throw f.error(m.entries().get("vector_dimensions").line(), path + ".vector_dimensions", "must be at least 1");
        }
        int batch = positive(m, "embedding_batch_size", path, 50);
        int concurrency = positive(m, "max_embedding_concurrency", path, 3);
        if (type.equals("chunked-embeddings")) {
            return KnowledgeToolset.StrategyPlan.embeddings(common, reference, embedding, dims == null ? 0 : dims,
                    batch, concurrency);
        }
        Entry chat = m.entries().get("chat_model");
        if (chat == null) {
            throw f.error(m.line(), path + ".chat_model", "a semantic-embeddings strategy needs a chat_model that "
                    + "writes the summaries");
        }
        ModelConfig chatModel = models.definition(f.scalarText(chat.value(), path + ".chat_model"), chat.line(),
                path + ".chat_model", false).config();
        String prompt = f.optString(m, "semantic_prompt", path).orElse(null);
        boolean codeContext = f.optBool(m, "ast_context", path).orElse(false);
        return KnowledgeToolset.StrategyPlan.semantic(common, reference, embedding, dims == null ? 0 : dims, batch,
                concurrency, chatModel, prompt, codeContext);
    }

    /**
     * Every index directory of a knowledge base: strategies of one knowledge base may share one (one generation
     * there holds all their tables); two knowledge bases never do, and no directory lies inside another, since
     * either would mix indexes.
     */
    private void claimLocations(KnowledgeToolset.Plan plan, String path, int line) {
        Map<Path, Claim> mine = new LinkedHashMap<>();
        for (KnowledgeToolset.StrategyPlan s : plan.strategies) {
            Path dir = s.location() != null ? s.location() : plan.indexDirectory.toAbsolutePath().normalize();
            Claim claim = s.location() != null ? new Claim(plan.name, s.locationField(), s.locationLine())
                    : new Claim(plan.name, path + " (its default index directory)", line);
            mine.putIfAbsent(dir, claim);
        }
        for (Map.Entry<Path, Claim> e : mine.entrySet()) {
            for (Map.Entry<Path, Claim> other : mine.entrySet()) {
                if (!other.getKey().equals(e.getKey()) && e.getKey().startsWith(other.getKey())) {
                    throw f.error(e.getValue().line(), e.getValue().field(), "index directory " + e.getKey()
                            + " lies inside " + other.getKey() + " (" + other.getValue().field() + "); give each "
                            + "strategy a directory of its own, or the same one");
                }
            }
            for (Map.Entry<Path, Claim> other : claims.entrySet()) {
                Path a = e.getKey();
                Path b = other.getKey();
                if (a.startsWith(b) || b.startsWith(a)) {
                    throw f.error(e.getValue().line(), e.getValue().field(), "index directory " + a
                            + (a.equals(b) ? " is also" : " overlaps " + b + ",") + " the index directory of knowledge "
                            + "base '" + other.getValue().kb() + "' (" + other.getValue().field() + ", line "
                            + other.getValue().line() + "); two knowledge bases never share one, so that neither "
                            + "overwrites or mixes with the other");
                }
            }
        }
        claims.putAll(mine);
    }

    /** {@code chunking}: docker-agent's fixed windows (size 1000, overlap 75 unless set); absent: Keel's default. */
    private Chunking chunking(MapNode m, String path) {
        Entry e = m.entries().get("chunking");
        if (e == null) {
            return Chunking.defaults();
        }
        String cp = path + ".chunking";
        MapNode c = f.map(e.value(), cp);
        int size = positive(c, "size", cp, 1000);
        Integer overlap = f.optInt(c, "overlap", cp);
        int o = overlap == null ? Math.min(75, size - 1) : overlap;
        if (o < 0 || o >= size) {
            throw f.error(c.entries().containsKey("overlap") ? c.entries().get("overlap").line() : c.line(),
                    cp + ".overlap", "must be at least 0 and less than the size (" + size + "), got " + o);
        }
        return Chunking.of(size, o).respectWordBoundaries(f.optBool(c, "respect_word_boundaries", cp).orElse(false))
                .codeAware(f.optBool(c, "code_aware", cp).orElse(false));
    }

    private void results(KnowledgeToolset.Plan plan, MapNode r, String path, Set<String> strategyNames) {
        Integer limit = f.optInt(r, "limit", path);
        if (limit != null) {
            if (limit < 1) {
                throw f.error(r.entries().get("limit").line(), path + ".limit", "must be at least 1");
            }
            plan.limit = limit;
        }
        plan.deduplicate = f.optBool(r, "deduplicate", path).orElse(true);
        plan.includeScore = f.optBool(r, "include_score", path).orElse(false);
        plan.returnFullContent = f.optBool(r, "return_full_content", path).orElse(false);
        Entry fusion = r.entries().get("fusion");
        if (fusion != null) {
            String fp = path + ".fusion";
            MapNode fm = f.map(fusion.value(), fp);
            String kind = f.optString(fm, "strategy", fp).orElse("rrf");
            plan.fusion = switch (kind) {
                case "rrf" -> {
                    Integer k = f.optInt(fm, "k", fp);
                    if (k != null && k < 1) {
                        throw f.error(fm.entries().get("k").line(), fp + ".k", "must be at least 1");
                    }
                    yield k == null ? Fusion.rrf() : Fusion.rrf(k);
                }
                case "weighted" -> Fusion.weighted(weights(fm, fp, strategyNames));
                case "max" -> Fusion.max();
                default -> throw f.error(fm.entries().get("strategy").line(), fp + ".strategy", "unknown fusion '"
                        + kind + "'; use rrf, weighted or max");
            };
        }
        Entry reranking = r.entries().get("reranking");
        if (reranking != null) {
            String rp = path + ".reranking";
            MapNode rm = f.map(reranking.value(), rp);
            Entry model = rm.entries().get("model");
            if (model == null) {
                throw f.error(rm.line(), rp + ".model", "reranking needs a model");
            }
            plan.rerankModel = models.definition(f.scalarText(model.value(), rp + ".model"), model.line(),
                    rp + ".model", false).config();
            Integer topK = f.optInt(rm, "top_k", rp);
            if (topK != null && topK < 0) {
                throw f.error(rm.entries().get("top_k").line(), rp + ".top_k", "must not be negative");
            }
            plan.rerankTopK = topK == null ? 0 : topK;
            plan.rerankThreshold = number(rm, "threshold", rp, 0.5, 0, 1);
            plan.rerankCriteria = f.optString(rm, "criteria", rp).orElse(null);
        }
        Entry prefetch = r.entries().get("prefetch");
        if (prefetch != null) {
            String pp = path + ".prefetch";
            MapNode pm = f.map(prefetch.value(), pp);
            if (f.optBool(pm, "enabled", pp).orElse(true)) {
                Integer max = f.optInt(pm, "max_entries", pp);
                if (max != null && max < 0) {
                    throw f.error(pm.entries().get("max_entries").line(), pp + ".max_entries", "must not be negative");
                }
                plan.queryCache = max == null ? 128 : max;
            }
        }
    }

    private Map<String, Double> weights(MapNode fm, String fp, Set<String> strategyNames) {
        Entry w = fm.entries().get("weights");
        if (w == null) {
            throw f.error(fm.line(), fp + ".weights", "weighted fusion needs weights by strategy");
        }
        Map<String, Double> weights = new LinkedHashMap<>();
        for (Entry e : f.map(w.value(), fp + ".weights").entries().values()) {
            if (!strategyNames.contains(e.key())) {
                throw f.error(e.line(), fp + ".weights." + e.key(), "no strategy is named '" + e.key()
                        + "'; the strategies are " + strategyNames);
            }
            double v;
            try {
                v = Double.parseDouble(f.scalarText(e.value(), fp + ".weights." + e.key()));
            } catch (NumberFormatException ex) {
                throw f.error(e.line(), fp + ".weights." + e.key(), "expected a number");
            }
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw f.error(e.line(), fp + ".weights." + e.key(), "must be a number >= 0");
            }
            weights.put(e.key(), v);
        }
        return weights;
    }

    private double number(MapNode m, String key, String path, double fallback, double min, double max) {
        Entry e = m.entries().get(key);
        if (e == null) {
            return fallback;
        }
        Double v = f.optDouble(m, key, path);
        if (v == null) {
            return fallback;
        }
        if (!(v >= min && v <= max)) {
            throw f.error(e.line(), path + "." + key, "must be between " + fmt(min) + " and " + fmt(max) + ", got " + v);
        }
        return v;
    }

    private static String fmt(double d) {
        return d == Double.MAX_VALUE ? "any" : d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private int positive(MapNode m, String key, String path, int fallback) {
        Integer v = f.optInt(m, key, path);
        if (v == null) {
            return fallback;
        }
        if (v < 1) {
            throw f.error(m.entries().get(key).line(), path + "." + key, "must be at least 1, got " + v);
        }
        return v;
    }
}

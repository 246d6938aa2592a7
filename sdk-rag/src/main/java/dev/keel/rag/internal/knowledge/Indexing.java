package dev.keel.rag.internal.knowledge;

import dev.keel.core.ChatRequest;
import dev.keel.core.EmbeddingModel;
import dev.keel.core.message.Message;
import dev.keel.rag.chunk.Chunk;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.internal.chunk.CodeContext;
import dev.keel.rag.knowledge.IndexProgress;
import dev.keel.rag.knowledge.KnowledgeBaseException;
import dev.keel.rag.knowledge.ProgressListener;
import dev.keel.rag.knowledge.Strategy;
import dev.keel.rag.knowledge.SyncResult;
import dev.keel.rag.retrieve.Indexer;
import dev.keel.rag.store.AnnOptions;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.InMemoryVectorStore;
import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sync: finds the documents, hashes their content, reuses the chunks (and vectors, and summaries) of
 * unchanged documents, chunks and embeds the rest, and writes a new generation. Embeddings and summaries
 * are reused by the hash of the text they were computed from, so an unchanged chunk is never embedded
 * twice, even when its file changed around it. Only the index directories one of whose strategies changed
 * are written, each as one new generation, all complete before any goes live. Runs on the caller's thread (which
 * holds every directory's write lock); the embedding calls of a strategy run {@code concurrency} at a time.
 */
public final class Indexing {
    private static final Logger LOG = LoggerFactory.getLogger(Indexing.class);
    /** A summary prompt's placeholders: {@code ${name}}. */
    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("\\$\\{(\\w+)}");

    /** What the knowledge base is configured with. */
    public record Config(List<SourceFiles.Spec> sources, boolean respectVcs, List<Strategy> strategies,
                         AnnOptions ann) {
    }

    /** The new snapshot (the old one when nothing changed) and what the run did. */
    public record Outcome(Snapshot snapshot, SyncResult result) {
    }

    private final Config config;
    private final Snapshot old;
    private final IndexLocations locations;
    private final ProgressListener listener;
    private final AtomicInteger embeddingCalls = new AtomicInteger();
    private final AtomicInteger embeddingsDone = new AtomicInteger();
    private final AtomicInteger summaries = new AtomicInteger();
    private long generation;
    private int filesDone;
    private int filesTotal;
    private int chunksDone;
    private int embeddingsTotal;

    public Indexing(Config config, Snapshot old, IndexLocations locations, ProgressListener listener) {
        this.config = config;
        this.old = old;
        this.locations = locations;
        this.listener = listener;
    }

    /** The fingerprint of a strategy's chunks and vectors: a change re-chunks (and re-embeds) it. */
    public static String fingerprint(Strategy strategy) {
        String base = strategy.type() + "|" + strategy.name() + "|" + strategy.common().chunking().fingerprint();
        if (strategy instanceof Strategy.ChunkedEmbeddings e) {
            return base + "|" + e.model().id() + "/" + e.model().dimension();
        }
        if (strategy instanceof Strategy.SemanticEmbeddings s) {
            return base + "|" + s.model().id() + "/" + s.model().dimension() + "|" + s.chatModel().getClass().getName()
                    + "|" + sha(s.promptTemplate()) + (s.codeContext() ? "|code-context" : "");
        }
        Strategy.Bm25 b = (Strategy.Bm25) strategy;
        return base + "|k1=" + b.k1() + ",b=" + b.b() + ",code=" + b.codeAware();
    }

    public Outcome run() {
        long started = System.nanoTime();
        generation = Math.max(old.generation(), locations.highestGeneration()) + 1;
        List<Strategy> strategies = config.strategies();
        // 1. which documents each strategy covers
        Map<String, SourceFiles.Document> shared = SourceFiles.scan(config.sources(), config.respectVcs(),
                locations.paths());
        List<Map<String, SourceFiles.Document>> perStrategy = new ArrayList<>();
        Map<String, SourceFiles.Document> all = new LinkedHashMap<>(shared);
        for (Strategy strategy : strategies) {
            Map<String, SourceFiles.Document> docs = new LinkedHashMap<>(shared);
            if (!strategy.common().docs().isEmpty()) {
                List<SourceFiles.Spec> own = new ArrayList<>();
                for (java.nio.file.Path p : strategy.common().docs()) {
                    own.add(Files.isDirectory(p) ? SourceFiles.Spec.directory(p, List.of()) : SourceFiles.Spec.file(p));
                }
                Boolean vcs = strategy.common().respectVcs();
                docs.putAll(SourceFiles.scan(own, vcs == null ? config.respectVcs() : vcs, locations.paths()));
            }
            all.putAll(docs);
            perStrategy.add(docs);
        }
        filesTotal = all.size();
        // 2. content hashes; texts of documents some strategy must chunk (again)
        List<String> fingerprints = new ArrayList<>();
        List<StrategyIndex> reusable = new ArrayList<>();
        for (Strategy strategy : strategies) {
            String fp = fingerprint(strategy);
            fingerprints.add(fp);
            reusable.add(old.reusable(strategy.name(), fp));
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        Map<String, String> texts = new HashMap<>();
        int added = 0;
        int changed = 0;
        int unchanged = 0;
        for (SourceFiles.Document doc : all.values()) {
            filesDone++;
            report(false, generation);
            String text = read(doc);
            if (text == null) {
                continue; // vanished between listing and reading, or binary: not part of this generation
            }
            String hash = sha(text);
            hashes.put(doc.id(), hash);
            String before = old.documents().get(doc.id());
            if (before == null) {
                added++;
            } else if (!before.equals(hash)) {
                changed++;
            } else {
                unchanged++;
            }
            for (int s = 0; s < strategies.size(); s++) {
                StrategyIndex previous = reusable.get(s);
                if (perStrategy.get(s).containsKey(doc.id())
                        && (previous == null || !hash.equals(previous.documents().get(doc.id())))) {
                    texts.put(doc.id(), text);
                }
            }
        }
        int removed = 0;
        for (String id : old.documents().keySet()) {
            if (!hashes.containsKey(id)) {
                removed++;
            }
        }
        // 3. chunks per strategy, from the documents it was made from where they did not change
        List<List<IndexedChunk>> chunkLists = new ArrayList<>();
        List<Map<String, String>> docLists = new ArrayList<>();
        List<Boolean> same = new ArrayList<>();
        for (int s = 0; s < strategies.size(); s++) {
            Strategy strategy = strategies.get(s);
            StrategyIndex previous = reusable.get(s);
            List<IndexedChunk> chunks = new ArrayList<>();
            Map<String, String> covered = new LinkedHashMap<>();
            for (SourceFiles.Document doc : perStrategy.get(s).values()) {
                String hash = hashes.get(doc.id());
                if (hash == null) {
                    continue;
                }
                covered.put(doc.id(), hash);
                if (previous != null && hash.equals(previous.documents().get(doc.id()))) {
                    chunks.addAll(previous.chunksOf(doc.id()));
                } else {
                    chunks.addAll(chunk(strategy, doc.id(), texts.get(doc.id())));
                }
            }
            chunksDone += chunks.size();
            chunkLists.add(chunks);
            docLists.add(covered);
            same.add(previous != null && covered.equals(previous.documents()));
        }
        // 4. which index directories change: a directory is rewritten only when one of its tables does
        Map<java.nio.file.Path, List<Integer>> members = new LinkedHashMap<>();
        for (int s = 0; s < strategies.size(); s++) {
            members.computeIfAbsent(locations.of(s), k -> new ArrayList<>()).add(s);
        }
        Map<java.nio.file.Path, Map<String, String>> locationDocs = new LinkedHashMap<>();
        Map<java.nio.file.Path, List<String>> locationTables = new LinkedHashMap<>();
        List<java.nio.file.Path> changedLocations = new ArrayList<>();
        for (Map.Entry<java.nio.file.Path, List<Integer>> e : members.entrySet()) {
            Map<String, String> docs = new LinkedHashMap<>();
            List<String> tables = new ArrayList<>();
            boolean kept = true;
            for (int s : e.getValue()) {
                docs.putAll(docLists.get(s));
                tables.add(strategies.get(s).name() + "|" + fingerprints.get(s));
                kept &= same.get(s);
            }
            Snapshot.Location before = old.locations().get(e.getKey());
            kept &= before != null && before.tables().equals(tables) && before.documents().equals(docs);
            locationDocs.put(e.getKey(), docs);
            locationTables.put(e.getKey(), tables);
            if (!kept) {
                changedLocations.add(e.getKey());
            }
        }
        if (changedLocations.isEmpty()) {
            report(true, old.generation());
            return new Outcome(old, new SyncResult(old.generation(), 0, 0, 0, unchanged, 0, 0, 0,
                    Duration.ofNanos(System.nanoTime() - started)));
        }
        // 5. what must be embedded (or summarised), in the directories that change
        List<Map<String, float[]>> reused = new ArrayList<>();
        List<Map<String, String>> summaryMaps = new ArrayList<>();
        List<List<IndexedChunk>> toEmbed = new ArrayList<>();
        for (int s = 0; s < strategies.size(); s++) {
            Strategy strategy = strategies.get(s);
            Map<String, float[]> vectorsByHash = new HashMap<>();
            Map<String, String> summaryMap = new HashMap<>();
            List<IndexedChunk> missing = new ArrayList<>();
            if (!(strategy instanceof Strategy.Bm25) && changedLocations.contains(locations.of(s))) {
                StrategyIndex previous = reusable.get(s);
                Map<String, IndexedChunk> oldByHash = new HashMap<>();
                if (previous != null) {
                    previous.chunks().forEach(c -> oldByHash.putIfAbsent(c.hash(), c));
                    summaryMap.putAll(previous.summaries());
                }
                Map<String, Boolean> queued = new HashMap<>();
                for (IndexedChunk c : chunkLists.get(s)) {
                    if (vectorsByHash.containsKey(c.hash()) || queued.containsKey(c.hash())) {
                        continue;
                    }
                    IndexedChunk before = oldByHash.get(c.hash());
                    float[] v = before == null || previous.vectors() == null ? null
                            : previous.vectors().get(before.id()).map(Entry::vector).orElse(null);
                    if (v != null) {
                        vectorsByHash.put(c.hash(), v);
                    } else {
                        queued.put(c.hash(), Boolean.TRUE);
                        missing.add(c);
                    }
                }
                summaryMap.keySet().retainAll(chunkLists.get(s).stream().map(IndexedChunk::hash)
                        .collect(java.util.stream.Collectors.toSet()));
            }
            reused.add(vectorsByHash);
            summaryMaps.add(summaryMap);
            toEmbed.add(missing);
            embeddingsTotal += missing.size();
        }
        report(false, generation);
        // 6. embed, build indexes (a strategy in an unchanged directory keeps its index as it is)
        List<StrategyIndex> indexes = new ArrayList<>();
        List<InMemoryVectorStore> stores = new ArrayList<>();
        for (int s = 0; s < strategies.size(); s++) {
            Strategy strategy = strategies.get(s);
            if (!changedLocations.contains(locations.of(s))) {
                indexes.add(reusable.get(s));
                stores.add(reusable.get(s).vectors());
                continue;
            }
            InMemoryVectorStore store = null;
            if (!(strategy instanceof Strategy.Bm25)) {
                Map<String, float[]> vectors = reused.get(s);
                vectors.putAll(embed(strategy, toEmbed.get(s), summaryMaps.get(s)));
                store = buildStore(strategy, chunkLists.get(s), vectors);
            }
            stores.add(store);
            indexes.add(new StrategyIndex(strategy, fingerprints.get(s), docLists.get(s), chunkLists.get(s), store,
                    summaryMaps.get(s)));
        }
        // 7. persist: every changed directory's generation complete first, then each made live
        Map<java.nio.file.Path, Snapshot.Location> states = new LinkedHashMap<>(old.locations());
        Map<java.nio.file.Path, IndexDirectory.Prepared> prepared = new LinkedHashMap<>();
        try {
            for (java.nio.file.Path location : changedLocations) {
                List<IndexDirectory.StrategyTable> tables = new ArrayList<>();
                List<InMemoryVectorStore> vectors = new ArrayList<>();
                for (int s : members.get(location)) {
                    StrategyIndex index = indexes.get(s);
                    tables.add(new IndexDirectory.StrategyTable(index.strategy().name(), index.fingerprint(),
                            index.documents(), index.chunks(), index.summaries()));
                    vectors.add(stores.get(s));
                }
                IndexDirectory.Manifest manifest = new IndexDirectory.Manifest(generation, locations.owner(),
                        locationDocs.get(location), tables);
                try {
                    prepared.put(location, locations.directory(location).prepare(manifest, vectors));
                } catch (KnowledgeBaseException e) {
                    throw new KnowledgeBaseException(locations.describe(location) + ": " + e.getMessage(), e);
                }
                states.put(location, new Snapshot.Location(generation, locationDocs.get(location),
                        locationTables.get(location), locations.owner()));
            }
        } catch (RuntimeException e) {
            prepared.forEach((location, p) -> locations.directory(location).abandon(p));
            throw e;
        }
        commitAll(prepared);
        Snapshot snapshot = new Snapshot(generation, hashes, indexes, states);
        report(true, generation);
        return new Outcome(snapshot, new SyncResult(generation, added, changed, removed, unchanged,
                embeddingsDone.get(), embeddingCalls.get(), summaries.get(), Duration.ofNanos(System.nanoTime() - started)));
    }

    /** Makes every prepared generation live; when one cannot be, those already live are switched back. */
    private void commitAll(Map<java.nio.file.Path, IndexDirectory.Prepared> prepared) {
        Map<java.nio.file.Path, Long> before = new LinkedHashMap<>();
        for (Map.Entry<java.nio.file.Path, IndexDirectory.Prepared> e : prepared.entrySet()) {
            try {
                before.put(e.getKey(), locations.directory(e.getKey()).commit(e.getValue()));
            } catch (KnowledgeBaseException failure) {
                before.forEach((location, previous) -> locations.directory(location).rollBack(prepared.get(location),
                        previous));
                prepared.forEach((location, p) -> {
                    if (!before.containsKey(location)) {
                        locations.directory(location).abandon(p);
                    }
                });
                throw new KnowledgeBaseException(locations.describe(e.getKey()) + ": " + failure.getMessage(), failure);
            }
        }
    }

    private void report(boolean done, long gen) {
        listener.progress(new IndexProgress(gen, done ? filesTotal : filesDone, filesTotal, chunksDone,
                embeddingsDone.get(), embeddingsTotal, done));
    }

    /** The text of a document, or null when it vanished or is binary. */
    private static String read(SourceFiles.Document doc) {
        if (doc.inMemory() != null) {
            return doc.inMemory().text();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(doc.file());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new KnowledgeBaseException("cannot read " + doc.file() + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < Math.min(bytes.length, 8192); i++) {
            if (bytes[i] == 0) {
                LOG.debug("skipping binary file {}", doc.file());
                return null;
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new KnowledgeBaseException("cannot decode " + doc.file() + " as UTF-8", e);
        }
    }

    private static List<IndexedChunk> chunk(Strategy strategy, String id, String text) {
        if (text == null || text.isEmpty()) {
            return List.of();
        }
        boolean codeContext = strategy instanceof Strategy.SemanticEmbeddings s && s.codeContext();
        List<IndexedChunk> result = new ArrayList<>();
        for (Chunk c : strategy.common().chunking().chunkerFor(id).split(Source.of(id, text))) {
            String heading = c.metadata().getOrDefault(Chunk.HEADING_PATH, "");
            String context = codeContext ? CodeContext.of(id, text, c.start()) : "";
            Map<String, String> metadata = c.metadata();
            String hashed = Indexer.embeddingText(c);
            if (!context.isEmpty()) {
                // the same text under another declaration is another passage: it gets a description of its own
                metadata = new LinkedHashMap<>(metadata);
                metadata.put(Chunk.CODE_CONTEXT, context);
                hashed = context + '\u0000' + hashed;
            }
            result.add(new IndexedChunk(c.id(), id, c.ordinal(), c.start(), c.end(), c.text(), heading, metadata,
                    sha(hashed)));
        }
        return result;
    }

    /** Embeds (after summarising, for semantic strategies) {@code chunks}; returns vectors by chunk hash. */
    private Map<String, float[]> embed(Strategy strategy, List<IndexedChunk> chunks, Map<String, String> summaryMap) {
        if (chunks.isEmpty()) {
            return Map.of();
        }
        EmbeddingModel model;
        int batchSize;
        int concurrency;
        Function<IndexedChunk, String> textOf;
        if (strategy instanceof Strategy.SemanticEmbeddings semantic) {
            model = semantic.model();
            batchSize = semantic.batchSize();
            concurrency = semantic.concurrency();
            summarise(semantic, chunks, summaryMap);
            textOf = c -> summaryMap.get(c.hash());
        } else {
            Strategy.ChunkedEmbeddings embeddings = (Strategy.ChunkedEmbeddings) strategy;
            model = embeddings.model();
            batchSize = embeddings.batchSize();
            concurrency = embeddings.concurrency();
            textOf = c -> c.headingPath().isEmpty() || c.text().stripLeading().startsWith("#") ? c.text()
                    : c.headingPath() + "\n" + c.text();
        }
        List<List<IndexedChunk>> batches = new ArrayList<>();
        for (int from = 0; from < chunks.size(); from += batchSize) {
            batches.add(chunks.subList(from, Math.min(chunks.size(), from + batchSize)));
        }
        Map<String, float[]> vectors = new HashMap<>();
        List<List<float[]>> results = parallel(batches, concurrency, batch -> {
            List<String> texts = new ArrayList<>(batch.size());
            batch.forEach(c -> texts.add(textOf.apply(c)));
            embeddingCalls.incrementAndGet();
            List<float[]> out = model.embedAll(texts);
            if (out.size() != batch.size()) {
                throw new KnowledgeBaseException("embedding model " + model.id() + " returned " + out.size()
                        + " vectors for " + batch.size() + " texts");
            }
            embeddingsDone.addAndGet(batch.size());
            report(false, generation);
            return out;
        }, "embedding with " + model.id());
        for (int b = 0; b < batches.size(); b++) {
            for (int i = 0; i < batches.get(b).size(); i++) {
                vectors.put(batches.get(b).get(i).hash(), results.get(b).get(i));
            }
        }
        return vectors;
    }

    /**
     * The summary prompt for {@code c}. With code context on, a template without {@code ${ast_context}} gets the
     * context on a line of its own before the content (before the template's end when it has no {@code ${content}}).
     */
    static String prompt(Strategy.SemanticEmbeddings semantic, IndexedChunk c, String basename) {
        String template = semantic.promptTemplate();
        String context = semantic.codeContext() ? c.metadata().getOrDefault(Chunk.CODE_CONTEXT, "") : "";
        if (!context.isEmpty() && !template.contains("${ast_context}")) {
            String line = "Where it sits in its file: ${ast_context}\n\n";
            int content = template.indexOf("${content}");
            template = content < 0 ? template + "\n\n" + line.strip() : template.substring(0, content) + line
                    + template.substring(content);
        }
        // one pass, so that a placeholder inside the chunk's own text is never expanded
        Map<String, String> values = Map.of("path", c.source(), "basename", basename, "chunk_index",
                Integer.toString(c.ordinal()), "ast_context", context, "content", c.text());
        java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        return m.appendTail(out).toString();
    }

    private void summarise(Strategy.SemanticEmbeddings semantic, List<IndexedChunk> chunks,
                           Map<String, String> summaryMap) {
        List<IndexedChunk> missing = new ArrayList<>();
        for (IndexedChunk c : chunks) {
            if (!summaryMap.containsKey(c.hash())) {
                missing.add(c);
            }
        }
        List<String> written = parallel(missing, semantic.concurrency(), c -> {
            String basename = c.source().substring(c.source().lastIndexOf('/') + 1);
            String prompt = prompt(semantic, c, basename);
            summaries.incrementAndGet();
            String summary = semantic.chatModel().chat(ChatRequest.of(Message.user(prompt))).text();
            if (summary == null || summary.isBlank()) {
                throw new KnowledgeBaseException("chat model " + semantic.chatModel() + " returned an empty summary for "
                        + c.id());
            }
            return summary.strip();
        }, "summarising with " + semantic.chatModel());
        for (int i = 0; i < missing.size(); i++) {
            summaryMap.put(missing.get(i).hash(), written.get(i));
        }
    }

    /** Applies {@code work} to every item, {@code concurrency} at a time, results in item order. */
    private static <T, R> List<R> parallel(List<T> items, int concurrency, Function<T, R> work, String what) {
        if (items.isEmpty()) {
            return List.of();
        }
        if (concurrency == 1 || items.size() == 1) {
            List<R> out = new ArrayList<>(items.size());
            for (T item : items) {
                out.add(call(work, item, what));
            }
            return out;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, items.size()), r -> {
            Thread t = new Thread(r, "keel-kb-index");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<R>> futures = new ArrayList<>(items.size());
            for (T item : items) {
                futures.add(pool.submit(() -> call(work, item, what)));
            }
            List<R> out = new ArrayList<>(items.size());
            for (Future<R> f : futures) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    futures.forEach(other -> other.cancel(true));
                    if (e.getCause() instanceof KnowledgeBaseException k) {
                        throw k;
                    }
                    throw new KnowledgeBaseException(what + " failed: " + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    futures.forEach(other -> other.cancel(true));
                    throw new KnowledgeBaseException(what + " was interrupted", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T, R> R call(Function<T, R> work, T item, String what) {
        try {
            return work.apply(item);
        } catch (KnowledgeBaseException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KnowledgeBaseException(what + " failed: " + e.getMessage(), e);
        }
    }

    private InMemoryVectorStore buildStore(Strategy strategy, List<IndexedChunk> chunks, Map<String, float[]> vectors) {
        int dimension = strategy instanceof Strategy.ChunkedEmbeddings e ? e.model().dimension()
                : ((Strategy.SemanticEmbeddings) strategy).model().dimension();
        InMemoryVectorStore store = InMemoryVectorStore.builder(dimension).initialCapacity(chunks.size()).build();
        List<Entry> entries = new ArrayList<>(chunks.size());
        for (IndexedChunk c : chunks) {
            entries.add(new Entry(c.id(), vectors.get(c.hash()), "", Map.of()));
        }
        store.upsertAll(entries);
        if (store.size() >= config.ann().minSize()) {
            store.buildAnnIndex(config.ann());
        }
        return store;
    }

    /** SHA-256 of the UTF-8 text, first 128 bits in hex. */
    public static String sha(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}

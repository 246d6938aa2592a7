package dev.keel.rag.langchain4j;

import dev.keel.rag.internal.store.VectorChecks;
import dev.keel.rag.store.Entry;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.MetadataFilter;
import dev.keel.rag.store.Metric;
import dev.keel.rag.store.VectorStore;
import dev.keel.rag.store.VectorStoreException;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import dev.langchain4j.store.embedding.filter.MetadataFilterBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Any LangChain4j {@code EmbeddingStore<TextSegment>} (pgvector, Qdrant, Milvus, in-memory, …) as a
 * Keel {@link VectorStore}, for when data outgrows one machine.
 *
 * <p>Cosine only: LangChain4j stores score by relevance {@code (cos + 1) / 2}; this adapter converts
 * to and from cosine so scores and {@code minScore} mean the same as in Keel's own store. Vectors are
 * normalised before they are written. Backends often restrict ids (pgvector and Qdrant take UUIDs only),
 * so each Keel id is stored under a name-based UUID derived from it ({@link #backendId}), and the Keel id
 * itself is kept in metadata under {@value #ID_KEY}; {@link #get} looks entries up by that key, which
 * works on stores that cannot fetch by id. Metadata filters are translated to LangChain4j filters and run
 * inside the backend. {@link #size()} is unsupported (LangChain4j has no count).
 *
 * <p>Upserts validate every entry before anything is written, so bad input changes nothing; a backend
 * failure in the middle of a batch can leave part of it written (LangChain4j has no transactions).
 * Thread safety is that of the wrapped store.
 */
public final class LangChain4jVectorStore implements VectorStore {
    /** Metadata key holding the Keel entry id. */
    public static final String ID_KEY = "keel_id";

    private final EmbeddingStore<TextSegment> delegate;
    private final int dimension;

    private LangChain4jVectorStore(EmbeddingStore<TextSegment> delegate, int dimension) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1, got " + dimension);
        }
        this.dimension = dimension;
    }

    /**
     * The id an entry with Keel id {@code id} has in the wrapped store: a name-based (version 3) UUID of
     * the id's UTF-8 bytes, stable across runs and machines.
     *
     * @param id the Keel id
     * @return the id an entry with Keel id {@code id} has in the wrapped store
     */
    public static String backendId(String id) {
        Objects.requireNonNull(id, "id");
        return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8)).toString();
    }

    /**
     * Adapts {@code store}, which holds (or will hold) vectors of {@code dimension} components.
     *
     * @param store the LangChain4j store
     * @param dimension the vectors' length
     * @return the adapter
     */
    public static LangChain4jVectorStore of(EmbeddingStore<TextSegment> store, int dimension) {
        return new LangChain4jVectorStore(store, dimension);
    }

    @Override
    public int dimension() {
        return dimension;
    }

    @Override
    public Metric metric() {
        return Metric.COSINE;
    }

    /** @throws UnsupportedOperationException always: LangChain4j stores cannot count their entries */
    @Override
    public int size() {
        throw new UnsupportedOperationException("a LangChain4j EmbeddingStore cannot count its entries");
    }

    @Override
    public void upsertAll(Collection<Entry> entries) {
        Objects.requireNonNull(entries, "entries");
        if (entries.isEmpty()) {
            return;
        }
        Map<String, Entry> unique = new LinkedHashMap<>();
        List<Embedding> embeddings = new ArrayList<>();
        List<TextSegment> segments = new ArrayList<>();
        for (Entry entry : entries) {
            Objects.requireNonNull(entry, "entry");
            unique.put(entry.id(), entry);
        }
        for (Entry entry : unique.values()) {
            String what = "entry '" + entry.id() + "'";
            float[] v = entry.vector();
            VectorChecks.check(v, dimension, what);
            embeddings.add(Embedding.from(VectorChecks.normalized(v, what)));
            Map<String, Object> meta = new HashMap<>(entry.metadata());
            meta.put(ID_KEY, entry.id());
            segments.add(TextSegment.from(entry.text(), Metadata.from(meta)));
        }
        List<String> ids = new ArrayList<>(unique.size());
        for (String id : unique.keySet()) {
            ids.add(backendId(id));
        }
        try {
            delegate.removeAll(ids);
            delegate.addAll(ids, embeddings, segments);
        } catch (RuntimeException e) {
            throw new VectorStoreException("LangChain4j store " + delegate.getClass().getSimpleName()
                    + " failed to upsert " + ids.size() + " entries: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(String id) {
        Objects.requireNonNull(id, "id");
        boolean existed = get(id).isPresent();
        if (existed) {
            try {
                delegate.remove(backendId(id));
            } catch (RuntimeException e) {
                throw new VectorStoreException("LangChain4j store " + delegate.getClass().getSimpleName()
                        + " failed to delete '" + id + "': " + e.getMessage(), e);
            }
        }
        return existed;
    }

    @Override
    public Optional<Entry> get(String id) {
        Objects.requireNonNull(id, "id");
        float[] any = new float[dimension];
        any[0] = 1;
        List<EmbeddingMatch<TextSegment>> matches = delegate.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(Embedding.from(any)).maxResults(1).minScore(0.0)
                .filter(MetadataFilterBuilder.metadataKey(ID_KEY).isEqualTo(id)).build()).matches();
        if (matches.isEmpty()) {
            return Optional.empty();
        }
        EmbeddingMatch<TextSegment> match = matches.get(0);
        return Optional.of(new Entry(id, match.embedding().vector(), text(match), metadata(match)));
    }

    @Override
    public List<Hit> search(float[] query, int k, double minScore, MetadataFilter filter) {
        VectorChecks.check(query, dimension, "query");
        if (k < 1) {
            throw new IllegalArgumentException("k must be at least 1, got " + k);
        }
        Objects.requireNonNull(filter, "filter");
        double relevance = Double.isInfinite(minScore) && minScore < 0 ? 0
                : Math.max(0, Math.min(1, (minScore + 1) / 2));
        List<EmbeddingMatch<TextSegment>> matches = delegate.search(EmbeddingSearchRequest.builder()
                .queryEmbedding(Embedding.from(VectorChecks.normalized(query, "query")))
                .maxResults(k).minScore(relevance).filter(translate(filter)).build()).matches();
        List<Hit> hits = new ArrayList<>(matches.size());
        for (EmbeddingMatch<TextSegment> m : matches) {
            double cosine = 2 * m.score() - 1;
            if (cosine >= minScore) {
                String id = m.embedded() != null && m.embedded().metadata().getString(ID_KEY) != null
                        ? m.embedded().metadata().getString(ID_KEY) : m.embeddingId();
                hits.add(new Hit(id, cosine, text(m), metadata(m)));
            }
        }
        return List.copyOf(hits);
    }

    private static String text(EmbeddingMatch<TextSegment> m) {
        return m.embedded() == null ? "" : m.embedded().text();
    }

    private static Map<String, String> metadata(EmbeddingMatch<TextSegment> m) {
        Map<String, String> out = new HashMap<>();
        if (m.embedded() != null) {
            m.embedded().metadata().toMap().forEach((key, value) -> {
                if (!ID_KEY.equals(key) && value != null) {
                    out.put(key, value.toString());
                }
            });
        }
        return out;
    }

    /** Translates a Keel filter into a LangChain4j filter; {@code null} means no filter. */
    static Filter translate(MetadataFilter filter) {
        if (filter instanceof MetadataFilter.All) {
            return null;
        } else if (filter instanceof MetadataFilter.Equals eq) {
            return MetadataFilterBuilder.metadataKey(eq.key()).isEqualTo(eq.value());
        } else if (filter instanceof MetadataFilter.In in) {
            return MetadataFilterBuilder.metadataKey(in.key()).isIn(in.values());
        } else if (filter instanceof MetadataFilter.Not not) {
            Filter inner = translate(not.filter());
            if (inner == null) {
                throw new IllegalArgumentException("filter " + filter + " matches nothing");
            }
            return Filter.not(inner);
        } else if (filter instanceof MetadataFilter.And and) {
            return combine(and.filters(), true);
        } else {
            return combine(((MetadataFilter.Or) filter).filters(), false);
        }
    }

    private static Filter combine(List<MetadataFilter> filters, boolean and) {
        Filter result = null;
        for (MetadataFilter f : filters) {
            Filter next = translate(f);
            if (next == null) {
                if (!and) {
                    return null; // "or everything" is everything
                }
                continue;
            }
            result = result == null ? next : and ? Filter.and(result, next) : Filter.or(result, next);
        }
        return result;
    }

    @Override
    public String toString() {
        return "LangChain4jVectorStore[" + delegate.getClass().getSimpleName() + ", dimension=" + dimension + "]";
    }
}

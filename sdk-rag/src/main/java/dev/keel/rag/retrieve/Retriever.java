package dev.keel.rag.retrieve;

import dev.keel.core.EmbeddingModel;
import dev.keel.core.observe.Observation;
import dev.keel.core.observe.ObservationContext;
import dev.keel.rag.store.Hit;
import dev.keel.rag.store.MetadataFilter;
import dev.keel.rag.store.VectorStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the knowledge for a question: embeds it, searches the store for at most {@code maxResults} hits
 * with a score of at least {@code minScore} (cosine similarity for cosine stores), applies the
 * {@link HitFilter} and returns the survivors best first, each with its source metadata for citations.
 *
 * <p>So that a filter that drops hits still leaves {@code maxResults}, the store is asked for
 * {@code maxResults * overFetch} hits first. When nothing comes back, {@link #retrieval(String, HitFilter)}
 * says why ({@link Retrieval#explanation()}: no hit reached {@code minScore} and the best score seen, or the
 * filter removed everything); the same line is logged at DEBUG. Immutable and thread-safe when the store
 * and model are.
 */
public final class Retriever {
    private static final Logger LOG = LoggerFactory.getLogger(Retriever.class);
    private final VectorStore store;
    private final EmbeddingModel embedder;
    private final int maxResults;
    private final double minScore;
    private final int overFetch;
    private final HitFilter filter;
    private final MetadataFilter metadataFilter;

    private Retriever(Builder b) {
        this.store = b.store;
        this.embedder = b.embedder;
        this.maxResults = b.maxResults;
        this.minScore = b.minScore;
        this.overFetch = b.overFetch;
        this.filter = b.filter;
        this.metadataFilter = b.metadataFilter;
    }

    /**
     * Starts a retriever over {@code store}, embedding questions with {@code embedder}.
     *
     * @param store the store searched
     * @param embedder embeds questions; it must match the store's dimension
     * @return the builder
     */
    public static Builder builder(VectorStore store, EmbeddingModel embedder) {
        return new Builder(store, embedder);
    }

    /**
     * The hits for {@code question}, best first, at most {@code maxResults}.
     *
     * @param question the question
     * @return the hits for {@code question}
     * @throws IllegalArgumentException when the question is blank
     * @throws IllegalStateException    when the hit filter returns hits it was not given
     */
    public List<Hit> retrieve(String question) {
        return retrieve(question, HitFilter.none());
    }

    /**
     * The hits for {@code question} that pass this retriever's filter and then {@code requestFilter}, best
     * first, at most {@code maxResults}. Use it for what varies per request, such as the asking user in a
     * permission filter ({@code hits -> postFilter.keep(hits, user)}), so one retriever serves every user.
     *
     * @param question the question
     * @param requestFilter the filter of this request, for example the asking user's permissions
     * @return the hits for {@code question} that pass this retriever's filter and then {@code requestFilter}
     * @throws IllegalArgumentException when the question is blank
     * @throws IllegalStateException    when a filter returns hits it was not given
     */
    public List<Hit> retrieve(String question, HitFilter requestFilter) {
        return retrieval(question, requestFilter).hits();
    }

    /**
     * Like {@link #retrieve(String, HitFilter)}, with the reason for the result: when it is empty,
     * {@link Retrieval#explanation()} tells whether no hit reached {@code minScore} (and the best score the
     * store had for the question) or the filters removed every hit.
     *
     * @param question the question
     * @param requestFilter the filter of this request, for example the asking user's permissions
     * @return the hits and why there are no more
     * @throws IllegalArgumentException when the question is blank
     * @throws IllegalStateException    when a filter returns hits it was not given
     */
    public Retrieval retrieval(String question, HitFilter requestFilter) {
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(requestFilter, "requestFilter");
        if (question.isBlank()) {
            throw new IllegalArgumentException("question must not be blank");
        }
        Instant started = Instant.now();
        float[] query = embedder.embed(question);
        List<Hit> candidates = store.search(query, maxResults * overFetch, minScore, metadataFilter);
        List<Hit> kept = filter.andThen(requestFilter).filter(candidates);
        Objects.requireNonNull(kept, "hit filter returned null");
        Map<Hit, Boolean> given = new IdentityHashMap<>();
        candidates.forEach(h -> given.put(h, Boolean.TRUE));
        List<Hit> result = new ArrayList<>(Math.min(maxResults, kept.size()));
        for (Hit hit : kept) {
            if (!given.containsKey(hit) && !candidates.contains(hit)) {
                throw new IllegalStateException("hit filter returned a hit it was not given: " + hit);
            }
            if (result.size() < maxResults) {
                result.add(hit);
            }
        }
        Optional<Hit> bestBelow = Optional.empty();
        if (candidates.isEmpty()) {
            // one more (k = 1) search only when nothing passed: the best score shows how far off minScore is
            List<Hit> best = store.search(query, 1, Double.NEGATIVE_INFINITY, metadataFilter);
            bestBelow = best.isEmpty() ? Optional.empty() : Optional.of(best.get(0));
        }
        Retrieval retrieval = new Retrieval(result, candidates.size(), minScore, bestBelow);
        ObservationContext observing = ObservationContext.current();
        if (!observing.isEmpty()) {
            observing.report(new Observation.Retrieval("retriever", result.size(),
                    result.stream().mapToDouble(Hit::score).min(), started, Duration.between(started, Instant.now())));
        }
        if (retrieval.isEmpty() && LOG.isDebugEnabled()) {
            LOG.debug("retrieval for a question of {} characters: {}", question.length(), retrieval.explanation());
        }
        return retrieval;
    }

    /**
     * {@link #retrieval(String, HitFilter)} without a per-request filter.
     *
     * @param question the question
     * @return the hits and why there are no more
     */
    public Retrieval retrieval(String question) {
        return retrieval(question, HitFilter.none());
    }

    @Override
    public String toString() {
        return "Retriever[maxResults=" + maxResults + ", minScore=" + minScore + ", overFetch=" + overFetch
                + ", store=" + store + ", embedder=" + embedder.id() + "]";
    }

    /** Options of a {@link Retriever}. Defaults: 3 results, minimum score 0.45, over-fetch 4. */
    public static final class Builder {
        private final VectorStore store;
        private final EmbeddingModel embedder;
        private int maxResults = 3;
        private double minScore = 0.45;
        private int overFetch = 4;
        private HitFilter filter = HitFilter.none();
        private MetadataFilter metadataFilter = MetadataFilter.all();

        private Builder(VectorStore store, EmbeddingModel embedder) {
            this.store = Objects.requireNonNull(store, "store");
            this.embedder = Objects.requireNonNull(embedder, "embedder");
            if (embedder.dimension() != store.dimension()) {
                throw new IllegalArgumentException("embedding model " + embedder.id() + " makes "
                        + embedder.dimension() + "-dimensional vectors but the store holds " + store.dimension());
            }
        }

        /**
         * At most this many hits (default 3).
         *
         * @param maxResults the most hits
         * @return this builder
         */
        public Builder maxResults(int maxResults) {
            if (maxResults < 1) {
                throw new IllegalArgumentException("maxResults must be at least 1, got " + maxResults);
            }
            this.maxResults = maxResults;
            return this;
        }

        /**
         * Only hits scoring at least this (default 0.45).
         *
         * @param minScore the lowest score kept
         * @return this builder
         */
        public Builder minScore(double minScore) {
            if (Double.isNaN(minScore)) {
                throw new IllegalArgumentException("minScore must be a number");
            }
            this.minScore = minScore;
            return this;
        }

        /**
         * Ask the store for {@code maxResults * factor} hits before filtering (default 4).
         *
         * @param factor the over-fetch factor
         * @return this builder
         */
        public Builder overFetch(int factor) {
            if (factor < 1) {
                throw new IllegalArgumentException("overFetch must be at least 1, got " + factor);
            }
            this.overFetch = factor;
            return this;
        }

        /**
         * Post-filter for hits, e.g. a permission check (default: keep all).
         *
         * @param filter the filter
         * @return this builder
         */
        public Builder filter(HitFilter filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * Metadata condition pushed down to the store's search (default: all).
         *
         * @param metadataFilter the condition
         * @return this builder
         */
        public Builder metadataFilter(MetadataFilter metadataFilter) {
            this.metadataFilter = Objects.requireNonNull(metadataFilter, "metadataFilter");
            return this;
        }

        /**
         * Builds the retriever.
         *
         * @return the retriever
         */
        public Retriever build() {
            return new Retriever(this);
        }
    }
}

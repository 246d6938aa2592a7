package dev.keel.rag.internal.keyword;

import dev.keel.rag.internal.store.TopK;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable BM25 index over numbered documents (0..n-1). Score of document {@code d} for query terms
 * {@code t} (each distinct term once):
 *
 * <pre>
 *   score(d) = Σ_t idf(t) · tf(t,d) · (k1 + 1) / (tf(t,d) + k1 · (1 − b + b · |d| / avgdl))
 *   idf(t)   = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))
 * </pre>
 *
 * where {@code |d|} is the document's term count, {@code avgdl} the mean over all documents, {@code N}
 * the document count and {@code df(t)} the number of documents containing {@code t} (Lucene's idf; the
 * {@code (k1 + 1)} factor Lucene drops does not change the ranking). Postings are int arrays per term;
 * a search accumulates scores in one float per document. Thread-safe once built.
 */
public final class Bm25Index {
    private final Analyzer analyzer;
    private final float k1;
    private final float b;
    private final Map<String, Integer> termIds;
    private final int[][] postingDocs;
    private final int[][] postingFreqs;
    private final float[] lengthNorm; // k1 · (1 − b + b · |d| / avgdl) per document
    private final int documents;
    private final long totalTerms;

    private Bm25Index(Analyzer analyzer, float k1, float b, Map<String, Integer> termIds, int[][] postingDocs,
                      int[][] postingFreqs, float[] lengthNorm, int documents, long totalTerms) {
        this.analyzer = analyzer;
        this.k1 = k1;
        this.b = b;
        this.termIds = termIds;
        this.postingDocs = postingDocs;
        this.postingFreqs = postingFreqs;
        this.lengthNorm = lengthNorm;
        this.documents = documents;
        this.totalTerms = totalTerms;
    }

    /** Indexes {@code texts}; document {@code i} is {@code texts.get(i)}. */
    public static Bm25Index build(List<? extends CharSequence> texts, Analyzer analyzer, double k1, double b) {
        if (!(k1 >= 0) || !(b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=" + k1 + " b=" + b);
        }
        Map<String, Integer> termIds = new HashMap<>();
        List<int[]> docs = new ArrayList<>();
        List<int[]> freqs = new ArrayList<>();
        int[] sizes = new int[16];
        int n = texts.size();
        int[] lengths = new int[n];
        long total = 0;
        LinkedHashMap<String, int[]> counts = new LinkedHashMap<>();
        for (int d = 0; d < n; d++) {
            counts.clear();
            int[] length = {0};
            analyzer.terms(texts.get(d), term -> {
                counts.computeIfAbsent(term, t -> new int[1])[0]++;
                length[0]++;
            });
            lengths[d] = length[0];
            total += length[0];
            for (Map.Entry<String, int[]> e : counts.entrySet()) {
                Integer id = termIds.get(e.getKey());
                if (id == null) {
                    id = termIds.size();
                    termIds.put(e.getKey(), id);
                    docs.add(new int[4]);
                    freqs.add(new int[4]);
                    if (id >= sizes.length) {
                        sizes = Arrays.copyOf(sizes, sizes.length * 2);
                    }
                }
                int size = sizes[id];
                int[] ds = docs.get(id);
                if (size == ds.length) {
                    ds = Arrays.copyOf(ds, size * 2);
                    docs.set(id, ds);
                    freqs.set(id, Arrays.copyOf(freqs.get(id), size * 2));
                }
                ds[size] = d;
                freqs.get(id)[size] = e.getValue()[0];
                sizes[id] = size + 1;
            }
        }
        int terms = termIds.size();
        int[][] postingDocs = new int[terms][];
        int[][] postingFreqs = new int[terms][];
        for (int t = 0; t < terms; t++) {
            postingDocs[t] = Arrays.copyOf(docs.get(t), sizes[t]);
            postingFreqs[t] = Arrays.copyOf(freqs.get(t), sizes[t]);
        }
        double avgdl = n == 0 ? 1 : Math.max(1e-9, total / (double) n);
        float[] norm = new float[n];
        for (int d = 0; d < n; d++) {
            norm[d] = (float) (k1 * (1 - b + b * lengths[d] / avgdl));
        }
        return new Bm25Index(analyzer, (float) k1, (float) b, termIds, postingDocs, postingFreqs, norm, n, total);
    }

    public int documents() {
        return documents;
    }

    public int terms() {
        return termIds.size();
    }

    /** The distinct analyzed terms of {@code query}, in order. */
    public List<String> queryTerms(String query) {
        LinkedHashMap<String, Boolean> distinct = new LinkedHashMap<>();
        analyzer.terms(query, term -> distinct.put(term, Boolean.TRUE));
        return List.copyOf(distinct.keySet());
    }

    /**
     * The best {@code k} documents with a score of at least {@code minScore} (and above 0), best first:
     * {@code docs[i]} scored {@code scores[i]}. Ties rank the lower document number first.
     */
    public Result search(String query, int k, double minScore) {
        List<String> terms = queryTerms(query);
        float[] acc = new float[documents];
        int[] touched = new int[64];
        int touchedCount = 0;
        for (String term : terms) {
            Integer id = termIds.get(term);
            if (id == null) {
                continue;
            }
            int[] ds = postingDocs[id];
            int[] fs = postingFreqs[id];
            double df = ds.length;
            float idf = (float) Math.log(1 + (documents - df + 0.5) / (df + 0.5));
            float weight = idf * (k1 + 1);
            for (int i = 0; i < ds.length; i++) {
                int d = ds[i];
                float tf = fs[i];
                if (acc[d] == 0) {
                    if (touchedCount == touched.length) {
                        touched = Arrays.copyOf(touched, touchedCount * 2);
                    }
                    touched[touchedCount++] = d;
                }
                acc[d] += weight * tf / (tf + lengthNorm[d]);
            }
        }
        TopK top = new TopK(Math.max(1, k));
        float min = (float) Math.max(Float.MIN_VALUE, minScore);
        for (int i = 0; i < touchedCount; i++) {
            int d = touched[i];
            float s = acc[d];
            if (s >= min && top.accepts(s)) {
                top.offer(s, d);
            }
        }
        float[] scores = new float[top.size()];
        int[] rows = top.sortedRows(scores);
        return new Result(rows, scores);
    }

    /** Ranked documents and their scores. */
    public record Result(int[] docs, float[] scores) {
    }

    @Override
    public String toString() {
        return "Bm25Index[documents=" + documents + ", terms=" + termIds.size() + ", totalTerms=" + totalTerms
                + ", k1=" + k1 + ", b=" + b + ", analyzer=" + analyzer + "]";
    }
}

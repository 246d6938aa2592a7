package dev.keel.rag.internal.keyword;

import dev.keel.rag.internal.store.TopK;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;

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
    private final TermTable terms;
    private final int[][] postingDocs;
    private final int[][] postingFreqs;
    private final float[] lengthNorm; // k1 · (1 − b + b · |d| / avgdl) per document
    private final int documents;
    private final long totalTerms;

    private Bm25Index(Analyzer analyzer, float k1, float b, TermTable terms, int[][] postingDocs,
                      int[][] postingFreqs, float[] lengthNorm, int documents, long totalTerms) {
        this.analyzer = analyzer;
        this.k1 = k1;
        this.b = b;
        this.terms = terms;
        this.postingDocs = postingDocs;
        this.postingFreqs = postingFreqs;
        this.lengthNorm = lengthNorm;
        this.documents = documents;
        this.totalTerms = totalTerms;
    }

    /**
     * Indexes {@code texts}; document {@code i} is {@code texts.get(i)}. Two passes: the first turns the text
     * into a stream of term ids and counts each term's documents, the second fills postings allocated at
     * their final size — no per-document map, no growing posting lists.
     */
    public static Bm25Index build(List<? extends CharSequence> texts, Analyzer analyzer, double k1, double b) {
        if (!(k1 >= 0) || !(b >= 0 && b <= 1)) {
            throw new IllegalArgumentException("BM25 needs k1 >= 0 and 0 <= b <= 1, got k1=" + k1 + " b=" + b);
        }
        int n = texts.size();
        TermStream stream = new TermStream(n);
        for (int d = 0; d < n; d++) {
            stream.document = d;
            analyzer.terms(texts.get(d), stream);
            stream.ends[d] = stream.size;
        }
        int termCount = stream.table.size();
        int[][] postingDocs = new int[termCount][];
        int[][] postingFreqs = new int[termCount][];
        for (int t = 0; t < termCount; t++) {
            postingDocs[t] = new int[stream.df[t]];
            postingFreqs[t] = new int[stream.df[t]];
        }
        int[] filled = new int[termCount];
        int[] last = new int[termCount];
        Arrays.fill(last, -1);
        int[] ids = stream.ids;
        float[] norm = new float[n];
        double avgdl = n == 0 ? 1 : Math.max(1e-9, stream.size / (double) n);
        int from = 0;
        for (int d = 0; d < n; d++) {
            int to = stream.ends[d];
            for (int i = from; i < to; i++) {
                int id = ids[i];
                if (last[id] == d) {
                    postingFreqs[id][filled[id] - 1]++;
                } else {
                    last[id] = d;
                    postingDocs[id][filled[id]] = d;
                    postingFreqs[id][filled[id]++] = 1;
                }
            }
            norm[d] = (float) (k1 * (1 - b + b * (to - from) / avgdl));
            from = to;
        }
        return new Bm25Index(analyzer, (float) k1, (float) b, stream.table, postingDocs, postingFreqs, norm, n,
                stream.size);
    }

    /** The first pass: term ids in text order, document ends, and each term's document frequency. */
    private static final class TermStream implements Analyzer.TermSink {
        final TermTable table = new TermTable();
        final int[] ends;
        int[] ids = new int[1 << 16];
        int size;
        int[] df = new int[1024];
        int[] lastDoc = new int[1024];
        int document;

        TermStream(int documents) {
            ends = new int[documents];
            Arrays.fill(lastDoc, -1);
        }

        @Override
        public void term(char[] chars, int offset, int length) {
            int id = table.add(chars, offset, length);
            if (id == df.length) {
                df = Arrays.copyOf(df, id * 2);
                lastDoc = Arrays.copyOf(lastDoc, id * 2);
                Arrays.fill(lastDoc, id, lastDoc.length, -1);
            }
            if (lastDoc[id] != document) {
                lastDoc[id] = document;
                df[id]++;
            }
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
            }
            ids[size++] = id;
        }
    }

    public int documents() {
        return documents;
    }

    public int terms() {
        return terms.size();
    }

    /** The distinct analyzed terms of {@code query}, in order. */
    public List<String> queryTerms(String query) {
        LinkedHashMap<String, Boolean> distinct = new LinkedHashMap<>();
        analyzer.terms(query, (java.util.function.Consumer<String>) term -> distinct.put(term, Boolean.TRUE));
        return List.copyOf(distinct.keySet());
    }

    /**
     * The best {@code k} documents with a score of at least {@code minScore} (and above 0), best first:
     * {@code docs[i]} scored {@code scores[i]}. Ties rank the lower document number first.
     */
    public Result search(String query, int k, double minScore) {
        float[] acc = new float[documents];
        int[] touched = new int[64];
        int touchedCount = 0;
        for (String term : queryTerms(query)) {
            char[] chars = term.toCharArray();
            int id = terms.find(chars, 0, chars.length);
            if (id < 0) {
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
        // documents in ascending order, so equal scores keep the lower document (TopK keeps the earlier row)
        Arrays.sort(touched, 0, touchedCount);
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
        return "Bm25Index[documents=" + documents + ", terms=" + terms.size() + ", totalTerms=" + totalTerms
                + ", k1=" + k1 + ", b=" + b + ", analyzer=" + analyzer + "]";
    }
}

package dev.keel.rag.internal.store;

import dev.keel.rag.store.MetadataFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.lucene.codecs.hnsw.DefaultFlatVectorScorer;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.KnnCollector;
import org.apache.lucene.search.TopKnnCollector;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.hnsw.HnswGraph;
import org.apache.lucene.util.hnsw.HnswGraphBuilder;
import org.apache.lucene.util.hnsw.HnswGraphSearcher;
import org.apache.lucene.util.hnsw.NeighborArray;
import org.apache.lucene.util.hnsw.OnHeapHnswGraph;
import org.apache.lucene.util.hnsw.RandomAccessVectorValues;

/**
 * An HNSW graph over a store's heap rows (unit vectors, dot product), built with Lucene's
 * {@code HnswGraphBuilder} — the graph Lucene's codec writes for {@code KnnFloatVectorField} — and searched
 * with its {@code HnswGraphSearcher}. The rows are read in place (no copy). Searches may run concurrently:
 * each walks the graph through its own cursor. Immutable once built; a write to the rows invalidates it
 * (the store drops it). No Lucene type leaves this class.
 */
public final class GraphIndex {
    /** Lucene's default maximum connections per node. */
    public static final int M = 16;
    /** Build beam width (Lucene defaults to 100; 64 builds 1.5× faster at the same recall here). */
    public static final int BEAM = 64;

    private final RowValues values;
    private final OnHeapHnswGraph graph;
    private int ef = 10;

    private GraphIndex(RowValues values, OnHeapHnswGraph graph) {
        this.values = values;
        this.graph = graph;
    }

    /** Builds the graph over rows {@code [0, size)} of {@code data}, one thread. */
    public static GraphIndex build(float[] data, int size, int dimension, long seed) {
        RowValues values = new RowValues(data, size, dimension);
        try {
            OnHeapHnswGraph graph = HnswGraphBuilder.create(DefaultFlatVectorScorer.INSTANCE
                    .getRandomVectorScorerSupplier(VectorSimilarityFunction.DOT_PRODUCT, values), M, BEAM, seed)
                    .build(size);
            return new GraphIndex(values, graph);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // on-heap values never do I/O
        }
    }

    /** The search beam width used by {@link #search(float[], int, MetadataFilter, TopK)} callers. */
    public int ef() {
        return ef;
    }

    public void ef(int ef) {
        this.ef = ef;
    }

    /**
     * Offers the best {@code max(k, ef)} rows the graph finds for unit query {@code q} (passing
     * {@code filter}) to {@code top}, keyed by dot product; returns the number of vectors scored.
     */
    public long search(float[] q, int ef, RowFilter filter, TopK top) {
        try {
            KnnCollector collector = new TopKnnCollector(Math.max(ef, 1), Integer.MAX_VALUE);
            Bits accept = filter == null ? null : new Bits() {
                @Override
                public boolean get(int index) {
                    return filter.accepts(index);
                }

                @Override
                public int length() {
                    return values.size();
                }
            };
            HnswGraphSearcher.search(DefaultFlatVectorScorer.INSTANCE.getRandomVectorScorer(
                    VectorSimilarityFunction.DOT_PRODUCT, values.copy(), q), collector, new Cursor(graph), accept);
            var docs = collector.topDocs().scoreDocs;
            for (var doc : docs) {
                // Lucene's DOT_PRODUCT score is (1 + dot) / 2; rank by the dot product itself
                float dot = 2 * doc.score - 1;
                if (top.accepts(dot)) {
                    top.offer(dot, doc.doc);
                }
            }
            return collector.visitedCount();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Which rows a filtered search may return. */
    @FunctionalInterface
    public interface RowFilter {
        boolean accepts(int row);
    }

    /** Rows of the store's row-major array, read in place; each copy has its own scratch vector. */
    private static final class RowValues implements RandomAccessVectorValues.Floats {
        private final float[] data;
        private final int size;
        private final int dimension;
        private final float[] scratch;

        RowValues(float[] data, int size, int dimension) {
            this.data = data;
            this.size = size;
            this.dimension = dimension;
            this.scratch = new float[dimension];
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public int dimension() {
            return dimension;
        }

        @Override
        public float[] vectorValue(int ord) {
            System.arraycopy(data, ord * dimension, scratch, 0, dimension);
            return scratch;
        }

        @Override
        public RowValues copy() {
            return new RowValues(data, size, dimension);
        }
    }

    /** A cursor over the shared graph, so concurrent searches do not share Lucene's single one. */
    private static final class Cursor extends HnswGraph {
        private final OnHeapHnswGraph graph;
        private int[] nodes = new int[0];
        private int count;
        private int upto;

        Cursor(OnHeapHnswGraph graph) {
            this.graph = graph;
        }

        @Override
        public void seek(int level, int target) {
            NeighborArray neighbors = graph.getNeighbors(level, target);
            nodes = neighbors.nodes();
            count = neighbors.size();
            upto = -1;
        }

        @Override
        public int size() {
            return graph.size();
        }

        @Override
        public int maxNodeId() {
            return graph.maxNodeId();
        }

        @Override
        public int nextNeighbor() {
            return ++upto < count ? nodes[upto] : org.apache.lucene.search.DocIdSetIterator.NO_MORE_DOCS;
        }

        @Override
        public int numLevels() {
            return graph.numLevels();
        }

        @Override
        public int entryNode() {
            return graph.entryNode();
        }

        @Override
        public NodesIterator getNodesOnLevel(int level) {
            return graph.getNodesOnLevel(level);
        }
    }

    @Override
    public String toString() {
        return "GraphIndex[hnsw M=" + M + " beam=" + BEAM + " nodes=" + graph.size() + " ef=" + ef + "]";
    }
}

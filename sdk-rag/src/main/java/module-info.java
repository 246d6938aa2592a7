/**
 * Keel RAG: chunkers, a fast vector store with persistence, a retriever with a hit-filter hook, and
 * prompt assembly.
 *
 * <p>Optional modules: {@code jdk.incubator.vector} (start the JVM with
 * {@code --add-modules jdk.incubator.vector} for SIMD search), {@code jtokkit} (exact token counts),
 * LangChain4j (store adapter and the embedded MiniLM model).
 */
module dev.keel.rag {
    requires transitive dev.keel.core;
    requires org.slf4j;
    requires static jtokkit;
    requires static langchain4j.core;
    requires static langchain4j.embeddings.all.minilm.l6.v2.q;
    requires static langchain4j.embeddings;
    requires static org.apache.lucene.core;

    exports dev.keel.rag.chunk;
    exports dev.keel.rag.store;
    exports dev.keel.rag.retrieve;
    exports dev.keel.rag.embed;
    exports dev.keel.rag.langchain4j;
    exports dev.keel.rag.knowledge;
}

/** A host application's module: it requires Keel's agents and RAG modules, and LangChain4j itself. */
module com.example.consumer {
    requires dev.keel.agents;
    requires dev.keel.rag;
    requires langchain4j.core;
}

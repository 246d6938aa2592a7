package dev.keel.consumer;

import dev.keel.agents.Agent;
import dev.keel.agents.toolsets.Toolsets;
import dev.keel.core.ChatOptions;
import dev.keel.rag.chunk.Chunkers;
import dev.keel.rag.chunk.Source;
import dev.keel.rag.store.InMemoryVectorStore;
import dev.keel.rag.store.VectorStore;
import dev.langchain4j.data.segment.TextSegment;
import java.util.List;

/** Touches each module's API, and a LangChain4j type next to Keel's, so that all of it is compiled and linked. */
public final class App {
    private App() {
    }

    /**
     * Builds an agent and an index the way a host application would.
     *
     * @param args unused
     */
    public static void main(String[] args) {
        Agent agent = Agent.builder("root").model("openai/gpt-5").instruction("Answer briefly.")
                .toolsets(Toolsets.think()).build();
        InMemoryVectorStore store = VectorStore.inMemory(8);
        List<?> chunks = Chunkers.recursive(200).split(Source.of("a.md", "Keel consumer check."));
        TextSegment segment = TextSegment.from("LangChain4j next to Keel");
        System.out.println("agent=" + agent.name() + " dimension=" + store.dimension() + " chunks=" + chunks.size()
                + " segment=" + segment.text() + " options=" + ChatOptions.defaults());
        System.out.println("kernel=" + store.kernelName());
    }
}

/**
 * Keel core: chat and embedding model contracts, messages, tool specs, providers (OpenAI-compatible,
 * Anthropic), the model registry, shared HTTP and JSON, and {@link dev.keel.core.exec.CommandRunner}.
 *
 * <p>LangChain4j is an optional dependency: the adapters in {@code dev.keel.core.langchain4j} work only
 * when LangChain4j is on the module path of the host application.
 */
module dev.keel.core {
    requires transitive com.fasterxml.jackson.databind;
    requires transitive okhttp3;
    requires transitive org.slf4j;
    requires static langchain4j.core;

    exports dev.keel.core;
    exports dev.keel.core.message;
    exports dev.keel.core.tool;
    exports dev.keel.core.exec;
    exports dev.keel.core.json;
    exports dev.keel.core.http;
    exports dev.keel.core.openai;
    exports dev.keel.core.anthropic;
    exports dev.keel.core.langchain4j;
    exports dev.keel.core.models;
}

/**
 * Adapters between Keel and LangChain4j: any LangChain4j {@code ChatModel}, {@code StreamingChatModel}
 * or {@code EmbeddingModel} used as Keel's {@link dev.keel.core.ChatModel} /
 * {@link dev.keel.core.EmbeddingModel}, and the reverse. Entry point: {@link dev.keel.core.langchain4j.LangChain4j}.
 *
 * <p>LangChain4j ({@code dev.langchain4j:langchain4j-core}) is an optional dependency of Keel core: this
 * package works only when it is on the class or module path of the application.
 */
package dev.keel.core.langchain4j;

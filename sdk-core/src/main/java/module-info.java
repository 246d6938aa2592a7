/**
 * Keel core: chat and embedding model contracts, messages, tool specs, providers (OpenAI Chat Completions and
 * Responses, Anthropic, Gemini), model combinations (fallback, routing, alternates), the model registry, shared
 * HTTP, Keel's JSON values, and {@link dev.keel.core.exec.CommandRunner}.
 *
 * <p>Jackson is used inside Keel only: no Jackson type is part of Keel's API, and the JSON plumbing in
 * {@code dev.keel.core.internal.json} is exported to Keel's own modules alone.
 *
 * <p>OpenTelemetry is an optional dependency: {@code dev.keel.core.observe.Telemetry} needs its API on the path of
 * the host application; everything else in Keel runs without it.
 *
 * <p>LangChain4j is an optional dependency: the adapters in {@code dev.keel.core.langchain4j} work only
 * when LangChain4j is on the module path of the host application.
 */
module dev.keel.core {
    requires com.fasterxml.jackson.databind;
    requires transitive okhttp3;
    requires org.slf4j;
    requires static langchain4j.core;
    requires static io.opentelemetry.api;
    requires static io.opentelemetry.context;
    // only for dev.keel.core.internal.yaml, which the modules that write YAML files use
    requires static com.fasterxml.jackson.dataformat.yaml;
    requires static org.yaml.snakeyaml;

    exports dev.keel.core;
    exports dev.keel.core.message;
    exports dev.keel.core.tool;
    exports dev.keel.core.exec;
    exports dev.keel.core.json;
    exports dev.keel.core.http;
    exports dev.keel.core.openai;
    exports dev.keel.core.anthropic;
    exports dev.keel.core.google;
    exports dev.keel.core.langchain4j;
    exports dev.keel.core.models;
    exports dev.keel.core.secrets;
    exports dev.keel.core.observe;

    // Keel's own modules share the JSON plumbing; it is not API (no user module can read it).
    exports dev.keel.core.internal.json to
            dev.keel.agents, dev.keel.sandbox, dev.keel.authz;
    // Atomic file writes and the readable line diff that cassettes and run recordings share.
    exports dev.keel.core.internal.io to
            dev.keel.agents, dev.keel.testing, dev.keel.testing.agents;
    exports dev.keel.core.internal.text to
            dev.keel.agents, dev.keel.testing;
    exports dev.keel.core.internal.yaml to
            dev.keel.agents, dev.keel.testing;
}

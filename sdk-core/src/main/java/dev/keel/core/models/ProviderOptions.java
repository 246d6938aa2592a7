package dev.keel.core.models;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What Keel does with docker-agent's {@code provider_opts} ({@link ModelConfig#providerOptions()}), per API. Known
 * options are passed through where the API has them; the rest are reported by {@link #check}, which a team loader
 * turns into warnings and which resolved models log once.
 *
 * <table>
 *   <caption>Options applied</caption>
 *   <tr><th>option</th><th>APIs</th><th>effect</th></tr>
 *   <tr><td>{@code http_headers}</td><td>all</td><td>extra headers ({@code ${VAR}} expanded); the model's own
 *       {@code headers} win</td></tr>
 *   <tr><td>{@code api_type}</td><td>all</td><td>the wire protocol, as {@link ModelConfig#apiType()}</td></tr>
 *   <tr><td>{@code supports_images}, {@code supports_pdf}</td><td>all</td><td>declared capabilities</td></tr>
 *   <tr><td>{@code transport: sse}</td><td>OpenAI</td><td>nothing to do: Keel streams over SSE</td></tr>
 *   <tr><td>{@code top_k}</td><td>openai-compatible, anthropic, google</td><td>{@code top_k} / {@code topK}</td></tr>
 *   <tr><td>{@code repetition_penalty}, {@code min_p}</td><td>openai-compatible</td><td>body fields</td></tr>
 *   <tr><td>{@code seed}</td><td>openai-compatible, google</td><td>the seed, unless the options set one</td></tr>
 *   <tr><td>{@code interleaved_thinking}</td><td>anthropic</td><td>the {@code interleaved-thinking-2025-05-14} beta
 *       header</td></tr>
 *   <tr><td>{@code thinking_display}</td><td>anthropic</td><td>{@code thinking.display}</td></tr>
 *   <tr><td>{@code task_budget}</td><td>anthropic</td><td>{@code output_config.task_budget} and its beta header
 *       (a number of tokens; docker-agent's model field {@code task_budget}, which team files carry here)</td></tr>
 *   <tr><td>{@code workload_identity_federation}</td><td>anthropic</td><td>authenticates by
 *       {@link dev.keel.core.anthropic.WorkloadIdentity} instead of a key (docker-agent's model field {@code auth}):
 *       {@code federation_rule_id}, {@code organization_id}, optional {@code service_account_id} and
 *       {@code workspace_id}, and {@code identity_token} with exactly one of {@code file}, {@code env},
 *       {@code command} (a list; its standard output) or {@code url} (with optional {@code headers}, values
 *       {@code ${VAR}}-expanded, and {@code response_field}), read again at every exchange</td></tr>
 *   <tr><td>{@code google_search}, {@code google_maps}, {@code code_execution}</td><td>google</td><td>Gemini's
 *       built-in tools</td></tr>
 *   <tr><td>{@code context_size}</td><td>all</td><td>the model's context window, which Keel's agents compact their
 *       sessions against (not sent)</td></tr>
 * </table>
 *
 * <p>Known but without effect in an embedded library (reported): {@code transport: websocket},
 * {@code unload_api}, {@code runtime_flags} (they configure Docker Model Runner itself),
 * {@code rerank_prompt} (RAG reranking), {@code api_version} (Azure), Anthropic's server-side {@code fallbacks}.
 * Stateless.
 */
public final class ProviderOptions {
    private static final Set<ApiType> ALL = EnumSet.allOf(ApiType.class);
    private static final Set<ApiType> OPENAI = EnumSet.of(ApiType.OPENAI_COMPATIBLE, ApiType.OPENAI_RESPONSES);

    /** Options acted on, and by which APIs. */
    private static final Map<String, Set<ApiType>> APPLIED = Map.ofEntries(
            Map.entry("http_headers", ALL),
            Map.entry("api_type", ALL),
            Map.entry("supports_images", ALL),
            Map.entry("supports_pdf", ALL),
            Map.entry("transport", OPENAI),
            Map.entry("top_k", EnumSet.of(ApiType.OPENAI_COMPATIBLE, ApiType.ANTHROPIC, ApiType.GEMINI)),
            Map.entry("repetition_penalty", EnumSet.of(ApiType.OPENAI_COMPATIBLE)),
            Map.entry("min_p", EnumSet.of(ApiType.OPENAI_COMPATIBLE)),
            Map.entry("seed", EnumSet.of(ApiType.OPENAI_COMPATIBLE, ApiType.GEMINI)),
            Map.entry("interleaved_thinking", EnumSet.of(ApiType.ANTHROPIC)),
            Map.entry("thinking_display", EnumSet.of(ApiType.ANTHROPIC)),
            Map.entry("task_budget", EnumSet.of(ApiType.ANTHROPIC)),
            Map.entry("workload_identity_federation", EnumSet.of(ApiType.ANTHROPIC)),
            Map.entry("google_search", EnumSet.of(ApiType.GEMINI)),
            Map.entry("google_maps", EnumSet.of(ApiType.GEMINI)),
            Map.entry("code_execution", EnumSet.of(ApiType.GEMINI)),
            Map.entry("context_size", ALL));

    /** docker-agent options that mean nothing in an embedded library, with why. */
    private static final Map<String, String> WITHOUT_EFFECT = Map.of(
            "unload_api", "it configures docker-agent's DMR unload hook, which Keel does not run",
            "runtime_flags", "it configures Docker Model Runner itself; set it there",
            "rerank_prompt", "it is used by docker-agent's RAG reranking, not by chat models",
            "api_version", "Azure OpenAI's api-version is not supported",
            "fallbacks", "Anthropic's server-side fallback beta is not supported; use an agent's fallback models");

    private ProviderOptions() {}

    /**
     * Notes on the options {@code apiType} does not act on: unknown options, options of other APIs, known
     * options without effect in Keel, and values of the wrong type. Empty when every option is applied.
     *
     * @param apiType the API the model speaks
     * @param options the options
     * @return one readable note per option not acted on, sorted by option name
     */
    public static List<String> check(ApiType apiType, JsonObject options) {
        List<String> notes = new ArrayList<>();
        for (String name : new TreeMap<>(options.members()).keySet()) {
            JsonValue value = options.get(name).orElseThrow();
            Set<ApiType> by = APPLIED.get(name);
            String why = WITHOUT_EFFECT.get(name);
            if (why != null) {
                notes.add("provider_opts." + name + " has no effect: " + why);
            } else if (by == null) {
                notes.add("provider_opts." + name + " is not a known provider option; ignored");
            } else if (!by.contains(apiType)) {
                notes.add("provider_opts." + name + " is not supported by the " + apiType.configName() + " API; ignored");
            } else {
                String problem = typeProblem(name, value);
                if (problem != null) {
                    notes.add("provider_opts." + name + " " + problem + "; ignored");
                }
            }
        }
        return notes;
    }

    private static String typeProblem(String name, JsonValue value) {
        return switch (name) {
            case "http_headers" -> value.asObject().filter(o -> o.members().values().stream()
                    .allMatch(v -> v.asString().isPresent())).isPresent() ? null : "must map header names to strings";
            case "api_type" -> {
                try {
                    ApiType.fromConfig(value.asString().orElse(""));
                    yield null;
                } catch (IllegalArgumentException e) {
                    yield "is not an API type (" + e.getMessage() + ")";
                }
            }
            case "transport" -> {
                String t = value.asString().orElse("");
                yield t.equalsIgnoreCase("sse") ? null
                        : t.equalsIgnoreCase("websocket") ? "websocket: Keel streams over SSE" : "must be sse or websocket";
            }
            case "supports_images", "supports_pdf", "interleaved_thinking", "google_search", "google_maps",
                 "code_execution" -> flag(value).isPresent() ? null : "must be true or false";
            case "thinking_display" -> value.asString().isPresent() ? null : "must be a string";
            case "workload_identity_federation" -> IdentityTokens.problem(value);
            case "context_size", "task_budget" -> value.asLong().isPresent() && value.asLong().getAsLong() > 0 ? null
                    : "must be a positive whole number";
            default -> value.asDouble().isPresent() ? null : "must be a number";
        };
    }

    /** A boolean option, also written as a string or number as docker-agent accepts. */
    static Optional<Boolean> flag(JsonValue value) {
        if (value.asBoolean().isPresent()) {
            return value.asBoolean();
        }
        if (value.asString().isPresent()) {
            String s = value.asString().get().strip().toLowerCase(java.util.Locale.ROOT);
            if (s.equals("true") || s.equals("1") || s.equals("yes")) {
                return Optional.of(true);
            }
            if (s.equals("false") || s.equals("0") || s.equals("no")) {
                return Optional.of(false);
            }
            return Optional.empty();
        }
        return value.asDouble().isPresent() ? Optional.of(value.asDouble().getAsDouble() != 0) : Optional.empty();
    }

    /** The option {@code name} when {@code apiType} applies it and its value has the right type. */
    static Optional<JsonValue> applied(ApiType apiType, JsonObject options, String name) {
        Optional<JsonValue> value = options.get(name);
        Set<ApiType> by = APPLIED.get(name);
        if (value.isEmpty() || by == null || !by.contains(apiType) || typeProblem(name, value.get()) != null) {
            return Optional.empty();
        }
        return value;
    }

    /** The {@code http_headers} option's headers. */
    static Map<String, String> headers(ApiType apiType, JsonObject options) {
        Map<String, String> out = new TreeMap<>();
        applied(apiType, options, "http_headers").flatMap(JsonValue::asObject)
                .ifPresent(o -> o.members().forEach((k, v) -> out.put(k, v.asString().orElseThrow())));
        return out;
    }

    /** The capabilities {@code supports_images} / {@code supports_pdf} declare. */
    static ModelCapabilities capabilities(JsonObject options) {
        Boolean image = options.get("supports_images").flatMap(ProviderOptions::flag).orElse(null);
        Boolean pdf = options.get("supports_pdf").flatMap(ProviderOptions::flag).orElse(null);
        return new ModelCapabilities(image, pdf, null, null, null);
    }

    /** The {@code api_type} option, if set and valid. */
    static Optional<ApiType> apiType(JsonObject options) {
        return options.get("api_type").flatMap(JsonValue::asString).flatMap(s -> {
            try {
                return Optional.of(ApiType.fromConfig(s));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        });
    }
}

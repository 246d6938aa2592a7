package dev.keel.core.google;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatOptions;
import dev.keel.core.ToolChoice;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ModelErrors;
import dev.keel.core.internal.http.RetryAfter;
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.provider.ToolArguments;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import okhttp3.Response;

/**
 * Gemini's {@code generateContent} wire format: contents and parts, the system instruction, function declarations,
 * the generation config, responses, usage and errors. Stateless.
 */
final class GeminiWire {
    /**
     * The placeholder Gemini documents for a function call whose thought signature is unknown (history written by
     * another model): Gemini 3 rejects function calls without a signature in the current turn.
     */
    static final String SKIP_SIGNATURE_VALIDATION = "skip_thought_signature_validator";

    private GeminiWire() {}

    /** Request settings beyond the chat request and options. */
    record Settings(String model, ObjectNode generationExtras, List<String> builtInTools) {}

    static ObjectNode requestBody(ChatRequest request, ChatOptions options, Settings settings) {
        String model = options.model() != null ? options.model() : settings.model();
        ObjectNode body = Json.object();
        List<String> system = new ArrayList<>();
        ArrayNode contents = body.putArray("contents");
        for (Message m : request.messages()) {
            if (m instanceof SystemMessage s) {
                system.add(s.text()); // Gemini has one system instruction, no system turns
                continue;
            }
            String role = m instanceof AssistantMessage ? "model" : "user";
            JsonNode last = contents.isEmpty() ? null : contents.get(contents.size() - 1);
            ObjectNode turn;
            if (last != null && last.path("role").asText().equals(role)) {
                turn = (ObjectNode) last; // parallel tool results answer one model turn together
            } else {
                turn = contents.addObject().put("role", role);
                turn.putArray("parts");
            }
            addParts((ArrayNode) turn.get("parts"), m, acceptsPlaceholderSignatures(model));
        }
        if (!system.isEmpty()) {
            body.putObject("systemInstruction").putArray("parts").addObject().put("text", String.join("\n\n", system));
        }
        ArrayNode tools = Json.mapper().createArrayNode();
        if (!request.tools().isEmpty()) {
            ArrayNode declarations = tools.addObject().putArray("functionDeclarations");
            for (ToolSpec t : request.tools()) {
                ObjectNode d = declarations.addObject().put("name", t.name());
                if (!t.description().isEmpty()) {
                    d.put("description", t.description());
                }
                // The JSON Schema form: the OpenAPI-subset "parameters" rejects common keywords (additionalProperties).
                d.set("parametersJsonSchema", Json.toNode(t.parameters().toJson()));
            }
        }
        settings.builtInTools().forEach(name -> tools.addObject().putObject(name));
        if (!tools.isEmpty()) {
            body.set("tools", tools);
        }
        ToolChoice choice = options.toolChoice();
        if (choice != null && !request.tools().isEmpty()) {
            ObjectNode calling = body.putObject("toolConfig").putObject("functionCallingConfig");
            calling.put("mode", choice instanceof ToolChoice.None ? "NONE"
                    : choice instanceof ToolChoice.Auto ? "AUTO" : "ANY");
            if (choice instanceof ToolChoice.Named named) {
                calling.putArray("allowedFunctionNames").add(named.name());
            }
        }
        ObjectNode config = generationConfig(options, model);
        settings.generationExtras().fields().forEachRemaining(e -> {
            if (!config.has(e.getKey())) {
                config.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        if (!config.isEmpty()) {
            body.set("generationConfig", config);
        }
        return body;
    }

    private static ObjectNode generationConfig(ChatOptions options, String model) {
        ObjectNode config = Json.object();
        if (options.temperature() != null) {
            config.put("temperature", options.temperature());
        }
        if (options.topP() != null) {
            config.put("topP", options.topP());
        }
        if (options.maxTokens() != null) {
            config.put("maxOutputTokens", options.maxTokens());
        }
        if (!options.stop().isEmpty()) {
            ArrayNode stop = config.putArray("stopSequences");
            options.stop().forEach(stop::add);
        }
        if (options.presencePenalty() != null) {
            config.put("presencePenalty", options.presencePenalty());
        }
        if (options.frequencyPenalty() != null) {
            config.put("frequencyPenalty", options.frequencyPenalty());
        }
        if (options.seed() != null) {
            config.put("seed", options.seed());
        }
        ResponseFormat format = options.responseFormat();
        if (format instanceof ResponseFormat.JsonObject) {
            config.put("responseMimeType", "application/json");
        } else if (format instanceof ResponseFormat.JsonSchemaFormat js) {
            config.put("responseMimeType", "application/json");
            config.set("responseJsonSchema", Json.toNode(js.schema().toJson()));
        }
        ObjectNode thinking = thinkingConfig(options.thinkingBudget(), model);
        if (thinking != null) {
            config.set("thinkingConfig", thinking);
        }
        return config;
    }

    /**
     * {@code thinkingConfig}: a budget for off ({@code 0}), tokens and dynamic ({@code -1}); an effort is a
     * {@code thinkingLevel} on Gemini 3 and later and a token budget on Gemini 2.x, which has no levels. Thought
     * summaries are asked for whenever thinking is on.
     */
    static ObjectNode thinkingConfig(ThinkingBudget budget, String model) {
        if (budget == null) {
            return null;
        }
        ObjectNode t = Json.object();
        if (budget instanceof ThinkingBudget.Off) {
            return t.put("thinkingBudget", 0);
        }
        if (budget instanceof ThinkingBudget.Tokens tokens) {
            t.put("thinkingBudget", tokens.count());
        } else if (budget instanceof ThinkingBudget.Dynamic) {
            t.put("thinkingBudget", -1);
        } else {
            ThinkingBudget.Effort e = budget.effort();
            if (usesTokenBudgets(model)) {
                t.put("thinkingBudget", e.tokens());
            } else {
                t.put("thinkingLevel", switch (e) {
                    case MINIMAL -> "minimal";
                    case LOW -> "low";
                    case MEDIUM -> "medium";
                    default -> "high";
                });
            }
        }
        return t.put("includeThoughts", true);
    }

    /** Gemini 1.x and 2.x take thinking budgets only; Gemini 3 introduced levels. */
    static boolean usesTokenBudgets(String model) {
        String m = bareModel(model);
        return m.startsWith("gemini-1") || m.startsWith("gemini-2");
    }

    /** Gemini 3 and later accept the documented placeholder signature; earlier models have no signatures. */
    private static boolean acceptsPlaceholderSignatures(String model) {
        return bareModel(model).startsWith("gemini-") && !usesTokenBudgets(model);
    }

    static String bareModel(String model) {
        String m = model.toLowerCase(Locale.ROOT);
        return m.startsWith("models/") ? m.substring("models/".length()) : m;
    }

    private static void addParts(ArrayNode parts, Message m, boolean placeholderSignatures) {
        if (m instanceof UserMessage u) {
            parts.addObject().put("text", u.text());
        } else if (m instanceof AssistantMessage a) {
            Map<String, String> callSignatures = new HashMap<>();
            String answerSignature = null;
            for (Reasoning r : a.reasoning(Reasoning.GEMINI)) {
                if (r.opaque().isEmpty()) {
                    continue; // thought summaries are for reading; only signatures go back
                }
                if (r.id().isEmpty()) {
                    answerSignature = r.opaque();
                } else {
                    callSignatures.put(r.id(), r.opaque());
                }
            }
            if (!a.text().isEmpty() || answerSignature != null) {
                ObjectNode text = parts.addObject().put("text", a.text());
                if (answerSignature != null) {
                    text.put("thoughtSignature", answerSignature);
                }
            }
            boolean first = true;
            for (ToolCall c : a.toolCalls()) {
                ObjectNode part = parts.addObject();
                ObjectNode call = part.putObject("functionCall").put("name", c.name());
                call.set("args", ToolArguments.object(c.arguments()));
                call.put("id", c.id());
                String signature = callSignatures.get(c.id());
                if (signature == null && first && placeholderSignatures) {
                    signature = SKIP_SIGNATURE_VALIDATION;
                }
                if (signature != null) {
                    part.put("thoughtSignature", signature);
                }
                first = false;
            }
        } else if (m instanceof ToolResultMessage t) {
            ObjectNode response = parts.addObject().putObject("functionResponse").put("name", t.toolName())
                    .put("id", t.toolCallId()).putObject("response");
            // The documented keys: "output" for a result, "error" for a failed call.
            response.put(t.error() ? "error" : "output", t.content());
        }
    }

    /** Parses a complete {@code GenerateContentResponse}. */
    static ChatResponse response(String provider, JsonNode root) {
        Chunk chunk = chunk(provider, root, callIdPrefix(root.path("responseId").asText("")), 0);
        if (chunk.blockReason() != null && chunk.finishReason() == null) {
            throw blocked(provider, chunk.blockReason());
        }
        if (!root.path("candidates").isArray() || root.path("candidates").isEmpty()) {
            throw new ModelException.MalformedResponse(provider, provider + " answer has no candidates", null);
        }
        return new ChatResponse(new AssistantMessage(chunk.text(), chunk.calls(),
                withThoughts(chunk.thoughts(), chunk.reasoning())),
                finishReason(chunk.finishReason(), !chunk.calls().isEmpty()), chunk.usage(),
                root.path("modelVersion").asText(""), root.path("responseId").asText(""));
    }

    /** The thought summary (for reading) first, then the signatures. */
    static List<Reasoning> withThoughts(String thoughts, List<Reasoning> signatures) {
        if (thoughts.isEmpty()) {
            return signatures;
        }
        List<Reasoning> all = new ArrayList<>();
        all.add(new Reasoning(Reasoning.GEMINI, "", thoughts, ""));
        all.addAll(signatures);
        return all;
    }

    /**
     * What one response (or one streamed chunk) holds for the first candidate.
     *
     * @param text         answer text
     * @param thoughts     thought-summary text
     * @param calls        function calls
     * @param reasoning    thought signatures (and, for a whole response, the thoughts)
     * @param finishReason the finish reason, or null
     * @param blockReason  {@code promptFeedback.blockReason}, or null
     * @param usage        usage, or null
     */
    record Chunk(String text, String thoughts, List<ToolCall> calls, List<Reasoning> reasoning, String finishReason,
                 String blockReason, Usage usage) {}

    /**
     * The prefix of ids given to function calls that came without one: unique per response (Gemini's
     * {@code responseId}), so that calls of different turns never share an id once the conversation goes to a
     * provider that checks.
     */
    static String callIdPrefix(String responseId) {
        return responseId.isEmpty() ? "call_" : "call_" + responseId + "_";
    }

    /**
     * Reads one response or chunk. Calls without an id get {@code idPrefix + n}, {@code n} counting from
     * {@code firstCall} across the chunks of a stream.
     */
    static Chunk chunk(String provider, JsonNode root, String idPrefix, int firstCall) {
        JsonNode error = root.path("error");
        if (error.isObject()) {
            throw streamError(provider, error);
        }
        StringBuilder text = new StringBuilder();
        StringBuilder thoughts = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        List<Reasoning> reasoning = new ArrayList<>();
        JsonNode candidate = root.path("candidates").path(0);
        for (JsonNode part : candidate.path("content").path("parts")) {
            String signature = part.path("thoughtSignature").asText("");
            JsonNode fn = part.path("functionCall");
            if (fn.isObject()) {
                String name = fn.path("name").asText("");
                if (name.isEmpty()) {
                    throw new ModelException.MalformedResponse(provider, provider + " functionCall without a name", null);
                }
                String id = fn.path("id").asText("");
                if (id.isEmpty()) {
                    id = idPrefix + (firstCall + calls.size());
                }
                JsonNode args = fn.path("args");
                calls.add(new ToolCall(id, name, args.isObject() ? Json.write(args) : "{}"));
                if (!signature.isEmpty()) {
                    reasoning.add(new Reasoning(Reasoning.GEMINI, id, "", signature));
                }
                continue;
            }
            if (part.path("thought").asBoolean(false)) {
                thoughts.append(part.path("text").asText(""));
            } else {
                text.append(part.path("text").asText(""));
            }
            if (!signature.isEmpty()) {
                reasoning.add(new Reasoning(Reasoning.GEMINI, "", "", signature));
            }
        }
        String finish = candidate.path("finishReason").asText(null);
        String block = root.path("promptFeedback").path("blockReason").asText(null);
        return new Chunk(text.toString(), thoughts.toString(), calls, reasoning, finish, block,
                usage(root.path("usageMetadata")));
    }

    /**
     * Usage: {@code promptTokenCount} plus {@code toolUsePromptTokenCount} in, of which
     * {@code cachedContentTokenCount} were cached; {@code candidatesTokenCount} plus {@code thoughtsTokenCount} out,
     * of which the thoughts are reasoning.
     */
    static Usage usage(JsonNode u) {
        if (!u.isObject() || !u.has("promptTokenCount") && !u.has("candidatesTokenCount")) {
            return null;
        }
        long prompt = Math.max(0, u.path("promptTokenCount").asLong(0)) + Math.max(0, u.path("toolUsePromptTokenCount").asLong(0));
        long thoughts = Math.max(0, u.path("thoughtsTokenCount").asLong(0));
        long out = Math.max(0, u.path("candidatesTokenCount").asLong(0)) + thoughts;
        long cached = Math.min(prompt, Math.max(0, u.path("cachedContentTokenCount").asLong(0)));
        return new Usage(prompt, out, cached, 0, thoughts);
    }

    static FinishReason finishReason(String reason, boolean hasToolCalls) {
        if (reason == null) {
            return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.OTHER;
        }
        return switch (reason) {
            case "STOP" -> hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "MAX_TOKENS" -> FinishReason.LENGTH;
            case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY",
                 "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER; // MALFORMED_FUNCTION_CALL, LANGUAGE, OTHER, future reasons
        };
    }

    static ModelException blocked(String provider, String reason) {
        return new ModelException.ContentBlocked(provider, reason, provider + " blocked the prompt ("
                + reason + "): Gemini's safety settings refused to answer it");
    }

    /** Decodes {@code {"error": {"code", "message", "status", "details"}}}. */
    static ModelException error(String provider, int status, String body, Response response) {
        String message = ModelErrors.snippet(body.isEmpty() ? "(empty body)" : body);
        JsonNode error = null;
        try {
            JsonNode root = Json.mapper().readTree(body);
            if (root != null && root.path("error").isObject()) {
                error = root.path("error");
            }
        } catch (Exception notJson) {
            // keep the raw snippet
        }
        Duration retryAfter = RetryAfter.from(response.headers(), Instant.now()).orElse(null);
        if (error == null) {
            return ModelErrors.forStatus(provider, status, message, retryAfter, false);
        }
        Duration bodyDelay = retryDelay(error);
        if (bodyDelay != null && (retryAfter == null || bodyDelay.compareTo(retryAfter) > 0)) {
            retryAfter = bodyDelay;
        }
        return decoded(provider, status, error, retryAfter);
    }

    /** An error object inside a stream or a 200 answer. */
    static ModelException streamError(String provider, JsonNode error) {
        int status = error.path("code").asInt(500);
        if (status < 400 || status > 599) {
            status = 500;
        }
        return decoded(provider, status, error, retryDelay(error));
    }

    private static ModelException decoded(String provider, int status, JsonNode error, Duration retryAfter) {
        String grpcStatus = error.path("status").asText("");
        String message = error.path("message").asText("(no message)");
        String shown = grpcStatus.isEmpty() ? message : grpcStatus + ": " + message;
        boolean badKey = false;
        for (JsonNode d : error.path("details")) {
            String reason = d.path("reason").asText("");
            badKey |= reason.equals("API_KEY_INVALID") || reason.equals("API_KEY_SERVICE_BLOCKED");
        }
        if (badKey || grpcStatus.equals("UNAUTHENTICATED")) {
            status = 401; // Gemini reports an invalid key as 400 INVALID_ARGUMENT
        } else if (grpcStatus.equals("PERMISSION_DENIED")) {
            status = 403;
        } else if (grpcStatus.equals("RESOURCE_EXHAUSTED")) {
            status = 429;
        }
        String m = message.toLowerCase(Locale.ROOT);
        boolean tooLong = m.contains("exceeds the maximum number of tokens") || m.contains("input token count")
                || m.contains("context window");
        return ModelErrors.forStatus(provider, status, shown, retryAfter, tooLong && status == 400);
    }

    /** A {@code google.rpc.RetryInfo} detail's {@code retryDelay} ("34.4s"). */
    static Duration retryDelay(JsonNode error) {
        for (JsonNode d : error.path("details")) {
            String delay = d.path("retryDelay").asText("");
            if (delay.endsWith("s")) {
                try {
                    BigDecimal seconds = new BigDecimal(delay.substring(0, delay.length() - 1));
                    if (seconds.signum() >= 0) {
                        return Duration.ofMillis(seconds.movePointRight(3).longValue());
                    }
                } catch (NumberFormatException ignored) {
                    // not a duration
                }
            }
        }
        return null;
    }
}

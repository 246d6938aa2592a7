package dev.keel.core.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.CacheBreakpoint;
import dev.keel.core.ChatOptions;
import dev.keel.core.ToolChoice;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
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
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import okhttp3.Response;

/** The Messages API wire format: request bodies, responses and errors. Stateless. */
final class AnthropicWire {
    /** Block type, and {@link Reasoning#id()} of a thinking block. */
    static final String THINKING = "thinking";
    /** Block type, and {@link Reasoning#id()} of a redacted thinking block. */
    static final String REDACTED_THINKING = "redacted_thinking";

    private AnthropicWire() {}

    /** A thinking block as reasoning: its text, and its signature to send back. */
    static Reasoning thinking(String text, String signature) {
        return new Reasoning(Reasoning.ANTHROPIC, THINKING, text, signature);
    }

    /** A redacted thinking block as reasoning: its encrypted data, to send back. */
    static Reasoning redactedThinking(String data) {
        return new Reasoning(Reasoning.ANTHROPIC, REDACTED_THINKING, "", data);
    }

    /** The least {@code budget_tokens} the Messages API accepts. */
    static final int MIN_THINKING_TOKENS = 1024;

    /**
     * Request settings beyond the chat request and options.
     *
     * @param model            the model name
     * @param defaultMaxTokens {@code max_tokens} when the options set none
     * @param thinkingDisplay  {@code thinking.display}, or null
     * @param extraBody        extra top-level fields (Keel's win)
     * @param taskBudget       tokens of {@code output_config.task_budget}, or null
     */
    record Settings(String model, int defaultMaxTokens, String thinkingDisplay, ObjectNode extraBody,
                    Integer taskBudget) {}

    static ObjectNode requestBody(ChatRequest request, ChatOptions options, Settings settings, boolean stream) {
        ObjectNode body = Json.object();
        body.put("model", options.model() != null ? options.model() : settings.model());
        int defaultMaxTokens = settings.defaultMaxTokens();
        int maxTokens = options.maxTokens() != null ? options.maxTokens() : defaultMaxTokens;
        Integer budgetTokens = budgetTokens(options.thinkingBudget());
        if (budgetTokens != null && options.maxTokens() == null && maxTokens <= budgetTokens) {
            maxTokens = budgetTokens + defaultMaxTokens; // the budget is part of max_tokens
        }
        body.put("max_tokens", maxTokens);
        List<String> system = new ArrayList<>();
        ArrayNode messages = Json.mapper().createArrayNode();
        boolean cacheSystem = request.cacheBreakpoints().stream().anyMatch(CacheBreakpoint.System.class::isInstance);
        for (int i = 0; i < request.messages().size(); i++) {
            Message m = request.messages().get(i);
            if (m instanceof SystemMessage s) {
                system.add(s.text());
                cacheSystem |= request.cacheBreakpoints().contains(CacheBreakpoint.atMessage(i));
                continue;
            }
            String role = m instanceof AssistantMessage ? "assistant" : "user";
            ObjectNode turn;
            JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
            if (last != null && last.path("role").asText().equals(role)) {
                turn = (ObjectNode) last; // consecutive same-role messages (e.g. several tool results) form one turn
            } else {
                turn = messages.addObject().put("role", role);
                turn.putArray("content");
            }
            ArrayNode content = (ArrayNode) turn.get("content");
            addBlocks(content, m);
            if (request.cacheBreakpoints().contains(CacheBreakpoint.atMessage(i)) && !content.isEmpty()) {
                // The message's last block ends the cached prefix.
                markCached((ObjectNode) content.get(content.size() - 1));
            }
        }
        if (!system.isEmpty()) {
            String text = String.join("\n\n", system);
            if (cacheSystem) {
                // cache_control needs the block form of the system prompt.
                markCached(body.putArray("system").addObject().put("type", "text").put("text", text));
            } else {
                body.put("system", text);
            }
        }
        body.set("messages", messages);
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec t : request.tools()) {
                ObjectNode tool = tools.addObject().put("name", t.name());
                if (!t.description().isEmpty()) {
                    tool.put("description", t.description());
                }
                tool.set("input_schema", Json.toNode(t.parameters().toJson()));
            }
            boolean cacheTools = request.cacheBreakpoints().stream().anyMatch(CacheBreakpoint.Tools.class::isInstance)
                    || cacheSystem && system.isEmpty(); // a system breakpoint without a system prompt still caches tools
            if (cacheTools) {
                markCached((ObjectNode) tools.get(tools.size() - 1));
            }
            ToolChoice choice = options.toolChoice();
            if (choice != null || Boolean.FALSE.equals(options.parallelToolCalls())) {
                ObjectNode tc = body.putObject("tool_choice");
                if (choice instanceof ToolChoice.Named named) {
                    tc.put("type", "tool").put("name", named.name());
                } else {
                    tc.put("type", choice instanceof ToolChoice.None ? "none"
                            : choice instanceof ToolChoice.Required ? "any" : "auto");
                }
                if (Boolean.FALSE.equals(options.parallelToolCalls()) && !(choice instanceof ToolChoice.None)) {
                    tc.put("disable_parallel_tool_use", true);
                }
            }
        }
        if (options.temperature() != null) {
            body.put("temperature", options.temperature());
        }
        if (options.topP() != null) {
            body.put("top_p", options.topP());
        }
        if (!options.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop_sequences");
            options.stop().forEach(stop::add);
        }
        ThinkingBudget budget = options.thinkingBudget();
        ObjectNode thinking = null;
        if (budgetTokens != null) {
            thinking = body.putObject("thinking").put("type", "enabled").put("budget_tokens", budgetTokens);
        } else if (budget instanceof ThinkingBudget.Dynamic) {
            thinking = body.putObject("thinking").put("type", "adaptive");
        } else if (budget instanceof ThinkingBudget.EffortLevel e && e.adaptive()) {
            thinking = body.putObject("thinking").put("type", "adaptive");
            String effort = e.effort() == ThinkingBudget.Effort.MINIMAL ? "low" : e.effort().wireName();
            body.putObject("output_config").put("effort", effort);
        }
        if (settings.taskBudget() != null) {
            ObjectNode output = body.get("output_config") instanceof ObjectNode o ? o : body.putObject("output_config");
            output.putObject("task_budget").put("type", "tokens").put("total", settings.taskBudget());
        }
        if (thinking != null && settings.thinkingDisplay() != null) {
            thinking.put("display", settings.thinkingDisplay());
        }
        if (stream) {
            body.put("stream", true);
        }
        settings.extraBody().fields().forEachRemaining(f -> {
            if (!body.has(f.getKey())) {
                body.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        return body;
    }

    /**
     * {@code thinking.budget_tokens}: a token budget (at least {@value #MIN_THINKING_TOKENS}, the API's minimum), or
     * an effort level's {@link ThinkingBudget.Effort#tokens()}; none for off, dynamic and adaptive efforts.
     */
    static Integer budgetTokens(ThinkingBudget budget) {
        if (budget instanceof ThinkingBudget.Tokens t) {
            return Math.max(MIN_THINKING_TOKENS, t.count());
        }
        if (budget instanceof ThinkingBudget.EffortLevel e && !e.adaptive()) {
            return e.effort().tokens();
        }
        return null;
    }

    /** Ends a cached prefix at {@code block} (the default five-minute, "ephemeral" cache). */
    private static void markCached(ObjectNode block) {
        block.putObject("cache_control").put("type", "ephemeral");
    }

    private static void addBlocks(ArrayNode content, Message m) {
        if (m instanceof UserMessage u) {
            content.addObject().put("type", "text").put("text", u.text());
        } else if (m instanceof AssistantMessage a) {
            // Thinking blocks come first and go back unchanged: the API checks their signatures, and requires them
            // on the turn that called tools while thinking is on.
            for (Reasoning r : a.reasoning(Reasoning.ANTHROPIC)) {
                if (r.id().equals(REDACTED_THINKING)) {
                    content.addObject().put("type", REDACTED_THINKING).put("data", r.opaque());
                } else if (!r.opaque().isEmpty()) {
                    content.addObject().put("type", THINKING).put("thinking", r.text()).put("signature", r.opaque());
                }
            }
            if (!a.text().isEmpty()) {
                content.addObject().put("type", "text").put("text", a.text());
            }
            for (ToolCall c : a.toolCalls()) {
                content.addObject().put("type", "tool_use").put("id", c.id()).put("name", c.name())
                        .set("input", ToolArguments.object(c.arguments()));
            }
        } else if (m instanceof ToolResultMessage t) {
            ObjectNode block = content.addObject().put("type", "tool_result").put("tool_use_id", t.toolCallId())
                    .put("content", t.content());
            if (t.error()) {
                block.put("is_error", true);
            }
        }
    }

    /** Re-serialises streamed arguments compactly, so a streamed call equals the same call answered whole. */
    static String canonicalArguments(String arguments) {
        if (arguments.isBlank()) {
            return "{}";
        }
        try {
            JsonNode node = Json.mapper().readTree(arguments);
            return node == null ? arguments : Json.write(node);
        } catch (IOException invalid) {
            return arguments;
        }
    }

    static ChatResponse response(String provider, JsonNode root) {
        JsonNode content = root.path("content");
        if (!content.isArray()) {
            if (root.path("type").asText().equals("error")) {
                throw streamError(provider, root.path("error"));
            }
            throw new ModelException.MalformedResponse(provider, provider + " answer has no content array", null);
        }
        StringBuilder text = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        List<Reasoning> reasoning = new ArrayList<>();
        for (JsonNode block : content) {
            switch (block.path("type").asText()) {
                case "text" -> text.append(block.path("text").asText(""));
                case THINKING -> reasoning.add(thinking(block.path("thinking").asText(""), block.path("signature").asText("")));
                case REDACTED_THINKING -> reasoning.add(redactedThinking(block.path("data").asText("")));
                case "tool_use" -> {
                    String id = block.path("id").asText("");
                    String name = block.path("name").asText("");
                    if (id.isEmpty() || name.isEmpty()) {
                        throw new ModelException.MalformedResponse(provider, provider + " tool_use block without id or name", null);
                    }
                    JsonNode input = block.path("input");
                    calls.add(new ToolCall(id, name, input.isObject() ? Json.write(input) : "{}"));
                }
                default -> { } // server-side tool blocks carry no answer text
            }
        }
        return new ChatResponse(new AssistantMessage(text.toString(), calls, reasoning),
                finishReason(root.path("stop_reason").asText(null)), usage(root.path("usage"), null),
                root.path("model").asText(""), root.path("id").asText(""));
    }

    /**
     * Usage. In a stream, {@code earlier} (from {@code message_start}) supplies what a later usage object
     * ({@code message_delta}, which reports cumulative counts) leaves out.
     */
    static Usage usage(JsonNode usage, Usage earlier) {
        if (!usage.isObject()) {
            return earlier;
        }
        long uncached = count(usage, "input_tokens", earlier == null ? 0 : earlier.uncachedInputTokens());
        long reads = count(usage, "cache_read_input_tokens", earlier == null ? 0 : earlier.cacheReadTokens());
        long writes = count(usage, "cache_creation_input_tokens", earlier == null ? 0 : earlier.cacheWriteTokens());
        long out = count(usage, "output_tokens", earlier == null ? 0 : earlier.outputTokens());
        return new Usage(uncached + reads + writes, out, reads, writes, 0);
    }

    private static long count(JsonNode usage, String field, long fallback) {
        JsonNode n = usage.get(field);
        return n == null || n.isNull() ? fallback : Math.max(0, n.asLong(0));
    }

    static FinishReason finishReason(String stopReason) {
        if (stopReason == null) {
            return FinishReason.OTHER;
        }
        return switch (stopReason) {
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            case "max_tokens", "model_context_window_exceeded" -> FinishReason.LENGTH;
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "refusal" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /** Decodes {@code {"type":"error","error":{"type":"...","message":"..."}}}. */
    static ModelException error(String provider, int status, String body, Response response) {
        String message = ModelErrors.snippet(body.isEmpty() ? "(empty body)" : body);
        String type = "";
        try {
            JsonNode error = Json.mapper().readTree(body).path("error");
            if (error.isObject()) {
                message = error.path("message").asText(message);
                type = error.path("type").asText("");
            }
        } catch (Exception notJson) {
            // keep the raw snippet
        }
        if (!type.isEmpty()) {
            message = type + ": " + message;
        }
        Duration retryAfter = RetryAfter.from(response.headers(), Instant.now()).orElse(null);
        return ModelErrors.forStatus(provider, status, message, retryAfter, isPromptTooLong(message));
    }

    static boolean isPromptTooLong(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("prompt is too long") || m.contains("context window") || m.contains("context length");
    }

    /** An {@code error} event inside a stream (or an error object in a 200 answer). */
    static ModelException streamError(String provider, JsonNode error) {
        String type = error.path("type").asText("api_error");
        String message = type + ": " + error.path("message").asText("(no message)");
        int status = switch (type) {
            case "invalid_request_error" -> 400;
            case "authentication_error" -> 401;
            case "permission_error" -> 403;
            case "not_found_error" -> 404;
            case "request_too_large" -> 413;
            case "rate_limit_error" -> 429;
            case "overloaded_error" -> 529;
            default -> 500;
        };
        return ModelErrors.forStatus(provider, status, message, null, isPromptTooLong(message));
    }
}

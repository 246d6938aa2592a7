package dev.keel.core.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ModelException;
import dev.keel.core.ResponseFormat;
import dev.keel.core.ToolChoice;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ModelErrors;
import dev.keel.core.internal.http.RetryAfter;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import okhttp3.Response;

/** The Chat Completions wire format: request bodies, responses and errors. Stateless. */
final class OpenAiWire {
    private OpenAiWire() {}

    static ObjectNode requestBody(ChatRequest request, ChatOptions options, String model, String maxTokensParameter,
                                  boolean stream, boolean streamUsage, ObjectNode extraBody) {
        ObjectNode body = Json.object();
        body.put("model", options.model() != null ? options.model() : model);
        ArrayNode messages = body.putArray("messages");
        for (Message m : request.messages()) {
            messages.add(message(m));
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec t : request.tools()) {
                ObjectNode tool = tools.addObject().put("type", "function");
                ObjectNode fn = tool.putObject("function").put("name", t.name());
                if (!t.description().isEmpty()) {
                    fn.put("description", t.description());
                }
                fn.set("parameters", Json.toNode(t.parameters().toJson()));
            }
            if (options.parallelToolCalls() != null) {
                body.put("parallel_tool_calls", options.parallelToolCalls());
            }
            ToolChoice choice = options.toolChoice();
            if (choice instanceof ToolChoice.Named named) {
                body.putObject("tool_choice").put("type", "function").putObject("function").put("name", named.name());
            } else if (choice != null) {
                body.put("tool_choice", choice instanceof ToolChoice.None ? "none"
                        : choice instanceof ToolChoice.Required ? "required" : "auto");
            }
        }
        if (options.temperature() != null) {
            body.put("temperature", options.temperature());
        }
        if (options.topP() != null) {
            body.put("top_p", options.topP());
        }
        if (options.maxTokens() != null) {
            body.put(maxTokensParameter, options.maxTokens());
        }
        if (options.presencePenalty() != null) {
            body.put("presence_penalty", options.presencePenalty());
        }
        if (options.frequencyPenalty() != null) {
            body.put("frequency_penalty", options.frequencyPenalty());
        }
        if (!options.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            options.stop().forEach(stop::add);
        }
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        ResponseFormat format = options.responseFormat();
        if (format instanceof ResponseFormat.JsonObject) {
            body.putObject("response_format").put("type", "json_object");
        } else if (format instanceof ResponseFormat.JsonSchemaFormat js) {
            ObjectNode schema = body.putObject("response_format").put("type", "json_schema").putObject("json_schema");
            schema.put("name", js.name());
            schema.set("schema", Json.toNode(js.schema().toJson()));
            schema.put("strict", js.strict());
        }
        String effort = ResponsesWire.effort(options.thinkingBudget());
        if (effort != null) {
            body.put("reasoning_effort", effort);
        }
        if (stream) {
            body.put("stream", true);
            if (streamUsage) {
                body.putObject("stream_options").put("include_usage", true);
            }
        }
        extraBody.fields().forEachRemaining(e -> {
            if (!body.has(e.getKey())) {
                body.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return body;
    }

    private static ObjectNode message(Message m) {
        ObjectNode node = Json.object();
        if (m instanceof SystemMessage s) {
            node.put("role", "system").put("content", s.text());
        } else if (m instanceof UserMessage u) {
            node.put("role", "user").put("content", u.text());
        } else if (m instanceof AssistantMessage a) {
            node.put("role", "assistant");
            if (a.text().isEmpty() && a.hasToolCalls()) {
                node.putNull("content");
            } else {
                node.put("content", a.text());
            }
            if (a.hasToolCalls()) {
                ArrayNode calls = node.putArray("tool_calls");
                for (ToolCall c : a.toolCalls()) {
                    ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                    call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
                }
            }
        } else if (m instanceof ToolResultMessage t) {
            // Chat Completions has no error flag on tool results; the content carries the explanation.
            node.put("role", "tool").put("tool_call_id", t.toolCallId()).put("content", t.content());
        }
        return node;
    }

    /** Parses a complete (non-streamed) answer. */
    static ChatResponse response(String provider, JsonNode root) {
        JsonNode choices = root.path("choices");
        if (!choices.isArray() || choices.isEmpty()) {
            JsonNode error = root.path("error");
            if (error.isObject()) {
                throw streamError(provider, error);
            }
            throw new ModelException.MalformedResponse(provider, provider + " answer has no choices", null);
        }
        JsonNode choice = choices.get(0);
        JsonNode message = choice.path("message");
        if (!message.isObject()) {
            throw new ModelException.MalformedResponse(provider, provider + " answer has no message", null);
        }
        String text = message.path("content").isTextual() ? message.path("content").asText() : "";
        String refusal = message.path("refusal").isTextual() ? message.path("refusal").asText() : "";
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode call : message.path("tool_calls")) {
            JsonNode fn = call.path("function");
            String name = fn.path("name").asText("");
            if (name.isEmpty()) {
                throw new ModelException.MalformedResponse(provider, provider + " tool call without a name", null);
            }
            String id = call.path("id").asText("");
            calls.add(new ToolCall(id.isEmpty() ? "call_" + calls.size() : id, name, argumentsText(fn.path("arguments"))));
        }
        FinishReason reason = finishReason(choice.path("finish_reason").asText(null), !calls.isEmpty());
        if (text.isEmpty() && !refusal.isEmpty()) {
            // structured-output refusals come in their own field; surface them rather than an empty answer
            text = refusal;
            reason = FinishReason.CONTENT_FILTER;
        }
        return new ChatResponse(new AssistantMessage(text, calls), reason, usage(root.path("usage")),
                root.path("model").asText(""), root.path("id").asText(""));
    }

    /** Arguments are a JSON text; a few servers send an object instead, which we serialise. */
    static String argumentsText(JsonNode arguments) {
        if (arguments.isTextual()) {
            return arguments.asText();
        }
        return arguments.isMissingNode() || arguments.isNull() ? "" : Json.write(arguments);
    }

    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return null;
        }
        long in = Math.max(0, usage.path("prompt_tokens").asLong(0));
        long out = Math.max(0, usage.path("completion_tokens").asLong(0));
        // Clamped into their totals: a server reporting a part larger than the whole is not trusted for it.
        long cached = Math.min(in, Math.max(0, usage.path("prompt_tokens_details").path("cached_tokens").asLong(0)));
        long reasoning = Math.min(out, Math.max(0,
                usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0)));
        return new Usage(in, out, cached, 0, reasoning);
    }

    /**
     * Maps {@code finish_reason}. Some local servers report {@code stop} although the turn requested
     * tools; a turn with tool calls is reported as {@link FinishReason#TOOL_CALLS} either way.
     */
    static FinishReason finishReason(String reason, boolean hasToolCalls) {
        if (reason == null) {
            return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.OTHER;
        }
        return switch (reason.toLowerCase(Locale.ROOT)) {
            case "stop", "eos", "end_turn" -> hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
            case "length", "max_tokens" -> FinishReason.LENGTH;
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            default -> FinishReason.OTHER;
        };
    }

    /** Decodes an error response: {@code {"error": {"message", "type", "code"}}} (or a bare string). */
    static ModelException error(String provider, int status, String body, Response response) {
        String message = ModelErrors.snippet(body.isEmpty() ? "(empty body)" : body);
        String code = "";
        try {
            JsonNode root = Json.mapper().readTree(body);
            JsonNode error = root == null ? null : root.path("error");
            if (error != null && error.isObject()) {
                message = error.path("message").asText(message);
                code = error.path("code").asText("") + " " + error.path("type").asText("");
            } else if (error != null && error.isTextual()) {
                message = error.asText();
            } else if (root != null && root.path("message").isTextual()) {
                message = root.path("message").asText();
            }
        } catch (Exception notJson) {
            // keep the raw snippet
        }
        Duration retryAfter = RetryAfter.from(response.headers(), Instant.now()).orElse(null);
        return ModelErrors.forStatus(provider, status, message, retryAfter, isContextTooLong(code, message));
    }

    static boolean isContextTooLong(String code, String message) {
        String c = code.toLowerCase(Locale.ROOT);
        String m = message.toLowerCase(Locale.ROOT);
        return c.contains("context_length_exceeded") || m.contains("context_length_exceeded")
                || m.contains("maximum context length") || m.contains("exceeds the available context size")
                || m.contains("context window");
    }

    /** An error object inside a 200 answer or an event stream. */
    static ModelException streamError(String provider, JsonNode error) {
        String message = error.isObject() ? error.path("message").asText(Json.write(error)) : error.asText();
        String code = error.isObject() ? error.path("code").asText("") + " " + error.path("type").asText("") : "";
        int status = error.path("status").asInt(error.path("code").isInt() ? error.path("code").asInt() : 500);
        if (status < 400 || status > 599) {
            status = 500;
        }
        return ModelErrors.forStatus(provider, status, message, null, isContextTooLong(code, message));
    }
}

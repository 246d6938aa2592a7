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
import dev.keel.core.ThinkingBudget;
import dev.keel.core.Usage;
import dev.keel.core.internal.http.ModelErrors;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The Responses API wire format ({@code POST /responses}): input items, instructions, function tools, reasoning,
 * the response object and its errors. Stateless.
 */
final class ResponsesWire {
    /** The output the model gets for a function call the conversation never answered (the API rejects those). */
    static final String UNANSWERED_CALL = "(no output: the tool call was not executed)";

    private ResponsesWire() {}

    /** Request settings beyond the chat request and options. */
    record Settings(String model, boolean store, String reasoningSummary, ObjectNode extraBody) {}

    static ObjectNode requestBody(ChatRequest request, ChatOptions options, Settings settings, boolean stream) {
        ObjectNode body = Json.object();
        body.put("model", options.model() != null ? options.model() : settings.model());
        List<String> instructions = new ArrayList<>();
        ArrayNode input = body.putArray("input");
        boolean leading = true;
        Set<String> unanswered = new LinkedHashSet<>();
        for (Message m : request.messages()) {
            if (m instanceof SystemMessage s && leading) {
                instructions.add(s.text());
                continue;
            }
            leading = false;
            addItems(input, m, settings.store(), unanswered);
        }
        // Every function_call needs its output in the same input (an interrupted tool run leaves one without).
        for (String callId : unanswered) {
            input.addObject().put("type", "function_call_output").put("call_id", callId).put("output", UNANSWERED_CALL);
        }
        if (!instructions.isEmpty()) {
            body.put("instructions", String.join("\n\n", instructions));
        }
        if (!request.tools().isEmpty()) {
            ArrayNode tools = body.putArray("tools");
            for (ToolSpec t : request.tools()) {
                ObjectNode tool = tools.addObject().put("type", "function").put("name", t.name());
                if (!t.description().isEmpty()) {
                    tool.put("description", t.description());
                }
                tool.set("parameters", Json.toNode(t.parameters().toJson()));
                // Strict mode (the API's default) rejects schemas with optional properties; Keel's are general.
                tool.put("strict", false);
            }
            if (options.parallelToolCalls() != null) {
                body.put("parallel_tool_calls", options.parallelToolCalls());
            }
            ToolChoice choice = options.toolChoice();
            if (choice instanceof ToolChoice.Named named) {
                body.putObject("tool_choice").put("type", "function").put("name", named.name());
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
            body.put("max_output_tokens", options.maxTokens());
        }
        ResponseFormat format = options.responseFormat();
        if (format instanceof ResponseFormat.JsonObject) {
            body.putObject("text").putObject("format").put("type", "json_object");
        } else if (format instanceof ResponseFormat.JsonSchemaFormat js) {
            ObjectNode f = body.putObject("text").putObject("format").put("type", "json_schema").put("name", js.name());
            f.set("schema", Json.toNode(js.schema().toJson()));
            f.put("strict", js.strict());
        }
        String effort = effort(options.thinkingBudget());
        boolean reasoning = effort != null || settings.reasoningSummary() != null;
        if (reasoning) {
            ObjectNode r = body.putObject("reasoning");
            if (effort != null) {
                r.put("effort", effort);
            }
            r.put("summary", settings.reasoningSummary() != null ? settings.reasoningSummary() : "auto");
        }
        body.put("store", settings.store());
        if (!settings.store() && reasoning) {
            // Stateless: the reasoning comes back encrypted so the next turn can send it in full.
            body.putArray("include").add("reasoning.encrypted_content");
        }
        if (stream) {
            body.put("stream", true);
        }
        settings.extraBody().fields().forEachRemaining(e -> {
            if (!body.has(e.getKey())) {
                body.set(e.getKey(), e.getValue().deepCopy());
            }
        });
        return body;
    }

    /** {@code reasoning.effort} for a thinking budget: none for off and dynamic (the model's default). */
    static String effort(ThinkingBudget budget) {
        ThinkingBudget.Effort e = budget == null ? null : budget.effort();
        if (e == null) {
            return null;
        }
        return e == ThinkingBudget.Effort.MAX ? "xhigh" : e.wireName();
    }

    private static void addItems(ArrayNode input, Message m, boolean store, Set<String> unanswered) {
        if (m instanceof SystemMessage s) {
            input.addObject().put("type", "message").put("role", "developer").put("content", s.text());
        } else if (m instanceof UserMessage u) {
            input.addObject().put("type", "message").put("role", "user").put("content", u.text());
        } else if (m instanceof AssistantMessage a) {
            for (Reasoning r : a.reasoning(Reasoning.OPENAI_RESPONSES)) {
                // Without storage the API can only take reasoning back in full (encrypted); an id alone fails.
                if (r.id().isEmpty() || (!store && r.opaque().isEmpty())) {
                    continue;
                }
                ObjectNode item = input.addObject().put("type", "reasoning").put("id", r.id());
                ArrayNode summary = item.putArray("summary");
                if (!r.text().isEmpty()) {
                    summary.addObject().put("type", "summary_text").put("text", r.text());
                }
                if (!r.opaque().isEmpty()) {
                    item.put("encrypted_content", r.opaque());
                }
            }
            if (!a.text().isEmpty()) {
                input.addObject().put("type", "message").put("role", "assistant").put("content", a.text());
            }
            for (ToolCall c : a.toolCalls()) {
                input.addObject().put("type", "function_call").put("call_id", c.id()).put("name", c.name())
                        .put("arguments", c.arguments());
                unanswered.add(c.id());
            }
        } else if (m instanceof ToolResultMessage t) {
            // No error flag on function_call_output; the content carries the explanation.
            input.addObject().put("type", "function_call_output").put("call_id", t.toolCallId()).put("output", t.content());
            unanswered.remove(t.toolCallId());
        }
    }

    /** Parses a response object ({@code object: response}), complete or as carried by a terminal stream event. */
    static ChatResponse response(String provider, JsonNode root) {
        if (!"response".equals(root.path("object").asText("response")) || !root.path("output").isArray()) {
            JsonNode error = root.path("error");
            if (error.isObject()) {
                throw error(provider, error);
            }
            throw new ModelException.MalformedResponse(provider, provider + " answer is not a Responses API response "
                    + "(no output array)", null);
        }
        String status = root.path("status").asText("completed");
        if (status.equals("failed")) {
            throw error(provider, root.path("error"));
        }
        Output out = output(provider, root.path("output"));
        FinishReason reason = finishReason(status, root.path("incomplete_details").path("reason").asText(""),
                !out.calls().isEmpty());
        String text = out.text();
        if (text.isEmpty() && !out.refusal().isEmpty()) {
            text = out.refusal();
            reason = FinishReason.CONTENT_FILTER;
        }
        return new ChatResponse(new AssistantMessage(text, out.calls(), out.reasoning()), reason,
                usage(root.path("usage")), root.path("model").asText(""), root.path("id").asText(""));
    }

    /** What the output items of a response amount to. */
    record Output(String text, String refusal, List<ToolCall> calls, List<Reasoning> reasoning) {}

    static Output output(String provider, JsonNode items) {
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        List<ToolCall> calls = new ArrayList<>();
        List<Reasoning> reasoning = new ArrayList<>();
        for (JsonNode item : items) {
            switch (item.path("type").asText()) {
                case "message" -> {
                    for (JsonNode part : item.path("content")) {
                        switch (part.path("type").asText()) {
                            case "output_text" -> text.append(part.path("text").asText(""));
                            case "refusal" -> refusal.append(part.path("refusal").asText(""));
                            default -> { } // future content types carry no answer text
                        }
                    }
                }
                case "function_call" -> calls.add(toolCall(provider, item));
                case "reasoning" -> reasoning.add(reasoning(item));
                default -> { } // hosted tools (web search, …) are not requested by Keel
            }
        }
        return new Output(text.toString(), refusal.toString(), calls, reasoning);
    }

    static ToolCall toolCall(String provider, JsonNode item) {
        String callId = item.path("call_id").asText("");
        String name = item.path("name").asText("");
        if (callId.isEmpty() || name.isEmpty()) {
            throw new ModelException.MalformedResponse(provider, provider + " function_call item without call_id or name",
                    null);
        }
        return new ToolCall(callId, name, OpenAiWire.argumentsText(item.path("arguments")));
    }

    static Reasoning reasoning(JsonNode item) {
        List<String> parts = new ArrayList<>();
        for (JsonNode s : item.path("summary")) {
            String t = s.path("text").asText("");
            if (!t.isEmpty()) {
                parts.add(t);
            }
        }
        return new Reasoning(Reasoning.OPENAI_RESPONSES, item.path("id").asText(""), String.join("\n\n", parts),
                item.path("encrypted_content").asText(""));
    }

    static FinishReason finishReason(String status, String incompleteReason, boolean hasToolCalls) {
        if (status.equals("incomplete")) {
            return switch (incompleteReason) {
                case "max_output_tokens" -> FinishReason.LENGTH;
                case "content_filter" -> FinishReason.CONTENT_FILTER;
                default -> FinishReason.OTHER;
            };
        }
        return hasToolCalls ? FinishReason.TOOL_CALLS : FinishReason.STOP;
    }

    /**
     * Usage: {@code input_tokens} (cached ones included: {@code input_tokens_details.cached_tokens}, and
     * {@code cache_write_tokens} where reported) and {@code output_tokens} (reasoning included:
     * {@code output_tokens_details.reasoning_tokens}).
     */
    static Usage usage(JsonNode usage) {
        if (!usage.isObject()) {
            return null;
        }
        long in = Math.max(0, usage.path("input_tokens").asLong(0));
        long out = Math.max(0, usage.path("output_tokens").asLong(0));
        JsonNode inDetails = usage.path("input_tokens_details");
        // Parts larger than their whole are not trusted: clamped.
        long cached = Math.min(in, Math.max(0, inDetails.path("cached_tokens").asLong(0)));
        long written = Math.min(in - cached, Math.max(0, inDetails.path("cache_write_tokens").asLong(0)));
        long reasoning = Math.min(out, Math.max(0, usage.path("output_tokens_details").path("reasoning_tokens").asLong(0)));
        return new Usage(in, out, cached, written, reasoning);
    }

    /**
     * The exception for an error object: a failed response's {@code error}, an {@code error} stream event (flat, or
     * with the fields nested under {@code error}).
     */
    static ModelException error(String provider, JsonNode error) {
        JsonNode e = error.path("error").isObject() ? error.path("error") : error;
        String code = e.path("code").asText("");
        String type = e.path("type").asText("");
        String message = e.path("message").asText("");
        if (message.isEmpty()) {
            message = e.isMissingNode() || e.isNull() ? "(no error details)" : Json.write(e);
        }
        String kind = (code + " " + type).toLowerCase(Locale.ROOT);
        int status;
        if (kind.contains("rate_limit") || kind.contains("insufficient_quota") || kind.contains("quota")) {
            status = 429;
        } else if (kind.contains("invalid_api_key") || kind.contains("authentication")) {
            status = 401;
        } else if (kind.contains("permission")) {
            status = 403;
        } else if (kind.contains("invalid") || kind.contains("context_length") || kind.contains("not_found")) {
            status = 400;
        } else {
            status = 500; // server_error, vector_store_timeout, … and unknown codes: the provider failed
        }
        String shown = code.isEmpty() ? message : code + ": " + message;
        return ModelErrors.forStatus(provider, status, shown, null, OpenAiWire.isContextTooLong(kind, message));
    }
}

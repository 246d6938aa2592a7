package dev.keel.testing.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.ChatOptions;
import dev.keel.core.ResponseFormat;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Parses a Chat Completions request body back into Keel's types. Stateless. */
final class ChatRequestParser {
    private ChatRequestParser() {}

    /** Thrown for a body that is JSON but not a Chat Completions request; the message says what is wrong. */
    static final class InvalidRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InvalidRequest(String message) {
            super(message);
        }
    }

    static List<Message> messages(JsonNode root) {
        JsonNode array = root.get("messages");
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new InvalidRequest("'messages' must be a non-empty array");
        }
        List<Message> out = new ArrayList<>();
        Map<String, String> toolNamesById = new HashMap<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode m = array.get(i);
            String role = m.path("role").asText("");
            switch (role) {
                case "system", "developer" -> out.add(Message.system(content(m, i)));
                case "user" -> out.add(Message.user(content(m, i)));
                case "assistant" -> {
                    List<ToolCall> calls = new ArrayList<>();
                    for (JsonNode c : m.path("tool_calls")) {
                        String id = c.path("id").asText("");
                        String name = c.path("function").path("name").asText("");
                        toolNamesById.put(id, name);
                        calls.add(new ToolCall(id, name, c.path("function").path("arguments").asText("")));
                    }
                    out.add(Message.assistant(m.path("content").isNull() ? "" : content(m, i), calls));
                }
                case "tool" -> {
                    String id = m.path("tool_call_id").asText(null);
                    if (id == null) {
                        throw new InvalidRequest("messages[" + i + "] has role 'tool' but no 'tool_call_id'");
                    }
                    String name = m.has("name") ? m.get("name").asText() : toolNamesById.getOrDefault(id, "");
                    out.add(new dev.keel.core.message.ToolResultMessage(id, name, content(m, i), false));
                }
                default -> throw new InvalidRequest("messages[" + i + "] has unknown role '" + role + "'");
            }
        }
        return out;
    }

    /** Content as a string, or the text parts of a content array joined. */
    private static String content(JsonNode m, int index) {
        JsonNode c = m.get("content");
        if (c == null || c.isNull()) {
            return "";
        }
        if (c.isTextual()) {
            return c.asText();
        }
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if ("text".equals(part.path("type").asText())) {
                    sb.append(part.path("text").asText());
                }
            }
            return sb.toString();
        }
        throw new InvalidRequest("messages[" + index + "].content must be a string or an array of parts");
    }

    static List<ToolSpec> tools(JsonNode root) {
        List<ToolSpec> out = new ArrayList<>();
        JsonNode tools = root.path("tools");
        for (int i = 0; i < tools.size(); i++) {
            JsonNode f = tools.get(i).path("function");
            if (!f.isObject() || !f.hasNonNull("name")) {
                throw new InvalidRequest("tools[" + i + "] must be {\"type\":\"function\",\"function\":{\"name\":...}}");
            }
            JsonNode params = f.get("parameters");
            try {
                out.add(ToolSpec.of(f.get("name").asText(), f.path("description").asText(""),
                        params == null || params.isNull() ? null : JsonSchema.parse(params.toString())));
            } catch (RuntimeException e) {
                throw new InvalidRequest("tools[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    static ChatOptions options(JsonNode root) {
        try {
            ChatOptions.Builder b = ChatOptions.builder()
                    .model(text(root, "model"))
                    .temperature(number(root, "temperature"))
                    .topP(number(root, "top_p"))
                    .presencePenalty(number(root, "presence_penalty"))
                    .frequencyPenalty(number(root, "frequency_penalty"))
                    .responseFormat(responseFormat(root.get("response_format")));
            JsonNode max = root.hasNonNull("max_completion_tokens") ? root.get("max_completion_tokens")
                    : root.get("max_tokens");
            if (max != null && !max.isNull()) {
                b.maxTokens(max.asInt());
            }
            JsonNode stop = root.get("stop");
            if (stop != null && stop.isTextual()) {
                b.stop(stop.asText());
            } else if (stop != null && stop.isArray()) {
                List<String> s = new ArrayList<>();
                stop.forEach(n -> s.add(n.asText()));
                b.stop(s);
            }
            if (root.hasNonNull("parallel_tool_calls")) {
                b.parallelToolCalls(root.get("parallel_tool_calls").asBoolean());
            }
            if (root.hasNonNull("seed")) {
                b.seed(root.get("seed").asLong());
            }
            JsonNode choice = root.get("tool_choice");
            if (choice != null && choice.isTextual()) {
                b.toolChoice(dev.keel.core.ToolChoice.parse(choice.asText()));
            } else if (choice != null && choice.isObject()) {
                String name = choice.path("function").path("name").asText(choice.path("name").asText(""));
                if (name.isEmpty()) {
                    throw new InvalidRequest("tool_choice object needs function.name");
                }
                b.toolChoice(dev.keel.core.ToolChoice.named(name));
            }
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new InvalidRequest(e.getMessage());
        }
    }

    private static ResponseFormat responseFormat(JsonNode rf) {
        if (rf == null || rf.isNull()) {
            return null;
        }
        return switch (rf.path("type").asText("")) {
            case "text" -> ResponseFormat.text();
            case "json_object" -> ResponseFormat.jsonObject();
            case "json_schema" -> {
                JsonNode js = rf.path("json_schema");
                if (!js.path("schema").isObject()) {
                    throw new InvalidRequest("response_format.json_schema.schema must be an object");
                }
                yield new ResponseFormat.JsonSchemaFormat(js.path("name").asText(""), JsonSchema.parse(js.get("schema").toString()),
                        js.path("strict").asBoolean(false));
            }
            default -> throw new InvalidRequest("response_format.type must be text, json_object or json_schema");
        };
    }

    private static String text(JsonNode root, String field) {
        JsonNode n = root.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Double number(JsonNode root, String field) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isNumber()) {
            throw new InvalidRequest("'" + field + "' must be a number");
        }
        return n.asDouble();
    }
}

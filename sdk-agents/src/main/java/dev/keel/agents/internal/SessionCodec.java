package dev.keel.agents.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.Usage;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** JSON form of a session. Versioned so that later formats can still read this one. */
public final class SessionCodec {
    private static final int VERSION = 1;

    private SessionCodec() {}

    /** Everything a session holds. */
    public record Data(String id, List<Message> messages, Map<String, JsonValue> state, String currentAgent, Usage usage,
                       Double cost, java.util.Set<String> alwaysApproved, JsonNode run, String summary,
                       int firstKept) {}

    public static String write(Data d) {
        ObjectNode root = Json.object();
        root.put("version", VERSION);
        root.put("id", d.id());
        if (d.currentAgent() != null) {
            root.put("current_agent", d.currentAgent());
        }
        root.set("usage", usage(d.usage()));
        if (d.cost() != null) {
            root.put("cost_usd", d.cost());
        }
        if (!d.alwaysApproved().isEmpty()) {
            ArrayNode approved = root.putArray("always_approved");
            d.alwaysApproved().stream().sorted().forEach(approved::add);
        }
        if (d.summary() != null) {
            root.putObject("compaction").put("summary", d.summary()).put("first_kept", d.firstKept());
        }
        ObjectNode state = root.putObject("state");
        d.state().forEach((k, v) -> state.set(k, Json.toNode(v)));
        ArrayNode messages = root.putArray("messages");
        d.messages().forEach(m -> messages.add(message(m)));
        if (d.run() != null && !d.run().isEmpty()) {
            root.set("run", d.run());
        }
        return Json.write(root);
    }

    public static ObjectNode usage(Usage u) {
        ObjectNode usage = Json.object();
        usage.put("input_tokens", u.inputTokens());
        usage.put("output_tokens", u.outputTokens());
        usage.put("cache_read_tokens", u.cacheReadTokens());
        usage.put("cache_write_tokens", u.cacheWriteTokens());
        usage.put("reasoning_tokens", u.reasoningTokens());
        return usage;
    }

    public static Usage readUsage(JsonNode u) {
        try {
            return new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                    u.path("cache_read_tokens").asLong(0), u.path("cache_write_tokens").asLong(0),
                    u.path("reasoning_tokens").asLong(0));
        } catch (IllegalArgumentException e) {
            throw new JsonParseException("session usage is inconsistent: " + e.getMessage(), e);
        }
    }

    /** A message written by {@link #message(Message)}. */
    public static Message readMessage(JsonNode m) {
        return readMessage(m, 0);
    }

    public static ObjectNode message(Message m) {
        ObjectNode n = Json.object();
        if (m instanceof SystemMessage s) {
            n.put("role", "system").put("text", s.text());
        } else if (m instanceof UserMessage u) {
            n.put("role", "user").put("text", u.text());
        } else if (m instanceof AssistantMessage a) {
            n.put("role", "assistant").put("text", a.text());
            ArrayNode calls = n.putArray("tool_calls");
            for (ToolCall c : a.toolCalls()) {
                calls.addObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
            }
        } else if (m instanceof ToolResultMessage t) {
            n.put("role", "tool").put("tool_call_id", t.toolCallId())
                    .put("tool_name", t.toolName()).put("content", t.content()).put("error", t.error());
        }
        return n;
    }

    public static Data read(String json) {
        JsonNode root = Json.parse(json);
        if (!root.isObject() || root.path("version").asInt(-1) != VERSION || !root.path("id").isTextual()) {
            throw new JsonParseException("not a serialised session (expected an object with version " + VERSION + " and an id)");
        }
        List<Message> messages = new ArrayList<>();
        int i = 0;
        for (JsonNode m : root.path("messages")) {
            messages.add(readMessage(m, i++));
        }
        Map<String, JsonValue> state = new LinkedHashMap<>();
        root.path("state").fields().forEachRemaining(e -> state.put(e.getKey(), Json.toValue(e.getValue())));
        Usage usage = readUsage(root.path("usage"));
        Double cost = root.hasNonNull("cost_usd") ? root.get("cost_usd").asDouble() : null;
        String current = root.hasNonNull("current_agent") ? root.get("current_agent").asText() : null;
        java.util.Set<String> approved = new java.util.LinkedHashSet<>();
        for (JsonNode tool : root.path("always_approved")) {
            if (!tool.isTextual()) {
                throw new JsonParseException("always_approved must list tool names");
            }
            approved.add(tool.asText());
        }
        JsonNode run = root.get("run");
        if (run != null && !run.isObject()) {
            throw new JsonParseException("session field 'run' must be an object");
        }
        String summary = null;
        int firstKept = 0;
        JsonNode compaction = root.get("compaction");
        if (compaction != null) {
            if (!compaction.path("summary").isTextual() || !compaction.path("first_kept").isInt()
                    || compaction.get("first_kept").asInt() < 0 || compaction.get("first_kept").asInt() > messages.size()) {
                throw new JsonParseException("compaction needs a summary and a first_kept index within the "
                        + messages.size() + " messages");
            }
            summary = compaction.get("summary").asText();
            firstKept = compaction.get("first_kept").asInt();
        }
        return new Data(root.get("id").asText(), messages, state, current, usage, cost, approved, run, summary,
                firstKept);
    }

    /** Reads one message written by {@link #message}; {@code index} is for error messages. */
    public static Message readMessage(JsonNode m, int index) {
        String role = m.path("role").asText("");
        return switch (role) {
            case "system" -> new SystemMessage(text(m, "text", index));
            case "user" -> new UserMessage(text(m, "text", index));
            case "assistant" -> {
                List<ToolCall> calls = new ArrayList<>();
                for (JsonNode c : m.path("tool_calls")) {
                    calls.add(new ToolCall(text(c, "id", index), text(c, "name", index), c.path("arguments").asText("{}")));
                }
                yield new AssistantMessage(m.path("text").asText(""), calls);
            }
            case "tool" -> new ToolResultMessage(text(m, "tool_call_id", index), text(m, "tool_name", index),
                    text(m, "content", index), m.path("error").asBoolean(false));
            default -> throw new JsonParseException("message " + index + " has unknown role '" + role + "'");
        };
    }

    private static String text(JsonNode n, String field, int index) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new JsonParseException("message " + index + " lacks text field '" + field + "'");
        }
        return v.asText();
    }
}

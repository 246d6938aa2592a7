package dev.keel.agents.internal.recording;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.core.ChatRequest;
import dev.keel.core.internal.json.Json;
import dev.keel.core.json.JsonParseException;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical form of a step as matching compares it and a divergence report shows it: one line per
 * fact, texts split into lines, JSON with sorted keys, tool-call ids replaced by the call's place in the
 * request ({@code #1}, {@code #2}, …), and each text passed through the {@link Normalizer}. Two steps match
 * when their canonical lines are equal. Stateless.
 */
public final class Canonical {
    private Canonical() {}

    /**
     * The lines of a model request.
     *
     * @param model   the model label, or {@code null} not to compare it (docker-agent cassettes)
     * @param options whether to compare generation options
     * @param roots   the workspace roots of the side the request comes from
     */
    public static List<String> request(String model, ChatRequest request, boolean options, Normalizer n,
                                       List<String> roots) {
        List<String> out = new ArrayList<>();
        if (model != null) {
            out.add("model: " + model);
        }
        if (options) {
            ObjectNode o = RecordingFile.options(request.options());
            if (!o.isEmpty()) {
                out.add("options: " + Json.write(sorted(o)));
            }
        }
        for (ToolSpec t : request.tools()) {
            out.add("tool " + t.name() + ": " + n.forMatching(t.description(), roots).replace('\n', ' '));
            out.add("  parameters " + Json.write(sorted(Json.toNode(t.parameters().toJson()))));
        }
        Map<String, Integer> ids = new HashMap<>();
        // docker-agent sends each system part as its own message; Keel joins them: compare them joined.
        StringBuilder system = null;
        for (Message m : request.messages()) {
            if (m instanceof SystemMessage s) {
                system = system == null ? new StringBuilder(s.text()) : system.append("\n\n").append(s.text());
                continue;
            }
            if (system != null) {
                text(out, "[system]", system.toString(), n, roots);
                system = null;
            }
            if (m instanceof UserMessage u) {
                text(out, "[user]", u.text(), n, roots);
            } else if (m instanceof AssistantMessage a) {
                text(out, "[assistant]", a.text(), n, roots);
                for (ToolCall c : a.toolCalls()) {
                    int k = ids.size() + 1;
                    ids.putIfAbsent(c.id(), k);
                    out.add("  call #" + k + " " + c.name() + " " + n.jsonForMatching(c.arguments(), roots));
                }
            } else if (m instanceof ToolResultMessage r) {
                Integer k = ids.get(r.toolCallId());
                text(out, "[tool result " + (k == null ? "#?" : "#" + k) + " " + r.toolName() + (r.error() ? ", error]" : "]"),
                        r.content(), n, roots);
            }
        }
        if (system != null) {
            text(out, "[system]", system.toString(), n, roots);
        }
        return out;
    }

    /** The lines of a tool call: its name and canonical arguments. */
    public static List<String> toolCall(String tool, String argumentsJson, Normalizer n, List<String> roots) {
        return List.of("tool " + tool, "arguments " + n.jsonForMatching(argumentsJson, roots));
    }

    private static void text(List<String> out, String header, String text, Normalizer n, List<String> roots) {
        out.add(header);
        out.addAll(n.quotedLinesForMatching(text, roots));
    }

    /** Compact JSON with sorted keys, or the text as it is when it is not JSON. */
    static String json(String text) {
        try {
            return Json.write(sorted(Json.parse(text)));
        } catch (JsonParseException e) {
            return text;
        }
    }

    static JsonNode sorted(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Map<String, JsonNode> keys = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                keys.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.setAll(keys);
            return out;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            a.forEach(item -> out.add(sorted(item)));
            return out;
        }
        return node;
    }
}

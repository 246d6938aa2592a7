package dev.keel.agents.internal.recording;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordingFormatException;
import dev.keel.agents.recording.StepTag;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.Usage;
import dev.keel.core.internal.json.Json;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Message;
import dev.keel.core.message.SystemMessage;
import dev.keel.core.message.ToolCall;
import dev.keel.core.message.ToolResultMessage;
import dev.keel.core.message.UserMessage;
import dev.keel.core.tool.ToolSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads docker-agent's {@code --record} cassettes (go-vcr YAML, {@code version: 2}) as model-level recordings:
 * each interaction's request body (OpenAI Chat Completions or Anthropic Messages) becomes a model request and
 * its response body (an SSE stream or a JSON answer) the model's answer. Read-only: Keel never writes this
 * format. Fields Keel does not use are reported by name. Stateless.
 */
public final class DockerAgentCassette {
    private static final Set<String> USED_REQUEST = Set.of("url", "method", "body");
    private static final Set<String> USED_RESPONSE = Set.of("body", "code");
    private static final Set<String> USED_BODY = Set.of("messages", "tools", "system");

    private DockerAgentCassette() {}

    /** Whether {@code root} has the shape of a go-vcr cassette. */
    static boolean looksLikeOne(JsonNode root) {
        return root.path("version").asInt(-1) == 2 && root.path("interactions").isArray() && !root.has("format");
    }

    static RecordedRun read(Path file, JsonNode root) {
        List<RecordedStep> steps = new ArrayList<>();
        Set<String> unused = new LinkedHashSet<>();
        unused.add("interactions[].id: interactions are matched by content, each used once, in any order");
        JsonNode list = root.path("interactions");
        for (int i = 0; i < list.size(); i++) {
            JsonNode in = list.get(i);
            try {
                RecordedStep.ModelCall call = interaction(i, in, unused);
                if (call != null) {
                    steps.add(call);
                }
            } catch (RuntimeException e) {
                throw new RecordingFormatException("docker-agent cassette " + file + ": interaction #" + i
                        + " cannot be read: " + e.getMessage(), e);
            }
        }
        return new RecordedRun(RecordedRun.Source.DOCKER_AGENT, List.of(), List.of(), steps, List.copyOf(unused));
    }

    private static RecordedStep.ModelCall interaction(int i, JsonNode in, Set<String> unused) {
        JsonNode req = RecordingFile.require(in, "request");
        JsonNode res = RecordingFile.require(in, "response");
        fields(req).stream().filter(f -> !USED_REQUEST.contains(f))
                .forEach(f -> unused.add("request." + f + ": transport detail, not compared"));
        fields(res).stream().filter(f -> !USED_RESPONSE.contains(f))
                .forEach(f -> unused.add("response." + f + ": transport detail (only 'code' and 'body' are read)"));
        String url = RecordingFile.text(req, "url");
        int code = res.path("code").asInt(200);
        if (code < 200 || code > 299) {
            unused.add("interactions[" + i + "]: HTTP " + code + " answer skipped (only successful model calls replay)");
            return null;
        }
        JsonNode body = Json.parse(RecordingFile.text(req, "body"));
        fields(body).stream().filter(f -> !USED_BODY.contains(f))
                .forEach(f -> unused.add("request.body." + f + ": generation setting, not compared (the team file sets it)"));
        String responseBody = res.path("body").asText("");
        StepTag tag = new StepTag("", "docker-agent", i, -1);
        String model = body.path("model").asText("");
        if (url.contains("/chat/completions")) {
            List<String> deltas = new ArrayList<>();
            ChatResponse response = openAiResponse(responseBody, model, deltas);
            return new RecordedStep.ModelCall(tag, model, openAiRequest(body), response, deltas);
        }
        if (url.endsWith("/messages") || url.contains("/v1/messages")) {
            return anthropic(tag, model, body, responseBody);
        }
        unused.add("interactions[" + i + "] (" + url + "): a provider wire format Keel does not read; skipped");
        return null;
    }

    // ---- OpenAI Chat Completions

    private static ChatRequest openAiRequest(JsonNode body) {
        List<Message> messages = new ArrayList<>();
        Map<String, String> callNames = new HashMap<>();
        for (JsonNode m : body.path("messages")) {
            String role = m.path("role").asText("");
            String text = contentText(m.path("content"));
            switch (role) {
                case "system", "developer" -> messages.add(new SystemMessage(text));
                case "user" -> messages.add(new UserMessage(text));
                case "assistant" -> {
                    List<ToolCall> calls = new ArrayList<>();
                    for (JsonNode c : m.path("tool_calls")) {
                        String id = c.path("id").asText("");
                        String name = c.path("function").path("name").asText("");
                        callNames.put(id, name);
                        calls.add(new ToolCall(id, name, c.path("function").path("arguments").asText("{}")));
                    }
                    messages.add(new AssistantMessage(text, calls));
                }
                case "tool" -> {
                    String id = m.path("tool_call_id").asText("");
                    messages.add(new ToolResultMessage(id, callNames.getOrDefault(id, m.path("name").asText("")), text, false));
                }
                default -> throw new IllegalArgumentException("unknown message role '" + role + "'");
            }
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            JsonNode f = t.path("function");
            tools.add(RecordingFile.toolSpec(Json.object().put("name", f.path("name").asText(""))
                    .put("description", f.path("description").asText("")).set("parameters", f.path("parameters"))));
        }
        return new ChatRequest(messages, tools, null);
    }

    private static ChatResponse openAiResponse(String body, String model, List<String> deltas) {
        StringBuilder text = new StringBuilder();
        Map<Integer, String[]> calls = new TreeMap<>();
        String finish = null;
        Usage usage = Usage.ZERO;
        String id = null;
        List<JsonNode> chunks = new ArrayList<>();
        if (body.stripLeading().startsWith("{")) {
            JsonNode root = Json.parse(body);
            JsonNode message = root.path("choices").path(0).path("message");
            text.append(message.path("content").asText(""));
            int k = 0;
            for (JsonNode c : message.path("tool_calls")) {
                calls.put(k++, new String[] {c.path("id").asText(""), c.path("function").path("name").asText(""),
                        c.path("function").path("arguments").asText("")});
            }
            finish = root.path("choices").path(0).path("finish_reason").asText(null);
            usage = openAiUsage(root.path("usage"));
            id = root.path("id").asText(null);
        } else {
            for (String data : sseData(body)) {
                if (!data.equals("[DONE]")) {
                    chunks.add(Json.parse(data));
                }
            }
        }
        for (JsonNode chunk : chunks) {
            id = id == null ? chunk.path("id").asText(null) : id;
            if (chunk.path("usage").isObject()) {
                usage = openAiUsage(chunk.path("usage"));
            }
            for (JsonNode choice : chunk.path("choices")) {
                JsonNode delta = choice.path("delta");
                if (delta.path("content").isTextual() && !delta.get("content").asText().isEmpty()) {
                    deltas.add(delta.get("content").asText());
                    text.append(delta.get("content").asText());
                }
                for (JsonNode c : delta.path("tool_calls")) {
                    String[] call = calls.computeIfAbsent(c.path("index").asInt(0), k -> new String[] {"", "", ""});
                    if (c.path("id").isTextual()) {
                        call[0] = c.get("id").asText();
                    }
                    if (c.path("function").path("name").isTextual()) {
                        call[1] += c.path("function").get("name").asText();
                    }
                    if (c.path("function").path("arguments").isTextual()) {
                        call[2] += c.path("function").get("arguments").asText();
                    }
                }
                if (choice.path("finish_reason").isTextual()) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        }
        List<ToolCall> toolCalls = calls.values().stream()
                .map(c -> new ToolCall(c[0], c[1], c[2].isEmpty() ? "{}" : c[2])).toList();
        FinishReason reason = switch (finish == null ? "" : finish) {
            case "tool_calls", "function_call" -> FinishReason.TOOL_CALLS;
            case "length" -> FinishReason.LENGTH;
            case "content_filter" -> FinishReason.CONTENT_FILTER;
            case "stop" -> FinishReason.STOP;
            default -> toolCalls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS;
        };
        return new ChatResponse(new AssistantMessage(text.toString(), toolCalls), reason, usage, model, id);
    }

    private static Usage openAiUsage(JsonNode u) {
        if (!u.isObject()) {
            return Usage.ZERO;
        }
        long in = u.path("prompt_tokens").asLong(0);
        long out = u.path("completion_tokens").asLong(0);
        long cached = Math.min(in, u.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        long reasoning = Math.min(out, u.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        return new Usage(in, out, cached, 0, reasoning);
    }

    // ---- Anthropic Messages

    private static RecordedStep.ModelCall anthropic(StepTag tag, String model, JsonNode body, String responseBody) {
        List<Message> messages = new ArrayList<>();
        JsonNode system = body.path("system");
        if (system.isTextual()) {
            messages.add(new SystemMessage(system.asText()));
        } else {
            for (JsonNode block : system) {
                messages.add(new SystemMessage(block.path("text").asText("")));
            }
        }
        Map<String, String> callNames = new HashMap<>();
        for (JsonNode m : body.path("messages")) {
            String role = m.path("role").asText("");
            JsonNode content = m.path("content");
            if (content.isTextual()) {
                messages.add(role.equals("assistant") ? new AssistantMessage(content.asText(), List.of())
                        : new UserMessage(content.asText()));
                continue;
            }
            StringBuilder text = new StringBuilder();
            List<ToolCall> calls = new ArrayList<>();
            for (JsonNode block : content) {
                switch (block.path("type").asText("")) {
                    case "text" -> text.append(block.path("text").asText(""));
                    case "tool_use" -> {
                        String id = block.path("id").asText("");
                        callNames.put(id, block.path("name").asText(""));
                        calls.add(new ToolCall(id, block.path("name").asText(""), Json.write(block.path("input"))));
                    }
                    case "tool_result" -> {
                        String id = block.path("tool_use_id").asText("");
                        messages.add(new ToolResultMessage(id, callNames.getOrDefault(id, ""),
                                contentText(block.path("content")), block.path("is_error").asBoolean(false)));
                    }
                    default -> { } // images, thinking blocks: not part of the comparison
                }
            }
            if (role.equals("assistant")) {
                messages.add(new AssistantMessage(text.toString(), calls));
            } else if (!text.isEmpty()) {
                messages.add(new UserMessage(text.toString()));
            }
        }
        List<ToolSpec> tools = new ArrayList<>();
        for (JsonNode t : body.path("tools")) {
            tools.add(RecordingFile.toolSpec(Json.object().put("name", t.path("name").asText(""))
                    .put("description", t.path("description").asText("")).set("parameters", t.path("input_schema"))));
        }
        List<String> deltas = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Map<Integer, String[]> calls = new TreeMap<>();
        String stop = null;
        long in = 0;
        long out = 0;
        String id = null;
        for (String data : sseData(responseBody)) {
            JsonNode e = Json.parse(data);
            switch (e.path("type").asText("")) {
                case "message_start" -> {
                    id = e.path("message").path("id").asText(null);
                    in = e.path("message").path("usage").path("input_tokens").asLong(0);
                }
                case "content_block_start" -> {
                    JsonNode b = e.path("content_block");
                    if (b.path("type").asText("").equals("tool_use")) {
                        calls.put(e.path("index").asInt(), new String[] {b.path("id").asText(""), b.path("name").asText(""), ""});
                    }
                }
                case "content_block_delta" -> {
                    JsonNode d = e.path("delta");
                    if (d.path("type").asText("").equals("text_delta")) {
                        deltas.add(d.path("text").asText(""));
                        text.append(d.path("text").asText(""));
                    } else if (d.path("type").asText("").equals("input_json_delta")) {
                        String[] c = calls.get(e.path("index").asInt());
                        if (c != null) {
                            c[2] += d.path("partial_json").asText("");
                        }
                    }
                }
                case "message_delta" -> {
                    stop = e.path("delta").path("stop_reason").asText(null);
                    out = e.path("usage").path("output_tokens").asLong(out);
                }
                default -> { }
            }
        }
        List<ToolCall> toolCalls = calls.values().stream()
                .map(c -> new ToolCall(c[0], c[1], c[2].isEmpty() ? "{}" : c[2])).toList();
        FinishReason reason = switch (stop == null ? "" : stop) {
            case "tool_use" -> FinishReason.TOOL_CALLS;
            case "max_tokens" -> FinishReason.LENGTH;
            case "end_turn", "stop_sequence" -> FinishReason.STOP;
            default -> toolCalls.isEmpty() ? FinishReason.STOP : FinishReason.TOOL_CALLS;
        };
        ChatResponse response = new ChatResponse(new AssistantMessage(text.toString(), toolCalls), reason,
                new Usage(in, out), model, id);
        return new RecordedStep.ModelCall(tag, model, new ChatRequest(messages, tools, null), response, deltas);
    }

    // ---- shared

    /** The {@code data:} payloads of an SSE stream, one per event (multi-line data joined with newlines). */
    static List<String> sseData(String body) {
        List<String> out = new ArrayList<>();
        StringBuilder data = null;
        for (String line : body.split("\r?\n", -1)) {
            if (line.isEmpty()) {
                if (data != null) {
                    out.add(data.toString().strip());
                    data = null;
                }
            } else if (line.startsWith("data:")) {
                String v = line.substring(5);
                v = v.startsWith(" ") ? v.substring(1) : v;
                data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
            }
        }
        if (data != null) {
            out.add(data.toString().strip());
        }
        return out;
    }

    private static String contentText(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content) {
            if (part.path("text").isTextual()) {
                sb.append(part.get("text").asText());
            }
        }
        return sb.toString();
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            out.add(it.next());
        }
        return out;
    }
}

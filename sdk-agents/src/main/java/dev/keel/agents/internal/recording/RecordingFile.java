package dev.keel.agents.internal.recording;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.keel.core.internal.io.AtomicFiles;
import dev.keel.agents.internal.SessionCodec;
import dev.keel.agents.recording.CheckedResource;
import dev.keel.agents.recording.RecordedRun;
import dev.keel.agents.recording.RecordedStep;
import dev.keel.agents.recording.RecordedToolset;
import dev.keel.agents.recording.RecordingException;
import dev.keel.agents.recording.RecordingFormatException;
import dev.keel.agents.recording.StepTag;
import dev.keel.core.ChatOptions;
import dev.keel.core.ChatRequest;
import dev.keel.core.ChatResponse;
import dev.keel.core.FinishReason;
import dev.keel.core.ResponseFormat;
import dev.keel.core.ThinkingBudget;
import dev.keel.core.ToolChoice;
import dev.keel.core.Usage;
import dev.keel.core.internal.json.Json;
import dev.keel.core.internal.yaml.ExactYamlFactory;
import dev.keel.core.json.JsonObject;
import dev.keel.core.message.AssistantMessage;
import dev.keel.core.message.Reasoning;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import dev.keel.core.tool.JsonSchema;
import dev.keel.core.tool.ToolSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Reads and writes Keel's run recordings ({@code format: keel-recording}, YAML) and hands docker-agent
 * cassettes to {@link DockerAgentCassette}. Writes are atomic: a temporary file in the same directory,
 * forced to disk, then moved over the target. Stateless and thread-safe.
 */
public final class RecordingFile {
    /**
     * The newest format version this code reads and writes. Version 2 added the recall steps
     * ({@code job_recall}, {@code schedule_fire}); a recording without them is written as version 1, which
     * earlier Keel versions read too, and version 1 files are read as they always were.
     */
    public static final int VERSION = 2;
    /** The version of a recording that has no recall steps. */
    static final int VERSION_WITHOUT_RECALLS = 1;
    static final String FORMAT = "keel-recording";
    private static final String BEFORE_MODEL = "before_model";
    private static final String AFTER_ANSWER = "after_answer";

    static final YAMLMapper YAML = YAMLMapper.builder(ExactYamlFactory.of(YAMLFactory.builder()
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .disable(YAMLGenerator.Feature.SPLIT_LINES)))
            .build();

    private RecordingFile() {}

    /** Reads a Keel recording or a docker-agent cassette. */
    public static RecordedRun read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new RecordingException("no recording at " + file);
        } catch (IOException e) {
            throw new RecordingException("cannot read recording " + file + ": " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new RecordingFormatException("recording " + file + " is not valid YAML: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new RecordingFormatException("recording " + file + " is empty or not a YAML mapping");
        }
        if (DockerAgentCassette.looksLikeOne(root)) {
            return DockerAgentCassette.read(file, root);
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new RecordingFormatException("recording " + file + " lacks 'format: " + FORMAT
                    + "' and is not a docker-agent cassette (version: 2 with interactions)");
        }
        int version = root.path("version").asInt(-1);
        if (version < VERSION_WITHOUT_RECALLS || version > VERSION) {
            throw new RecordingFormatException("recording " + file + " has format version " + root.path("version")
                    + "; this version of Keel reads versions " + VERSION_WITHOUT_RECALLS + " to " + VERSION);
        }
        List<String> workspaces = new ArrayList<>();
        root.path("workspaces").forEach(w -> workspaces.add(w.asText()));
        List<RecordedToolset> toolsets = new ArrayList<>();
        int t = 0;
        for (JsonNode n : root.path("toolsets")) {
            try {
                toolsets.add(toolset(n));
            } catch (RuntimeException e) {
                throw new RecordingFormatException("recording " + file + ": toolset #" + t + " is malformed: "
                        + e.getMessage(), e);
            }
            t++;
        }
        List<RecordedStep> steps = new ArrayList<>();
        Map<String, JsonNode> previousRequests = new HashMap<>();
        int i = 0;
        for (JsonNode n : root.path("steps")) {
            try {
                RecordedStep step = step(n, previousRequests);
                if (version < VERSION && isRecall(step)) {
                    throw new IllegalArgumentException("step kind '" + n.path("step").asText()
                            + "' needs format version " + VERSION + " (the file says " + version + ")");
                }
                steps.add(step);
            } catch (RuntimeException e) {
                throw new RecordingFormatException("recording " + file + ": step #" + i + " is malformed: "
                        + e.getMessage(), e);
            }
            i++;
        }
        return new RecordedRun(RecordedRun.Source.KEEL, workspaces, toolsets, steps, List.of());
    }

    /**
     * Writes {@code yaml} atomically.
     *
     * @param decorator wraps the output stream (tests use it to simulate a crash mid-write)
     */
    public static void write(Path file, String yaml, UnaryOperator<OutputStream> decorator) {
        try {
            AtomicFiles.write(file, yaml.getBytes(StandardCharsets.UTF_8), decorator);
        } catch (IOException e) {
            throw new RecordingException("cannot write recording " + file + ": " + e.getMessage(), e);
        }
    }

    /** The YAML text of a recording in Keel's format. */
    public static String toYaml(RecordedRun run) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT);
        root.put("version", run.steps().stream().anyMatch(RecordingFile::isRecall) ? VERSION : VERSION_WITHOUT_RECALLS);
        ArrayNode ws = root.putArray("workspaces");
        run.workspaces().forEach(ws::add);
        ArrayNode sets = root.putArray("toolsets");
        for (RecordedToolset t : run.toolsets()) {
            ObjectNode n = sets.addObject();
            n.put("agent", t.agent()).put("toolset", t.toolset());
            ArrayNode tools = n.putArray("tools");
            for (ToolSpec spec : t.tools()) {
                ObjectNode tn = tools.addObject();
                tn.put("name", spec.name()).put("description", spec.description());
                if (t.readOnly().contains(spec.name())) {
                    tn.put("read_only", true);
                }
                tn.set("parameters", Json.toNode(spec.parameters().toJson()));
            }
        }
        ArrayNode steps = root.putArray("steps");
        Map<String, ObjectNode> previousRequests = new HashMap<>();
        run.steps().forEach(s -> steps.add(step(s, previousRequests)));
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new RecordingException("cannot serialise the recording: " + e.getOriginalMessage(), e);
        }
    }

    // ---- writing steps

    /**
     * One step's node. A model call's request leaves out what it repeats of the session's previous model call
     * (kept in {@code previousRequests}, by session): {@code earlier_messages: k} says its first k messages are
     * that call's, and {@code same_tools: true} that its tools are. A long run's file grows with its length, not
     * with the square of it.
     */
    private static ObjectNode step(RecordedStep s, Map<String, ObjectNode> previousRequests) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("step", kind(s));
        StepTag tag = s.tag();
        n.put("agent", tag.agent()).put("session", tag.session()).put("turn", tag.turn());
        if (tag.call() >= 0) {
            n.put("call", tag.call());
        }
        if (s instanceof RecordedStep.ModelCall m) {
            n.put("model", m.model());
            ObjectNode full = request(m.request());
            n.set("request", shortened(full, previousRequests.put(tag.session(), full)));
            n.set("response", response(m.response(), m.textDeltas()));
        } else if (s instanceof RecordedStep.ToolExecution t) {
            n.put("tool", t.tool());
            n.set("arguments", Json.toNode(t.arguments()));
            n.put("result", t.result());
            if (t.error()) {
                n.put("error", true);
            }
        } else if (s instanceof RecordedStep.Delegation d) {
            n.put("to", d.subAgent()).put("sub_session", d.subSession()).put("task", d.task())
                    .put("expected_output", d.expectedOutput());
        } else if (s instanceof RecordedStep.Handoff h) {
            n.put("to", h.toAgent());
        } else if (s instanceof RecordedStep.ApprovalDecision a) {
            n.put("tool", a.tool()).put("approved", a.approved()).put("decision", a.decision());
        } else if (s instanceof RecordedStep.PermissionCheck p) {
            n.put("subject", p.subject()).put("permission", p.permission());
            ArrayNode checked = n.putArray("checked");
            for (CheckedResource c : p.checked()) {
                ObjectNode cn = checked.addObject().put("resource", c.resource()).put("allowed", c.allowed());
                if (!c.reason().isEmpty()) {
                    cn.put("reason", c.reason());
                }
            }
        } else if (s instanceof RecordedStep.CommandRun c) {
            n.put("runner", c.runner());
            ArrayNode argv = n.putArray("argv");
            c.argv().forEach(argv::add);
            n.put("exit_code", c.exitCode()).put("stdout", c.stdout()).put("stderr", c.stderr());
            if (c.timedOut()) {
                n.put("timed_out", true);
            }
        } else if (s instanceof RecordedStep.HttpFetch f) {
            n.put("method", f.method()).put("url", f.url()).put("status", f.status());
        } else if (s instanceof RecordedStep.JobRecall r) {
            n.put("at", r.afterAnswer() ? AFTER_ANSWER : BEFORE_MODEL).put("job", r.jobId()).put("command", r.command())
                    .put("state", r.state()).put("exit_code", r.exitCode()).put("message", r.message());
        } else if (s instanceof RecordedStep.ScheduleFire f) {
            n.put("at", f.afterAnswer() ? AFTER_ANSWER : BEFORE_MODEL).put("schedule", f.scheduleId())
                    .put("name", f.name()).put("due_at", f.dueAt().toString()).put("message", f.message());
        }
        return n;
    }

    /** {@code full} without the messages and tools it shares with {@code previous} (the session's last request). */
    private static ObjectNode shortened(ObjectNode full, ObjectNode previous) {
        if (previous == null) {
            return full;
        }
        ObjectNode n = full.deepCopy();
        JsonNode before = previous.path("messages");
        ArrayNode messages = (ArrayNode) n.get("messages");
        int same = 0;
        while (same < before.size() && same < messages.size() && before.get(same).equals(messages.get(same))) {
            same++;
        }
        if (same > 0) {
            ArrayNode rest = n.arrayNode();
            for (int i = same; i < messages.size(); i++) {
                rest.add(messages.get(i));
            }
            n.remove("messages");
            n.put("earlier_messages", same);
            n.set("messages", rest);
        }
        if (n.has("tools") && n.get("tools").equals(previous.get("tools"))) {
            n.remove("tools");
            n.put("same_tools", true);
        }
        return n;
    }

    static String kind(RecordedStep s) {
        if (s instanceof RecordedStep.ModelCall) {
            return "model";
        } else if (s instanceof RecordedStep.ToolExecution) {
            return "tool";
        } else if (s instanceof RecordedStep.Delegation) {
            return "delegation";
        } else if (s instanceof RecordedStep.Handoff) {
            return "handoff";
        } else if (s instanceof RecordedStep.ApprovalDecision) {
            return "approval";
        } else if (s instanceof RecordedStep.PermissionCheck) {
            return "permission";
        } else if (s instanceof RecordedStep.CommandRun) {
            return "command";
        } else if (s instanceof RecordedStep.JobRecall) {
            return "job_recall";
        } else if (s instanceof RecordedStep.ScheduleFire) {
            return "schedule_fire";
        }
        return "fetch";
    }

    static boolean isRecall(RecordedStep s) {
        return s instanceof RecordedStep.JobRecall || s instanceof RecordedStep.ScheduleFire;
    }

    /** Where a recall was told: {@code at: before_model} or {@code at: after_answer}. */
    private static boolean afterAnswer(JsonNode n) {
        String at = text(n, "at");
        return switch (at) {
            case BEFORE_MODEL -> false;
            case AFTER_ANSWER -> true;
            default -> throw new IllegalArgumentException("'at' is '" + at + "', not " + BEFORE_MODEL + " or "
                    + AFTER_ANSWER);
        };
    }

    private static ObjectNode request(ChatRequest r) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        ObjectNode options = options(r.options());
        if (!options.isEmpty()) {
            n.set("options", options);
        }
        if (!r.tools().isEmpty()) {
            ArrayNode tools = n.putArray("tools");
            for (ToolSpec t : r.tools()) {
                tools.addObject().put("name", t.name()).put("description", t.description())
                        .set("parameters", Json.toNode(t.parameters().toJson()));
            }
        }
        ArrayNode messages = n.putArray("messages");
        r.messages().forEach(m -> messages.add(SessionCodec.message(m)));
        return n;
    }

    static ObjectNode options(ChatOptions o) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (o.model() != null) {
            n.put("model", o.model());
        }
        if (o.temperature() != null) {
            n.put("temperature", o.temperature());
        }
        if (o.topP() != null) {
            n.put("top_p", o.topP());
        }
        if (o.maxTokens() != null) {
            n.put("max_tokens", o.maxTokens());
        }
        if (o.presencePenalty() != null) {
            n.put("presence_penalty", o.presencePenalty());
        }
        if (o.frequencyPenalty() != null) {
            n.put("frequency_penalty", o.frequencyPenalty());
        }
        if (!o.stop().isEmpty()) {
            ArrayNode stop = n.putArray("stop");
            o.stop().forEach(stop::add);
        }
        if (o.responseFormat() instanceof ResponseFormat.JsonObject) {
            n.putObject("response_format").put("type", "json_object");
        } else if (o.responseFormat() instanceof ResponseFormat.JsonSchemaFormat f) {
            ObjectNode rf = n.putObject("response_format").put("type", "json_schema").put("name", f.name())
                    .put("strict", f.strict());
            rf.set("schema", Json.toNode(f.schema().toJson()));
        } else if (o.responseFormat() instanceof ResponseFormat.Text) {
            n.putObject("response_format").put("type", "text");
        }
        if (o.parallelToolCalls() != null) {
            n.put("parallel_tool_calls", o.parallelToolCalls());
        }
        if (o.thinkingBudget() != null) {
            n.put("thinking_budget", thinkingBudget(o.thinkingBudget()));
        }
        if (o.toolChoice() instanceof ToolChoice.Named named) {
            n.putObject("tool_choice").put("name", named.name());
        } else if (o.toolChoice() != null) {
            n.put("tool_choice", o.toolChoice() instanceof ToolChoice.Auto ? "auto"
                    : o.toolChoice() instanceof ToolChoice.None ? "none" : "required");
        }
        if (o.seed() != null) {
            n.put("seed", o.seed());
        }
        return n;
    }

    /** The budget as {@link ThinkingBudget#parse} reads it back. */
    private static String thinkingBudget(ThinkingBudget t) {
        if (t instanceof ThinkingBudget.Tokens tokens) {
            return Integer.toString(tokens.count());
        }
        if (t instanceof ThinkingBudget.EffortLevel level) {
            return (level.adaptive() ? "adaptive/" : "") + level.effort().wireName();
        }
        return t instanceof ThinkingBudget.Dynamic ? "adaptive" : "none";
    }

    private static ObjectNode response(ChatResponse r, List<String> deltas) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        if (!deltas.isEmpty()) {
            ArrayNode stream = n.putArray("stream");
            deltas.forEach(stream::add);
        }
        n.put("text", r.text());
        if (!r.toolCalls().isEmpty()) {
            ArrayNode calls = n.putArray("tool_calls");
            for (ToolCall c : r.toolCalls()) {
                calls.addObject().put("id", c.id()).put("name", c.name()).put("arguments", c.arguments());
            }
        }
        if (!r.message().reasoning().isEmpty()) {
            // sent back to the provider on the next turn (thinking signatures, encrypted reasoning)
            ArrayNode reasoning = n.putArray("reasoning");
            for (Reasoning x : r.message().reasoning()) {
                reasoning.addObject().put("source", x.source()).put("id", x.id()).put("text", x.text())
                        .put("opaque", x.opaque());
            }
        }
        n.put("finish", r.finishReason().name());
        Usage u = r.usage();
        ObjectNode usage = n.putObject("usage");
        usage.put("input_tokens", u.inputTokens()).put("output_tokens", u.outputTokens());
        if (u.cacheReadTokens() > 0) {
            usage.put("cache_read_tokens", u.cacheReadTokens());
        }
        if (u.cacheWriteTokens() > 0) {
            usage.put("cache_write_tokens", u.cacheWriteTokens());
        }
        if (u.reasoningTokens() > 0) {
            usage.put("reasoning_tokens", u.reasoningTokens());
        }
        if (!r.model().isEmpty()) {
            n.put("model", r.model());
        }
        if (!r.id().isEmpty()) {
            n.put("id", r.id());
        }
        return n;
    }

    // ---- reading steps

    private static RecordedToolset toolset(JsonNode n) {
        List<ToolSpec> tools = new ArrayList<>();
        Set<String> readOnly = new LinkedHashSet<>();
        for (JsonNode t : n.path("tools")) {
            ToolSpec spec = toolSpec(t);
            tools.add(spec);
            if (t.path("read_only").asBoolean(false)) {
                readOnly.add(spec.name());
            }
        }
        return new RecordedToolset(text(n, "agent"), text(n, "toolset"), tools, readOnly);
    }

    static ToolSpec toolSpec(JsonNode t) {
        JsonNode params = t.get("parameters");
        JsonSchema schema = params != null && params.isObject() ? JsonSchema.of(Json.toValue((ObjectNode) params))
                : JsonSchema.object().build();
        return ToolSpec.of(text(t, "name"), t.path("description").asText(""), schema);
    }

    private static RecordedStep step(JsonNode n, Map<String, JsonNode> previousRequests) {
        String kind = text(n, "step");
        StepTag tag = new StepTag(text(n, "agent"), text(n, "session"), n.path("turn").asInt(0), n.path("call").asInt(-1));
        return switch (kind) {
            case "model" -> {
                JsonNode full = expanded(require(n, "request"), previousRequests.get(tag.session()), tag.session());
                previousRequests.put(tag.session(), full);
                yield new RecordedStep.ModelCall(tag, text(n, "model"), request(full),
                        response(require(n, "response")), strings(n.path("response").path("stream")));
            }
            case "tool" -> {
                JsonNode args = n.path("arguments");
                JsonObject arguments = args.isObject() ? Json.toValue((ObjectNode) args) : JsonObject.of();
                yield new RecordedStep.ToolExecution(tag, text(n, "tool"), arguments, text(n, "result"),
                        n.path("error").asBoolean(false));
            }
            case "delegation" -> new RecordedStep.Delegation(tag, text(n, "to"), text(n, "sub_session"),
                    n.path("task").asText(""), n.path("expected_output").asText(""));
            case "handoff" -> new RecordedStep.Handoff(tag, text(n, "to"));
            case "approval" -> new RecordedStep.ApprovalDecision(tag, text(n, "tool"), require(n, "approved").asBoolean(),
                    text(n, "decision"));
            case "permission" -> {
                List<CheckedResource> checked = new ArrayList<>();
                for (JsonNode c : n.path("checked")) {
                    checked.add(new CheckedResource(text(c, "resource"), require(c, "allowed").asBoolean(),
                            c.path("reason").asText("")));
                }
                yield new RecordedStep.PermissionCheck(tag, text(n, "subject"), text(n, "permission"), checked);
            }
            case "command" -> new RecordedStep.CommandRun(tag, n.path("runner").asText(""), strings(n.path("argv")),
                    require(n, "exit_code").asInt(), n.path("stdout").asText(""), n.path("stderr").asText(""),
                    n.path("timed_out").asBoolean(false));
            case "fetch" -> new RecordedStep.HttpFetch(tag, text(n, "method"), text(n, "url"), n.path("status").asInt(-1));
            case "job_recall" -> new RecordedStep.JobRecall(tag, afterAnswer(n), text(n, "job"),
                    n.path("command").asText(""), text(n, "state"), n.path("exit_code").asInt(-1), text(n, "message"));
            case "schedule_fire" -> new RecordedStep.ScheduleFire(tag, afterAnswer(n), text(n, "schedule"),
                    n.path("name").asText(""), instant(text(n, "due_at")), text(n, "message"));
            default -> throw new IllegalArgumentException("unknown step kind '" + kind + "'");
        };
    }

    /** The whole request of a model step written by {@link #shortened}. */
    private static JsonNode expanded(JsonNode request, JsonNode previous, String session) {
        int earlier = request.path("earlier_messages").asInt(0);
        boolean sameTools = request.path("same_tools").asBoolean(false);
        if (earlier == 0 && !sameTools) {
            return request;
        }
        if (previous == null) {
            throw new IllegalArgumentException("it repeats the previous model call of session " + session
                    + ", but no model call of that session comes before it");
        }
        ObjectNode full = ((ObjectNode) request).deepCopy();
        full.remove("earlier_messages");
        full.remove("same_tools");
        if (earlier > 0) {
            JsonNode before = previous.path("messages");
            if (earlier > before.size()) {
                throw new IllegalArgumentException("earlier_messages is " + earlier + " but the previous model call of "
                        + "session " + session + " has " + before.size() + " messages");
            }
            ArrayNode messages = full.arrayNode();
            for (int k = 0; k < earlier; k++) {
                messages.add(before.get(k));
            }
            request.path("messages").forEach(messages::add);
            full.set("messages", messages);
        }
        if (sameTools) {
            full.set("tools", previous.path("tools"));
        }
        return full;
    }

    private static ChatRequest request(JsonNode n) {
        List<Message> messages = new ArrayList<>();
        int i = 0;
        for (JsonNode m : n.path("messages")) {
            messages.add(SessionCodec.readMessage(m, i++));
        }
        List<ToolSpec> tools = new ArrayList<>();
        n.path("tools").forEach(t -> tools.add(toolSpec(t)));
        return new ChatRequest(messages, tools, options(n.path("options")));
    }

    static ChatOptions options(JsonNode o) {
        ChatOptions.Builder b = ChatOptions.builder();
        if (o.hasNonNull("model")) {
            b.model(o.get("model").asText());
        }
        if (o.hasNonNull("temperature")) {
            b.temperature(o.get("temperature").asDouble());
        }
        if (o.hasNonNull("top_p")) {
            b.topP(o.get("top_p").asDouble());
        }
        if (o.hasNonNull("max_tokens")) {
            b.maxTokens(o.get("max_tokens").asInt());
        }
        if (o.hasNonNull("presence_penalty")) {
            b.presencePenalty(o.get("presence_penalty").asDouble());
        }
        if (o.hasNonNull("frequency_penalty")) {
            b.frequencyPenalty(o.get("frequency_penalty").asDouble());
        }
        if (o.has("stop")) {
            b.stop(strings(o.get("stop")));
        }
        JsonNode rf = o.path("response_format");
        switch (rf.path("type").asText("")) {
            case "json_object" -> b.responseFormat(ResponseFormat.jsonObject());
            case "text" -> b.responseFormat(ResponseFormat.text());
            case "json_schema" -> b.responseFormat(new ResponseFormat.JsonSchemaFormat(text(rf, "name"),
                    JsonSchema.of(Json.toValue((ObjectNode) require(rf, "schema"))), rf.path("strict").asBoolean(true)));
            default -> { }
        }
        if (o.hasNonNull("parallel_tool_calls")) {
            b.parallelToolCalls(o.get("parallel_tool_calls").asBoolean());
        }
        if (o.hasNonNull("thinking_budget")) {
            b.thinkingBudget(ThinkingBudget.parse(o.get("thinking_budget").asText()));
        }
        JsonNode choice = o.path("tool_choice");
        if (choice.isObject()) {
            b.toolChoice(ToolChoice.named(text(choice, "name")));
        } else if (choice.isTextual()) {
            b.toolChoice(ToolChoice.parse(choice.asText()));
        }
        if (o.hasNonNull("seed")) {
            b.seed(o.get("seed").asLong());
        }
        return b.build();
    }

    private static ChatResponse response(JsonNode n) {
        List<ToolCall> calls = new ArrayList<>();
        for (JsonNode c : n.path("tool_calls")) {
            calls.add(new ToolCall(text(c, "id"), text(c, "name"), c.path("arguments").asText("{}")));
        }
        JsonNode u = n.path("usage");
        Usage usage = new Usage(u.path("input_tokens").asLong(0), u.path("output_tokens").asLong(0),
                u.path("cache_read_tokens").asLong(0), u.path("cache_write_tokens").asLong(0),
                u.path("reasoning_tokens").asLong(0));
        FinishReason finish = FinishReason.valueOf(n.path("finish").asText(calls.isEmpty() ? "STOP" : "TOOL_CALLS"));
        List<Reasoning> reasoning = new ArrayList<>();
        for (JsonNode x : n.path("reasoning")) {
            reasoning.add(new Reasoning(text(x, "source"), x.path("id").asText(""), x.path("text").asText(""),
                    x.path("opaque").asText("")));
        }
        return new ChatResponse(new AssistantMessage(n.path("text").asText(""), calls, reasoning), finish, usage,
                n.hasNonNull("model") ? n.get("model").asText() : null, n.hasNonNull("id") ? n.get("id").asText() : null);
    }

    private static java.time.Instant instant(String text) {
        try {
            return java.time.Instant.parse(text);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("'due_at' is not an ISO instant: " + text, e);
        }
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asText()));
        return out;
    }

    static JsonNode require(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing '" + field + "'");
        }
        return v;
    }

    static String text(JsonNode n, String field) {
        return require(n, field).asText();
    }
}

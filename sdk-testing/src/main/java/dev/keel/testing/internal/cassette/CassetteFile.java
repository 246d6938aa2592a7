package dev.keel.testing.internal.cassette;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.keel.core.internal.io.AtomicFiles;
import dev.keel.core.internal.yaml.ExactYamlFactory;
import dev.keel.testing.internal.WireJson;
import dev.keel.testing.cassette.CassetteException;
import dev.keel.testing.cassette.CassetteFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Reads and writes cassette YAML. Bodies that are compact JSON reproduced exactly by Keel's JSON writer
 * are stored as YAML structures ({@code json:}); other text verbatim ({@code body:}); non-UTF-8 bytes as
 * {@code base64:}; event streams as a list of events. Writes are atomic. Stateless and thread-safe.
 */
public final class CassetteFile {
    /** The format this code writes and reads. */
    public static final int VERSION = 1;
    static final String FORMAT = "keel-cassette";

    private static final YAMLMapper YAML = YAMLMapper.builder(ExactYamlFactory.of(YAMLFactory.builder()
                    .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                    .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .disable(YAMLGenerator.Feature.SPLIT_LINES)))
            .build();

    private CassetteFile() {}

    /** Reads the cassette at {@code file}. */
    public static List<Interaction> read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CassetteFormatException("cassette " + file + " is not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new CassetteException("cannot read cassette " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CassetteFormatException("cassette " + file + " is empty or not a YAML mapping");
        }
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new CassetteFormatException("cassette " + file + " lacks 'format: " + FORMAT + "'");
        }
        int version = root.path("version").asInt(-1);
        if (version != VERSION) {
            throw new CassetteFormatException("cassette " + file + " has format version " + root.path("version")
                    + "; this version of Keel reads version " + VERSION);
        }
        List<Interaction> out = new ArrayList<>();
        JsonNode list = root.path("interactions");
        for (int i = 0; i < list.size(); i++) {
            try {
                out.add(interaction(list.get(i)));
            } catch (RuntimeException e) {
                throw new CassetteFormatException("cassette " + file + ": interaction #" + i + " is malformed: "
                        + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * Writes atomically: into a temporary file in the same directory, flushed to disk, then moved over
     * {@code file}. On any failure the temporary file is deleted and {@code file} is left as it was.
     *
     * @param decorator wraps the output stream (tests use it to simulate a crash mid-write)
     */
    public static void write(Path file, List<Interaction> interactions, UnaryOperator<OutputStream> decorator) {
        try {
            AtomicFiles.write(file, toYaml(interactions).getBytes(StandardCharsets.UTF_8), decorator);
        } catch (IOException e) {
            throw new CassetteException("cannot write cassette " + file + ": " + e.getMessage(), e);
        }
    }

    /** The YAML text of a cassette. */
    public static String toYaml(List<Interaction> interactions) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("interactions");
        for (Interaction i : interactions) {
            ObjectNode item = list.addObject();
            ObjectNode req = item.putObject("request");
            req.put("method", i.request().method());
            req.put("url", i.request().url());
            putHeaders(req, i.request().headers());
            putBody(req, i.request().body());
            ObjectNode res = item.putObject("response");
            res.put("status", i.response().status());
            if (!i.response().message().isEmpty()) {
                res.put("message", i.response().message());
            }
            putHeaders(res, i.response().headers());
            if (i.response().gzip()) {
                res.put("gzip", true);
            }
            putBody(res, i.response().body());
        }
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new CassetteException("cannot serialise cassette: " + e.getOriginalMessage(), e);
        }
    }

    private static void putHeaders(ObjectNode target, List<Header> headers) {
        if (headers.isEmpty()) {
            return;
        }
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Header h : headers) {
            grouped.computeIfAbsent(h.name(), k -> new ArrayList<>()).add(h.value());
        }
        ObjectNode node = target.putObject("headers");
        grouped.forEach((name, values) -> {
            if (values.size() == 1) {
                node.put(name, values.get(0));
            } else {
                ArrayNode a = node.putArray(name);
                values.forEach(a::add);
            }
        });
    }

    private static void putBody(ObjectNode target, StoredBody body) {
        if (body instanceof StoredBody.Text t) {
            JsonNode json = exactJson(t.value());
            if (json != null) {
                target.set("json", json);
            } else {
                target.put("body", t.value());
            }
        } else if (body instanceof StoredBody.Binary b) {
            target.put("base64", Base64.getEncoder().encodeToString(b.bytes()));
        } else if (body instanceof StoredBody.Events ev) {
            ArrayNode events = target.putArray("events");
            for (SseEvent e : ev.events()) {
                ObjectNode n = events.addObject();
                if (e.id() != null) {
                    n.put("id", e.id());
                }
                if (e.event() != null) {
                    n.put("event", e.event());
                }
                if (e.data() != null) {
                    JsonNode json = exactJson(e.data());
                    if (json != null) {
                        n.set("json", json);
                    } else {
                        n.put("data", e.data());
                    }
                }
                if (e.retry() != null) {
                    n.put("retry", e.retry());
                }
            }
        }
    }

    /** The JSON tree of {@code text} when storing it as a structure gives back exactly {@code text}. */
    static JsonNode exactJson(String text) {
        if (text.isEmpty() || (text.charAt(0) != '{' && text.charAt(0) != '[')) {
            return null;
        }
        try {
            JsonNode node = WireJson.mapper().readTree(text);
            if (node == null || !WireJson.write(node).equals(text)) {
                return null;
            }
            JsonNode again = YAML.readTree(YAML.writeValueAsString(node));
            return WireJson.write(again).equals(text) ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Interaction interaction(JsonNode n) {
        JsonNode req = require(n, "request");
        JsonNode res = require(n, "response");
        StoredRequest request = new StoredRequest(require(req, "method").asText(), require(req, "url").asText(),
                headers(req), body(req));
        int status = require(res, "status").asInt(-1);
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("response status must be 100..599, was " + res.get("status"));
        }
        StoredResponse response = new StoredResponse(status, res.path("message").asText(""), headers(res), body(res),
                res.path("gzip").asBoolean(false));
        return new Interaction(request, response);
    }

    private static JsonNode require(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing '" + field + "'");
        }
        return v;
    }

    private static List<Header> headers(JsonNode n) {
        List<Header> out = new ArrayList<>();
        JsonNode h = n.path("headers");
        for (Iterator<Map.Entry<String, JsonNode>> it = h.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isArray()) {
                e.getValue().forEach(v -> out.add(new Header(e.getKey(), v.asText())));
            } else {
                out.add(new Header(e.getKey(), e.getValue().asText()));
            }
        }
        return out;
    }

    private static StoredBody body(JsonNode n) {
        if (n.has("json")) {
            return new StoredBody.Text(WireJson.write(n.get("json")));
        }
        if (n.has("body")) {
            return new StoredBody.Text(n.get("body").asText());
        }
        if (n.has("base64")) {
            return new StoredBody.Binary(Base64.getDecoder().decode(n.get("base64").asText()));
        }
        if (n.has("events")) {
            List<SseEvent> events = new ArrayList<>();
            for (JsonNode e : n.get("events")) {
                String data = e.has("json") ? WireJson.write(e.get("json")) : e.hasNonNull("data") ? e.get("data").asText() : null;
                events.add(new SseEvent(text(e, "id"), text(e, "event"), data, text(e, "retry")));
            }
            return new StoredBody.Events(events);
        }
        return new StoredBody.Empty();
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.get(field).asText() : null;
    }
}

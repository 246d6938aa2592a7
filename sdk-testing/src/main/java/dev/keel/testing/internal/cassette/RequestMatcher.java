package dev.keel.testing.internal.cassette;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.core.internal.text.LineDiff;
import dev.keel.testing.internal.WireJson;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides whether a live request matches a recorded one: method, URL and canonical body, after
 * redaction and with volatile values normalised on both sides. Thread-safe.
 */
public final class RequestMatcher {
    /** Whole string values that are provider tool-call ids (OpenAI {@code call_…}, Anthropic {@code toolu_…}). */
    private static final Pattern TOOL_CALL_ID = Pattern.compile("(?:call|toolu)_[A-Za-z0-9_-]+");
    /** The same ids inside free text. */
    private static final Pattern TOOL_CALL_ID_IN_TEXT = Pattern.compile("(?<![A-Za-z0-9_])(?:call|toolu)_[A-Za-z0-9_-]+");
    private static final String ID = "<tool-call-id>";
    private static final String IGNORED = "<ignored>";
    private static final String NORMALIZED = "<normalized>";
    private static final ObjectMapper PRETTY = WireJson.mapper().copy().enable(SerializationFeature.INDENT_OUTPUT);

    private final Rules rules;
    private final Redactor redactor;

    public RequestMatcher(Rules rules, Redactor redactor) {
        this.rules = rules;
        this.redactor = redactor;
    }

    /** The canonical form of a request: {@code METHOD URL} on the first line, then the canonical body. */
    public Canonical canonical(StoredRequest request) {
        StoredRequest r = redactor.redact(request);
        String url = r.url();
        for (Pattern p : rules.normalizePatterns()) {
            url = p.matcher(url).replaceAll(NORMALIZED);
        }
        return new Canonical(r.method() + " " + url, body(r.body()));
    }

    /** A request's matching key and the lines a diff shows. */
    public record Canonical(String line, String body) {
        public List<String> lines() {
            List<String> out = new ArrayList<>();
            out.add(line);
            if (!body.isEmpty()) {
                out.addAll(Arrays.asList(body.split("\n", -1)));
            }
            return out;
        }
    }

    private String body(StoredBody body) {
        if (body instanceof StoredBody.Binary b) {
            return "base64:" + Base64.getEncoder().encodeToString(b.bytes());
        }
        String text = body.text();
        JsonNode json = Redactor.tryParse(text);
        if (json != null) {
            try {
                return PRETTY.writeValueAsString(normalise(json));
            } catch (JsonProcessingException e) {
                // Fall through to text normalisation.
            }
        }
        return normaliseText(TOOL_CALL_ID_IN_TEXT.matcher(text).replaceAll(ID));
    }

    /** A copy with keys sorted, tool-call ids and ignored fields replaced, normalise patterns applied. */
    private JsonNode normalise(JsonNode node) {
        if (node instanceof ObjectNode o) {
            Map<String, JsonNode> sorted = new TreeMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                sorted.put(e.getKey(), rules.ignoreJsonFields().contains(e.getKey()) ? TextNode.valueOf(IGNORED)
                        : normalise(e.getValue()));
            }
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            out.setAll(sorted);
            return out;
        }
        if (node instanceof ArrayNode a) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            a.forEach(item -> out.add(normalise(item)));
            return out;
        }
        if (node.isTextual()) {
            String s = node.asText();
            if (TOOL_CALL_ID.matcher(s).matches()) {
                return TextNode.valueOf(ID);
            }
            // Tool arguments and tool results are often JSON inside a string: canonicalise those too.
            JsonNode inner = Redactor.tryParse(s);
            if (inner != null && (inner.isObject() || inner.isArray())) {
                return TextNode.valueOf(WireJson.write(normalise(inner)));
            }
            return TextNode.valueOf(normaliseText(TOOL_CALL_ID_IN_TEXT.matcher(s).replaceAll(ID)));
        }
        return node;
    }

    private String normaliseText(String s) {
        String out = s;
        for (Pattern p : rules.normalizePatterns()) {
            out = p.matcher(out).replaceAll(Matcher.quoteReplacement(NORMALIZED));
        }
        return out;
    }

    /**
     * A line diff from {@code recorded} to {@code live}: {@code -} lines only the recording has,
     * {@code +} lines only the live request has, with a line of context; long lines are shortened.
     *
     * @param recorded the recorded request
     * @param live     the live request
     * @return the diff, with how far apart the two are
     */
    public static LineDiff.Result diff(Canonical recorded, Canonical live) {
        return LineDiff.of(recorded.lines(), live.lines());
    }
}

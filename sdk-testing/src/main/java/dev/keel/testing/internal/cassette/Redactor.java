package dev.keel.testing.internal.cassette;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.keel.testing.internal.WireJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/** Applies a recorder's redaction rules to recorded messages. Stateless apart from its rules; thread-safe. */
public final class Redactor {
    private final Rules rules;

    public Redactor(Rules rules) {
        this.rules = rules;
    }

    public StoredRequest redact(StoredRequest r) {
        return new StoredRequest(r.method(), url(r.url()), headers(r.headers()), body(r.body()));
    }

    public StoredResponse redact(StoredResponse r) {
        return new StoredResponse(r.status(), r.message(), headers(r.headers()), body(r.body()), r.gzip());
    }

    /** The URL with key-like query parameter values and redaction patterns replaced. */
    public String url(String url) {
        HttpUrl parsed = HttpUrl.parse(url);
        String out = url;
        if (parsed != null && parsed.querySize() > 0) {
            boolean hit = false;
            for (int i = 0; i < parsed.querySize(); i++) {
                hit |= rules.redactQuery().contains(parsed.queryParameterName(i).toLowerCase(Locale.ROOT));
            }
            if (hit) {
                HttpUrl.Builder b = parsed.newBuilder().query(null);
                for (int i = 0; i < parsed.querySize(); i++) {
                    String name = parsed.queryParameterName(i);
                    String value = parsed.queryParameterValue(i);
                    b.addQueryParameter(name, rules.redactQuery().contains(name.toLowerCase(Locale.ROOT)) && value != null
                            ? Rules.REDACTED_QUERY : value);
                }
                out = b.build().toString();
            }
        }
        return patterns(out);
    }

    private List<Header> headers(List<Header> headers) {
        List<Header> out = new ArrayList<>(headers.size());
        for (Header h : headers) {
            boolean named = rules.redactHeaders().contains(h.name().toLowerCase(Locale.ROOT));
            out.add(new Header(h.name(), named ? Rules.REDACTED : patterns(h.value())));
        }
        return out;
    }

    private StoredBody body(StoredBody body) {
        if (body instanceof StoredBody.Text t) {
            return new StoredBody.Text(text(t.value()));
        }
        if (body instanceof StoredBody.Events ev) {
            List<SseEvent> events = new ArrayList<>();
            for (SseEvent e : ev.events()) {
                events.add(new SseEvent(e.id(), e.event(), e.data() == null ? null : text(e.data()), e.retry()));
            }
            return new StoredBody.Events(events);
        }
        return body;
    }

    /** A text with named JSON fields (when it is JSON) and redaction patterns replaced. */
    String text(String text) {
        String out = text;
        if (!rules.redactJsonFields().isEmpty()) {
            JsonNode json = tryParse(text);
            if (json != null && replaceFields(json)) {
                out = WireJson.write(json);
            }
        }
        return patterns(out);
    }

    private boolean replaceFields(JsonNode node) {
        boolean changed = false;
        if (node instanceof ObjectNode o) {
            for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (rules.redactJsonFields().contains(e.getKey())) {
                    e.setValue(TextNode.valueOf(Rules.REDACTED));
                    changed = true;
                } else {
                    changed |= replaceFields(e.getValue());
                }
            }
        } else if (node instanceof ArrayNode a) {
            for (JsonNode item : a) {
                changed |= replaceFields(item);
            }
        }
        return changed;
    }

    private String patterns(String s) {
        String out = s;
        for (Pattern p : rules.redactPatterns()) {
            out = p.matcher(out).replaceAll(Matcher.quoteReplacement(Rules.REDACTED));
        }
        return out;
    }

    static JsonNode tryParse(String text) {
        String t = text.strip();
        if (t.isEmpty() || (t.charAt(0) != '{' && t.charAt(0) != '[')) {
            return null;
        }
        try {
            return WireJson.mapper().readTree(text);
        } catch (Exception e) {
            return null;
        }
    }
}

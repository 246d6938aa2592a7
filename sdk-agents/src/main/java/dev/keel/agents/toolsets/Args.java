package dev.keel.agents.toolsets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads tool arguments with errors the model can act on. */
final class Args {
    private Args() {}

    static String string(ObjectNode args, String name) {
        JsonNode v = args.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("missing required argument '" + name + "'");
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("argument '" + name + "' must be a string");
        }
        return v.asText();
    }

    static String string(ObjectNode args, String name, String fallback) {
        JsonNode v = args.get(name);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    static List<String> strings(ObjectNode args, String name, boolean required) {
        JsonNode v = args.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException("missing required argument '" + name + "'");
            }
            return out;
        }
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            throw new IllegalArgumentException("argument '" + name + "' must be an array of strings");
        }
        v.forEach(e -> out.add(e.asText()));
        return out;
    }
}

package dev.keel.authz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads relationships written one per line, as in SpiceDB's playground and zed:
 * <pre>
 * // the roadmap is internal
 * document:doc1#owner@user:emilia
 * folder:eng#viewer@group:eng#member   # a subject set
 * document:doc3#viewer@user:*          # everyone
 * document:doc2#viewer@user:bea[on_shift:{"shift":"day"}]   # caveated (context is JSON)
 * </pre>
 * Blank lines are ignored; {@code //} and {@code #}-at-line-start start a comment, and text after
 * whitespace followed by {@code //} or {@code #} is a trailing comment. Stateless and thread-safe.
 */
public final class RelationshipText {
    private RelationshipText() {
    }

    /**
     * Parses a whole text.
     *
     * @param text the relationships, one per line
     * @return the relationships, in order
     * @throws RelationshipSyntaxException with the 1-based line number of the first bad line
     */
    public static List<Relationship> parse(String text) {
        List<Relationship> out = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripComment(lines[i]).strip();
            if (!line.isEmpty()) {
                out.add(parseLine(line, i + 1));
            }
        }
        return List.copyOf(out);
    }

    /**
     * Reads and parses a UTF-8 file.
     *
     * @param file the file
     * @return the relationships, in order
     */
    public static List<Relationship> load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read relationships from " + file, e);
        }
    }

    private static String stripComment(String line) {
        String s = line.strip();
        if (s.startsWith("//") || s.startsWith("#")) {
            return "";
        }
        for (String marker : new String[] {" //", "\t//", " #", "\t#"}) {
            int at = line.indexOf(marker);
            if (at >= 0) {
                line = line.substring(0, at);
            }
        }
        return line;
    }

    static Relationship parseLine(String s, int line) {
        Caveat caveat = null;
        int open = s.indexOf('[');
        if (open >= 0) {
            if (!s.endsWith("]")) {
                throw new RelationshipSyntaxException(line, "a caveat must close with ] at the end of the line: '" + s + "'");
            }
            caveat = parseCaveat(s.substring(open + 1, s.length() - 1), line);
            s = s.substring(0, open);
        }
        int hash = s.indexOf('#');
        int at = s.indexOf('@');
        if (hash < 0 || at < 0 || at < hash) {
            throw new RelationshipSyntaxException(line,
                    "expected resource_type:id#relation@subject_type:id[#relation], got '" + s + "'");
        }
        try {
            ObjectRef resource = ObjectRef.parse(s.substring(0, hash));
            String relation = s.substring(hash + 1, at);
            SubjectRef subject = SubjectRef.parse(s.substring(at + 1));
            return new Relationship(resource, relation, subject, caveat);
        } catch (IllegalArgumentException e) {
            throw new RelationshipSyntaxException(line, e.getMessage() + " in '" + s + "'");
        }
    }

    @SuppressWarnings("unchecked")
    private static Caveat parseCaveat(String text, int line) {
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        java.util.Map<String, Object> context = java.util.Map.of();
        if (colon >= 0) {
            try {
                Object parsed = dev.keel.core.internal.json.Json.mapper().readValue(text.substring(colon + 1), Object.class);
                if (!(parsed instanceof java.util.Map<?, ?> map)) {
                    throw new RelationshipSyntaxException(line, "caveat context must be a JSON object: '" + text + "'");
                }
                context = (java.util.Map<String, Object>) map;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new RelationshipSyntaxException(line, "caveat context is not valid JSON: '" + text + "'");
            }
        }
        try {
            return new Caveat(name, context);
        } catch (IllegalArgumentException e) {
            throw new RelationshipSyntaxException(line, e.getMessage());
        }
    }
}

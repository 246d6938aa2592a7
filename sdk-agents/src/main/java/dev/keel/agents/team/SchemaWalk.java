package dev.keel.agents.team;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import dev.keel.agents.team.TeamSchema.Either;
import dev.keel.agents.team.TeamSchema.Free;
import dev.keel.agents.team.TeamSchema.ListOf;
import dev.keel.agents.team.TeamSchema.MapOf;
import dev.keel.agents.team.TeamSchema.Obj;
import dev.keel.agents.team.TeamSchema.Shape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks a document against the {@link TeamSchema} and returns it with only known fields, so that a file
 * written for a newer docker-agent still loads: an unknown field is a located warning and is dropped; a field
 * that differs from a known one only in case ({@code token_Key}) is read as the known one, with a warning; a
 * near miss of a known field ({@code subagents}, {@code instructions}) is an error that says what was meant,
 * because silently dropping what was clearly meant to be a known field would run the team wrongly. A value of
 * the wrong kind (a list where a mapping belongs) is left for the readers, which report it with its location.
 * One per load; not thread-safe.
 */
final class SchemaWalk {
    private final TeamFields f;

    SchemaWalk(TeamFields f) {
        this.f = f;
    }

    Node walk(Node node, Shape shape, String path) {
        if (shape instanceof Free) {
            return node;
        }
        if (shape instanceof Either either) {
            for (Shape option : either.options()) {
                if (fits(node, option)) {
                    return walk(node, option, path);
                }
            }
            return node;
        }
        if (shape instanceof Obj obj && node instanceof MapNode m) {
            return object(m, obj, path);
        }
        if (shape instanceof MapOf mapOf && node instanceof MapNode m) {
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Entry e : m.entries().values()) {
                out.put(e.key(), new Entry(e.key(), e.line(), walk(e.value(), mapOf.value(), join(path, e.key()))));
            }
            return new MapNode(out, m.line());
        }
        if (shape instanceof ListOf listOf && node instanceof ListNode l) {
            List<Node> items = new ArrayList<>();
            for (int i = 0; i < l.items().size(); i++) {
                items.add(walk(l.items().get(i), listOf.item(), path + "[" + i + "]"));
            }
            return new ListNode(items, l.line());
        }
        return node;
    }

    private static boolean fits(Node node, Shape shape) {
        if (shape instanceof Obj || shape instanceof MapOf) {
            return node instanceof MapNode;
        }
        if (shape instanceof ListOf) {
            return node instanceof ListNode;
        }
        if (shape instanceof TeamSchema.Scalar) {
            return node instanceof Scalar;
        }
        if (shape instanceof Either e) {
            return e.options().stream().anyMatch(o -> fits(node, o));
        }
        return true;
    }

    private MapNode object(MapNode m, Obj obj, String path) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (Entry e : m.entries().values()) {
            String key = e.key();
            String field = join(path, key);
            Shape shape = obj.fields().get(key);
            if (shape == null) {
                String written = key;
                String sameButCase = obj.fields().keySet().stream().filter(k -> k.equalsIgnoreCase(written)).findFirst()
                        .orElse(null);
                if (sameButCase != null && !m.entries().containsKey(sameButCase)) {
                    f.warn(e.line() + ": " + field + ": read as '" + sameButCase + "' (field names are lower case)");
                    key = sameButCase;
                    field = join(path, key);
                    shape = obj.fields().get(key);
                } else {
                    String meant = nearMiss(key, obj);
                    if (meant != null) {
                        throw f.error(e.line(), field, "unknown field '" + key + "'; did you mean '" + meant + "'?");
                    }
                    f.warn(e.line() + ": " + field + ": unknown field, ignored (not in docker-agent's schema "
                            + "version " + TeamSchema.LATEST_VERSION + " or earlier)");
                    continue;
                }
            }
            out.put(key, new Entry(key, e.line(), walk(e.value(), shape, field)));
        }
        return new MapNode(out, m.line());
    }

    /** The known field {@code key} is most likely a misspelling of, or null when none is close enough. */
    static String nearMiss(String key, Obj obj) {
        String k = key.toLowerCase(Locale.ROOT).replace('-', '_');
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String known : obj.fields().keySet()) {
            if (known.startsWith("x-")) {
                continue;
            }
            int d = distance(k, known);
            int allowed = Math.min(known.length(), k.length()) <= 4 ? 1 : 2;
            if (d <= allowed && d < bestDistance) {
                best = known;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Edit distance where a transposition of two neighbours counts as one edit (optimal string alignment). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}

package dev.keel.agents.internal;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * JSON Merge Patch (RFC 7386) on {@link YamlTree} nodes, with docker-agent's two extensions for its {@code flavors}:
 * mappings merge recursively, any other patch value replaces, an explicit null deletes the key; a key ending in
 * {@code +} appends its list to the one under the key without the suffix (a scalar there becomes a one-element list
 * first, an absent or null one is created), and a key ending in {@code -} removes entries (from a mapping by key
 * name, from a list by equal scalar or by a mapping that every removed entry contains). Inside a patch the two
 * suffixes are therefore reserved.
 *
 * <p>Nodes keep the lines they were written on: a value that comes from the patch points at the patch, a merged
 * mapping at the base. Mapping order is kept: patched keys stay where they were, new keys come last. Neither input
 * is modified. Stateless; safe from any thread.
 */
public final class YamlPatch {
    private YamlPatch() {}

    /** A patch that cannot be applied, at the line of the offending patch key. */
    public static final class PatchException extends Exception {
        private static final long serialVersionUID = 1L;
        private final int line;
        private final String field;

        PatchException(int line, String field, String problem) {
            super(problem);
            this.line = line;
            this.field = field;
        }

        /**
         * The 1-based line of the patch key.
         *
         * @return the line
         */
        public int line() {
            return line;
        }

        /**
         * The dotted path of the patch key, starting with the path given to {@link #apply}.
         *
         * @return the field path
         */
        public String field() {
            return field;
        }
    }

    /**
     * {@code base} patched with {@code patch}. A patch that is not a mapping replaces {@code base}; a mapping patched
     * onto a non-mapping starts from an empty mapping.
     *
     * @param base  the document (may be null: nothing yet)
     * @param patch the patch
     * @param path  the dotted path of {@code patch} in its file, for errors ({@code ""} at the top)
     * @return the patched document
     * @throws PatchException when a {@code +} or {@code -} key cannot be applied
     */
    public static Node apply(Node base, Node patch, String path) throws PatchException {
        if (!(patch instanceof MapNode p)) {
            return patch;
        }
        Map<String, Entry> out = base instanceof MapNode b ? new LinkedHashMap<>(b.entries()) : new LinkedHashMap<>();
        for (Entry e : p.entries().values()) {
            String key = e.key();
            String field = path.isEmpty() ? key : path + "." + key;
            if (key.endsWith("+")) {
                append(out, key.substring(0, key.length() - 1), e, field);
            } else if (key.endsWith("-")) {
                remove(out, key.substring(0, key.length() - 1), e, field);
            } else if (isNull(e.value())) {
                out.remove(key);
            } else {
                Entry existing = out.get(key);
                Node merged = apply(existing == null ? null : existing.value(), e.value(), field);
                boolean mergedIntoBase = existing != null && existing.value() instanceof MapNode && merged instanceof MapNode;
                out.put(key, new Entry(key, mergedIntoBase ? existing.line() : e.line(), merged));
            }
        }
        return new MapNode(out, base instanceof MapNode b ? b.line() : p.line());
    }

    private static void append(Map<String, Entry> out, String key, Entry e, String field) throws PatchException {
        if (!(e.value() instanceof ListNode items)) {
            throw new PatchException(e.line(), field, "an append key takes a list of the items to append to '" + key + "'");
        }
        Entry existing = out.get(key);
        if (existing == null || isNull(existing.value())) {
            out.put(key, new Entry(key, e.line(), items));
            return;
        }
        List<Node> all = new ArrayList<>();
        Node base = existing.value();
        if (base instanceof MapNode) {
            throw new PatchException(e.line(), field, "cannot append to '" + key + "': it is a mapping, not a list "
                    + "(patch its keys, or remove some with '" + key + "-')");
        }
        if (base instanceof ListNode l) {
            all.addAll(l.items());
        } else {
            all.add(base);
        }
        all.addAll(items.items());
        out.put(key, new Entry(key, existing.line(), new ListNode(all, base.line())));
    }

    private static void remove(Map<String, Entry> out, String key, Entry e, String field) throws PatchException {
        if (!(e.value() instanceof ListNode matchers)) {
            throw new PatchException(e.line(), field, "a remove key takes a list of what to remove from '" + key + "'");
        }
        Entry existing = out.get(key);
        if (existing == null || isNull(existing.value())) {
            return;
        }
        if (existing.value() instanceof ListNode l) {
            List<Node> kept = new ArrayList<>();
            for (Node item : l.items()) {
                if (matchers.items().stream().noneMatch(m -> matches(item, m))) {
                    kept.add(item);
                }
            }
            out.put(key, new Entry(key, existing.line(), new ListNode(kept, l.line())));
        } else if (existing.value() instanceof MapNode m) {
            List<String> names = new ArrayList<>();
            for (Node matcher : matchers.items()) {
                if (!(matcher instanceof Scalar s)) {
                    throw new PatchException(matcher.line(), field, "'" + key + "' is a mapping: list the names of the "
                            + "keys to remove");
                }
                if (s.value() != null) {
                    names.add(String.valueOf(s.value()));
                }
            }
            Map<String, Entry> kept = new LinkedHashMap<>(m.entries());
            kept.keySet().removeAll(names);
            out.put(key, new Entry(key, existing.line(), new MapNode(kept, m.line())));
        } else {
            throw new PatchException(e.line(), field, "cannot remove from '" + key + "': it is a single value, not a "
                    + "list or a mapping (set it to null to delete it)");
        }
    }

    /** A mapping matcher matches a mapping that has all its keys with matching values; anything else must be equal. */
    private static boolean matches(Node item, Node matcher) {
        if (!(matcher instanceof MapNode want)) {
            return sameData(item, matcher);
        }
        if (!(item instanceof MapNode have)) {
            return false;
        }
        for (Entry w : want.entries().values()) {
            Entry h = have.entries().get(w.key());
            if (h == null || !matches(h.value(), w.value())) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether two nodes hold the same data, lines aside: mappings with the same keys (in any order) and values, lists
     * with the same items in order, equal scalars (numbers by value: {@code 1} equals {@code 1.0}).
     *
     * @param a a node
     * @param b another node
     * @return whether they hold the same data
     */
    public static boolean sameData(Node a, Node b) {
        if (a instanceof MapNode ma && b instanceof MapNode mb) {
            if (!ma.entries().keySet().equals(mb.entries().keySet())) {
                return false;
            }
            for (Entry e : ma.entries().values()) {
                if (!sameData(e.value(), mb.entries().get(e.key()).value())) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof ListNode la && b instanceof ListNode lb) {
            if (la.items().size() != lb.items().size()) {
                return false;
            }
            for (int i = 0; i < la.items().size(); i++) {
                if (!sameData(la.items().get(i), lb.items().get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a instanceof Scalar sa && b instanceof Scalar sb) {
            if (sa.value() instanceof Number x && sb.value() instanceof Number y) {
                try {
                    return new BigDecimal(x.toString()).compareTo(new BigDecimal(y.toString())) == 0;
                } catch (NumberFormatException infiniteOrNaN) {
                    return Double.compare(x.doubleValue(), y.doubleValue()) == 0;
                }
            }
            return Objects.equals(sa.value(), sb.value());
        }
        return false;
    }

    private static boolean isNull(Node n) {
        return n instanceof Scalar s && s.value() == null;
    }
}

package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.internal.YamlTree.Entry;
import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The invariants of {@link YamlPatch}: an empty patch changes nothing; a patch without {@code +}/{@code -} keys does
 * what RFC 7386's own pseudo-code does (written again here over plain maps and lists), keys in document order;
 * plain patches are idempotent; {@code k+} then {@code k-} of the same scalars leaves the list without them; and
 * neither input is modified. Trees use few key names so that patches hit existing keys often.
 */
class YamlPatchPropertyTest {
    private static final List<String> KEYS = List.of("a", "b", "c", "toolsets", "model");

    /** A plain value: a LinkedHashMap, an ArrayList, a String, a Long, a Boolean, or null. */
    private static Arbitrary<Object> scalars() {
        return Arbitraries.oneOf(Arbitraries.of("x", "y", "shell", "", "null", "1"), Arbitraries.longs().between(-3, 3).map(Object.class::cast),
                Arbitraries.of(Boolean.TRUE, Boolean.FALSE));
    }

    private static Arbitrary<Object> tree(int depth, boolean nulls) {
        Arbitrary<Object> leaf = nulls ? Arbitraries.oneOf(scalars(), Arbitraries.just(null)) : scalars();
        if (depth == 0) {
            return leaf;
        }
        Arbitrary<Object> child = tree(depth - 1, nulls);
        Arbitrary<Object> map = Arbitraries.maps(Arbitraries.of(KEYS), child).ofMaxSize(4)
                .map(m -> (Object) new LinkedHashMap<>(m));
        Arbitrary<Object> list = child.list().ofMaxSize(3).map(l -> (Object) new ArrayList<>(l));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(2, leaf), net.jqwik.api.Tuple.of(3, map),
                net.jqwik.api.Tuple.of(1, list));
    }

    @Provide
    Arbitrary<Object> documents() {
        return tree(3, false);
    }

    /** Patches are mappings (a flavor always is), with nulls to delete. */
    @Provide
    Arbitrary<Object> patches() {
        return Arbitraries.maps(Arbitraries.of(KEYS), tree(2, true)).ofMaxSize(4).map(m -> (Object) new LinkedHashMap<>(m));
    }

    @Provide
    Arbitrary<List<Object>> scalarLists() {
        return scalars().list().ofMaxSize(5);
    }

    /** RFC 7386, section 2, as written there. */
    @SuppressWarnings("unchecked")
    private static Object mergePatch(Object target, Object patch) {
        if (!(patch instanceof Map<?, ?> p)) {
            return patch;
        }
        Map<String, Object> out = target instanceof Map<?, ?> t ? new LinkedHashMap<>((Map<String, Object>) t)
                : new LinkedHashMap<>();
        p.forEach((name, value) -> {
            if (value == null) {
                out.remove(name);
            } else {
                out.put((String) name, mergePatch(out.get(name), value));
            }
        });
        return out;
    }

    private static Node node(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Entry> entries = new LinkedHashMap<>();
            m.forEach((k, value) -> entries.put((String) k, new Entry((String) k, 1, node(value))));
            return new MapNode(entries, 1);
        }
        if (v instanceof List<?> l) {
            return new ListNode(l.stream().map(YamlPatchPropertyTest::node).toList(), 1);
        }
        return new Scalar(v, 1);
    }

    /** Key order too: {@link YamlPatch#sameData} ignores it, docker-agent's root agent depends on it. */
    private static List<String> keyOrder(Node n) {
        List<String> out = new ArrayList<>();
        if (n instanceof MapNode m) {
            m.entries().forEach((k, e) -> {
                out.add(k + "{");
                out.addAll(keyOrder(e.value()));
                out.add("}");
            });
        } else if (n instanceof ListNode l) {
            l.items().forEach(i -> out.addAll(keyOrder(i)));
        }
        return out;
    }

    @Property
    void anEmptyPatchChangesNothing(@ForAll("documents") Object doc) throws Exception {
        Node base = node(doc);
        Node patched = YamlPatch.apply(base, new MapNode(Map.of(), 1), "");
        if (base instanceof MapNode) {
            assertThat(YamlPatch.sameData(patched, base)).isTrue();
            assertThat(keyOrder(patched)).isEqualTo(keyOrder(base));
        } else {
            // RFC 7386: an object patch onto a non-object starts from an empty object.
            assertThat(YamlPatch.sameData(patched, node(new LinkedHashMap<>()))).isTrue();
        }
    }

    @Property(tries = 500)
    void aPlainPatchDoesWhatRfc7386Does(@ForAll("documents") Object doc, @ForAll("patches") Object patch)
            throws Exception {
        Node expected = node(mergePatch(doc, patch));
        Node base = node(doc);
        Node before = node(doc);
        Node actual = YamlPatch.apply(base, node(patch), "");
        assertThat(YamlPatch.sameData(actual, expected)).as("%s + %s", doc, patch).isTrue();
        assertThat(keyOrder(actual)).isEqualTo(keyOrder(expected));
        assertThat(YamlPatch.sameData(base, before)).as("the base is not modified").isTrue();
    }

    @Property
    void aPlainPatchAppliedTwiceIsAppliedOnce(@ForAll("documents") Object doc, @ForAll("patches") Object patch)
            throws Exception {
        Node once = YamlPatch.apply(node(doc), node(patch), "");
        Node twice = YamlPatch.apply(once, node(patch), "");
        assertThat(YamlPatch.sameData(twice, once)).isTrue();
        assertThat(keyOrder(twice)).isEqualTo(keyOrder(once));
    }

    @Property
    void appendingThenRemovingTheSameScalarsLeavesTheListWithoutThem(@ForAll("scalarLists") List<Object> list,
            @ForAll("scalarLists") List<Object> items) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("before", "kept");
        doc.put("toolsets", new ArrayList<>(list));
        doc.put("after", "kept");
        Node appended = YamlPatch.apply(node(doc), node(Map.of("toolsets+", items)), "");
        Node removed = YamlPatch.apply(appended, node(Map.of("toolsets-", items)), "");

        List<Object> appendedExpected = new ArrayList<>(list);
        appendedExpected.addAll(items);
        assertThat(YamlPatch.sameData(((MapNode) appended).entries().get("toolsets").value(), node(appendedExpected)))
                .isTrue();
        List<Object> without = new ArrayList<>(list);
        without.removeIf(items::contains); // scalars only: String, Long, Boolean
        Map<String, Object> expected = new LinkedHashMap<>(doc);
        expected.put("toolsets", without);
        assertThat(YamlPatch.sameData(removed, node(expected))).as("%s + %s", list, items).isTrue();
        assertThat(((MapNode) removed).entries().keySet()).containsExactly("before", "toolsets", "after");
    }

    @Property
    void appendingToAScalarPromotesItAndToNothingCreatesTheList(@ForAll("scalarLists") List<Object> items)
            throws Exception {
        Node promoted = YamlPatch.apply(node(Map.of("instruction", "base")), node(Map.of("instruction+", items)), "");
        List<Object> expected = new ArrayList<>(List.of("base"));
        expected.addAll(items);
        assertThat(YamlPatch.sameData(promoted, node(Map.of("instruction", expected)))).isTrue();

        Node created = YamlPatch.apply(node(Map.of("a", 1L)), node(Map.of("toolsets+", items)), "");
        assertThat(YamlPatch.sameData(created, node(Map.of("a", 1L, "toolsets", items)))).isTrue();
    }

    @Property
    void aMappingMatcherRemovesExactlyTheItemsThatContainIt(@ForAll("documents") Object other, @ForAll("documents") Object extra)
            throws Exception {
        // Generated trees never use the key 'type', so of these only the first two contain {type: a}.
        List<Object> items = new ArrayList<>();
        items.add(new LinkedHashMap<>(Map.of("type", "a", "extra", extra)));
        items.add(new LinkedHashMap<>(Map.of("type", "a")));
        items.add(new LinkedHashMap<>(Map.of("type", "b")));
        items.add(other);
        Node removed = YamlPatch.apply(node(Map.of("toolsets", items)),
                node(Map.of("toolsets-", List.of(Map.of("type", "a")))), "");
        Node expected = node(Map.of("toolsets", List.of(items.get(2), items.get(3))));
        assertThat(YamlPatch.sameData(removed, expected)).isTrue();
    }
}

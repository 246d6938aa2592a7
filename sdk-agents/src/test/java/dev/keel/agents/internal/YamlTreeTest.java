package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.internal.YamlTree.ListNode;
import dev.keel.agents.internal.YamlTree.MapNode;
import dev.keel.agents.internal.YamlTree.Node;
import dev.keel.agents.internal.YamlTree.Scalar;
import org.junit.jupiter.api.Test;

/** Anchors, aliases and merge keys read as YAML defines them, not as the anchor's name. */
class YamlTreeTest {
    private static MapNode map(Node n, String key) {
        return (MapNode) ((MapNode) n).entries().get(key).value();
    }

    private static Object scalar(Node n, String key) {
        return ((Scalar) ((MapNode) n).entries().get(key).value()).value();
    }

    @Test
    void anAliasIsTheAnchoredNodeAgainWhateverItsKind() throws Exception {
        Node doc = YamlTree.parse("""
                rules: &rules |
                  Be brief.
                tools: &tools
                  - type: think
                  - type: fetch
                limits: &limits {max: 3}
                count: &count 7
                again:
                  count: *count
                  rules: *rules
                  tools: *tools
                  limits: *limits
                """);
        MapNode again = map(doc, "again");
        assertThat(scalar(again, "rules")).isEqualTo("Be brief.\n");
        assertThat(again.entries().get("tools").value()).isInstanceOfSatisfying(ListNode.class,
                l -> assertThat(l.items()).hasSize(2));
        assertThat(scalar(map(again, "limits"), "max")).isEqualTo(3);
        assertThat(scalar(again, "count")).isEqualTo(7);                 // typed like any other plain scalar
    }

    @Test
    void aMergeKeyAddsWhatTheMappingDoesNotSetItself() throws Exception {
        Node doc = YamlTree.parse("""
                base: &base {provider: openai, temperature: 0.2, model: small}
                extra: &extra {max_tokens: 100, temperature: 0.9}
                large:
                  model: big
                  <<: [*base, *extra]
                """);
        MapNode large = map(doc, "large");
        assertThat(large.entries()).containsOnlyKeys("model", "provider", "temperature", "max_tokens");
        assertThat(scalar(large, "model")).isEqualTo("big");            // set here, even before the merge key
        assertThat(scalar(large, "temperature")).isEqualTo(0.2);        // the first merged mapping wins
        assertThat(scalar(large, "max_tokens")).isEqualTo(100);
    }

    @Test
    void anAliasWithoutAnAnchorOrAMergeOfAScalarIsASyntaxErrorWithItsLine() {
        assertThatThrownBy(() -> YamlTree.parse("a: 1\nb: *nowhere\n"))
                .isInstanceOfSatisfying(YamlTree.SyntaxException.class, e -> {
                    assertThat(e.getMessage()).contains("*nowhere");
                    assertThat(e.line()).isEqualTo(2);
                });
        assertThatThrownBy(() -> YamlTree.parse("a: &a 1\nb:\n  <<: *a\n"))
                .isInstanceOfSatisfying(YamlTree.SyntaxException.class, e -> {
                    assertThat(e.getMessage()).contains("merge key");
                    assertThat(e.line()).isEqualTo(3);
                });
    }

    @Test
    void aStringThatLooksLikeAnAliasWhenQuotedStaysAString() throws Exception {
        Node doc = YamlTree.parse("a: &x 1\nb: '*x'\n");
        assertThat(scalar(doc, "b")).isEqualTo("*x");
    }
}

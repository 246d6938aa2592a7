package dev.keel.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonBinderTest {

    public enum Unit { CELSIUS, FAHRENHEIT }

    public record Range(int from, int to) {
        public Range {
            if (from > to) {
                throw new IllegalArgumentException("from must not exceed to");
            }
        }
    }

    public record Query(String city, int days, Unit unit, Optional<String> note, List<Range> ranges,
                        Map<String, Long> counts, Set<String> tags, JsonValue extra, boolean detailed) {}

    public static class Bean {
        private String name;
        public int size;

        public void setName(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }
    }

    @Test
    void bindsRecordsWithNestedTypes() {
        Query q = JsonBinder.bind(JsonValue.parse("""
                {"city":"Oslo","days":3,"unit":"celsius","ranges":[{"from":1,"to":2}],
                 "counts":{"a":1},"tags":["x","x","y"],"extra":{"k":[1]},"detailed":true,"ignored":1}"""), Query.class);
        assertThat(q).isEqualTo(new Query("Oslo", 3, Unit.CELSIUS, Optional.empty(), List.of(new Range(1, 2)),
                Map.of("a", 1L), Set.of("x", "y"), JsonValue.parse("{\"k\":[1]}"), true));
    }

    @Test
    void bindsBeansThroughSettersAndFields() {
        Bean b = JsonBinder.bind(JsonValue.parse("{\"name\":\"n\",\"size\":4}"), Bean.class);
        assertThat(b.name()).isEqualTo("n");
        assertThat(b.size).isEqualTo(4);
    }

    @Test
    void problemsNameThePathAndTheMismatch() {
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"city\":\"Oslo\",\"days\":\"three\"}"), Query.class))
                .isInstanceOf(JsonBinder.BindingException.class)
                .hasMessage("'days' must be an integer, got string \"three\"")
                .satisfies(e -> assertThat(((JsonBinder.BindingException) e).path()).isEqualTo("days"));
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"days\":1,\"ranges\":[{\"from\":1,\"to\":2},{\"from\":1.5}]}"),
                Query.class)).hasMessageStartingWith("'ranges[1].from' must be an integer in range");
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"city\":\"Oslo\"}"), Query.class))
                .hasMessage("'days' is required (an integer)");
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"days\":1,\"unit\":\"kelvin\"}"), Query.class))
                .hasMessageContaining("'unit' must be one of [celsius, fahrenheit], got string \"kelvin\"");
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"days\":1,\"ranges\":[{\"from\":3,\"to\":2}]}"),
                Query.class)).hasMessageContaining("'ranges[0]' was rejected by Range: from must not exceed to");
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("[1]"), Query.class))
                .hasMessage("must be an object, got array");
        assertThatThrownBy(() -> JsonBinder.bind(JsonValue.parse("{\"days\":3000000000}"), Query.class))
                .hasMessageContaining("'days' must be an integer in range, got 3000000000");
    }

    private record Hidden(String x) {}

    @Test
    void anInaccessibleTypeSaysWhatToDo() {
        assertThatThrownBy(() -> JsonBinder.bind(JsonObject.parse("{\"x\":\"1\"}"), Hidden.class))
                .hasMessageContaining("must be public");
    }

    @Test
    void objectBindsToPlainJava() {
        Object plain = JsonBinder.bind(JsonValue.parse("{\"a\":[1,\"b\",true,null]}"), Object.class);
        assertThat(plain).isEqualTo(Map.of("a", java.util.Arrays.asList(new java.math.BigDecimal("1"), "b", true, null)));
    }
}

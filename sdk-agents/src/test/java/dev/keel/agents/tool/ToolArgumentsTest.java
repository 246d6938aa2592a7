package dev.keel.agents.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ToolArgumentsTest {
    private final ToolArguments args = ToolArguments.parse(
            "{\"city\":\"Oslo\",\"days\":3,\"ratio\":0.5,\"detailed\":true,\"tags\":[\"a\",\"b\"],\"one\":\"x\","
                    + "\"where\":{\"lat\":59.9},\"none\":null,\"mixed\":[\"a\",1],\"frac\":2.5}");

    public record Query(String city, int days, Optional<String> unit, List<String> tags) {}

    @Test
    void typedGettersReadWhatTheModelSent() {
        assertThat(args.string("city")).isEqualTo("Oslo");
        assertThat(args.integer("days")).isEqualTo(3);
        assertThat(args.number("ratio")).isEqualTo(0.5);
        assertThat(args.number("days")).isEqualTo(3.0);
        assertThat(args.bool("detailed")).isTrue();
        assertThat(args.strings("tags")).containsExactly("a", "b");
        assertThat(args.strings("one")).containsExactly("x");
        assertThat(args.object("where").get("lat").orElseThrow().asDouble()).hasValue(59.9);
        assertThat(args.list("tags")).containsExactly(new JsonString("a"), new JsonString("b"));
        assertThat(args.json()).startsWith("{\"city\":\"Oslo\"");
        assertThat(args.names()).startsWith("city", "days");
    }

    @Test
    void absentAndNullUseTheFallback() {
        assertThat(args.has("none")).isFalse();
        assertThat(args.has("city")).isTrue();
        assertThat(args.string("none", "d")).isEqualTo("d");
        assertThat(args.string("missing", "d")).isEqualTo("d");
        assertThat(args.optionalString("missing")).isEmpty();
        assertThat(args.integer("missing", 7)).isEqualTo(7);
        assertThat(args.bool("missing", true)).isTrue();
        assertThat(args.number("missing", 1.5)).isEqualTo(1.5);
        assertThat(args.strings("missing", List.of("z"))).containsExactly("z");
    }

    @Test
    void errorsNameTheArgumentAndTheProblem() {
        assertThatThrownBy(() -> args.string("missing")).isInstanceOf(ToolArgumentException.class)
                .hasMessage("argument 'missing' is required")
                .extracting(e -> ((ToolArgumentException) e).argument()).isEqualTo("missing");
        assertThatThrownBy(() -> args.string("none")).hasMessage("argument 'none' is required");
        assertThatThrownBy(() -> args.string("days")).hasMessage("argument 'days' must be a string, got number 3");
        assertThatThrownBy(() -> args.integer("city")).hasMessage("argument 'city' must be an integer, got string \"Oslo\"");
        assertThatThrownBy(() -> args.integer("frac")).hasMessage("argument 'frac' must be an integer, got 2.5");
        assertThatThrownBy(() -> args.bool("city")).hasMessageContaining("must be a boolean");
        assertThatThrownBy(() -> args.strings("mixed")).hasMessage("argument 'mixed[1]' must be a string, got number 1");
        assertThatThrownBy(() -> args.object("tags")).hasMessage("argument 'tags' must be an object, got array");
        assertThatThrownBy(() -> args.string("days", "fallback")).hasMessageContaining("must be a string");
    }

    @Test
    void bindsTheWholeObjectToARecord() {
        Query q = args.as(Query.class);
        assertThat(q).isEqualTo(new Query("Oslo", 3, Optional.empty(), List.of("a", "b")));
        assertThatThrownBy(() -> ToolArguments.parse("{\"city\":1,\"days\":1}").as(Query.class))
                .isInstanceOf(ToolArgumentException.class).hasMessage("argument 'city' must be a string, got number 1");
        assertThatThrownBy(() -> ToolArguments.parse("{\"city\":\"x\"}").as(Query.class))
                .hasMessage("argument 'days' is required (an integer)");
    }

    @Test
    void textThatIsNotAnObjectIsRefusedWithReason() {
        assertThat(ToolArguments.parse("  ").value()).isEqualTo(JsonObject.of());
        assertThatThrownBy(() -> ToolArguments.parse("[1]")).isInstanceOf(ToolArgumentException.class)
                .hasMessage("the arguments must be a JSON object, got array");
        assertThatThrownBy(() -> ToolArguments.parse("{\"a\":")).isInstanceOf(ToolArgumentException.class)
                .hasMessageStartingWith("the arguments are not valid JSON");
        assertThat(ToolArguments.of(JsonObject.builder().put("a", 1).build()).json()).isEqualTo("{\"a\":1}");
    }
}

package dev.keel.core.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.core.internal.json.Json;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonValueTest {

    @Provide
    Arbitrary<JsonValue> values() {
        return value(3);
    }

    private Arbitrary<JsonValue> value(int depth) {
        Arbitrary<JsonValue> scalars = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(12).map(JsonString::new),
                Arbitraries.longs().map(JsonNumber::of),
                Arbitraries.doubles().filter(Double::isFinite).map(JsonNumber::of),
                Arbitraries.bigDecimals().ofScale(5).map(JsonNumber::of),
                Arbitraries.of(JsonBoolean.TRUE, JsonBoolean.FALSE, JsonNull.INSTANCE));
        if (depth == 0) {
            return scalars;
        }
        Arbitrary<JsonValue> arrays = value(depth - 1).list().ofMaxSize(4).map(JsonArray::new);
        Arbitrary<JsonValue> objects = Arbitraries.maps(Arbitraries.strings().all().ofMaxLength(6), value(depth - 1))
                .ofMaxSize(4).map(m -> new JsonObject(new LinkedHashMap<>(m)));
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, scalars), net.jqwik.api.Tuple.of(1, arrays), net.jqwik.api.Tuple.of(1, objects));
    }

    @Property(tries = 300)
    void writtenTextParsesBackToTheSameValue(@ForAll("values") JsonValue value) {
        assertThat(JsonValue.parse(value.toJson())).isEqualTo(value);
    }

    @Property(tries = 300)
    void jacksonReadsWhatKeelWritesAndBack(@ForAll("values") JsonValue value) throws Exception {
        // Keel's writer and Jackson agree on every value: what one writes, the other reads as the same thing.
        JsonNode node = Json.mapper().reader()
                .with(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).readTree(value.toJson());
        assertThat(Json.toValue(node)).isEqualTo(value);
        assertThat(JsonValue.parse(Json.write(Json.toNode(value)))).isEqualTo(value);
    }

    @Test
    void controlCharactersAndQuotesAreEscaped() {
        JsonString s = new JsonString("a\"b\\c\nd\u0001e\u2028");
        assertThat(s.toJson()).isEqualTo("\"a\\\"b\\\\c\\nd\\u0001e\\u2028\"");
        assertThat(JsonValue.parse(s.toJson())).isEqualTo(s);
        assertThat(s.value()).isEqualTo("a\"b\\c\nd\u0001e\u2028");
    }

    @Test
    void numbersKeepTheirTextAndCompareByValue() {
        assertThat(JsonValue.parse("1.50").toJson()).isEqualTo("1.50");
        assertThat(JsonValue.parse("12345678901234567890123").toJson()).isEqualTo("12345678901234567890123");
        assertThat(JsonValue.parse("1.0")).isEqualTo(JsonNumber.of(1));
        assertThat(JsonValue.parse("1.0").hashCode()).isEqualTo(JsonNumber.of(1).hashCode());
        assertThat(JsonValue.parse("0.0").hashCode()).isEqualTo(JsonNumber.of(0).hashCode());
        assertThat(JsonValue.parse("1e2").asLong()).hasValue(100);
        assertThat(JsonValue.parse("1.5").asLong()).isEmpty();
        assertThat(JsonValue.parse("1e400").asDouble()).hasValue(Double.POSITIVE_INFINITY);
        assertThat(((JsonNumber) JsonValue.parse("3.0")).isIntegral()).isTrue();
        assertThatThrownBy(() -> JsonNumber.of(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void badTextIsATypedErrorThatSaysWhere() {
        assertThatThrownBy(() -> JsonValue.parse("{\"a\":1,}")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("line 1");
        assertThatThrownBy(() -> JsonValue.parse("")).isInstanceOf(JsonParseException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> JsonValue.parse("{} {}")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("after the value");
        assertThatThrownBy(() -> JsonValue.parse("[1, 2")).isInstanceOf(JsonParseException.class);
        assertThatThrownBy(() -> JsonValue.parse("NaN")).isInstanceOf(JsonParseException.class);
        assertThatThrownBy(() -> JsonObject.parse("[1]")).isInstanceOf(JsonParseException.class)
                .hasMessageContaining("got array");
    }

    @Test
    void duplicateNamesAreRefusedSoNoTwoReadersDisagree() {
        // With "last wins" a permission check and the tool could read different values of "cmd".
        assertThatThrownBy(() -> JsonValue.parse("{\"cmd\":\"ls\",\"cmd\":\"rm -rf /\"}"))
                .isInstanceOf(JsonParseException.class).hasMessageContaining("cmd");
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> JsonValue.parse(deep)).isInstanceOf(JsonParseException.class);
    }

    @Test
    void valuesAreImmutable() {
        Map<String, Object> source = new LinkedHashMap<>();
        source.put("a", 1);
        List<Object> items = new ArrayList<>(List.of("x"));
        source.put("list", items);
        JsonObject o = JsonObject.of(source);
        source.put("b", 2);
        items.add("y");
        assertThat(o.toJson()).isEqualTo("{\"a\":1,\"list\":[\"x\"]}");
        assertThatThrownBy(() -> o.members().put("c", JsonNull.INSTANCE)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(o.with("a", 2).toJson()).isEqualTo("{\"a\":2,\"list\":[\"x\"]}");
        assertThat(o.without("a").toJson()).isEqualTo("{\"list\":[\"x\"]}");
        assertThat(o.toJson()).isEqualTo("{\"a\":1,\"list\":[\"x\"]}");
    }

    @Test
    void objectsCompareWithoutOrderButKeepIt() {
        JsonObject ab = JsonObject.parse("{\"a\":1,\"b\":2}");
        JsonObject ba = JsonObject.parse("{\"b\":2,\"a\":1}");
        assertThat(ab).isEqualTo(ba).hasSameHashCodeAs(ba);
        assertThat(ba.names()).containsExactly("b", "a");
        assertThat(ba.toString()).isEqualTo("{\"b\":2,\"a\":1}");
    }

    public enum Unit { CELSIUS }

    public record Reading(String city, double value, Unit unit, Optional<String> note) {}

    @Test
    void plainJavaValuesConvert() {
        JsonValue v = JsonValue.of(Map.of("r", new Reading("Oslo", 2.5, Unit.CELSIUS, Optional.empty())));
        assertThat(v.toJson()).isEqualTo("{\"r\":{\"city\":\"Oslo\",\"value\":2.5,\"unit\":\"CELSIUS\",\"note\":null}}");
        assertThat(JsonValue.of(new int[] {1, 2})).isEqualTo(JsonArray.of(1, 2));
        assertThat(JsonValue.of(new BigDecimal("1.10")).toJson()).isEqualTo("1.10");
        assertThat(JsonValue.of(null)).isEqualTo(JsonNull.INSTANCE);
        assertThatThrownBy(() -> JsonValue.of(new Object())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> JsonValue.of(Map.of(1, "x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("string keys");
    }

    @Test
    void typedViews() {
        JsonValue v = JsonValue.parse("{\"s\":\"x\",\"n\":2,\"b\":true,\"a\":[],\"z\":null}");
        JsonObject o = v.asObject().orElseThrow();
        assertThat(o.get("s").flatMap(JsonValue::asString)).contains("x");
        assertThat(o.get("n").flatMap(JsonValue::asString)).isEmpty();
        assertThat(o.get("b").flatMap(JsonValue::asBoolean)).contains(true);
        assertThat(o.get("a").flatMap(JsonValue::asArray)).contains(JsonArray.of());
        assertThat(o.get("z").orElseThrow().isNull()).isTrue();
        assertThat(o.get("missing")).isEmpty();
        assertThat(o.has("z")).isTrue();
        assertThat(o.get("a").orElseThrow().typeName()).isEqualTo("array");
        JsonValue nested = JsonValue.parse("{\"a/b\":{\"c~d\":[10,{\"e\":true}]}}");
        assertThat(nested.at("/a~1b/c~0d/1/e")).contains(JsonBoolean.TRUE);
        assertThat(nested.at("/a~1b/c~0d/0")).contains(JsonNumber.of(10));
        assertThat(nested.at("/a~1b/c~0d/2")).isEmpty();
        assertThat(nested.at("/a~1b/c~0d/01")).isEmpty();
        assertThat(nested.at("/missing/x")).isEmpty();
        assertThat(nested.at("")).contains(nested);
        assertThatThrownBy(() -> nested.at("a")).isInstanceOf(IllegalArgumentException.class);
    }
}

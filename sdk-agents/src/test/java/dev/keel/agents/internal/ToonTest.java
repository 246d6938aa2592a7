package dev.keel.agents.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.tool.ToolResult;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonNumber;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonString;
import dev.keel.core.json.JsonValue;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The TOON specification's own examples (SPEC.md: §17 conversions, Appendix A, the v3.0 list-item form), each as
 * the JSON it stands for and the text the spec shows, plus the quoting, number and key rules one by one.
 */
class ToonTest {

    private static String toon(String json) {
        return Toon.encode(JsonValue.parse(json));
    }

    @Test
    void specJsonConversionExample() {
        assertThat(toon("""
                {"users": [{"id": 1, "name": "Alice", "active": true}, {"id": 2, "name": "Bob", "active": false}],
                 "count": 2}""")).isEqualTo("""
                users[2]{id,name,active}:
                  1,Alice,true
                  2,Bob,false
                count: 2""");
    }

    @Test
    void specCsvAndYamlConversionExamples() {
        assertThat(toon("""
                {"items": [{"id": "A1", "name": "Widget", "price": 9.99}, {"id": "B2", "name": "Gadget", "price": 14.50}]}"""))
                .isEqualTo("""
                        items[2]{id,name,price}:
                          A1,Widget,9.99
                          B2,Gadget,14.5""");
        assertThat(toon("""
                {"server": {"host": "localhost", "port": 8080, "tags": ["web", "api"]}}""")).isEqualTo("""
                server:
                  host: localhost
                  port: 8080
                  tags[2]: web,api""");
    }

    @Test
    void appendixAObjectsAndArrays() {
        assertThat(toon("{\"id\": 123, \"name\": \"Ada\", \"active\": true}")).isEqualTo("id: 123\nname: Ada\nactive: true");
        assertThat(toon("{\"user\": {\"id\": 123, \"name\": \"Ada\"}}")).isEqualTo("user:\n  id: 123\n  name: Ada");
        assertThat(toon("{\"tags\": [\"admin\", \"ops\", \"dev\"]}")).isEqualTo("tags[3]: admin,ops,dev");
        assertThat(toon("{\"pairs\": [[1, 2], [3, 4]]}")).isEqualTo("pairs[2]:\n  - [2]: 1,2\n  - [2]: 3,4");
        assertThat(toon("{\"items\": [{\"sku\": \"A1\", \"qty\": 2, \"price\": 9.99}, {\"sku\": \"B2\", \"qty\": 1, \"price\": 14.5}]}"))
                .isEqualTo("items[2]{sku,qty,price}:\n  A1,2,9.99\n  B2,1,14.5");
        assertThat(toon("{\"items\": [1, {\"a\": 1}, \"text\"]}")).isEqualTo("items[3]:\n  - 1\n  - a: 1\n  - text");
        assertThat(toon("{\"items\": [{\"id\": 1, \"name\": \"First\"}, {\"id\": 2, \"name\": \"Second\", \"extra\": true}]}"))
                .isEqualTo("""
                        items[2]:
                          - id: 1
                            name: First
                          - id: 2
                            name: Second
                            extra: true""");
    }

    @Test
    void appendixANestedTableInAListItemInTheV3Form() {
        // Spec v3.0 §10: rows two levels under the hyphen, the object's other fields one level under it.
        assertThat(toon("{\"items\": [{\"users\": [{\"id\": 1, \"name\": \"Ada\"}, {\"id\": 2, \"name\": \"Bob\"}], "
                + "\"status\": \"active\"}]}")).isEqualTo("""
                items[1]:
                  - users[2]{id,name}:
                      1,Ada
                      2,Bob
                    status: active""");
    }

    @Test
    void appendixAQuotedColonsAndEdgeCases() {
        assertThat(toon("{\"links\": [{\"id\": 1, \"url\": \"http://a:b\"}, {\"id\": 2, \"url\": \"https://example.com?q=a:b\"}]}"))
                .isEqualTo("links[2]{id,url}:\n  1,\"http://a:b\"\n  2,\"https://example.com?q=a:b\"");
        assertThat(toon("{\"name\": \"\"}")).isEqualTo("name: \"\"");
        assertThat(toon("{\"tags\": []}")).isEqualTo("tags[0]:");
        assertThat(toon("{\"version\": \"123\", \"enabled\": \"true\"}")).isEqualTo("version: \"123\"\nenabled: \"true\"");
        assertThat(toon("{\"root\": {\"level1\": {\"level2\": {\"level3\": {\"items\": [{\"id\": 1, \"val\": \"a\"}, "
                + "{\"id\": 2, \"val\": \"b\"}]}}}}}")).isEqualTo("""
                root:
                  level1:
                    level2:
                      level3:
                        items[2]{id,val}:
                          1,a
                          2,b""");
        assertThat(toon("{\"message\": \"Hello 世界 👋\", \"tags\": [\"🎉\", \"🎊\", \"🎈\"]}"))
                .isEqualTo("message: Hello 世界 👋\ntags[3]: 🎉,🎊,🎈");
        assertThat(toon("{\"bignum\": 9007199254740992, \"decimal\": 0.3333333333333333}"))
                .isEqualTo("bignum: 9007199254740992\ndecimal: 0.3333333333333333");
    }

    @Test
    void rootFormsAsTheSpecDefinesThem() {
        assertThat(toon("{}")).isEmpty();
        assertThat(toon("[1,2,3]")).isEqualTo("[3]: 1,2,3");
        assertThat(toon("[]")).isEqualTo("[0]:");
        assertThat(toon("[{\"a\":1},{\"a\":2}]")).isEqualTo("[2]{a}:\n  1\n  2");
        assertThat(toon("[{\"a\":{\"b\":1}}, [], {}]")).isEqualTo("[3]:\n  - a:\n      b: 1\n  - [0]:\n  -");
        assertThat(toon("\"hello\"")).isEqualTo("hello");
        assertThat(toon("\"true\"")).isEqualTo("\"true\"");
        assertThat(toon("42")).isEqualTo("42");
        assertThat(toon("null")).isEqualTo("null");
    }

    @Test
    void stringsAreQuotedExactlyWhenTheSpecSaysSo() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("", "\"\"");
        cases.put(" x", "\" x\"");
        cases.put("x ", "\"x \"");
        cases.put("true", "\"true\"");
        cases.put("null", "\"null\"");
        cases.put("False", "False");
        cases.put("42", "\"42\"");
        cases.put("-3.14", "\"-3.14\"");
        cases.put("1e-6", "\"1e-6\"");
        cases.put("05", "\"05\"");
        cases.put("a:b", "\"a:b\"");
        cases.put("say \"hi\"", "\"say \\\"hi\\\"\"");
        cases.put("C:\\dir", "\"C:\\\\dir\"");
        cases.put("[x]", "\"[x]\"");
        cases.put("{x}", "\"{x}\"");
        cases.put("line\nbreak", "\"line\\nbreak\"");
        cases.put("cr\rtab\t", "\"cr\\rtab\\t\"");
        cases.put("a,b", "\"a,b\"");
        cases.put("-", "\"-\"");
        cases.put("- item", "\"- item\"");
        cases.put("a|b", "a|b");
        cases.put("hello world", "hello world");
        cases.put("café 日本", "café 日本");
        cases.forEach((in, out) -> assertThat(Toon.encode(new JsonString(in))).as(in).isEqualTo(out));
    }

    @Test
    void keysAreQuotedUnlessTheyAreIdentifiers() {
        assertThat(toon("{\"a_b.c1\": 1, \"my-key\": 2, \"1st\": 3, \"\": 4, \"a b\": 5, \"q\\\"\": 6}"))
                .isEqualTo("a_b.c1: 1\n\"my-key\": 2\n\"1st\": 3\n\"\": 4\n\"a b\": 5\n\"q\\\"\": 6");
        assertThat(toon("{\"my-list\": [1], \"x\": [{\"a-b\": 1}, {\"a-b\": 2}]}"))
                .isEqualTo("\"my-list\"[1]: 1\nx[2]{\"a-b\"}:\n  1\n  2");
    }

    @Test
    void numbersAreCanonicalDecimals() {
        assertThat(Toon.number(new BigDecimal("1e6"))).isEqualTo("1000000");
        assertThat(Toon.number(new BigDecimal("1e-6"))).isEqualTo("0.000001");
        assertThat(Toon.number(new BigDecimal("1.5000"))).isEqualTo("1.5");
        assertThat(Toon.number(new BigDecimal("1.0"))).isEqualTo("1");
        assertThat(Toon.number(new BigDecimal("-0.0"))).isEqualTo("0");
        assertThat(Toon.encode(JsonNumber.of(-0.0))).isEqualTo("0");
        assertThat(Toon.number(new BigDecimal("-1E+3"))).isEqualTo("-1000");
        assertThat(Toon.number(new BigDecimal("123.456e1"))).isEqualTo("1234.56");
    }

    @Test
    void aNumberTooLongToWriteOutIsRefusedAndTheToolOutputPassesThrough() {
        assertThatThrownBy(() -> toon("{\"n\": 1e999999999}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("without an exponent");
        assertThat(Toon.number(new BigDecimal("1e300"))).hasSize(301);
        ToolResult huge = ToolResult.ok("{\"n\": 1e999999999}");
        assertThat(ToonToolset.reencode(huge)).isSameAs(huge);
    }

    @Test
    void tablesNeedTheSameKeysAndOnlyPrimitiveValues() {
        // Same keys in another order: still a table, columns in the first object's order.
        assertThat(toon("[{\"a\":1,\"b\":2},{\"b\":3,\"a\":4}]")).isEqualTo("[2]{a,b}:\n  1,2\n  4,3");
        // A missing key or a nested value: list items.
        assertThat(toon("[{\"a\":1,\"b\":2},{\"a\":3}]")).isEqualTo("[2]:\n  - a: 1\n    b: 2\n  - a: 3");
        assertThat(toon("[{\"a\":[1]},{\"a\":[2]}]")).isEqualTo("[2]:\n  - a[1]: 1\n  - a[1]: 2");
        // A list-item object whose first field is a list: its items under the sibling fields' level.
        assertThat(toon("[{\"a\":[{\"x\":1},[2]],\"b\":1}]")).isEqualTo("[1]:\n  - a[2]:\n      - x: 1\n      - [1]: 2\n    b: 1");
    }

    @Test
    void outputThatIsNotAJsonObjectOrArrayPassesThroughUnchanged() {
        for (String text : new String[] {"plain text", "{not json", "[1, 2", "{\"a\":1} trailing", "42", "\"s\"", "",
                "true", "{\"a\":1,\"a\":2}"}) {
            ToolResult r = ToolResult.ok(text);
            assertThat(ToonToolset.reencode(r)).as(text).isSameAs(r);
        }
        ToolResult error = ToolResult.error("{\"error\": \"not found\", \"code\": 404}");
        assertThat(ToonToolset.reencode(error)).isSameAs(error);
        assertThat(ToonToolset.reencode(ToolResult.ok("  {\"a\": [1, 2]}\n"))).isEqualTo(ToolResult.ok("a[2]: 1,2"));
    }

    @Test
    void jsonValuesBuiltInJavaEncodeLikeParsedOnes() {
        JsonObject built = JsonObject.builder().put("rows", JsonArray.of(Map.of("k", "v"), Map.of("k", "w"))).build();
        assertThat(Toon.encode(built)).isEqualTo("rows[2]{k}:\n  v\n  w");
    }
}

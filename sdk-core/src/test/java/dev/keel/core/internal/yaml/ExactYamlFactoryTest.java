package dev.keel.core.internal.yaml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Every character, in every place of a key or a value and under each set of features Keel's files use, reads back
 * as written; and the plain YAML factory does lose U+0085, so the test would notice if this factory stopped
 * mattering or stopped working.
 */
class ExactYamlFactoryTest {
    /** Where a character sits decides the style the emitter picks: plain, quoted, literal block, with blanks. */
    private static final String[] PLACES = {"%s", "a%s", "a%sb", "a%s\nb", "x\n%sy", "%s\n", "\n%s", " %s", "%s ",
        "a\n %s\nb", "- %s", "%s: x"};

    /** Recording files: readable scalars, quoted only when needed. */
    private static YAMLFactoryBuilder minimalQuotes() {
        return YAMLFactory.builder().enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES);
    }

    /** Cassette files: quoted scalars, literal blocks for multi-line text. */
    private static YAMLFactoryBuilder literalBlocks() {
        return YAMLFactory.builder().enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).disable(YAMLGenerator.Feature.SPLIT_LINES);
    }

    private static List<String> lost(YAMLMapper mapper) throws Exception {
        return lost(mapper, IntStream.rangeClosed(0, 0xFFFF).filter(c -> !Character.isSurrogate((char) c)));
    }

    private static List<String> lost(YAMLMapper mapper, IntStream characters) throws Exception {
        List<String> lost = new ArrayList<>();
        for (int c : characters.toArray()) {
            for (String place : PLACES) {
                String text = place.replace("%s", String.valueOf((char) c));
                ObjectNode tree = mapper.createObjectNode();
                tree.put("format", "first, as in Keel's files");
                tree.put("value", text);
                tree.put(text, "key");
                JsonNode back = mapper.readTree(mapper.writeValueAsString(tree));
                if (!back.equals(tree)) {
                    lost.add(Integer.toHexString(c) + " in " + place.replace("\n", "\\n"));
                }
            }
        }
        return lost;
    }

    @Test
    void everyCharacterInEveryPlaceReadsBackWithMinimalQuotes() throws Exception {
        assertThat(lost(YAMLMapper.builder(ExactYamlFactory.of(minimalQuotes())).build())).isEmpty();
    }

    @Test
    void everyCharacterInEveryPlaceReadsBackWithLiteralBlocks() throws Exception {
        assertThat(lost(YAMLMapper.builder(ExactYamlFactory.of(literalBlocks())).build())).isEmpty();
    }

    @Test
    void thePlainFactoryLosesNextLineWhichIsWhyThisOneExists() throws Exception {
        assertThat(lost(YAMLMapper.builder(minimalQuotes().build()).build(), IntStream.of('a', 0x85, 0x2028, '\n')))
                .isNotEmpty().allMatch(where -> where.startsWith("85 in"));
    }

    @Test
    void onlyScalarsHoldingNextLineAreQuotedTheRestKeepTheirStyle() throws Exception {
        YAMLMapper mapper = YAMLMapper.builder(ExactYamlFactory.of(minimalQuotes())).build();
        ObjectNode tree = mapper.createObjectNode();
        tree.put("plain", "word");
        tree.put("block", "one\ntwo");
        tree.put("next", "one\u0085two\nthree");
        assertThat(mapper.writeValueAsString(tree))
                .contains("plain: word\n", "block: |-\n  one\n  two\n", "next: \"one\\Ntwo\\nthree\"\n");
    }

    @Test
    void aByteStreamIsWrittenTheSameWayAsAWriter() throws Exception {
        YAMLMapper mapper = YAMLMapper.builder(ExactYamlFactory.of(minimalQuotes())).build();
        ObjectNode tree = mapper.createObjectNode();
        tree.put("k\u0085", "v\u0085\nw");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        mapper.writeValue(bytes, tree);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(mapper.writeValueAsString(tree));
        assertThat(mapper.readTree(bytes.toByteArray())).isEqualTo(tree);
    }

    @Provide
    Arbitrary<String> texts() {
        Arbitrary<String> awkward = Arbitraries.of("\u0085", "\u2028", "\u2029", "\r", "\r\n", "\n", "\t", " ", "\u0000",
                "\uFEFF", "# ", ": ", "- ", "'", "\"", "|", ">", "---", "\uD83D\uDE00");
        Arbitrary<String> any = Arbitraries.strings().withCharRange('\u0000', '\uD7FF').ofMaxLength(8);
        return Arbitraries.oneOf(awkward, any).list().ofMaxSize(10).map(parts -> String.join("", parts));
    }

    @Property(tries = 300)
    void nestedTreesOfAwkwardTextReadBackExactly(@ForAll("texts") String a, @ForAll("texts") String b,
                                                 @ForAll("texts") String c, @ForAll boolean literal) throws Exception {
        Supplier<YAMLFactoryBuilder> features = literal ? ExactYamlFactoryTest::literalBlocks
                : ExactYamlFactoryTest::minimalQuotes;
        YAMLMapper mapper = YAMLMapper.builder(ExactYamlFactory.of(features.get())).build();
        ObjectNode tree = mapper.createObjectNode();
        tree.put("format", "first, as in Keel's files: a document that starts with U+FEFF loses it");
        tree.putObject(a).put(b, c).putArray("list").add(a).add(c).addObject().put(c, b);
        assertThat(mapper.readTree(mapper.writeValueAsString(tree))).isEqualTo(tree);
    }
}

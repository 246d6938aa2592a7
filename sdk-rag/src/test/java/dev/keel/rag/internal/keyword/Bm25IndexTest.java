package dev.keel.rag.internal.keyword;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BM25 against rankings and scores computed by hand from the formula. */
class Bm25IndexTest {

    // d0: "cat sat mat"       (3 terms)
    // d1: "cat cat dog"       (3 terms)
    // d2: "dog bird bird fish fish fish" (6 terms)   avgdl = 12/3 = 4
    private static final List<String> DOCS = List.of("cat sat mat", "cat cat dog", "dog bird bird fish fish fish");

    private static double idf(int n, int df) {
        return Math.log(1 + (n - df + 0.5) / (df + 0.5));
    }

    private static double term(double k1, double b, int tf, int dl, double avgdl, double idf) {
        return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl));
    }

    @Test
    void scoresAndRanksAsTheFormulaSays() {
        Bm25Index index = Bm25Index.build(DOCS, Analyzer.standard(), 1.5, 0.75);
        assertThat(index.documents()).isEqualTo(3);
        // query "cat dog": d1 has both (cat twice), d0 has cat, d2 has dog
        double idfCat = idf(3, 2);
        double idfDog = idf(3, 2);
        double d1 = term(1.5, 0.75, 2, 3, 4, idfCat) + term(1.5, 0.75, 1, 3, 4, idfDog);
        double d0 = term(1.5, 0.75, 1, 3, 4, idfCat);
        double d2 = term(1.5, 0.75, 1, 6, 4, idfDog);
        Bm25Index.Result r = index.search("cat dog", 10, 0);
        assertThat(r.docs()).containsExactly(1, 0, 2);
        assertThat(r.scores()[0]).isCloseTo((float) d1, within(1e-5f));
        assertThat(r.scores()[1]).isCloseTo((float) d0, within(1e-5f));
        assertThat(r.scores()[2]).isCloseTo((float) d2, within(1e-5f));
        assertThat(d0).isGreaterThan(d2); // the shorter document wins at equal tf and idf
    }

    @Test
    void rareTermsWeighMoreAndRepeatedQueryTermsCountOnce() {
        Bm25Index index = Bm25Index.build(DOCS, Analyzer.standard(), 1.2, 0.75);
        Bm25Index.Result fish = index.search("fish", 10, 0);
        assertThat(fish.docs()).containsExactly(2);
        Bm25Index.Result twice = index.search("fish fish FISH", 10, 0);
        assertThat(twice.scores()[0]).isEqualTo(fish.scores()[0]);
        double expected = term(1.2, 0.75, 3, 6, 4, idf(3, 1));
        assertThat(fish.scores()[0]).isCloseTo((float) expected, within(1e-5f));
    }

    @Test
    void limitThresholdAndNoMatch() {
        Bm25Index index = Bm25Index.build(DOCS, Analyzer.standard(), 1.5, 0.75);
        assertThat(index.search("cat dog", 1, 0).docs()).containsExactly(1);
        Bm25Index.Result all = index.search("cat dog", 10, 0);
        assertThat(index.search("cat dog", 10, all.scores()[1]).docs()).containsExactly(1, 0);
        assertThat(index.search("zebra", 10, 0).docs()).isEmpty();
        assertThat(index.search("the of and", 10, 0).docs()).isEmpty(); // stop words only
        assertThat(Bm25Index.build(List.of(), Analyzer.standard(), 1.5, 0.75).search("cat", 3, 0).docs()).isEmpty();
    }

    @Test
    void withBZeroLengthDoesNotMatter() {
        Bm25Index index = Bm25Index.build(List.of("cat", "cat dog bird fish"), Analyzer.standard(), 1.5, 0);
        Bm25Index.Result r = index.search("cat", 10, 0);
        assertThat(r.scores()[0]).isEqualTo(r.scores()[1]);
        assertThat(r.docs()).containsExactly(0, 1); // ties: lower document first
    }

    @Test
    void theCodeAnalyzerMatchesIdentifiersWholeAndByParts() {
        List<String> terms = new ArrayList<>();
        Analyzer.code().terms("mapper.readValue(json, HTTP_CLIENT); parseHTTPResponse x2y", terms::add);
        assertThat(terms).containsExactly("mapper", "readvalue", "read", "value", "json", "http_client", "http",
                "client", "parsehttpresponse", "parse", "http", "response", "x2y", "x", "2", "y");
        List<String> standard = new ArrayList<>();
        Analyzer.standard().terms("The readValue of HTTP_CLIENT", standard::add);
        assertThat(standard).containsExactly("readvalue", "http", "client");

        List<String> code = List.of("ObjectMapper mapper = new ObjectMapper(); mapper.readValue(json, Person.class);",
                "Read the value of the configuration file.");
        assertThat(Bm25Index.build(code, Analyzer.code(), 1.5, 0.75).search("readValue", 5, 0).docs())
                .containsExactly(0, 1); // the identifier first, the prose with its words after
        assertThat(Bm25Index.build(code, Analyzer.standard(), 1.5, 0.75).search("readValue", 5, 0).docs())
                .containsExactly(0);
        assertThat(Bm25Index.build(code, Analyzer.code(), 1.5, 0.75).search("read value", 5, 0).docs())
                .containsExactly(1, 0); // the words match the prose first, and the identifier's parts too
        assertThat(Bm25Index.build(code, Analyzer.standard(), 1.5, 0.75).search("read value", 5, 0).docs())
                .containsExactly(1);
    }

    @Test
    void unicodeTextIsLowerCasedAndSplitOnNonLetters() {
        List<String> terms = new ArrayList<>();
        Analyzer.standard().terms("Über-Größe naïve café", terms::add);
        assertThat(terms).containsExactly("über", "größe", "naïve", "café");
    }
}

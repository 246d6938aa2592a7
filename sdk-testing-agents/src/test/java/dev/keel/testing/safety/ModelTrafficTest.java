package dev.keel.testing.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ChatRequest;
import dev.keel.core.message.Message;
import dev.keel.core.message.ToolCall;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The leak detector against the ways a quoted passage hides, and against false alarms. */
class ModelTrafficTest {
    static final String SECRET_DOC = "Usage-based pricing launches on 3 March for every enterprise customer, "
            + "together with the partner portal and a new billing console.";

    private static void leaks(String request) {
        assertThatThrownBy(() -> ModelTraffic.ofTexts(List.of(request)).assertNoTextFrom(Map.of("roadmap", SECRET_DOC)))
                .as(request).isInstanceOf(AssertionError.class).hasMessageContaining("text of roadmap");
    }

    @Test
    void aQuoteIsFoundHoweverItIsReformatted() {
        leaks("See: launches on 3 March for every enterprise customer, together with");
        leaks("LAUNCHES ON 3 MARCH\nFOR EVERY ENTERPRISE\nCUSTOMER, TOGETHER");
        leaks("**launches** on *3 March* for every `enterprise` customer — together");
        leaks("{\"content\":\"pricing launches on 3 March for every enterprise customer\"}");
        leaks("pricing launchés on 3 Märch for every enterprise customer"); // accents folded
    }

    @Test
    void sharedWordsAreNotALeak() {
        assertThatCode(() -> ModelTraffic.ofTexts(List.of("When does usage-based pricing start for enterprise customers?",
                "The partner portal and the billing console are documented in the FAQ.")).assertNoTextFrom(
                Map.of("roadmap", SECRET_DOC))).doesNotThrowAnyException();
    }

    @Test
    void aShortDocumentCountsWhole() {
        assertThatThrownBy(() -> ModelTraffic.ofTexts(List.of("the code is: Blue Falcon Seven!"))
                .assertNoTextFrom(Map.of("codeword", "blue falcon seven"))).hasMessageContaining("\"blue falcon seven\"");
        assertThatCode(() -> ModelTraffic.ofTexts(List.of("a blue falcon flew"))
                .assertNoTextFrom(Map.of("codeword", "blue falcon seven"))).doesNotThrowAnyException();
        assertThatThrownBy(() -> ModelTraffic.ofTexts(List.of("x")).assertNoTextFrom(Map.of("d", "x"), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3");
    }

    @Test
    void everyPartOfAKeelRequestIsLookedAt() {
        ChatRequest request = ChatRequest.of(Message.system("You help."), Message.user("hi"),
                Message.assistant("", List.of(new ToolCall("c1", "note", "{\"text\":\"launches on 3 March for every enterprise customer, together\"}"))));
        assertThatThrownBy(() -> ModelTraffic.ofRequests(List.of(request)).assertNoTextFrom(Map.of("roadmap", SECRET_DOC)))
                .hasMessageContaining("request #0: text of roadmap");
    }

    @Test
    void aKeyIsFoundButNeverShown() {
        String key = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5";
        assertThatThrownBy(() -> ModelTraffic.ofTexts(List.of("ok", "token=" + key)).assertNoSecret())
                .hasMessageContaining("request #1").hasMessageContaining("GitHub")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(key));
    }
}

package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.message.Message;
import dev.keel.core.tool.ToolSpec;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ChatRequestTest {

    @Test
    void needsAtLeastOneMessage() {
        assertThatThrownBy(() -> ChatRequest.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one message");
        assertThatThrownBy(() -> new ChatRequest(null, null, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("messages");
    }

    @Test
    void toolNamesMustBeUnique() {
        ChatRequest request = ChatRequest.of(Message.user("hi"));
        assertThatThrownBy(() -> request.withTools(ToolSpec.of("a", "one"), ToolSpec.of("a", "two")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unique");
        assertThat(request.withTools(ToolSpec.of("a", "one"), ToolSpec.of("b", "two")).tools()).hasSize(2);
    }

    @Test
    void isImmutableAndCopiesOnChange() {
        List<Message> source = new ArrayList<>(List.of(Message.user("one")));
        ChatRequest request = ChatRequest.of(source);
        source.add(Message.user("two"));
        assertThat(request.messages()).containsExactly(Message.user("one"));
        assertThatThrownBy(() -> request.messages().add(Message.user("x"))).isInstanceOf(UnsupportedOperationException.class);

        ChatRequest longer = request.plus(Message.assistant("reply"));
        assertThat(longer.messages()).containsExactly(Message.user("one"), Message.assistant("reply"));
        assertThat(request.messages()).hasSize(1);
        assertThat(request.options()).isSameAs(ChatOptions.defaults());
        assertThat(request.tools()).isEmpty();

        ChatOptions hot = ChatOptions.builder().temperature(1.5).build();
        assertThat(request.withOptions(hot).options().temperature()).isEqualTo(1.5);
        assertThat(new ChatRequest(List.of(Message.user("x")), null, null).options()).isEqualTo(ChatOptions.defaults());
    }

    @Test
    void optionsRejectOutOfRangeValuesWithTheirName() {
        assertThatThrownBy(() -> ChatOptions.builder().temperature(2.5).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature").hasMessageContaining("2.5");
        assertThatThrownBy(() -> ChatOptions.builder().topP(0.0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("top_p");
        assertThatThrownBy(() -> ChatOptions.builder().maxTokens(0).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_tokens");
    }

    @Test
    void optionsBuilderRoundTrips() {
        ChatOptions o = ChatOptions.builder().model("m").temperature(0.2).topP(0.5).maxTokens(10).presencePenalty(0.1)
                .frequencyPenalty(0.3).stop("a", "b").responseFormat(ResponseFormat.jsonObject()).parallelToolCalls(false)
                .thinkingBudget(100).seed(7L).build();
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.toBuilder().temperature(null).build().temperature()).isNull();
        assertThat(o.stop()).containsExactly("a", "b");
        assertThat(ChatOptions.builder().stop((List<String>) null).build().stop()).isEmpty();
    }

    @Property
    void temperatureInsideRangeIsKept(@ForAll @DoubleRange(min = 0, max = 2) double t) {
        assertThat(ChatOptions.builder().temperature(t).build().temperature()).isEqualTo(t);
    }

    @Property
    void temperatureOutsideRangeIsRejected(@ForAll @DoubleRange(min = 2.01, max = 1e6) double above,
                                           @ForAll @DoubleRange(min = -1e6, max = -0.01) double below) {
        assertThatThrownBy(() -> ChatOptions.builder().temperature(above).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ChatOptions.builder().temperature(below).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Property
    void usageSumsAreComponentWise(@ForAll @IntRange(min = 0, max = 1_000_000) int a, @ForAll @IntRange(min = 0, max = 1_000_000) int b,
                                   @ForAll @IntRange(min = 0, max = 1_000_000) int c, @ForAll @IntRange(min = 0, max = 1_000_000) int d) {
        Usage sum = new Usage(a, b).plus(new Usage(c, d));
        assertThat(sum).isEqualTo(new Usage(a + c, b + d));
        assertThat(sum.totalTokens()).isEqualTo((long) a + b + c + d);
    }

    @Test
    void usageCannotBeNegative() {
        assertThatThrownBy(() -> new Usage(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}

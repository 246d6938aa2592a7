package dev.keel.agents.internal.judge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.agents.AgentException;
import dev.keel.agents.team.Evaluator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import okhttp3.OkHttpClient;

/**
 * The invariants of a choice answer, for any number of choices and any distribution: a distribution over exactly
 * the configured choices that sums to one, answered with a most probable choice, is accepted as it is; moving any
 * probability by more than the rounding tolerance, or answering a less probable choice, is refused.
 */
class JudgeAnswerProperties {
    private static final OkHttpClient HTTP = new OkHttpClient();

    private static JudgeClient client(String provider, int choices) {
        Map<String, String> c = new LinkedHashMap<>();
        for (int i = 0; i < choices; i++) {
            c.put("c" + i, "choice " + i);
        }
        Evaluator e = new Evaluator("p", provider, "m", Evaluator.Kind.CHOICE, "judge", c, List.of(),
                "https://judge.example.com", "", "KEY", null, null);
        return new JudgeClient(e, HTTP, k -> "k");
    }

    /** The answer's body in the backend's own shape. */
    private static byte[] body(String provider, String choice, double[] p) {
        StringBuilder b = new StringBuilder();
        if (provider.equals("typesafe")) {
            b.append("{\"model\":\"m\",\"answers\":{\"evaluation\":{\"type\":\"choice\",\"choice\":\"").append(choice)
                    .append("\",\"probabilities\":{");
            for (int i = 0; i < p.length; i++) {
                b.append(i == 0 ? "" : ",").append("\"c").append(i).append("\":").append(p[i]);
            }
            b.append("}}}}");
        } else {
            b.append("{\"answers\":[{\"type\":\"choice\",\"name\":\"evaluation\",\"choice\":\"").append(choice)
                    .append("\",\"probabilities\":[");
            for (int i = p.length - 1; i >= 0; i--) { // any order
                b.append(i == p.length - 1 ? "" : ",").append("{\"value\":\"c").append(i).append("\",\"probability\":")
                        .append(p[i]).append('}');
            }
            b.append("]}]}");
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Provide
    Arbitrary<String> providers() {
        return Arbitraries.of("typesafe", "openai");
    }

    @Provide
    Arbitrary<List<Integer>> weights() {
        return Arbitraries.integers().between(0, 1000).list().ofMinSize(2).ofMaxSize(9)
                .filter(w -> w.stream().mapToInt(Integer::intValue).sum() > 0);
    }

    private static double[] distribution(List<Integer> weights) {
        double sum = weights.stream().mapToInt(Integer::intValue).sum();
        double[] p = new double[weights.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = weights.get(i) / sum;
        }
        return p;
    }

    private static int argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            best = p[i] > p[best] ? i : best;
        }
        return best;
    }

    @Property
    void aDistributionSummingToOneWithAMostProbableChoiceIsAcceptedAsItIs(
            @ForAll("providers") String provider, @ForAll("weights") List<Integer> weights) {
        double[] p = distribution(weights);
        int best = argmax(p);
        Evaluator.Judgement j = client(provider, p.length).answer(200, body(provider, "c" + best, p),
                (m, u, price) -> { });
        assertThat(j.outcome()).isEqualTo("c" + best);
        assertThat(j.probability()).isEqualTo(p[best]);
        Map<String, Double> expected = new LinkedHashMap<>();
        for (int i = 0; i < p.length; i++) {
            expected.put("c" + i, p[i]);
        }
        assertThat(j.probabilities()).isEqualTo(expected);
    }

    @Property
    void movingOneProbabilityBeyondTheToleranceIsRefused(
            @ForAll("providers") String provider, @ForAll("weights") List<Integer> weights,
            @ForAll @IntRange(min = 0, max = 8) int which, @ForAll @DoubleRange(min = 0.0011, max = 0.5) @net.jqwik.api.constraints.Scale(6) double delta,
            @ForAll boolean up) {
        double[] p = distribution(weights);
        int i = which % p.length;
        p[i] = up ? p[i] + delta : p[i] - delta;
        Assume.that(p[i] >= 0 && p[i] <= 1);
        int best = argmax(p);
        assertThatThrownBy(() -> client(provider, p.length).answer(200, body(provider, "c" + best, p),
                (m, u, price) -> { })).isInstanceOf(AgentException.class).hasMessageContaining("do not sum to one");
    }

    @Property
    void aChoiceLessProbableThanAnotherIsRefused(@ForAll("providers") String provider,
                                                  @ForAll("weights") List<Integer> weights) {
        double[] p = distribution(weights);
        List<Integer> lesser = new ArrayList<>();
        double max = p[argmax(p)];
        for (int i = 0; i < p.length; i++) {
            if (p[i] < max) {
                lesser.add(i);
            }
        }
        Assume.that(!lesser.isEmpty());
        assertThatThrownBy(() -> client(provider, p.length).answer(200, body(provider, "c" + lesser.get(0), p),
                (m, u, price) -> { })).isInstanceOf(AgentException.class).hasMessageContaining("most probable");
    }
}

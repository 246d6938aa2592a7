package dev.keel.testing.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.json.JsonObject;
import dev.keel.testing.internal.eval.ToolCallMatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** The tool-call matching rules hold for any shuffle and any extra calls. */
class ToolCallMatchPropertyTest {
    private static ObservedToolCall call(String tool, String path) {
        return new ObservedToolCall("root", tool, JsonObject.of(java.util.Map.of("path", path)), "", false);
    }

    /** Broad and narrow expectations over the same tool: a greedy matcher would fail some orders. */
    private static List<ExpectedToolCall> expected() {
        return List.of(ExpectedToolCall.of("read_file"), ExpectedToolCall.of("read_file").with("path", "a.md"),
                ExpectedToolCall.of("list_directory"), ExpectedToolCall.of("read_file").with("path", ArgumentMatcher.contains("b")));
    }

    @Property(tries = 200)
    void anyOrderMatchesEveryPermutationThatHoldsTheCalls(@ForAll long seed, @ForAll @IntRange(max = 3) int extras) {
        List<ObservedToolCall> calls = new ArrayList<>(List.of(call("read_file", "a.md"), call("read_file", "b.md"),
                call("list_directory", "."), call("read_file", "c.md")));
        for (int i = 0; i < extras; i++) {
            calls.add(call("think", "x" + i));
        }
        Collections.shuffle(calls, new Random(seed));
        assertThat(ToolCallMatch.unmatchedAnyOrder(expected(), calls, ExpectedToolCall::matches)).isEmpty();
        // remove the only call the narrow expectation on b can use: exactly that expectation is missing
        calls.removeIf(c -> c.arguments().toJson().contains("b.md"));
        assertThat(ToolCallMatch.unmatchedAnyOrder(expected(), calls, ExpectedToolCall::matches)).containsExactly(3);
    }

    @Property(tries = 200)
    void inOrderAcceptsInterleavedCallsAndRejectsASwap(@ForAll long seed) {
        List<ExpectedToolCall> expected = List.of(ExpectedToolCall.of("list_directory"), ExpectedToolCall.of("read_file"));
        List<ObservedToolCall> calls = new ArrayList<>(List.of(call("list_directory", "."), call("read_file", "a.md")));
        Random r = new Random(seed);
        int noise = r.nextInt(4);
        for (int i = 0; i < noise; i++) {
            calls.add(r.nextInt(calls.size() + 1), call("think", "n" + i));
        }
        assertThat(ToolCallMatch.firstMissingInOrder(expected, calls, ExpectedToolCall::matches)).isEqualTo(-1);
        List<ObservedToolCall> swapped = List.of(call("read_file", "a.md"), call("list_directory", "."));
        assertThat(ToolCallMatch.firstMissingInOrder(expected, swapped, ExpectedToolCall::matches)).isEqualTo(1);
    }

    @Property(tries = 100)
    void f1IsSymmetricBoundedAndOneOnlyForEqualMultisets(@ForAll @IntRange(max = 5) int a, @ForAll @IntRange(max = 5) int b) {
        List<String> x = Collections.nCopies(a, "read_file");
        List<String> y = Collections.nCopies(b, "read_file");
        double f = ToolCallMatch.f1(x, y);
        assertThat(f).isBetween(0.0, 1.0).isEqualTo(ToolCallMatch.f1(y, x));
        assertThat(f == 1.0).isEqualTo(a == b);
    }
}

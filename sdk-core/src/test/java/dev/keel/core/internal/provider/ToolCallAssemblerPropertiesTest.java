package dev.keel.core.internal.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.message.ToolCall;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** However arguments are fragmented and calls interleaved, assembly yields the original calls in index order. */
class ToolCallAssemblerPropertiesTest {

    @Provide
    Arbitrary<ToolCall> calls() {
        Arbitrary<String> id = Arbitraries.strings().alpha().numeric().ofLength(24).map(s -> "call_" + s);
        Arbitrary<String> name = Arbitraries.strings().withChars("abcdefgh_").ofMinLength(1).ofMaxLength(20);
        Arbitrary<String> args = Arbitraries.strings().withChars("{}[]\":,abc 123é東\\").ofMinLength(1).ofMaxLength(120);
        return Combinators.combine(id, name, args).as(ToolCall::new);
    }

    @Property(tries = 300)
    void fragmentationAndInterleavingDoNotChangeTheResult(@ForAll @Size(min = 1, max = 5) List<@From("calls") ToolCall> calls,
                                                          @ForAll long seed) {
        Random random = new Random(seed);
        List<Deque<String[]>> perCall = new ArrayList<>();
        for (ToolCall c : calls) {
            Deque<String[]> fragments = new ArrayDeque<>();
            String a = c.arguments();
            int i = 0;
            boolean first = true;
            while (i < a.length() || first) {
                int n = Math.min(a.length() - i, random.nextInt(8));
                // id and name only on the first fragment, like the providers send them
                fragments.add(new String[] {first ? c.id() : null, first ? c.name() : null, a.substring(i, i + n)});
                i += n;
                first = false;
            }
            perCall.add(fragments);
        }
        ToolCallAssembler assembler = new ToolCallAssembler();
        List<Integer> open = new ArrayList<>();
        for (int k = 0; k < calls.size(); k++) {
            open.add(k);
        }
        while (!open.isEmpty()) {
            int pick = open.get(random.nextInt(open.size()));
            String[] f = perCall.get(pick).poll();
            ToolCallAssembler.Partial p = assembler.add(pick, f[0], f[1], f[2]);
            assertThat(p.id()).isEqualTo(calls.get(pick).id());
            assertThat(p.name()).isEqualTo(calls.get(pick).name());
            if (perCall.get(pick).isEmpty()) {
                open.remove(Integer.valueOf(pick));
            }
        }
        assertThat(assembler.completeRemaining()).containsExactlyElementsOf(calls);
        assertThat(assembler.completeRemaining()).isEmpty();
    }
}

package dev.keel.core.internal.compose;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Invariants of the fallback backoff and the routing matcher. */
class ComposePropertiesTest {

    @Property
    void backoffDoublesUpToItsCapWithinTenPercent(@ForAll @IntRange(min = 1, max = 40) int attempt,
                                                 @ForAll @LongRange(min = 1, max = 5_000) long initialMillis,
                                                 @ForAll @LongRange(min = 1, max = 60_000) long maxMillis,
                                                 @ForAll long seed) {
        Backoff backoff = new Backoff(Duration.ofMillis(initialMillis), Duration.ofMillis(maxMillis), new Random(seed));
        double base = Math.min(maxMillis * 1e6, initialMillis * 1e6 * Math.pow(2, attempt - 1));
        long nanos = backoff.delay(attempt).toNanos();
        assertThat((double) nanos).isBetween(base * 0.9 - 1, base * 1.1 + 1);
    }

    @Property
    void aMessageEqualToAnExampleRoutesToThatExamplesRoute(@ForAll @IntRange(min = 1, max = 6) int routes,
                                                          @ForAll @IntRange(min = 1, max = 4) int perRoute,
                                                          @ForAll long seed) {
        Random random = new Random(seed);
        List<List<String>> examples = new ArrayList<>();
        for (int r = 0; r < routes; r++) {
            List<String> mine = new ArrayList<>();
            for (int e = 0; e < perRoute; e++) {
                // words unique to this route and example, plus a word every example shares
                mine.add("shared r" + r + "w" + e + " r" + r + "x" + random.nextInt(1000));
            }
            examples.add(mine);
        }
        RouteMatcher matcher = new RouteMatcher(examples);
        int route = random.nextInt(routes);
        String example = examples.get(route).get(random.nextInt(perRoute));

        assertThat(matcher.best(example)).hasValueSatisfying(m -> assertThat(m.route()).isEqualTo(route));
        assertThat(matcher.best("nothing in common here")).isEmpty();
    }

    @Property
    void stopWordsAloneNeverMatch(@ForAll @IntRange(min = 0, max = 3) int pick) {
        RouteMatcher matcher = new RouteMatcher(List.of(List.of("What is the time"), List.of("Write a story about")));
        String[] onlyStopWords = {"what is the", "a about", "is it the", "the a an"};
        assertThat(matcher.best(onlyStopWords[pick])).isEmpty();
        assertThat(RouteMatcher.words("Write-a STORY, about: Øresund!")).containsExactly("write", "story", "øresund");
    }
}

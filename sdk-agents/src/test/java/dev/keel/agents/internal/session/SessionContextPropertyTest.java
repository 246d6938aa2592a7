package dev.keel.agents.internal.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.agents.internal.SessionCodec;
import dev.keel.agents.session.SessionHistory;
import dev.keel.agents.session.SessionScope;
import dev.keel.agents.session.SessionStore;
import dev.keel.agents.tool.Tool;
import dev.keel.agents.tool.ToolArguments;
import dev.keel.agents.tool.ToolContext;
import dev.keel.agents.tool.ToolResult;
import dev.keel.core.Usage;
import dev.keel.core.json.JsonArray;
import dev.keel.core.json.JsonObject;
import dev.keel.core.json.JsonValue;
import dev.keel.core.message.UserMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Invariants of {@code session_context}: a transcript never exceeds its budget, always starts with its header, shows
 * a suffix of the blocks (the newest), keeps as many as fit and counts the rest in its note; relative references
 * name exactly the sessions {@code list_sessions} lists, in its order, and never one of another owner or the running
 * session.
 */
class SessionContextPropertyTest {
    private static final Pattern NOTE = Pattern.compile("^\\n\\[(\\d+) earlier message\\(s\\) left out to stay within "
            + "the size limit; the last (\\d+) follow]\\n");

    @Provide
    Arbitrary<List<String>> blocks() {
        return Arbitraries.strings().withChars("abc xyz\n#").ofMinLength(1).ofMaxLength(2_000)
                .map(b -> "## user\n" + b).list().ofMaxSize(40);
    }

    @Property(tries = 300)
    void aTranscriptKeepsItsHeaderAndTheNewestBlocksThatFit(@ForAll("blocks") List<String> blocks,
                                                           @ForAll @IntRange(min = 0, max = 30_000) int extra) {
        String header = "# Session s — title\nLast saved: 2026-12-06T00:00:00Z\nMessages: " + blocks.size() + "\n";
        int max = header.length() + Transcript.note(blocks.size(), blocks.size()).length() + Transcript.CUT.length() + 2
                + extra;
        String out = Transcript.fit(header, blocks, max);
        String outcome = out.contains(Transcript.CUT) ? "newest block cut"
                : NOTE.matcher(out.substring(header.length())).find() ? "oldest left out" : "whole";
        Statistics.collect(outcome);
        Statistics.coverage(c -> {
            c.check("newest block cut").count(n -> n > 0);
            c.check("oldest left out").count(n -> n > 0);
            c.check("whole").count(n -> n > 0);
        });

        assertThat(out.length()).isLessThanOrEqualTo(max);
        assertThat(out).startsWith(header);
        String rest = out.substring(header.length());
        Matcher note = NOTE.matcher(rest);
        if (!note.find()) {
            StringBuilder all = new StringBuilder();
            blocks.forEach(b -> all.append('\n').append(b).append('\n'));
            assertThat(rest).isEqualTo(all.toString());
            return;
        }
        int omitted = Integer.parseInt(note.group(1));
        int kept = Integer.parseInt(note.group(2));
        assertThat(omitted + kept).isEqualTo(blocks.size());
        assertThat(kept).isPositive();
        List<String> suffix = blocks.subList(omitted, blocks.size());
        String shown = rest.substring(note.end());
        StringBuilder expected = new StringBuilder();
        suffix.forEach(b -> expected.append('\n').append(b).append('\n'));
        if (shown.startsWith("\n" + Transcript.CUT)) {
            // only the newest block, cut: it alone did not fit, and its end is kept
            assertThat(kept).isEqualTo(1);
            String tail = shown.substring(1 + Transcript.CUT.length(), shown.length() - 1);
            assertThat(suffix.get(0)).endsWith(tail);
            return;
        }
        assertThat(omitted).isPositive();
        assertThat(shown).isEqualTo(expected.toString());
        // as many as fit: one more block would have gone over the budget
        int budget = max - header.length() - Transcript.note(blocks.size(), blocks.size()).length();
        int withOneMore = 0;
        for (String b : blocks.subList(omitted - 1, blocks.size())) {
            withOneMore += b.length() + 2;
        }
        assertThat(withOneMore).isGreaterThan(budget);
    }

    private static ToolResult call(Tool tool, String args, String current) throws Exception {
        return tool.call(ToolArguments.parse(args), new ToolContext("root", current, "c1", new ConcurrentHashMap<>()));
    }

    private static void seed(SessionStore store, String id) {
        store.save(id, SessionCodec.write(new SessionCodec.Data(id, List.of(new UserMessage("about " + id)), Map.of(),
                null, Usage.ZERO, null, Set.of(), null, null, 0)), 0);
    }

    @Property(tries = 60)
    void relativeReferencesNameTheListedSessionsInOrderAndNothingElse(
            @ForAll @Size(max = 30) List<@IntRange(min = 0, max = 2) Integer> owners,
            @ForAll @IntRange(min = 0, max = 30) int currentAt) throws Exception {
        SessionStore store = SessionStore.inMemory();
        String current = "alice/current";
        List<String> alice = new ArrayList<>();
        for (int i = 0; i < owners.size(); i++) {
            if (i == Math.min(currentAt, owners.size() - 1)) {
                seed(store, current);
            }
            String id = List.of("alice/", "bob/", "alice-not/").get(owners.get(i)) + i;
            seed(store, id);
            if (owners.get(i) == 0) {
                alice.add(id);
            }
        }
        List<Tool> tools = SessionContextToolset.of(new SessionHistory(store, SessionScope.sameOwner("/"))).tools();
        ToolResult listed = call(tools.get(0), "{\"limit\": 100}", current);
        List<String> ids = ((JsonArray) JsonValue.parse(listed.content())).items().stream()
                .map(v -> ((JsonObject) v).get("id").flatMap(JsonValue::asString).orElseThrow()).toList();
        assertThat(ids).containsExactlyInAnyOrderElementsOf(alice);
        for (int k = 1; k <= ids.size() + 2; k++) {
            ToolResult read = call(tools.get(1), "{\"session_id\": \"-" + k + "\"}", current);
            if (k <= ids.size()) {
                assertThat(read.error()).isFalse();
                assertThat(read.content()).startsWith("# Session " + ids.get(k - 1) + " — about " + ids.get(k - 1));
            } else {
                assertThat(read.error()).isTrue();
                assertThat(read.content()).contains("names no session");
            }
        }
        for (String other : List.of("bob/0", "bob/1", "alice-not/2", current)) {
            ToolResult read = call(tools.get(1), "{\"session_id\": \"" + other + "\"}", current);
            assertThat(read.error()).isTrue();
            assertThat(read.content()).doesNotContain("# Session");
        }
    }
}
